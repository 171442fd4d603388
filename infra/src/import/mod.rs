//! List imports: a CSV upload is stored in the database in 1 MiB chunks (any worker can resume
//! it), its header suggests a column mapping, and a job parses it as a stream, writing
//! contacts in batches. Each batch commits together with its checkpoint, so a crash or
//! restart resumes where the last batch ended: every input row lands exactly once.

pub mod mapping;
pub mod process;
pub mod upload;

/// Import states as stored.
pub mod status {
    /// The file is still arriving.
    pub const UPLOADING: &str = "uploading";
    /// Uploaded; waiting for a column mapping.
    pub const UPLOADED: &str = "uploaded";
    /// Mapping given; the job is queued.
    pub const QUEUED: &str = "queued";
    pub const RUNNING: &str = "running";
    pub const DONE: &str = "done";
    pub const FAILED: &str = "failed";
}
