//! Storing an upload: bytes arrive as a stream and are written to `import_chunks` 1 MiB at a
//! time (never the whole file in memory); the header row is read from the first chunk.

use crate::db::{entity::import_chunk, repo::RepoError};
use outdial_domain::ids::TenantId;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait};

/// Chunk size in the database.
pub const CHUNK: usize = 1024 * 1024;
/// The most columns a file may have.
pub const MAX_COLUMNS: usize = 1000;

/// Why an upload was refused.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is over {0} MiB; split it into smaller files")]
    TooLarge(u64),
    #[error("the file has {0} columns; at most {MAX_COLUMNS} are supported")]
    TooManyColumns(usize),
    #[error("the file has a header row but no data rows")]
    NoRows,
    #[error(transparent)]
    Repo(#[from] RepoError),
}

/// What the header sniff found.
#[derive(Debug, Clone)]
pub struct Sniffed {
    pub headers: Vec<String>,
    /// `utf-8` or `latin-1` (decided from the first chunk; fields are decoded one by one with
    /// the same fallback anyway).
    pub encoding: &'static str,
}

/// Decodes one field: UTF-8 when valid, else Latin-1 (every byte a character), so a Windows
/// export never turns into replacement characters or an error.
pub fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    }
}

/// Strips a UTF-8 byte-order mark.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes)
}

/// Reads the header row from the start of the file. Duplicate names are suffixed
/// (`Phone`, `Phone (2)`) so every column can be told apart.
pub fn sniff(first: &[u8]) -> Result<Sniffed, UploadError> {
    let body = strip_bom(first);
    let encoding = match std::str::from_utf8(body) {
        Ok(_) => "utf-8",
        // A multi-byte character cut at the chunk's end is still UTF-8.
        Err(e) if e.error_len().is_none() => "utf-8",
        Err(_) => "latin-1",
    };
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(body);
    let mut record = csv::ByteRecord::new();
    if !reader.read_byte_record(&mut record).map_err(|_| UploadError::Empty)? {
        return Err(UploadError::Empty);
    }
    if record.len() > MAX_COLUMNS {
        return Err(UploadError::TooManyColumns(record.len()));
    }
    let mut headers: Vec<String> = Vec::with_capacity(record.len());
    for raw in record.iter() {
        let base = decode(raw).trim().to_owned();
        let mut name = base.clone();
        let mut n = 2;
        while headers.contains(&name) {
            name = format!("{base} ({n})");
            n += 1;
        }
        headers.push(name);
    }
    if headers.iter().all(|h| h.is_empty()) {
        return Err(UploadError::Empty);
    }
    let mut next = csv::ByteRecord::new();
    let has_row = reader.read_byte_record(&mut next).unwrap_or(false) && next.iter().any(|f| !f.is_empty());
    if !has_row && first.len() < CHUNK {
        return Err(UploadError::NoRows);
    }
    Ok(Sniffed { headers, encoding })
}

/// Writes an upload's bytes as they arrive.
pub struct ChunkWriter {
    tenant: TenantId,
    import_id: String,
    buf: Vec<u8>,
    seq: i32,
    total: u64,
    limit: u64,
    first: Option<Vec<u8>>,
}

impl ChunkWriter {
    pub fn new(tenant: &TenantId, import_id: &str, limit: u64) -> ChunkWriter {
        ChunkWriter {
            tenant: tenant.clone(),
            import_id: import_id.to_owned(),
            buf: Vec::with_capacity(CHUNK),
            seq: 0,
            total: 0,
            limit,
            first: None,
        }
    }

    /// Adds bytes; full chunks go to the database.
    pub async fn push<C: ConnectionTrait>(&mut self, conn: &C, mut bytes: &[u8]) -> Result<(), UploadError> {
        self.total += bytes.len() as u64;
        if self.total > self.limit {
            return Err(UploadError::TooLarge(self.limit / (1024 * 1024)));
        }
        while !bytes.is_empty() {
            let room = CHUNK - self.buf.len();
            let take = room.min(bytes.len());
            self.buf.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.buf.len() == CHUNK {
                self.flush(conn).await?;
            }
        }
        Ok(())
    }

    async fn flush<C: ConnectionTrait>(&mut self, conn: &C) -> Result<(), UploadError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let data = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        if self.first.is_none() {
            self.first = Some(data.clone());
        }
        import_chunk::Entity::insert(
            import_chunk::ActiveModel::from(import_chunk::Model {
                tenant_id: self.tenant.to_string(),
                import_id: self.import_id.clone(),
                seq: self.seq,
                data,
            })
            .reset_all(),
        )
        .exec_without_returning(conn)
        .await
        .map_err(RepoError::from)?;
        self.seq += 1;
        Ok(())
    }

    /// Writes the last chunk and reads the header; returns the size and the sniff.
    pub async fn finish<C: ConnectionTrait>(mut self, conn: &C) -> Result<(u64, Sniffed), UploadError> {
        self.flush(conn).await?;
        let first = self.first.take().ok_or(UploadError::Empty)?;
        let sniffed = sniff(&first)?;
        Ok((self.total, sniffed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniff_headers_bom_latin1_duplicates() {
        let s = sniff(b"\xEF\xBB\xBFName,Phone,Phone\nAnn,1,2\n").unwrap();
        assert_eq!(s.headers, vec!["Name", "Phone", "Phone (2)"]);
        assert_eq!(s.encoding, "utf-8");
        let s = sniff(b"Nom,T\xE9l\xE9phone\nJos\xE9,1\n").unwrap();
        assert_eq!(s.headers, vec!["Nom", "T\u{e9}l\u{e9}phone"]);
        assert_eq!(s.encoding, "latin-1");
        assert!(matches!(sniff(b""), Err(UploadError::Empty)));
        assert!(matches!(sniff(b"a,b\n"), Err(UploadError::NoRows)));
        let wide = (0..1500).map(|i| format!("c{i}")).collect::<Vec<_>>().join(",") + "\n1\n";
        assert!(matches!(sniff(wide.as_bytes()), Err(UploadError::TooManyColumns(1500))));
        assert_eq!(decode(b"Jos\xE9"), "Jos\u{e9}");
    }
}
