//! Turns a set of FTC download files into a [`Registry`]: full lists first (they decide
//! which area codes are covered), then additions, then deletions.

use super::ftc::{self, FileReport, FtcError};
use super::{Builder, ListKind, PER_NPA, Registry};
use chrono::NaiveDate;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The files of one import; each entry is a file or a directory of files.
#[derive(Debug, Clone, Default)]
pub struct Lists {
    /// Full lists.
    pub full: Vec<PathBuf>,
    /// Change lists of added numbers.
    pub additions: Vec<PathBuf>,
    /// Change lists of deleted numbers.
    pub deletions: Vec<PathBuf>,
}

/// Progress reported while importing.
#[derive(Debug)]
pub enum Progress<'a> {
    /// Still reading a file.
    Reading {
        /// Lines read so far, all files.
        lines: u64,
        /// Since the import started.
        elapsed: Duration,
    },
    /// A file is done.
    FileDone {
        /// Files done so far.
        done: usize,
        /// Files in the import.
        total: usize,
        /// What the file held.
        report: &'a FileReport,
        /// Lines read so far, all files.
        lines: u64,
        /// Since the import started.
        elapsed: Duration,
    },
    /// All files are read; the registry is being encoded.
    Encoding,
}

/// What an import read and built.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportSummary {
    /// One report per file, in reading order.
    pub files: Vec<FileReport>,
    /// Lines read.
    pub lines: u64,
    /// Valid numbers read, duplicates included.
    pub numbers_read: u64,
    /// Malformed lines, all files.
    pub malformed: u64,
    /// Change-list numbers in area codes no full list covered: applied, but the registry
    /// does not claim those area codes.
    pub uncovered_changes: u64,
    /// Numbers registered after applying the change lists.
    pub registered: u64,
    /// Area codes covered.
    pub npas: usize,
    /// Time spent reading and parsing.
    #[serde(with = "secs")]
    pub read_time: Duration,
    /// Time spent encoding.
    #[serde(with = "secs")]
    pub encode_time: Duration,
}

mod secs {
    pub(super) fn serialize<S: serde::Serializer>(d: &std::time::Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }
}

/// Why an import failed; nothing is written when it does.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A file could not be read.
    #[error(transparent)]
    Read(#[from] FtcError),
    /// A path given could not be listed.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A directory given holds no files.
    #[error("{0}: directory holds no list files")]
    EmptyDirectory(PathBuf),
    /// No full list was given.
    #[error("no full list given: an import starts from the full lists of the subscribed area codes")]
    NoFullList,
    /// The full lists held no valid number, which would publish an empty registry.
    #[error("the full lists hold no valid number ({malformed} malformed lines); refusing to build an empty registry")]
    EmptyFullLists {
        /// Malformed lines found.
        malformed: u64,
    },
}

/// Files of `paths` in order, each directory replaced by its visible files sorted by name.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ImportError> {
    let mut files = Vec::new();
    for path in paths {
        let io = |source| ImportError::Io { path: path.clone(), source };
        if !std::fs::metadata(path).map_err(io)?.is_dir() {
            files.push(path.clone());
            continue;
        }
        let mut found = Vec::new();
        for entry in std::fs::read_dir(path).map_err(io)? {
            let entry = entry.map_err(io)?;
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            if !hidden && entry.file_type().map_err(io)?.is_file() {
                found.push(entry.path());
            }
        }
        if found.is_empty() {
            return Err(ImportError::EmptyDirectory(path.clone()));
        }
        found.sort();
        files.extend(found);
    }
    Ok(files)
}

/// Reads every list and builds the registry; progress goes to `on_progress`.
pub fn build(
    lists: &Lists,
    copy_date: NaiveDate,
    mut on_progress: impl FnMut(Progress<'_>),
) -> Result<(Registry, ImportSummary), ImportError> {
    if lists.full.is_empty() {
        return Err(ImportError::NoFullList);
    }
    let started = Instant::now();
    let mut jobs = Vec::new();
    for (paths, list) in
        [(&lists.full, ListKind::Full), (&lists.additions, ListKind::Addition), (&lists.deletions, ListKind::Deletion)]
    {
        jobs.extend(expand(paths)?.into_iter().map(|p| (p, list)));
    }
    let mut builder = Builder::new();
    let mut files = Vec::with_capacity(jobs.len());
    let (mut lines_before, mut uncovered) = (0, 0);
    let mut last_tick = Instant::now();
    for (i, (path, list)) in jobs.iter().enumerate() {
        let file = File::open(path).map_err(|source| FtcError::Io { path: path.clone(), source })?;
        let on_number = |number| {
            if list != &ListKind::Full && !builder.covers_npa((number / PER_NPA) as u16) {
                uncovered += 1;
            }
            builder.add(number, *list).expect("the FTC parser yields only 10-digit numbers");
        };
        let on_lines = |lines| {
            if last_tick.elapsed() >= Duration::from_secs(2) {
                last_tick = Instant::now();
                on_progress(Progress::Reading { lines: lines_before + lines, elapsed: started.elapsed() });
            }
        };
        let report = ftc::read_list(file, path, *list, on_number, on_lines)?;
        lines_before += report.lines;
        on_progress(Progress::FileDone {
            done: i + 1,
            total: jobs.len(),
            report: &report,
            lines: lines_before,
            elapsed: started.elapsed(),
        });
        files.push(report);
    }
    let full_numbers: u64 = files.iter().filter(|f| f.list == ListKind::Full).map(|f| f.numbers).sum();
    let malformed = files.iter().map(|f| f.malformed).sum();
    if full_numbers == 0 {
        return Err(ImportError::EmptyFullLists { malformed });
    }
    let read_time = started.elapsed();
    on_progress(Progress::Encoding);
    let numbers_read = builder.entries();
    let registry = builder.build(copy_date);
    let summary = ImportSummary {
        lines: files.iter().map(|f| f.lines).sum(),
        numbers_read,
        malformed,
        uncovered_changes: uncovered,
        registered: registry.len(),
        npas: registry.npas().len(),
        read_time,
        encode_time: started.elapsed() - read_time,
        files,
    };
    Ok((registry, summary))
}

/// The default snapshot location under a data directory.
pub fn default_snapshot_path(data_dir: &Path) -> PathBuf {
    data_dir.join("dnc").join("national.snap")
}
