//! The registry on disk: a versioned little-endian file with a checksum, written atomically.
//!
//! Layout (version 1), all integers little-endian:
//!
//! | bytes | field |
//! |---|---|
//! | 8 | magic `ODNCNAT\0` |
//! | 4 | format version (1) |
//! | 4 | number of area codes `a` |
//! | 4 | copy date as `YYYYMMDD` (0 = none) |
//! | 4 | prefixes `p` (1,000,000) |
//! | 8 | registered numbers |
//! | 8 | block words `w` |
//! | 8 | reserved (0) |
//! | 2·a, padded to 8 | area codes, ascending |
//! | 4·(p+1), padded to 8 | block word offset per prefix |
//! | 8·w | blocks |
//! | 8 | XXH64 of every byte before it |

use super::checksum::Xxh64;
use super::{PREFIXES, Registry, block};
use chrono::{Datelike, NaiveDate};
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

const MAGIC: [u8; 8] = *b"ODNCNAT\0";
const VERSION: u32 = 1;
const HEADER_BYTES: u64 = 48;
/// Bytes per read/write: large enough that syscalls vanish from the profile.
const IO_CHUNK: usize = 8 << 20;

/// Why a snapshot could not be written or loaded.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The file system refused.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The file does not start with the snapshot magic.
    #[error("{0}: not an Outdial National DNC snapshot")]
    NotASnapshot(PathBuf),
    /// Written by a newer (or unknown) format version.
    #[error("{path}: snapshot format version {found} is not supported (this build reads {VERSION})")]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// The version it declares.
        found: u32,
    },
    /// Shorter than its header says: an interrupted copy or download.
    #[error("{path}: truncated snapshot ({actual} bytes, header says {expected})")]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Bytes the header implies.
        expected: u64,
        /// Bytes present.
        actual: u64,
    },
    /// The checksum does not match: the file was damaged after it was written.
    #[error("{0}: snapshot checksum mismatch (file is corrupt)")]
    ChecksumMismatch(PathBuf),
    /// The checksum matched but the content is inconsistent.
    #[error("{path}: corrupt snapshot: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is inconsistent.
        reason: String,
    },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> SnapshotError + '_ {
    move |source| SnapshotError::Io { path: path.to_path_buf(), source }
}

fn padded(bytes: u64) -> u64 {
    bytes.div_ceil(8) * 8
}

fn date_code(date: Option<NaiveDate>) -> u32 {
    date.map_or(0, |d| d.year() as u32 * 10_000 + d.month() * 100 + d.day())
}

/// Writes `registry` to `path` atomically: a temporary file in the same directory is
/// written, fsynced and renamed over `path`, so a reader sees the old file or the new one,
/// never a mix. Returns the file size.
pub fn write(registry: &Registry, path: &Path) -> Result<u64, SnapshotError> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = write_file(registry, &tmp).and_then(|bytes| {
        std::fs::rename(&tmp, path).map_err(io_error(path))?;
        // The rename is durable only once the directory entry is.
        #[cfg(unix)]
        File::open(dir).and_then(|d| d.sync_all()).map_err(io_error(dir))?;
        Ok(bytes)
    });
    if result.is_err() {
        // Best effort: the error being returned matters more than a leftover temp file.
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Counts and hashes everything written through it.
struct HashingWriter {
    file: File,
    buf: Vec<u8>,
    hasher: Xxh64,
    written: u64,
}

impl HashingWriter {
    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.hasher.update(bytes);
        self.written += bytes.len() as u64;
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= IO_CHUNK {
            self.file.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn pad(&mut self) -> io::Result<()> {
        let zeros = (padded(self.written) - self.written) as usize;
        self.put(&[0; 8][..zeros])
    }
}

fn write_file(registry: &Registry, tmp: &Path) -> Result<u64, SnapshotError> {
    let file = File::create(tmp).map_err(io_error(tmp))?;
    let mut w = HashingWriter { file, buf: Vec::with_capacity(IO_CHUNK + 64), hasher: Xxh64::new(), written: 0 };
    let unloaded;
    let offsets: &[u32] = if registry.offsets.is_empty() {
        unloaded = vec![0; PREFIXES + 1];
        &unloaded
    } else {
        &registry.offsets
    };
    let body = (|| -> io::Result<()> {
        w.put(&MAGIC)?;
        w.put(&VERSION.to_le_bytes())?;
        w.put(&(registry.npas.len() as u32).to_le_bytes())?;
        w.put(&date_code(registry.copy_date).to_le_bytes())?;
        w.put(&(PREFIXES as u32).to_le_bytes())?;
        w.put(&registry.count.to_le_bytes())?;
        w.put(&(registry.words.len() as u64).to_le_bytes())?;
        w.put(&0u64.to_le_bytes())?;
        for npa in &registry.npas {
            w.put(&npa.to_le_bytes())?;
        }
        w.pad()?;
        for chunk in offsets.chunks(IO_CHUNK / 4) {
            let bytes: Vec<u8> = chunk.iter().flat_map(|o| o.to_le_bytes()).collect();
            w.put(&bytes)?;
        }
        w.pad()?;
        for chunk in registry.words.chunks(IO_CHUNK / 8) {
            let bytes: Vec<u8> = chunk.iter().flat_map(|o| o.to_le_bytes()).collect();
            w.put(&bytes)?;
        }
        let checksum = w.hasher.finish();
        w.buf.extend_from_slice(&checksum.to_le_bytes());
        w.file.write_all(&w.buf)?;
        w.file.sync_all()
    })();
    body.map_err(io_error(tmp))?;
    Ok(w.written + 8)
}

/// Reads a file section by section, hashing as it goes.
struct HashingReader<'a> {
    file: File,
    path: &'a Path,
    expected: u64,
    actual: u64,
    buf: Vec<u8>,
    hasher: Xxh64,
}

impl HashingReader<'_> {
    /// Reads `len` bytes in large pieces, handing each to `f` after hashing it.
    fn section(&mut self, len: u64, mut f: impl FnMut(&[u8])) -> Result<(), SnapshotError> {
        let mut left = len;
        while left > 0 {
            let take = left.min(self.buf.len() as u64) as usize;
            self.file.read_exact(&mut self.buf[..take]).map_err(|e| self.read_error(e))?;
            self.hasher.update(&self.buf[..take]);
            f(&self.buf[..take]);
            left -= take as u64;
        }
        Ok(())
    }

    fn read_error(&self, e: io::Error) -> SnapshotError {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            // The file shrank between the size check and the read.
            SnapshotError::Truncated { path: self.path.to_path_buf(), expected: self.expected, actual: self.actual }
        } else {
            SnapshotError::Io { path: self.path.to_path_buf(), source: e }
        }
    }
}

fn le_u32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

fn le_u64(b: &[u8]) -> u64 {
    u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
}

/// Loads and fully validates a snapshot.
pub fn load(path: &Path) -> Result<Registry, SnapshotError> {
    let corrupt = |reason: String| SnapshotError::Corrupt { path: path.to_path_buf(), reason };
    let mut file = File::open(path).map_err(io_error(path))?;
    let actual = file.metadata().map_err(io_error(path))?.len();
    let truncated = |expected| SnapshotError::Truncated { path: path.to_path_buf(), expected, actual };
    let mut head = [0u8; HEADER_BYTES as usize];
    if actual < HEADER_BYTES {
        return Err(if actual >= 8 && file.read_exact(&mut head[..8]).is_ok() && head[..8] == MAGIC {
            truncated(HEADER_BYTES)
        } else {
            SnapshotError::NotASnapshot(path.to_path_buf())
        });
    }
    file.read_exact(&mut head).map_err(io_error(path))?;
    if head[..8] != MAGIC {
        return Err(SnapshotError::NotASnapshot(path.to_path_buf()));
    }
    let version = le_u32(&head[8..]);
    if version != VERSION {
        return Err(SnapshotError::UnsupportedVersion { path: path.to_path_buf(), found: version });
    }
    let npa_count = le_u32(&head[12..]) as u64;
    let date = le_u32(&head[16..]);
    let prefixes = le_u32(&head[20..]) as u64;
    let count = le_u64(&head[24..]);
    let word_count = le_u64(&head[32..]);
    if npa_count > 1000 || prefixes != PREFIXES as u64 {
        return Err(corrupt(format!("header declares {npa_count} area codes and {prefixes} prefixes")));
    }
    let expected = word_count
        .checked_mul(8)
        .and_then(|w| w.checked_add(HEADER_BYTES + padded(npa_count * 2) + padded((prefixes + 1) * 4) + 8))
        .ok_or_else(|| corrupt(format!("header declares {word_count} block words")))?;
    if actual < expected {
        return Err(truncated(expected));
    }
    if actual > expected {
        return Err(corrupt(format!("{} bytes beyond the declared end", actual - expected)));
    }
    let copy_date = match date {
        0 => None,
        d => Some(
            NaiveDate::from_ymd_opt((d / 10_000) as i32, d / 100 % 100, d % 100)
                .ok_or_else(|| corrupt(format!("copy date {d} is not a date")))?,
        ),
    };

    let mut hasher = Xxh64::new();
    hasher.update(&head);
    let mut r = HashingReader { file, path, expected, actual, buf: vec![0; IO_CHUNK], hasher };
    let mut npas = Vec::with_capacity(npa_count as usize);
    r.section(padded(npa_count * 2), |b| npas.extend(b.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]]))))?;
    npas.truncate(npa_count as usize);
    let mut offsets = Vec::with_capacity(PREFIXES + 1);
    r.section(padded((prefixes + 1) * 4), |b| offsets.extend(b.chunks_exact(4).map(le_u32)))?;
    offsets.truncate(PREFIXES + 1);
    let mut words = Vec::with_capacity(word_count as usize);
    r.section(word_count * 8, |b| words.extend(b.chunks_exact(8).map(le_u64)))?;
    let mut stored = [0u8; 8];
    r.file.read_exact(&mut stored).map_err(|e| r.read_error(e))?;
    if u64::from_le_bytes(stored) != r.hasher.finish() {
        return Err(SnapshotError::ChecksumMismatch(path.to_path_buf()));
    }

    if !npas.windows(2).all(|w| w[0] < w[1]) || npas.last().is_some_and(|&n| n > 999) {
        return Err(corrupt("area codes are not ascending 3-digit codes".into()));
    }
    if offsets[0] != 0 || offsets[PREFIXES] as u64 != word_count || !offsets.windows(2).all(|w| w[0] <= w[1]) {
        return Err(corrupt("block offsets are not ascending within the blocks".into()));
    }
    let mut members = 0u64;
    for (prefix, w) in offsets.windows(2).enumerate() {
        if w[0] < w[1] {
            let found = block::check(&words[w[0] as usize..w[1] as usize])
                .map_err(|e| corrupt(format!("prefix {prefix:06}: {e}")))?;
            members += u64::from(found);
        }
    }
    if members != count {
        return Err(corrupt(format!("blocks hold {members} numbers, header says {count}")));
    }
    Ok(Registry { offsets, words, count, npas, copy_date })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dnc::national::{Builder, ListKind};

    /// A directory of its own under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!("outdial-snapshot-{name}-{}", std::process::id()));
            std::fs::create_dir_all(&dir).expect("temp dir");
            Self(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn sample() -> Registry {
        let mut b = Builder::new();
        for i in 0..20_000u64 {
            b.add(2_125_550_000 + i * 7, ListKind::Full).expect("valid");
            b.add(9_895_550_000 + i * i % 10_000, ListKind::Full).expect("valid");
        }
        b.build(NaiveDate::from_ymd_opt(2026, 6, 1).expect("valid date"))
    }

    #[test]
    fn round_trips_exactly_and_leaves_no_temp_file() {
        let dir = TempDir::new("round-trip");
        let path = dir.0.join("dnc").join("national.snap");
        let registry = sample();
        let bytes = write(&registry, &path).expect("written");
        assert_eq!(bytes, std::fs::metadata(&path).expect("exists").len());
        let loaded = load(&path).expect("loads");
        assert_eq!(loaded, registry);
        assert_eq!(loaded.copy_date(), NaiveDate::from_ymd_opt(2026, 6, 1));
        assert_eq!(loaded.npas(), &[212, 989]);
        let entries: Vec<_> = std::fs::read_dir(path.parent().expect("dir")).expect("list").collect();
        assert_eq!(entries.len(), 1, "only the snapshot remains");

        // Rewriting replaces the file whole.
        write(&Registry::unloaded(), &path).expect("rewritten");
        let empty = load(&path).expect("loads");
        assert!(empty.is_empty() && empty.copy_date().is_none() && !empty.contains(2_125_550_000));
    }

    #[test]
    fn damaged_files_fail_with_a_clear_error() {
        let dir = TempDir::new("damaged");
        let path = dir.0.join("national.snap");
        write(&sample(), &path).expect("written");
        let good = std::fs::read(&path).expect("read");
        let bad = dir.0.join("bad.snap");
        let try_load = |bytes: &[u8]| {
            std::fs::write(&bad, bytes).expect("write");
            load(&bad).expect_err("must not load")
        };

        let err = try_load(&good[..good.len() - 1000]);
        assert!(matches!(err, SnapshotError::Truncated { .. }), "{err}");
        assert!(err.to_string().contains("truncated"), "{err}");
        assert!(matches!(try_load(&good[..20]), SnapshotError::Truncated { .. }));

        let mut flipped = good.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 0x10;
        let err = try_load(&flipped);
        assert!(matches!(err, SnapshotError::ChecksumMismatch(_)), "{err}");

        let mut magic = good.clone();
        magic[0] = b'X';
        assert!(matches!(try_load(&magic), SnapshotError::NotASnapshot(_)));
        assert!(matches!(try_load(b"2125550100\n"), SnapshotError::NotASnapshot(_)));

        let mut version = good.clone();
        version[8] = 9;
        assert!(matches!(try_load(&version), SnapshotError::UnsupportedVersion { found: 9, .. }));

        let mut longer = good.clone();
        longer.extend_from_slice(&[0; 8]);
        assert!(matches!(try_load(&longer), SnapshotError::Corrupt { .. }));

        assert!(matches!(load(&dir.0.join("missing.snap")), Err(SnapshotError::Io { .. })));
    }

    #[test]
    fn a_consistent_checksum_over_inconsistent_content_is_still_refused() {
        let dir = TempDir::new("inconsistent");
        let path = dir.0.join("national.snap");
        let mut registry = sample();
        registry.count += 1;
        write(&registry, &path).expect("written");
        let err = load(&path).expect_err("count disagrees with the blocks");
        assert!(err.to_string().contains("header says"), "{err}");
    }
}
