//! Builds a [`Registry`] from full lists and change lists given in any order.

use super::bits::BitWriter;
use super::block::{self, BITMAP_WORDS, SUFFIXES};
use super::{NUMBER_SPACE, PER_NPA, PER_PREFIX, PREFIXES, Registry};
use chrono::NaiveDate;

/// Which FTC list a number came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    /// A full list: every registered number of its area codes.
    Full,
    /// A change list of numbers registered since the previous download.
    Addition,
    /// A change list of numbers removed since the previous download.
    Deletion,
}

impl ListKind {
    /// Tags ride in the two spare bits of a `u16` suffix (suffixes are below 2^14).
    fn tag(self) -> u16 {
        match self {
            ListKind::Full => 0,
            ListKind::Deletion => 1,
            ListKind::Addition => 2,
        }
    }
}

/// A number outside the 10-digit space was offered to the builder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0} is not a 10-digit number")]
pub struct NotANumber(pub u64);

/// Collects numbers, then encodes them once into an immutable [`Registry`].
///
/// Numbers are bucketed by prefix as 2-byte suffixes as they arrive (a counting sort by
/// prefix), so building 250 million numbers holds about 0.5–1 GB instead of sorting
/// `u64`s. The result is `(full − deletions) ∪ additions`: a number in both change lists
/// stays registered, because wrongly calling a registered number is the costly mistake.
pub struct Builder {
    buckets: Vec<Vec<u16>>,
    covered: Vec<bool>,
    entries: u64,
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl Builder {
    /// An empty builder.
    pub fn new() -> Self {
        Self { buckets: vec![Vec::new(); PREFIXES], covered: vec![false; 1000], entries: 0 }
    }

    /// A builder holding everything in `registry` as a full list, so change lists can be
    /// applied on top of an earlier copy.
    pub fn from_registry(registry: &Registry) -> Self {
        let mut builder = Self::new();
        for &npa in registry.npas() {
            builder.cover_npa(npa);
        }
        for number in registry.iter() {
            builder.push(number, ListKind::Full);
        }
        builder
    }

    /// Records one number from a list. A full-list number marks its area code as covered.
    #[inline]
    pub fn add(&mut self, number: u64, list: ListKind) -> Result<(), NotANumber> {
        if number >= NUMBER_SPACE {
            return Err(NotANumber(number));
        }
        if list == ListKind::Full {
            self.covered[(number / PER_NPA) as usize] = true;
        }
        self.push(number, list);
        Ok(())
    }

    #[inline]
    fn push(&mut self, number: u64, list: ListKind) {
        let suffix = (number % PER_PREFIX) as u16;
        self.buckets[(number / PER_PREFIX) as usize].push(suffix << 2 | list.tag());
        self.entries += 1;
    }

    /// Marks an area code as covered even if its full list registered no number.
    pub fn cover_npa(&mut self, npa: u16) {
        if let Some(c) = self.covered.get_mut(npa as usize) {
            *c = true;
        }
    }

    /// Whether a full list of the area code has been added.
    pub fn covers_npa(&self, npa: u16) -> bool {
        self.covered.get(npa as usize).copied().unwrap_or(false)
    }

    /// List entries added so far (duplicates included).
    pub fn entries(&self) -> u64 {
        self.entries
    }

    /// Encodes the registry, releasing each prefix's bucket as it goes.
    pub fn build(mut self, copy_date: NaiveDate) -> Registry {
        let mut out = BitWriter::default();
        let mut offsets = Vec::with_capacity(PREFIXES + 1);
        let mut count = 0;
        // One bitmap per list kind resolves duplicates and change lists without sorting.
        let mut maps = [[0u64; BITMAP_WORDS]; 3];
        let mut members = Vec::with_capacity(SUFFIXES as usize);
        for bucket in &mut self.buckets {
            offsets.push(out.words.len() as u32);
            let bucket = std::mem::take(bucket);
            if bucket.is_empty() {
                continue;
            }
            for v in bucket {
                let s = (v >> 2) as usize;
                maps[(v & 3) as usize][s >> 6] |= 1 << (s & 63);
            }
            members.clear();
            let [full, deleted, added] = &maps;
            for (i, ((full, deleted), added)) in full.iter().zip(deleted).zip(added).enumerate() {
                let mut word = added | (full & !deleted);
                while word != 0 {
                    members.push((i * 64) as u16 + word.trailing_zeros() as u16);
                    word &= word - 1;
                }
            }
            maps = [[0u64; BITMAP_WORDS]; 3];
            if !members.is_empty() {
                count += members.len() as u64;
                block::encode(&members, &mut out);
            }
        }
        offsets.push(out.words.len() as u32);
        let mut words = out.words;
        words.shrink_to_fit();
        let npas = (0..1000u16).filter(|&n| self.covered[n as usize]).collect();
        Registry { offsets, words, count, npas, copy_date: Some(copy_date) }
    }
}
