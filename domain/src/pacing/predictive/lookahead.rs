//! Expected abandons over the horizon, by dynamic programming on the distribution of
//! (free agents − people waiting), bin by bin.
//!
//! Per bin, agents that free up join first, then people still queued from the previous bin are
//! abandoned (with 1 s bins they have waited at least the 2 s safe-harbor window on average),
//! then this bin's answers take free agents or queue. Frees and answers per bin are Poisson,
//! which slightly overstates their variance and so errs towards fewer abandons than feared.

/// Reusable buffers so a decision allocates nothing.
#[derive(Debug, Clone, Default)]
pub(super) struct Lookahead {
    dist: Vec<f64>,
    next: Vec<f64>,
    pmf: Vec<f64>,
    remaining: Vec<f64>,
    /// Poisson pmfs of agent frees per bin, shared by every n tried in one decision.
    free_pmfs: Vec<Vec<f64>>,
    /// State after the bins every n shares: (first bin, lowest y, distribution, abandons).
    checkpoint: (usize, i64, Vec<f64>, f64),
}

/// Poisson probabilities are cut once the tail is this small.
const TAIL: f64 = 1e-7;
/// Probability below which the edges of the distribution are dropped.
const NEGLIGIBLE: f64 = 1e-10;

fn poisson(mean: f64, out: &mut Vec<f64>) {
    out.clear();
    let mut p = (-mean).exp();
    let mut cum = 0.0;
    let mut k = 0.0;
    loop {
        out.push(p);
        cum += p;
        k += 1.0;
        if 1.0 - cum < TAIL || (k > mean && p < TAIL) || out.len() > 400 {
            break;
        }
        p *= mean / k;
    }
    if let Some(last) = out.last_mut() {
        *last += (1.0 - cum).max(0.0);
    }
}

impl Lookahead {
    /// Tabulates the per-bin free distributions once per decision.
    pub(super) fn set_frees(&mut self, frees: &[f64]) {
        self.free_pmfs.resize_with(frees.len(), Vec::new);
        for (pmf, &mean) in self.free_pmfs.iter_mut().zip(frees) {
            if mean > 1e-12 {
                poisson(mean, pmf);
            } else {
                pmf.clear();
            }
        }
    }

    /// Runs the bins before `first`, where the answers are `answers` whatever is dialled now,
    /// and keeps the state for [`Lookahead::expected_abandons`]. `start` = free agents − people
    /// waiting now; the frees are those of the last [`Lookahead::set_frees`].
    pub(super) fn prepare(&mut self, start: i64, answers: &[f64], first: usize) {
        let first = first.min(answers.len());

        self.dist.clear();
        self.dist.push(1.0);
        // No lumping here: the answers after the prefix are not known yet.
        let (lo, abandons) = self.run(start, 0.0, answers, 0..first, false);
        self.checkpoint = (first, lo, self.dist.clone(), abandons);
    }

    /// E[abandons] over the horizon for these expected answers per bin (which must equal the
    /// prepared ones before the prepared first bin).
    pub(super) fn expected_abandons(&mut self, answers: &[f64]) -> f64 {
        let (first, lo, dist, abandons) = &self.checkpoint;
        let (first, lo, abandons) = (*first, *lo, *abandons);
        self.dist.clear();
        self.dist.extend_from_slice(dist);
        let bins = answers.len();
        let (lo, mut abandons) = self.run(lo, abandons, answers, first..bins, true);
        for (i, p) in self.dist.iter().enumerate() {
            let y = lo + i as i64;
            if y >= 0 {
                break;
            }
            abandons += (-y) as f64 * p;
        }
        abandons
    }

    fn run(
        &mut self,
        mut lo: i64,
        mut abandons: f64,
        answers: &[f64],
        range: std::ops::Range<usize>,
        lump: bool,
    ) -> (i64, f64) {
        self.remaining.clear();
        self.remaining.resize(answers.len() + 1, 0.0);
        for b in (0..answers.len()).rev() {
            self.remaining[b] = self.remaining[b + 1] + answers[b];
        }
        for b in range {
            if self.free_pmfs.get(b).is_some_and(|p| !p.is_empty()) {
                std::mem::swap(&mut self.pmf, &mut self.free_pmfs[b]);
                self.convolve(1);
                std::mem::swap(&mut self.pmf, &mut self.free_pmfs[b]);
            }
            let hi = lo + self.dist.len() as i64 - 1;
            // More free agents than answers can still come changes nothing: lump them.
            let rem = self.remaining[b];
            let cap = (rem + 4.0 * rem.sqrt() + 2.0).ceil() as i64;
            if lump && hi > cap {
                let keep = (cap - lo + 1).max(1) as usize;
                let spill: f64 = self.dist[keep..].iter().sum();
                self.dist.truncate(keep);
                self.dist[keep - 1] += spill;
            }
            if lo < 0 {
                let negatives = ((-lo) as usize).min(self.dist.len());
                let mut queued = 0.0;
                for i in 0..negatives {
                    abandons += (-(lo + i as i64)) as f64 * self.dist[i];
                    queued += self.dist[i];
                }
                if negatives == self.dist.len() {
                    self.dist.clear();
                    self.dist.push(queued);
                } else {
                    self.dist.drain(..negatives);
                    self.dist[0] += queued;
                }
                lo = 0;
            }
            if answers[b] > 1e-12 {
                poisson(answers[b], &mut self.pmf);
                self.convolve(-1);
                lo -= self.pmf.len() as i64 - 1;
            }
            lo += self.trim() as i64;
        }
        (lo, abandons)
    }

    /// Drops negligible mass at both ends; returns how many entries left the low end.
    fn trim(&mut self) -> usize {
        while self.dist.len() > 1 && self.dist.last().is_some_and(|p| *p < NEGLIGIBLE) {
            self.dist.pop();
        }
        let low = self.dist.iter().take(self.dist.len() - 1).take_while(|p| **p < NEGLIGIBLE).count();
        self.dist.drain(..low);
        low
    }

    /// dist ← dist ⊛ pmf, shifting y up (`sign` 1) or down (`sign` −1) by the Poisson count.
    fn convolve(&mut self, sign: i32) {
        let n = self.dist.len();
        let m = self.pmf.len();

        self.next.clear();
        self.next.resize(n + m - 1, 0.0);
        if sign < 0 {
            self.pmf.reverse();
        }
        for (i, &p) in self.dist.iter().enumerate() {
            if p < 1e-300 {
                continue;
            }
            for (slot, &q) in self.next[i..i + m].iter_mut().zip(&self.pmf) {
                *slot += p * q;
            }
        }
        if sign < 0 {
            self.pmf.reverse();
        }
        std::mem::swap(&mut self.dist, &mut self.next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(la: &mut Lookahead, start: i64, answers: &[f64]) -> f64 {
        la.prepare(start, answers, 1);
        la.expected_abandons(answers)
    }

    #[test]
    fn one_agent_one_sure_answer_never_abandons() {
        let mut la = Lookahead::default();
        la.set_frees(&[0.0; 3]);
        let ab = run(&mut la, 1, &[0.0, 1e-13, 0.0]);
        assert!(ab < 1e-9);
    }

    #[test]
    fn answers_with_no_agent_are_all_abandoned() {
        let mut la = Lookahead::default();
        la.set_frees(&[0.0; 4]);
        let ab = run(&mut la, 0, &[0.5, 0.5, 0.0, 0.0]);
        assert!((ab - 1.0).abs() < 1e-6, "{ab}");
    }

    #[test]
    fn one_free_agent_absorbs_one_poisson_answer() {
        // E[(A − 1)^+] for A ~ Poisson(1) is e^-1.
        let mut la = Lookahead::default();
        la.set_frees(&[0.0; 2]);
        let ab = run(&mut la, 1, &[1.0, 0.0]);
        assert!((ab - (-1.0f64).exp()).abs() < 1e-6, "{ab}");
    }

    #[test]
    fn an_agent_freeing_next_bin_saves_a_queued_person() {
        let mut la = Lookahead::default();
        la.set_frees(&[0.0; 2]);
        let ab = run(&mut la, -1, &[0.0, 0.0]);
        assert!((ab - 1.0).abs() < 1e-9);
        // Thirty expected frees in the first bin: practically certain to take the person.
        la.set_frees(&[30.0, 0.0]);
        assert!(run(&mut la, -1, &[0.0, 0.0]) < 1e-9);
    }
}
