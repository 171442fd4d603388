//! The FTC National Do Not Call Registry as one compact, immutable, in-memory set shared by
//! every tenant, loaded from a snapshot file and swapped atomically on refresh.
//!
//! Numbers are 10-digit NANP numbers as `u64` (`2125551234`). They are grouped by their
//! 6-digit prefix (NPA-NXX): a `u32` word offset per prefix (all 10^6 of them, 4 MB) points
//! at the prefix's block of registered 4-digit suffixes (see `block`), so a lookup is two
//! dependent reads plus a short scan, and the whole registry costs well under a byte per
//! registered number.

mod bits;
mod block;
mod builder;
mod checksum;
pub mod ftc;
mod handle;
pub mod import;
pub mod snapshot;

pub use builder::{Builder, ListKind, NotANumber};
pub use handle::NationalDnc;

use chrono::NaiveDate;
use std::fmt;

/// Every 10-digit number is below this.
pub const NUMBER_SPACE: u64 = 10_000_000_000;
/// 6-digit prefixes (NPA-NXX).
const PREFIXES: usize = 1_000_000;
/// Suffix space of one prefix, as a divisor.
const PER_PREFIX: u64 = block::SUFFIXES as u64;
/// Numbers per area code, as a divisor.
const PER_NPA: u64 = 10_000_000;
/// Batch runs at least this long decode their prefix's block once instead of looking up
/// each number: a decode costs about as much as this many lookups.
const DECODE_RUN: usize = 24;

/// An immutable registry version: the registered numbers, the area codes it covers and the
/// date the operator downloaded it.
#[derive(Clone, PartialEq, Eq)]
pub struct Registry {
    /// Word offset of each prefix's block; `offsets[p] == offsets[p + 1]` when empty.
    /// Empty for a registry that was never loaded.
    offsets: Vec<u32>,
    words: Vec<u64>,
    count: u64,
    npas: Vec<u16>,
    copy_date: Option<NaiveDate>,
}

impl Registry {
    /// The registry before any copy is loaded: contains nothing, covers no area code and
    /// has no copy date, so the compliance gate treats every number as unscrubbed.
    pub fn unloaded() -> Self {
        Self { offsets: Vec::new(), words: Vec::new(), count: 0, npas: Vec::new(), copy_date: None }
    }

    /// Whether a 10-digit number (`NPANXXXXXX`) is registered.
    #[inline]
    pub fn contains(&self, number: u64) -> bool {
        if number >= NUMBER_SPACE {
            return false;
        }
        let prefix = (number / PER_PREFIX) as usize;
        let suffix = (number % PER_PREFIX) as u32;
        let (Some(&start), Some(&end)) = (self.offsets.get(prefix), self.offsets.get(prefix + 1)) else {
            return false;
        };
        let Some(b) = self.words.get(start as usize..end as usize).filter(|b| !b.is_empty()) else {
            return false;
        };
        // Chunks sit in suffix order at roughly proportional offsets, so the word at the
        // same fraction of the block is (nearly) the one the lookup will need. Reading it now
        // overlaps its cache miss with the header's instead of waiting for the header first.
        std::hint::black_box(b[b.len() * suffix as usize / PER_PREFIX as usize]);
        block::contains(b, suffix)
    }

    /// Membership of each number, in input order. Sorted input is fastest (each prefix's
    /// block is visited once, in memory order); any order gives correct answers.
    pub fn scrub_sorted(&self, numbers: &[u64]) -> Vec<bool> {
        let mut out = Vec::with_capacity(numbers.len());
        let mut map = [0u64; block::BITMAP_WORDS];
        let mut rest = numbers;
        while let Some(&first) = rest.first() {
            let prefix = first / PER_PREFIX;
            let run = rest.iter().position(|&n| n / PER_PREFIX != prefix).unwrap_or(rest.len());
            let (group, tail) = rest.split_at(run);
            rest = tail;
            let Some(b) = (first < NUMBER_SPACE).then(|| self.block(prefix as usize)).flatten() else {
                out.extend(std::iter::repeat_n(false, group.len()));
                continue;
            };
            if group.len() >= DECODE_RUN {
                map.fill(0);
                block::decode_into(b, &mut map);
                out.extend(group.iter().map(|&n| {
                    let s = (n % PER_PREFIX) as usize;
                    map[s >> 6] >> (s & 63) & 1 == 1
                }));
            } else {
                out.extend(group.iter().map(|&n| block::contains(b, (n % PER_PREFIX) as u32)));
            }
        }
        out
    }

    /// Membership of each number, in input order, for input in no particular order.
    ///
    /// A single [`Registry::contains`] waits on two dependent memory reads that miss the
    /// cache at full size; here each group of numbers first has all its blocks, then all
    /// its chunks, read before any is examined, so the misses overlap instead of queueing.
    pub fn scrub(&self, numbers: &[u64]) -> Vec<bool> {
        const LANES: usize = 16;
        let mut out = Vec::with_capacity(numbers.len());
        for group in numbers.chunks(LANES) {
            let mut blocks: [Option<&[u64]>; LANES] = [None; LANES];
            let mut warm = 0;
            for (slot, &n) in blocks.iter_mut().zip(group) {
                *slot = (n < NUMBER_SPACE).then(|| self.block((n / PER_PREFIX) as usize)).flatten();
                warm ^= slot.map_or(0, |b| b[0]);
            }
            for (b, &n) in blocks.iter().zip(group) {
                warm ^= b.map_or(0, |b| block::touch(b, (n % PER_PREFIX) as u32));
            }
            // Keeps the warming reads from being optimised away.
            std::hint::black_box(warm);
            out.extend(
                blocks.iter().zip(group).map(|(b, &n)| b.is_some_and(|b| block::contains(b, (n % PER_PREFIX) as u32))),
            );
        }
        out
    }

    /// How many numbers are registered.
    pub fn len(&self) -> u64 {
        self.count
    }

    /// Whether no number is registered.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The date the operator downloaded this copy from the FTC; `None` before any load.
    pub fn copy_date(&self) -> Option<NaiveDate> {
        self.copy_date
    }

    /// The area codes whose full lists this copy holds, ascending.
    pub fn npas(&self) -> &[u16] {
        &self.npas
    }

    /// Whether this copy holds the full list of an area code, i.e. whether "not found"
    /// means "not registered" there (16 CFR 310.8 access is per area code).
    pub fn covers_npa(&self, npa: u16) -> bool {
        self.npas.binary_search(&npa).is_ok()
    }

    /// Heap memory held by the structure.
    pub fn heap_bytes(&self) -> usize {
        self.offsets.len() * 4 + self.words.len() * 8 + self.npas.len() * 2
    }

    /// Every registered number, ascending.
    pub fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        (0..self.offsets.len().saturating_sub(1)).filter_map(|p| self.block(p).map(|b| (p as u64, b))).flat_map(
            |(prefix, b)| {
                let mut map = [0u64; block::BITMAP_WORDS];
                block::decode_into(b, &mut map);
                map.into_iter().enumerate().flat_map(move |(i, mut word)| {
                    std::iter::from_fn(move || {
                        (word != 0).then(|| {
                            let bit = u64::from(word.trailing_zeros());
                            word &= word - 1;
                            prefix * PER_PREFIX + i as u64 * 64 + bit
                        })
                    })
                })
            },
        )
    }

    /// The block of a prefix, `None` when the prefix has no registered number.
    #[inline]
    fn block(&self, prefix: usize) -> Option<&[u64]> {
        let start = *self.offsets.get(prefix)?;
        let end = *self.offsets.get(prefix + 1)?;
        if start == end { None } else { self.words.get(start as usize..) }
    }
}

/// Summary only: a registry is a quarter of a billion phone numbers.
impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("count", &self.count)
            .field("npas", &self.npas.len())
            .field("copy_date", &self.copy_date)
            .field("heap_bytes", &self.heap_bytes())
            .finish()
    }
}

#[cfg(test)]
mod tests;
