//! One 6-digit prefix (NPA-NXX): the set of its registered 4-digit suffixes, stored in
//! whichever of three forms is smallest.
//!
//! Every block starts on a word boundary with a 64-bit header:
//! bits 0–1 kind, 2–5 low-bit width `l`, 6–19 count of stored suffixes, 20–35 block length
//! in bits. Then, by kind:
//!
//! - **members**: the sorted suffixes, Elias–Fano coded. A suffix `s` splits into a high
//!   part `s >> l` (its bucket) and `l` low bits. Buckets are grouped 64 to a *chunk*; each
//!   chunk holds its unary upper bits (one `1` per suffix, one `0` closing each bucket)
//!   and then its low bits in reverse order, so the `i`-th low sits `(i + 1) · l` bits
//!   before the chunk's end and finding it needs no division. A table of 16-bit chunk
//!   start offsets follows the header.
//!   A lookup reads the header and table, jumps into one chunk and scans a few words there,
//!   so it touches about two cache lines of the block whatever the block's size.
//! - **absentees**: the same coding of the suffixes *not* registered, for dense prefixes.
//! - **bitmap**: 10,000 bits, for prefixes between the two.
//!
//! `l` is chosen per block to minimise its size exactly, so the per-number cost tracks the
//! prefix's density (about 2 + log2(10,000 / n) bits for sparse prefixes).

use super::bits::{self, BitWriter, select_in_word};

/// Suffixes per prefix: the 4-digit line numbers 0000–9999.
pub(crate) const SUFFIXES: u32 = 10_000;
/// Words of a suffix bitmap.
pub(crate) const BITMAP_WORDS: usize = (SUFFIXES as usize).div_ceil(64);

const HEADER_BITS: usize = 64;
const CHUNK_SHIFT: u32 = 6;
const CHUNK_BUCKETS: u32 = 1 << CHUNK_SHIFT;
const MAX_LOW_BITS: u32 = 13;
/// Chunks at `l = 0`, the most any geometry has.
const MAX_CHUNKS: usize = (SUFFIXES as usize).div_ceil(CHUNK_BUCKETS as usize);
const BITMAP_TOTAL_BITS: usize = HEADER_BITS + SUFFIXES as usize;

const KIND_MEMBERS: u64 = 0;
const KIND_BITMAP: u64 = 1;
const KIND_ABSENTEES: u64 = 2;

/// The Elias–Fano layout implied by a low-bit width.
#[derive(Clone, Copy)]
struct Geometry {
    low_bits: u32,
    buckets: u32,
    chunks: u32,
}

impl Geometry {
    #[inline]
    fn new(low_bits: u32) -> Self {
        let buckets = ((SUFFIXES - 1) >> low_bits) + 1;
        Self { low_bits, buckets, chunks: buckets.div_ceil(CHUNK_BUCKETS) }
    }

    /// The cheapest width for `n` suffixes, counting header and chunk table.
    fn best(n: usize) -> Self {
        (0..=MAX_LOW_BITS).map(Self::new).min_by_key(|g| g.total_bits(n)).unwrap_or(Self::new(0))
    }

    #[inline]
    fn data_start(&self) -> usize {
        HEADER_BITS + 16 * (self.chunks as usize - 1)
    }

    fn total_bits(&self, n: usize) -> usize {
        self.data_start() + n * (self.low_bits as usize + 1) + self.buckets as usize
    }

    #[inline]
    fn chunk_buckets(&self, chunk: u32) -> u32 {
        CHUNK_BUCKETS.min(self.buckets - chunk * CHUNK_BUCKETS)
    }

    /// Start and end bit of a chunk within the block.
    #[inline]
    fn chunk_bounds(&self, block: &[u64], total: usize, chunk: u32) -> (usize, usize) {
        let start = if chunk == 0 {
            self.data_start()
        } else {
            bits::read(block, HEADER_BITS + 16 * (chunk as usize - 1), 16) as usize
        };
        let end = if chunk + 1 == self.chunks {
            total
        } else {
            bits::read(block, HEADER_BITS + 16 * chunk as usize, 16) as usize
        };
        (start, end)
    }

    /// Suffixes stored in a chunk of `len` bits holding `buckets` buckets.
    #[inline]
    fn chunk_len(&self, len: usize, buckets: u32) -> usize {
        len.saturating_sub(buckets as usize) / (self.low_bits as usize + 1)
    }
}

struct Header {
    kind: u64,
    low_bits: u32,
    stored: usize,
    total: usize,
}

impl Header {
    #[inline]
    fn parse(word: u64) -> Self {
        Self {
            kind: word & 3,
            low_bits: (word >> 2 & 15) as u32,
            stored: (word >> 6 & 0x3fff) as usize,
            total: (word >> 20 & 0xffff) as usize,
        }
    }

    fn write(out: &mut BitWriter, kind: u64, low_bits: u32, stored: usize, total: usize) {
        debug_assert!(stored <= 0x3fff && total <= 0xffff);
        out.push(kind | (low_bits as u64) << 2 | (stored as u64) << 6 | (total as u64) << 20, 64);
    }
}

/// Appends the block for a prefix's sorted, distinct, non-empty suffixes, word-aligned.
pub(crate) fn encode(members: &[u16], out: &mut BitWriter) {
    debug_assert!(!members.is_empty() && members.windows(2).all(|w| w[0] < w[1]));
    debug_assert!(members.iter().all(|&s| u32::from(s) < SUFFIXES));
    let n = members.len();
    let absent = SUFFIXES as usize - n;
    let direct = Geometry::best(n);
    let inverse = Geometry::best(absent);
    let (direct_bits, inverse_bits) = (direct.total_bits(n), inverse.total_bits(absent));
    if BITMAP_TOTAL_BITS < direct_bits.min(inverse_bits) {
        Header::write(out, KIND_BITMAP, 0, n, BITMAP_TOTAL_BITS);
        let mut map = [0u64; BITMAP_WORDS];
        for &s in members {
            map[s as usize >> 6] |= 1 << (s & 63);
        }
        for (i, word) in map.into_iter().enumerate() {
            let width = (SUFFIXES as usize - i * 64).min(64) as u32;
            out.push(word, width);
        }
    } else if direct_bits <= inverse_bits {
        encode_elias_fano(out, KIND_MEMBERS, members, direct);
    } else {
        let mut absentees = Vec::with_capacity(absent);
        let mut next = members.iter().peekable();
        for s in 0..SUFFIXES as u16 {
            if next.peek() == Some(&&s) {
                next.next();
            } else {
                absentees.push(s);
            }
        }
        encode_elias_fano(out, KIND_ABSENTEES, &absentees, inverse);
    }
    out.align();
}

fn encode_elias_fano(out: &mut BitWriter, kind: u64, values: &[u16], g: Geometry) {
    let l = g.low_bits;
    let start = out.len();
    let total = g.total_bits(values.len());
    Header::write(out, kind, l, values.len(), total);
    let mut counts = [0usize; MAX_CHUNKS];
    for &v in values {
        counts[(u32::from(v) >> l >> CHUNK_SHIFT) as usize] += 1;
    }
    let mut chunk_start = g.data_start();
    for chunk in 0..g.chunks - 1 {
        chunk_start += counts[chunk as usize] * (l as usize + 1) + g.chunk_buckets(chunk) as usize;
        out.push(chunk_start as u64, 16);
    }
    let mut i = 0;
    for chunk in 0..g.chunks {
        let first = i;
        let mut empty_run = 0;
        for bucket in chunk * CHUNK_BUCKETS..chunk * CHUNK_BUCKETS + g.chunk_buckets(chunk) {
            let from = i;
            while i < values.len() && u32::from(values[i]) >> l == bucket {
                i += 1;
            }
            if i == from {
                empty_run += 1;
            } else {
                out.push_zeros(empty_run);
                empty_run = 1;
                out.push_ones(i - from);
            }
        }
        out.push_zeros(empty_run);
        for &v in values[first..i].iter().rev() {
            out.push(u64::from(v) & bits::mask(l), l);
        }
    }
    debug_assert_eq!(out.len() - start, total);
}

/// Whether `suffix` is registered in the block starting at `block[0]`.
#[inline]
pub(crate) fn contains(block: &[u64], suffix: u32) -> bool {
    let head = Header::parse(bits::read(block, 0, 64));
    match head.kind {
        KIND_BITMAP => bits::read(block, HEADER_BITS + suffix as usize, 1) == 1,
        KIND_ABSENTEES => !elias_fano_contains(block, &head, suffix),
        _ => elias_fano_contains(block, &head, suffix),
    }
}

#[inline]
fn elias_fano_contains(block: &[u64], head: &Header, suffix: u32) -> bool {
    let g = Geometry::new(head.low_bits);
    let l = head.low_bits;
    let high = suffix >> l;
    let chunk = high >> CHUNK_SHIFT;
    let bucket = high & (CHUNK_BUCKETS - 1);
    let (start, end) = g.chunk_bounds(block, head.total, chunk);

    // Find where `bucket` starts: just after the chunk's `bucket`-th zero.
    let mut pos = start;
    let mut to_skip = bucket;
    while to_skip > 0 {
        let zeros = !bits::read(block, pos, 64);
        let found = zeros.count_ones();
        if to_skip <= found {
            pos += select_in_word(zeros, to_skip - 1) as usize + 1;
            break;
        }
        to_skip -= found;
        pos += 64;
    }

    // The bucket's suffixes are the run of ones from `pos`, their low bits in order.
    let want = u64::from(suffix) & bits::mask(l);
    let mut index = pos - start - bucket as usize;
    loop {
        let run = (!bits::read(block, pos, 64)).trailing_zeros() as usize;
        for k in 0..run {
            let low = bits::read(block, end.wrapping_sub((index + k + 1) * l as usize), l);
            if low >= want {
                return low == want;
            }
        }
        if run < 64 {
            return false;
        }
        index += 64;
        pos += 64;
    }
}

/// Reads the words a lookup of `suffix` will need and returns them mixed together, so a
/// caller can start the memory loads for many lookups before waiting on any of them.
#[inline]
pub(crate) fn touch(block: &[u64], suffix: u32) -> u64 {
    let head = Header::parse(bits::read(block, 0, 64));
    if head.kind == KIND_BITMAP {
        return bits::read(block, HEADER_BITS + suffix as usize, 1);
    }
    let g = Geometry::new(head.low_bits);
    let (start, end) = g.chunk_bounds(block, head.total, suffix >> head.low_bits >> CHUNK_SHIFT);
    bits::read(block, start, 1) ^ bits::read(block, end.saturating_sub(1), 1)
}

/// Sets in `map` the bit of every registered suffix of the block (`map` must be clear).
pub(crate) fn decode_into(block: &[u64], map: &mut [u64; BITMAP_WORDS]) {
    let head = Header::parse(bits::read(block, 0, 64));
    match head.kind {
        KIND_BITMAP => {
            for (i, word) in map.iter_mut().enumerate() {
                let width = (SUFFIXES as usize - i * 64).min(64) as u32;
                *word = bits::read(block, HEADER_BITS + i * 64, width);
            }
        }
        KIND_ABSENTEES => {
            map.fill(u64::MAX);
            map[BITMAP_WORDS - 1] = bits::mask(SUFFIXES % 64);
            elias_fano_for_each(block, &head, |s| map[s as usize >> 6] &= !(1 << (s & 63)));
        }
        _ => elias_fano_for_each(block, &head, |s| map[s as usize >> 6] |= 1 << (s & 63)),
    }
}

fn elias_fano_for_each(block: &[u64], head: &Header, mut f: impl FnMut(u32)) {
    let g = Geometry::new(head.low_bits);
    let l = head.low_bits as usize;
    for chunk in 0..g.chunks {
        let (start, end) = g.chunk_bounds(block, head.total, chunk);
        let buckets = g.chunk_buckets(chunk);
        let stored = g.chunk_len(end.saturating_sub(start), buckets);
        let upper_len = stored + buckets as usize;
        let mut ones = 0;
        let mut i = 0;
        while i < upper_len && ones < stored {
            let take = (upper_len - i).min(64);
            let mut word = bits::read(block, start + i, take as u32);
            while word != 0 && ones < stored {
                let p = i + word.trailing_zeros() as usize;
                let high = (chunk * CHUNK_BUCKETS) as usize + (p - ones);
                let low = bits::read(block, end - (ones + 1) * l, l as u32) as usize;
                f((high << l | low) as u32);
                ones += 1;
                word &= word - 1;
            }
            i += take;
        }
    }
}

/// Checks a loaded block's structure (its words exactly) and returns its member count.
pub(crate) fn check(block: &[u64]) -> Result<u32, &'static str> {
    let word = *block.first().ok_or("empty block")?;
    let head = Header::parse(word);
    let words = |total: usize| total.div_ceil(64);
    match head.kind {
        KIND_BITMAP => {
            if head.total != BITMAP_TOTAL_BITS || block.len() != words(head.total) {
                return Err("bitmap block has the wrong length");
            }
            let mut map = [0u64; BITMAP_WORDS];
            decode_into(block, &mut map);
            let members = map.iter().map(|w| w.count_ones()).sum::<u32>();
            if members as usize != head.stored || members == 0 {
                return Err("bitmap block count does not match its bits");
            }
            Ok(members)
        }
        KIND_MEMBERS | KIND_ABSENTEES => {
            if head.low_bits > MAX_LOW_BITS || head.stored > SUFFIXES as usize {
                return Err("block header out of range");
            }
            let g = Geometry::new(head.low_bits);
            if head.total != g.total_bits(head.stored) || block.len() != words(head.total) {
                return Err("block length does not match its header");
            }
            let mut stored = 0;
            let mut previous_end = g.data_start();
            for chunk in 0..g.chunks {
                let (start, end) = g.chunk_bounds(block, head.total, chunk);
                let buckets = g.chunk_buckets(chunk) as usize;
                let fits = start == previous_end && end >= start + buckets;
                if !fits || !(end - start - buckets).is_multiple_of(head.low_bits as usize + 1) {
                    return Err("chunk table is inconsistent");
                }
                stored += g.chunk_len(end - start, buckets as u32);
                previous_end = end;
            }
            if stored != head.stored {
                return Err("chunk sizes do not add up to the block count");
            }
            let members = if head.kind == KIND_MEMBERS { stored } else { SUFFIXES as usize - stored };
            if members == 0 {
                return Err("empty block stored");
            }
            Ok(members as u32)
        }
        _ => Err("unknown block kind"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng, rngs::StdRng};

    fn encoded(members: &[u16]) -> Vec<u64> {
        let mut out = BitWriter::default();
        encode(members, &mut out);
        out.words
    }

    fn kind(block: &[u64]) -> u64 {
        block[0] & 3
    }

    fn assert_exact(members: &[u16]) {
        let block = encoded(members);
        assert_eq!(check(&block), Ok(members.len() as u32));
        for s in 0..SUFFIXES {
            assert_eq!(contains(&block, s), members.binary_search(&(s as u16)).is_ok(), "suffix {s}");
        }
        let mut map = [0u64; BITMAP_WORDS];
        decode_into(&block, &mut map);
        let decoded: Vec<u16> = (0..SUFFIXES as u16).filter(|&s| map[s as usize >> 6] >> (s & 63) & 1 == 1).collect();
        assert_eq!(decoded, members);
    }

    fn random_members(rng: &mut StdRng, n: usize) -> Vec<u16> {
        let mut all: Vec<u16> = (0..SUFFIXES as u16).collect();
        for i in 0..n {
            let j = rng.gen_range(i..all.len());
            all.swap(i, j);
        }
        let mut picked = all[..n].to_vec();
        picked.sort_unstable();
        picked
    }

    #[test]
    fn every_density_round_trips_in_the_form_it_picks() {
        let mut rng = StdRng::seed_from_u64(7);
        let mut kinds = std::collections::BTreeSet::new();
        for n in [1, 2, 3, 17, 64, 130, 700, 1500, 2600, 5000, 7600, 9000, 9990, 9999, 10_000] {
            let members = random_members(&mut rng, n);
            kinds.insert(kind(&encoded(&members)));
            assert_exact(&members);
        }
        // Sparse, middling and dense prefixes each got their own form.
        assert_eq!(kinds.into_iter().collect::<Vec<_>>(), vec![KIND_MEMBERS, KIND_BITMAP, KIND_ABSENTEES]);
    }

    #[test]
    fn boundary_suffixes_and_clusters() {
        assert_exact(&[0]);
        assert_exact(&[9999]);
        assert_exact(&[0, 9999]);
        // A bucket longer than one word of upper bits.
        assert_exact(&(0..300).collect::<Vec<_>>());
        assert_exact(&(9700..10_000).collect::<Vec<_>>());
        let mut all_but_ends: Vec<u16> = (1..9999).collect();
        assert_exact(&all_but_ends);
        all_but_ends.retain(|s| s % 1000 != 0);
        assert_exact(&all_but_ends);
    }

    #[test]
    fn sparse_blocks_cost_close_to_the_entropy() {
        let mut rng = StdRng::seed_from_u64(1);
        let members = random_members(&mut rng, 1000);
        let bits_per_member = encoded(&members).len() as f64 * 64.0 / 1000.0;
        // log2(C(10000, 1000)) / 1000 ≈ 4.7 bits; Elias–Fano plus the chunk table stays near it.
        assert!(bits_per_member < 5.8, "{bits_per_member}");
    }

    #[test]
    fn damaged_blocks_fail_the_check() {
        let members: Vec<u16> = (0..500).map(|i| i * 19).collect();
        let block = encoded(&members);
        assert!(check(&block[..block.len() - 1]).is_err());
        let mut bad_table = block.clone();
        bad_table[1] ^= 0x3; // the first chunk offset
        assert!(check(&bad_table).is_err());
        let mut bad_kind = block;
        bad_kind[0] |= 3;
        assert_eq!(check(&bad_kind), Err("unknown block kind"));
    }
}
