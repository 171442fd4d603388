//! LSB-first bit streams over `u64` words: the storage under every prefix block.

/// Reads `width` (0..=64) bits starting at bit `pos`.
///
/// Words past the end read as zero, so a lookup on a damaged block returns a wrong answer
/// instead of panicking; the snapshot checksum is what keeps damaged blocks out.
#[inline]
pub(crate) fn read(words: &[u64], pos: usize, width: u32) -> u64 {
    if width == 0 {
        return 0;
    }
    let word = pos >> 6;
    let shift = (pos & 63) as u32;
    let lo = words.get(word).copied().unwrap_or(0) >> shift;
    let value = if shift + width <= 64 { lo } else { lo | (words.get(word + 1).copied().unwrap_or(0) << (64 - shift)) };
    value & mask(width)
}

/// The low `width` bits set.
#[inline]
pub(crate) fn mask(width: u32) -> u64 {
    if width >= 64 { u64::MAX } else { (1u64 << width) - 1 }
}

/// `SELECT_IN_BYTE[b][r]`: bit index of the `r`-th set bit of byte `b`.
const SELECT_IN_BYTE: [[u8; 8]; 256] = {
    let mut table = [[0u8; 8]; 256];
    let mut byte = 0;
    while byte < 256 {
        let (mut bit, mut rank) = (0, 0);
        while bit < 8 {
            if byte >> bit & 1 == 1 {
                table[byte][rank] = bit as u8;
                rank += 1;
            }
            bit += 1;
        }
        byte += 1;
    }
    table
};

/// Bit index (0-based) of the `rank`-th (0-based) set bit of `x`; `x` must have more than
/// `rank` set bits.
///
/// Branch-free broadword select (Vigna, "Broadword implementation of rank/select
/// queries"): the default x86-64 target has no POPCNT/PDEP, and the data-dependent loops
/// this replaces mispredicted on nearly every lookup.
#[inline]
pub(crate) fn select_in_word(x: u64, rank: u32) -> u32 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut s = x - ((x >> 1) & 0x5555_5555_5555_5555);
    s = (s & 0x3333_3333_3333_3333) + ((s >> 2) & 0x3333_3333_3333_3333);
    s = (s + (s >> 4)) & 0x0f0f_0f0f_0f0f_0f0f;
    // Byte i holds the set bits of bytes 0..=i.
    let cumulative = s.wrapping_mul(ONES);
    // High bit of byte i set where that count is <= rank: those bytes precede the target.
    let before = (((u64::from(rank) * ONES) | HIGHS) - cumulative) & HIGHS;
    let byte = ((before >> 7).wrapping_mul(ONES) >> 56) as u32;
    let below = ((cumulative << 8) >> (8 * byte) & 0xff) as u32;
    let in_byte = (x >> (8 * byte) & 0xff) as usize;
    8 * byte + u32::from(SELECT_IN_BYTE[in_byte][((rank - below) & 7) as usize])
}

/// An append-only bit stream; blocks start on word boundaries via [`BitWriter::align`].
#[derive(Default)]
pub(crate) struct BitWriter {
    pub(crate) words: Vec<u64>,
    len: usize,
}

impl BitWriter {
    /// Bits written so far.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Appends the low `width` bits of `value` (higher bits must be clear).
    pub(crate) fn push(&mut self, value: u64, width: u32) {
        debug_assert!(width == 64 || value >> width == 0);
        if width == 0 {
            return;
        }
        let shift = (self.len & 63) as u32;
        if shift == 0 {
            self.words.push(value);
        } else {
            let last = self.words.len() - 1;
            self.words[last] |= value << shift;
            if shift + width > 64 {
                self.words.push(value >> (64 - shift));
            }
        }
        self.len += width as usize;
    }

    /// Appends `count` zero bits.
    pub(crate) fn push_zeros(&mut self, count: usize) {
        self.len += count;
        self.words.resize(self.len.div_ceil(64), 0);
    }

    /// Appends `count` one bits.
    pub(crate) fn push_ones(&mut self, mut count: usize) {
        while count >= 64 {
            self.push(u64::MAX, 64);
            count -= 64;
        }
        self.push(mask(count as u32), count as u32);
    }

    /// Pads with zeros to the next word boundary.
    pub(crate) fn align(&mut self) {
        self.len = self.words.len() * 64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_reads_across_word_boundaries() {
        let mut w = BitWriter::default();
        w.push(0b101, 3);
        w.push(0x1234_5678_9abc, 62);
        w.push_ones(70);
        w.push_zeros(5);
        w.push(1, 1);
        assert_eq!(read(&w.words, 0, 3), 0b101);
        assert_eq!(read(&w.words, 3, 62), 0x1234_5678_9abc);
        assert_eq!(read(&w.words, 65, 64), u64::MAX);
        assert_eq!(read(&w.words, 129, 6), 0b111111);
        assert_eq!(read(&w.words, 135, 6), 0b100000);
        assert_eq!(w.len(), 141);
        // Past the end reads zero instead of panicking.
        assert_eq!(read(&w.words, 10_000, 64), 0);
    }

    #[test]
    fn selects_every_set_bit() {
        for x in [0xf0f0_0001_8000_0ff1u64, u64::MAX, 1, 1 << 63, 0x8000_0000_0000_0001, 0x0123_4567_89ab_cdef] {
            let positions: Vec<u32> = (0..64).filter(|i| x >> i & 1 == 1).collect();
            for (rank, &p) in positions.iter().enumerate() {
                assert_eq!(select_in_word(x, rank as u32), p, "{x:#x} rank {rank}");
            }
        }
    }
}
