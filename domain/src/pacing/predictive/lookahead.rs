//! Expected abandons over the horizon, by dynamic programming on the distribution of
//! (free agents − people waiting), bin by bin.
//!
//! How long a person may wait for an agent (the patience) sets the order inside a bin. Patient
//! people (a wait of a bin or more, as the simulation's 2 s safe-harbor window): agents that
//! free up join first, then people still queued from the previous bin are abandoned, then this
//! bin's answers take free agents or queue. Impatient people (the engine, which plays the
//! safe-harbor message the moment nobody is ready): only the agents that free up before a
//! person answers, or within their patience, can take them, so a bin's frees split in two, the
//! share that comes in time joining before the answers and the rest after the queue is
//! abandoned. Frees and answers per bin are Poisson, which slightly overstates their variance
//! and so errs towards fewer abandons than feared.

/// Reusable buffers so a decision allocates nothing.
#[derive(Debug, Clone, Default)]
pub(super) struct Lookahead {
    dist: Vec<f64>,
    next: Vec<f64>,
    pmf: Vec<f64>,
    remaining: Vec<f64>,
    /// Poisson pmfs of agent frees per bin, shared by every n tried in one decision: those in
    /// time for the bin's answers, and (impatient people only) those after them.
    free_pmfs: Vec<Vec<f64>>,
    late_pmfs: Vec<Vec<f64>>,
    /// Whether people wait less than a bin: then a bin's queue is abandoned within the bin.
    impatient: bool,
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
    /// Tabulates the per-bin free distributions once per decision, for people who wait up to
    /// `patience` bins for an agent.
    pub(super) fn set_frees(&mut self, frees: &[f64], patience: f64) {
        self.impatient = patience < 1.0;
        // A person answering at a uniform moment of the bin is in time for a free at a uniform
        // moment when it comes before their answer plus their patience.
        let in_time = if self.impatient { 1.0 - (1.0 - patience.max(0.0)).powi(2) / 2.0 } else { 1.0 };
        for (pmfs, share) in [(&mut self.free_pmfs, in_time), (&mut self.late_pmfs, 1.0 - in_time)] {
            pmfs.resize_with(frees.len(), Vec::new);
            for (pmf, &mean) in pmfs.iter_mut().zip(frees) {
                if mean * share > 1e-12 {
                    poisson(mean * share, pmf);
                } else {
                    pmf.clear();
                }
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
            self.add_frees(b, false);
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
            abandons += self.abandon_queue(&mut lo);
            if answers[b] > 1e-12 {
                poisson(answers[b], &mut self.pmf);
                self.convolve(-1);
                lo -= self.pmf.len() as i64 - 1;
            }
            if self.impatient {
                abandons += self.abandon_queue(&mut lo);
                self.add_frees(b, true);
            }
            lo += self.trim() as i64;
        }
        (lo, abandons)
    }

    /// dist ← dist ⊛ the frees of bin `b` (in time for its answers, or `late`).
    fn add_frees(&mut self, b: usize, late: bool) {
        let pmfs = if late { &mut self.late_pmfs } else { &mut self.free_pmfs };
        if let Some(pmf) = pmfs.get_mut(b).filter(|p| !p.is_empty()) {
            std::mem::swap(&mut self.pmf, pmf);
            self.convolve(1);
            let pmfs = if late { &mut self.late_pmfs } else { &mut self.free_pmfs };
            std::mem::swap(&mut self.pmf, &mut pmfs[b]);
        }
    }

    /// Abandons everyone queued (y < 0 → 0); returns the expected number abandoned.
    fn abandon_queue(&mut self, lo: &mut i64) -> f64 {
        if *lo >= 0 {
            return 0.0;
        }
        let negatives = ((-*lo) as usize).min(self.dist.len());
        let (mut abandons, mut queued) = (0.0, 0.0);
        for i in 0..negatives {
            abandons += (-(*lo + i as i64)) as f64 * self.dist[i];
            queued += self.dist[i];
        }
        if negatives == self.dist.len() {
            self.dist.clear();
            self.dist.push(queued);
        } else {
            self.dist.drain(..negatives);
            self.dist[0] += queued;
        }
        *lo = 0;
        abandons
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
        la.set_frees(&[0.0; 3], 2.0);
        let ab = run(&mut la, 1, &[0.0, 1e-13, 0.0]);
        assert!(ab < 1e-9);
    }

    #[test]
    fn answers_with_no_agent_are_all_abandoned() {
        let mut la = Lookahead::default();
        la.set_frees(&[0.0; 4], 2.0);
        let ab = run(&mut la, 0, &[0.5, 0.5, 0.0, 0.0]);
        assert!((ab - 1.0).abs() < 1e-6, "{ab}");
    }

    #[test]
    fn one_free_agent_absorbs_one_poisson_answer() {
        // E[(A − 1)^+] for A ~ Poisson(1) is e^-1.
        let mut la = Lookahead::default();
        la.set_frees(&[0.0; 2], 2.0);
        let ab = run(&mut la, 1, &[1.0, 0.0]);
        assert!((ab - (-1.0f64).exp()).abs() < 1e-6, "{ab}");
    }

    #[test]
    fn an_agent_freeing_next_bin_saves_a_queued_person() {
        let mut la = Lookahead::default();
        la.set_frees(&[0.0; 2], 2.0);
        let ab = run(&mut la, -1, &[0.0, 0.0]);
        assert!((ab - 1.0).abs() < 1e-9);
        // Thirty expected frees in the first bin: practically certain to take the person.
        la.set_frees(&[30.0, 0.0], 2.0);
        assert!(run(&mut la, -1, &[0.0, 0.0]) < 1e-9);
    }

    /// An impatient person is taken only by an agent freeing before they answer: with one free
    /// expected in the bin, half in time, about e^-1/2 of the person is lost, and a patient
    /// person (who waits for the rest of the bin) is lost only if nobody frees at all.
    #[test]
    fn an_impatient_person_misses_the_agents_freeing_after_they_answer() {
        let mut la = Lookahead::default();
        la.set_frees(&[1.0, 0.0], 2.0);
        let patient = run(&mut la, 0, &[1e-6, 0.0]) / 1e-6;
        la.set_frees(&[1.0, 0.0], 0.0);
        let impatient = run(&mut la, 0, &[1e-6, 0.0]) / 1e-6;
        assert!((patient - (-1.0f64).exp()).abs() < 1e-3, "{patient}");
        assert!((impatient - (-0.5f64).exp()).abs() < 1e-3, "{impatient}");
        // Half a bin of patience: 7/8 of the frees come in time.
        la.set_frees(&[1.0, 0.0], 0.5);
        let half = run(&mut la, 0, &[1e-6, 0.0]) / 1e-6;
        assert!((half - (-0.875f64).exp()).abs() < 1e-3, "{half}");
    }
}
