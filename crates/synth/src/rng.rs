//! A tiny deterministic random number generator.
//!
//! Kept inside the crate (no `rand`) so that the same spec gives byte-identical councils on
//! every platform, toolchain and dependency update: synthetic data is only useful for scale
//! tests and demos if a run can be reproduced exactly.

/// SplitMix64's finaliser: spreads nearby inputs (seed 1, seed 2, council 7, council 8) over
/// unrelated outputs, so derived streams do not overlap.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Which part of a council a stream feeds. Each part has its own stream so that, for example,
/// asking for more activities does not change the council's name or its indicators.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stream {
    Identity = 1,
    CorporatePlan = 2,
    ActionPlan = 3,
    Returns = 4,
    Indicators = 5,
}

/// xorshift64*: small, fast and good enough for test data. Not for anything secret.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    /// The stream for one part of one council: a function of (seed, council, part) only, so
    /// councils can be generated independently, in any order, in parallel.
    pub(crate) fn for_council(seed: u64, council: usize, stream: Stream) -> Rng {
        let z = mix(mix(seed) ^ (council as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93))
            ^ (stream as u64).wrapping_mul(0xA076_1D64_78BD_642F);
        Rng::new(z)
    }

    pub(crate) fn new(seed: u64) -> Rng {
        let z = mix(seed);
        // xorshift has one fixed point, zero; never start there.
        Rng(if z == 0 { 0x2545_F491_4F6C_DD1D } else { z })
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `0..n`; 0 when `n` is 0. (The modulo bias is far below what test data notices.)
    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            ((self.next_u64() >> 11) % n as u64) as usize
        }
    }

    /// Uniform in `lo..=hi`.
    pub(crate) fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// Uniform in `[lo, hi)`.
    pub(crate) fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Roughly normal with mean 0 and standard deviation 1 (Irwin–Hall of four uniforms):
    /// cheap, bounded, and bell-shaped enough for indicator noise.
    pub(crate) fn gauss(&mut self) -> f64 {
        let s = self.unit() + self.unit() + self.unit() + self.unit();
        (s - 2.0) * 3f64.sqrt()
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A uniformly chosen item. `items` must not be empty (all word lists are constants).
    pub(crate) fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len())]
    }

    /// An index chosen with the given relative weights.
    pub(crate) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut r = self.below(total as usize) as u32;
        for (i, w) in weights.iter().enumerate() {
            if r < *w {
                return i;
            }
            r -= w;
        }
        weights.len().saturating_sub(1)
    }

    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }

    /// Between `lo` and `hi` (inclusive) distinct indices out of `0..n`, in increasing order.
    pub(crate) fn sample_between(&mut self, n: usize, lo: usize, hi: usize) -> Vec<usize> {
        let k = self.between(lo, hi);
        self.sample(n, k)
    }

    /// `k` distinct indices out of `0..n`, in increasing order.
    pub(crate) fn sample(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut all: Vec<usize> = (0..n).collect();
        self.shuffle(&mut all);
        all.truncate(k.min(n));
        all.sort_unstable();
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = {
            let mut r = Rng::for_council(7, 3, Stream::Returns);
            (0..8).map(|_| r.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut r = Rng::for_council(7, 3, Stream::Returns);
            (0..8).map(|_| r.next_u64()).collect()
        };
        let c: Vec<u64> = {
            let mut r = Rng::for_council(7, 4, Stream::Returns);
            (0..8).map(|_| r.next_u64()).collect()
        };
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn helpers_stay_in_range() {
        let mut r = Rng::new(0);
        for _ in 0..10_000 {
            assert!(r.below(7) < 7);
            let x = r.between(3, 5);
            assert!((3..=5).contains(&x));
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
            assert!(r.gauss().abs() <= 2.0 * 3f64.sqrt() + 1e-9);
            assert!(r.weighted(&[0, 5, 0]) == 1);
        }
        assert_eq!(r.below(0), 0);
        let s = r.sample(10, 4);
        assert_eq!(s.len(), 4);
        assert!(s.windows(2).all(|w| w[0] < w[1]));
    }
}
