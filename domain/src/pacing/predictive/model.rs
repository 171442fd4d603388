//! Tabulated laws behind the look-ahead, rebuilt only when the estimates drift, so a decision
//! costs table lookups rather than special functions.

use crate::pacing::estimates::{Estimates, Law};
use crate::pacing::rng::{lognormal_ln_survival, lognormal_pdf};

/// ln P(X > x) of a lognormal on a uniform grid; past the grid it continues at the last
/// segment's hazard.
#[derive(Debug, Clone)]
pub(super) struct LnSurvival {
    step: f64,
    values: Vec<f64>,
    /// exp(values), so the common lookups need no exp.
    survival: Vec<f64>,
}

/// Beyond this ln-survival nothing plausible happens (e^-20 ≈ 2e-9).
const LN_SURVIVAL_FLOOR: f64 = -20.0;
/// Nothing a policy asks about lasts longer than a working day.
const LONGEST: f64 = 36_000.0;

impl LnSurvival {
    fn build(law: Law, points_per_mean: f64) -> Self {
        let step = (law.mean / points_per_mean).max(0.01);
        let mut values = vec![0.0];
        let mut x = 0.0;
        while x < LONGEST {
            x += step;
            let v = lognormal_ln_survival(x, law.mean, law.cv);
            values.push(v);
            if v < LN_SURVIVAL_FLOOR {
                break;
            }
        }
        if values.len() < 2 {
            values.push(-1.0);
        }
        let survival = values.iter().map(|v| v.exp()).collect();
        Self { step, values, survival }
    }

    fn at(&self, x: f64) -> f64 {
        if x <= 0.0 {
            return 0.0;
        }
        let pos = x / self.step;
        let i = pos as usize;
        let last = self.values.len() - 1;
        if i < last {
            let frac = pos - i as f64;
            self.values[i] + frac * (self.values[i + 1] - self.values[i])
        } else {
            let slope = self.values[last] - self.values[last - 1];
            self.values[last] + (pos - last as f64) * slope
        }
    }

    /// P(X ≤ x).
    pub(super) fn cdf(&self, x: f64) -> f64 {
        1.0 - self.survival(x)
    }

    /// P(X ≤ e + u | X > e).
    pub(super) fn ends_within(&self, elapsed: f64, u: f64) -> f64 {
        let base = self.survival(elapsed);
        if base > 1e-12 {
            1.0 - self.survival(elapsed + u) / base
        } else {
            1.0 - (self.at(elapsed + u) - self.at(elapsed)).exp()
        }
    }

    /// P(X > x), interpolated linearly inside the table.
    pub(super) fn survival(&self, x: f64) -> f64 {
        if x <= 0.0 {
            return 1.0;
        }
        let pos = x / self.step;
        let i = pos as usize;
        if i + 1 < self.survival.len() {
            let frac = pos - i as f64;
            self.survival[i] + frac * (self.survival[i + 1] - self.survival[i])
        } else {
            self.at(x).exp()
        }
    }
}

/// A pickup-delay law truncated to the ring timeout: CDF and density on a fine grid.
#[derive(Debug, Clone)]
pub(super) struct Pickup {
    step: f64,
    cdf: Vec<f64>,
    pdf: Vec<f64>,
}

impl Pickup {
    fn build(law: Law, timeout: f64) -> Self {
        let step = 0.05;
        let n = (timeout / step).ceil() as usize + 1;
        let raw_cdf = |x: f64| 1.0 - lognormal_ln_survival(x, law.mean, law.cv).exp();
        let total = raw_cdf(timeout).max(1e-12);
        let cdf = (0..n).map(|i| (raw_cdf(i as f64 * step) / total).min(1.0)).collect();
        let pdf = (0..n).map(|i| lognormal_pdf(i as f64 * step, law.mean, law.cv) / total).collect();
        Self { step, cdf, pdf }
    }

    fn lerp(table: &[f64], step: f64, x: f64, beyond: f64) -> f64 {
        if x <= 0.0 {
            return table[0];
        }
        let pos = x / step;
        let i = pos as usize;
        if i + 1 >= table.len() {
            return beyond;
        }
        let frac = pos - i as f64;
        table[i] + frac * (table[i + 1] - table[i])
    }

    /// P(pickup ≤ x).
    pub(super) fn cdf(&self, x: f64) -> f64 {
        Self::lerp(&self.cdf, self.step, x, 1.0)
    }

    /// Density at x (0 past the timeout).
    pub(super) fn pdf(&self, x: f64) -> f64 {
        Self::lerp(&self.pdf, self.step, x, 0.0)
    }
}

/// Everything the look-ahead needs, tabulated from one snapshot of the estimates.
#[derive(Debug, Clone)]
pub(super) struct Model {
    key: Key,
    /// Width of a look-ahead bin, seconds.
    pub(super) bin: f64,
    /// Bins in the horizon: long enough that every call in flight resolves inside it.
    pub(super) bins: usize,
    pub(super) timeout: f64,
    pub(super) human_pickup: Pickup,
    pub(super) machine_pickup: Pickup,
    pub(super) failed: LnSurvival,
    pub(super) amd_human: LnSurvival,
    pub(super) amd_machine: LnSurvival,
    pub(super) amd_human_mean: f64,
    pub(super) talk: LnSurvival,
    pub(super) wrap: LnSurvival,
    /// P(wrap-up lasts between k and k+1 bins).
    pub(super) wrap_pmf: Vec<f64>,
}

/// Relative drift of any law parameter that triggers a rebuild.
const REBUILD_DRIFT: f64 = 0.01;

type Key = [f64; 16];

fn key_of(est: &Estimates, bin: f64) -> Key {
    let laws = [
        est.human_pickup_law(),
        est.machine_pickup_law(),
        est.failed_hold_law(),
        est.amd_human_law(),
        est.amd_machine_law(),
        est.talk_law(),
        est.wrap_law(),
    ];
    let mut key = [0.0; 16];
    for (i, law) in laws.iter().enumerate() {
        key[2 * i] = law.mean;
        key[2 * i + 1] = law.cv;
    }
    key[14] = est.ring_timeout;
    key[15] = bin;
    key
}

impl Model {
    pub(super) fn build(est: &Estimates, bin: f64) -> Self {
        let key = key_of(est, bin);
        let timeout = est.ring_timeout.max(1.0);
        let amd_h = est.amd_human_law();
        let amd_reach = amd_h.mean * (1.0 + 4.0 * amd_h.cv);
        let bins = ((timeout + amd_reach) / bin).ceil() as usize + 1;
        let wrap = LnSurvival::build(est.wrap_law(), 100.0);
        let wrap_pmf = (0..bins).map(|k| wrap.cdf((k + 1) as f64 * bin) - wrap.cdf(k as f64 * bin)).collect();
        Self {
            bin,
            bins,
            timeout,
            human_pickup: Pickup::build(est.human_pickup_law(), timeout),
            machine_pickup: Pickup::build(est.machine_pickup_law(), timeout),
            failed: LnSurvival::build(est.failed_hold_law(), 100.0),
            amd_human: LnSurvival::build(amd_h, 100.0),
            amd_machine: LnSurvival::build(est.amd_machine_law(), 100.0),
            amd_human_mean: amd_h.mean,
            talk: LnSurvival::build(est.talk_law(), 50.0),
            wrap,
            wrap_pmf,
            key,
        }
    }

    /// Whether the estimates moved far enough from this snapshot to rebuild.
    pub(super) fn is_stale(&self, est: &Estimates, bin: f64) -> bool {
        let key = key_of(est, bin);
        key.iter().zip(&self.key).any(|(a, b)| (a - b).abs() > REBUILD_DRIFT * b.abs().max(1e-6))
    }
}
