//! Reader for the FTC's National DNC download files (full lists and change lists).
//!
//! One number per line, `NPANXXXXXX` or `NPA,NXXXXXX` (COMPLIANCE.md F9 says to accept
//! both until the SAN portal's file spec is in hand). A UTF-8 byte-order mark, CRLF line
//! ends and blanks around a line are tolerated; blank lines are counted; every other line
//! that is not a valid NANP number is counted as malformed with its line number, and the
//! first few are kept as samples, so a damaged download is visible rather than quietly
//! shrinking the registry.

use super::ListKind;
use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Malformed lines kept as samples per file.
pub const MAX_SAMPLES: usize = 5;
/// Lines longer than this are malformed without further reading: no valid line is near it,
/// and it keeps a file without line breaks from being buffered whole.
const MAX_LINE: usize = 256;
/// Bytes per read.
const READ_CHUNK: usize = 1 << 20;

/// Why a line is not a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Malformed {
    /// Digits only, but not ten of them.
    WrongLength,
    /// Neither `NPANXXXXXX` nor `NPA,NXXXXXX`.
    Unrecognized,
    /// The area code starts with 0 or 1, which no NANP area code does.
    InvalidAreaCode,
    /// The exchange (NXX) starts with 0 or 1, which no NANP exchange does.
    InvalidExchange,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Malformed::WrongLength => "not 10 digits",
            Malformed::Unrecognized => "not NPANXXXXXX or NPA,NXXXXXX",
            Malformed::InvalidAreaCode => "area code starts with 0 or 1",
            Malformed::InvalidExchange => "exchange starts with 0 or 1",
        })
    }
}

/// One malformed line, kept as a sample.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MalformedLine {
    /// 1-based line number.
    pub line: u64,
    /// What is wrong with it.
    pub reason: Malformed,
    /// The line with digits after the sixth masked, shortened to 40 characters: enough to
    /// see its shape without printing a phone number.
    pub text: String,
}

/// What reading one file found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileReport {
    /// The file.
    pub path: PathBuf,
    /// Which list it was read as.
    pub list: ListKind,
    /// Lines read.
    pub lines: u64,
    /// Valid numbers among them.
    pub numbers: u64,
    /// Empty or whitespace-only lines.
    pub blank_lines: u64,
    /// Malformed lines.
    pub malformed: u64,
    /// The first [`MAX_SAMPLES`] malformed lines.
    pub samples: Vec<MalformedLine>,
}

/// Why a file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum FtcError {
    /// The file system refused.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The FTC ships zip archives; they must be unpacked first.
    #[error("{0}: is a zip archive; unzip the FTC download first")]
    Zipped(PathBuf),
}

/// Parses one line (without its `\n`): a number, `None` for a blank line, or why not.
pub fn parse_line(line: &[u8]) -> Result<Option<u64>, Malformed> {
    let line = line.trim_ascii();
    let (npa, rest) = match line.len() {
        0 => return Ok(None),
        10 => line.split_at(3),
        11 if line[3] == b',' => (&line[..3], &line[4..]),
        _ if line.iter().all(u8::is_ascii_digit) => return Err(Malformed::WrongLength),
        _ => return Err(Malformed::Unrecognized),
    };
    let mut number = 0u64;
    for &b in npa.iter().chain(rest) {
        if !b.is_ascii_digit() {
            return Err(Malformed::Unrecognized);
        }
        number = number * 10 + u64::from(b - b'0');
    }
    if npa[0] < b'2' {
        return Err(Malformed::InvalidAreaCode);
    }
    if rest[0] < b'2' {
        return Err(Malformed::InvalidExchange);
    }
    Ok(Some(number))
}

fn masked(line: &[u8]) -> String {
    let mut digits = 0;
    String::from_utf8_lossy(line)
        .chars()
        .take(40)
        .map(|c| {
            if c.is_ascii_digit() {
                digits += 1;
                if digits > 6 { '*' } else { c }
            } else if c.is_control() {
                '?'
            } else {
                c
            }
        })
        .collect()
}

/// Tallies lines into a report and hands numbers on.
struct Lines<'a, F> {
    report: FileReport,
    on_number: &'a mut F,
}

impl<F: FnMut(u64)> Lines<'_, F> {
    fn line(&mut self, line: &[u8], overlong: bool) {
        self.report.lines += 1;
        let parsed = if overlong { Err(Malformed::Unrecognized) } else { parse_line(line) };
        match parsed {
            Ok(Some(number)) => {
                self.report.numbers += 1;
                (self.on_number)(number);
            }
            Ok(None) => self.report.blank_lines += 1,
            Err(reason) => {
                self.report.malformed += 1;
                if self.report.samples.len() < MAX_SAMPLES {
                    let text = masked(line.trim_ascii());
                    self.report.samples.push(MalformedLine { line: self.report.lines, reason, text });
                }
            }
        }
    }
}

/// The start of a line that continues in the next read.
struct Partial {
    bytes: Vec<u8>,
    overlong: bool,
}

impl Partial {
    fn is_started(&self) -> bool {
        !self.bytes.is_empty() || self.overlong
    }

    fn append(&mut self, data: &[u8]) {
        let room = (MAX_LINE + 1).saturating_sub(self.bytes.len());
        self.overlong |= data.len() > room;
        self.bytes.extend_from_slice(&data[..data.len().min(room)]);
    }

    fn finish<F: FnMut(u64)>(&mut self, lines: &mut Lines<'_, F>) {
        lines.line(&self.bytes, self.overlong || self.bytes.len() > MAX_LINE);
        self.bytes.clear();
        self.overlong = false;
    }
}

/// Reads one list from `reader`, calling `on_number` for each valid number in file order
/// and `on_progress` with the running line count after each large read.
pub fn read_list<R: Read>(
    mut reader: R,
    path: &Path,
    list: ListKind,
    mut on_number: impl FnMut(u64),
    mut on_progress: impl FnMut(u64),
) -> Result<FileReport, FtcError> {
    let io_err = |source| FtcError::Io { path: path.to_path_buf(), source };
    let report = FileReport {
        path: path.to_path_buf(),
        list,
        lines: 0,
        numbers: 0,
        blank_lines: 0,
        malformed: 0,
        samples: Vec::new(),
    };
    let mut lines = Lines { report, on_number: &mut on_number };
    let mut buf = vec![0u8; READ_CHUNK];
    // A line split across reads, kept to at most MAX_LINE + 1 bytes.
    let mut partial = Partial { bytes: Vec::with_capacity(MAX_LINE + 1), overlong: false };
    let mut first = true;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_err(e)),
        };
        let mut data = &buf[..n];
        if first {
            first = false;
            if data.starts_with(b"PK\x03\x04") {
                return Err(FtcError::Zipped(path.to_path_buf()));
            }
            data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
        }
        if partial.is_started() {
            let Some(end) = memchr::memchr(b'\n', data) else {
                partial.append(data);
                continue;
            };
            partial.append(&data[..end]);
            partial.finish(&mut lines);
            data = &data[end + 1..];
        }
        while let Some(end) = memchr::memchr(b'\n', data) {
            let line = &data[..end];
            lines.line(line, line.len() > MAX_LINE);
            data = &data[end + 1..];
        }
        partial.append(data);
        on_progress(lines.report.lines);
    }
    if partial.is_started() {
        partial.finish(&mut lines);
    }
    Ok(lines.report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &[u8]) -> (Vec<u64>, FileReport) {
        let mut numbers = Vec::new();
        let report =
            read_list(text, Path::new("t.txt"), ListKind::Full, |n| numbers.push(n), |_| {}).expect("readable");
        (numbers, report)
    }

    #[test]
    fn both_line_formats_bom_crlf_and_blanks() {
        let (numbers, report) = read(b"\xEF\xBB\xBF2125550100\r\n212,5550101 \r\n\r\n  \n\t9899999999\n201,2000000");
        assert_eq!(numbers, [2_125_550_100, 2_125_550_101, 9_899_999_999, 2_012_000_000]);
        assert_eq!((report.lines, report.numbers, report.blank_lines, report.malformed), (6, 4, 2, 0));
    }

    #[test]
    fn malformed_lines_are_counted_with_line_numbers_and_masked_samples() {
        let text = b"2125550100\n212555010\n212-555-0102\n1125550103\n2120550104\nabc\n2125550105\n21255501066\n\
212,555,0107\n2125550108\n";
        let (numbers, report) = read(text);
        assert_eq!(numbers, [2_125_550_100, 2_125_550_105, 2_125_550_108]);
        assert_eq!(report.malformed, 7);
        assert_eq!(report.samples.len(), MAX_SAMPLES);
        let got: Vec<_> = report.samples.iter().map(|s| (s.line, s.reason, s.text.as_str())).collect();
        assert_eq!(
            got,
            [
                (2, Malformed::WrongLength, "212555***"),
                (3, Malformed::Unrecognized, "212-555-****"),
                (4, Malformed::InvalidAreaCode, "112555****"),
                (5, Malformed::InvalidExchange, "212055****"),
                (6, Malformed::Unrecognized, "abc"),
            ]
        );
    }

    #[test]
    fn lines_split_across_reads_and_overlong_lines() {
        /// Hands out a few bytes per read, like a slow pipe.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = buf.len().min(self.0.len()).min(3);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut text = b"2125550100\n".to_vec();
        text.extend(std::iter::repeat_n(b'7', 5000));
        text.extend_from_slice(b"\n212,5550101");
        let mut numbers = Vec::new();
        let report = read_list(Trickle(&text), Path::new("t"), ListKind::Addition, |n| numbers.push(n), |_| {})
            .expect("readable");
        assert_eq!(numbers, [2_125_550_100, 2_125_550_101]);
        assert_eq!((report.lines, report.malformed), (3, 1));
        assert_eq!(report.samples[0].line, 2);
        assert_eq!(report.samples[0].text.len(), 40);
        // The same text in one read gives the same report.
        assert_eq!(read(&text).1.malformed, 1);
    }

    #[test]
    fn zip_archives_are_refused() {
        let err =
            read_list(&b"PK\x03\x04rest"[..], Path::new("212.zip"), ListKind::Full, |_| {}, |_| {}).expect_err("zip");
        assert!(err.to_string().contains("unzip"), "{err}");
    }
}
