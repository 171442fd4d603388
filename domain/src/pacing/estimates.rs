//! Live estimates of a campaign's outcome mix and timing laws, from counts and sums that one
//! SQL aggregate can give (COUNT, SUM(x), SUM(x*x) per outcome).

use serde::{Deserialize, Serialize};

/// Count, sum and sum of squares of one duration.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    /// Observations.
    pub count: u64,
    /// Σx in seconds.
    pub sum: f64,
    /// Σx² in seconds².
    pub sum_sq: f64,
}

impl Moments {
    /// Adds one observation.
    pub fn add(&mut self, x: f64) {
        self.count += 1;
        self.sum += x;
        self.sum_sq += x * x;
    }

    /// Mean and CV, shrunk towards a prior worth `weight` observations so a thin sample cannot
    /// make the law degenerate.
    pub fn law(&self, prior: Law, weight: f64) -> Law {
        let n = self.count as f64 + weight;
        let mean = (self.sum + weight * prior.mean) / n;
        let prior_sq = prior.mean * prior.mean * (1.0 + prior.cv * prior.cv);
        let second = (self.sum_sq + weight * prior_sq) / n;
        let var = (second - mean * mean).max(0.0);
        Law { mean, cv: var.sqrt() / mean.max(1e-9) }
    }
}

/// A duration law by mean and coefficient of variation (modelled as lognormal).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Law {
    /// Mean, seconds.
    pub mean: f64,
    /// Coefficient of variation.
    pub cv: f64,
}

/// Shares of resolved dials by what the dialer saw.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Mix {
    /// AMD said human.
    pub human: f64,
    /// AMD said machine.
    pub machine: f64,
    /// Rang out.
    pub no_answer: f64,
    /// Busy or invalid.
    pub failed: f64,
}

/// One resolved fact the estimates learn from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Resolution {
    /// AMD said human: dial-to-pickup and pickup-to-decision delays.
    Human {
        /// Dial to pickup, seconds.
        pickup: f64,
        /// Pickup to AMD decision, seconds.
        amd: f64,
    },
    /// AMD said machine.
    Machine {
        /// Dial to pickup, seconds.
        pickup: f64,
        /// Pickup to AMD decision, seconds.
        amd: f64,
    },
    /// Rang until the timeout.
    NoAnswer,
    /// Busy or invalid, after holding the line this long.
    Failed {
        /// Dial to end, seconds.
        hold: f64,
    },
    /// A conversation ended after this long.
    Talk(f64),
    /// A wrap-up ended after this long.
    Wrap(f64),
}

/// Live estimates of the campaign's outcome distribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimates {
    /// Resolved dials AMD called human.
    pub humans: u64,
    /// Resolved dials AMD called machine.
    pub machines: u64,
    /// Dials that rang out.
    pub no_answers: u64,
    /// Busy or invalid dials.
    pub failed: u64,
    /// Dial to pickup of humans.
    pub human_pickup: Moments,
    /// Dial to pickup of machines.
    pub machine_pickup: Moments,
    /// Pickup to AMD decision, humans.
    pub amd_human: Moments,
    /// Pickup to AMD decision, machines.
    pub amd_machine: Moments,
    /// Line hold of busy and invalid dials.
    pub failed_hold: Moments,
    /// Talk times.
    pub talk: Moments,
    /// Wrap-up times.
    pub wrap: Moments,
    /// Talk time observed inside the learning window, the talks still going included
    /// (seconds), when the window is known. Then the talk mean is this exposure over the talks
    /// that ended (the exponential law's estimate), which a young campaign needs: its first
    /// talks to end are its shortest, and their mean alone would dial as if agents freed soon.
    #[serde(default)]
    pub talk_exposure: Option<f64>,
    /// Wrap-up time observed, the wrap-ups still going included (seconds), when known: the
    /// wrap mean is then this exposure over the wrap-ups that ended, as for talk.
    #[serde(default)]
    pub wrap_exposure: Option<f64>,
    /// The prior wrap mean, seconds, when the campaign sets one (its wrap time: a wrap-up
    /// lasts at most that); else the base prior's 30 s.
    #[serde(default)]
    pub wrap_prior: Option<f64>,
    /// The campaign's no-answer timeout (configuration, not learnt), seconds.
    pub ring_timeout: f64,
}

/// Pseudo-dials behind the prior mix. Small, so a list's real contact rate shows within a few
/// hundred dials; the prior's human share is high so a fresh campaign under-dials, never over.
const PRIOR_DIALS: f64 = 20.0;
const PRIOR_MIX: Mix = Mix { human: 0.15, machine: 0.30, no_answer: 0.35, failed: 0.20 };
/// Pseudo-observations behind each prior timing law.
const PRIOR_WEIGHT: f64 = 5.0;

/// Prior timing laws (PACING.md §3 base values).
mod prior {
    use super::Law;
    pub(super) const HUMAN_PICKUP: Law = Law { mean: 9.0, cv: 0.45 };
    pub(super) const MACHINE_PICKUP: Law = Law { mean: 16.0, cv: 0.25 };
    pub(super) const AMD_HUMAN: Law = Law { mean: 2.25, cv: 0.19 };
    pub(super) const AMD_MACHINE: Law = Law { mean: 3.75, cv: 0.19 };
    pub(super) const FAILED_HOLD: Law = Law { mean: 3.0, cv: 0.35 };
    pub(super) const TALK: Law = Law { mean: 180.0, cv: 1.0 };
    pub(super) const WRAP: Law = Law { mean: 30.0, cv: 0.5 };
}

impl Estimates {
    /// Estimates with no data: the priors alone, a 25 s ring timeout.
    pub fn prior() -> Self {
        Self {
            humans: 0,
            machines: 0,
            no_answers: 0,
            failed: 0,
            human_pickup: Moments::default(),
            machine_pickup: Moments::default(),
            amd_human: Moments::default(),
            amd_machine: Moments::default(),
            failed_hold: Moments::default(),
            talk: Moments::default(),
            wrap: Moments::default(),
            talk_exposure: None,
            wrap_exposure: None,
            wrap_prior: None,
            ring_timeout: 25.0,
        }
    }

    /// Learns from one resolved fact.
    pub fn observe(&mut self, fact: Resolution) {
        match fact {
            Resolution::Human { pickup, amd } => {
                self.humans += 1;
                self.human_pickup.add(pickup);
                self.amd_human.add(amd);
            }
            Resolution::Machine { pickup, amd } => {
                self.machines += 1;
                self.machine_pickup.add(pickup);
                self.amd_machine.add(amd);
            }
            Resolution::NoAnswer => self.no_answers += 1,
            Resolution::Failed { hold } => {
                self.failed += 1;
                self.failed_hold.add(hold);
            }
            Resolution::Talk(t) => self.talk.add(t),
            Resolution::Wrap(w) => self.wrap.add(w),
        }
    }

    /// Outcome shares, shrunk towards the prior.
    pub fn mix(&self) -> Mix {
        let n = (self.humans + self.machines + self.no_answers + self.failed) as f64 + PRIOR_DIALS;
        let share = |count: u64, prior: f64| (count as f64 + PRIOR_DIALS * prior) / n;
        Mix {
            human: share(self.humans, PRIOR_MIX.human),
            machine: share(self.machines, PRIOR_MIX.machine),
            no_answer: share(self.no_answers, PRIOR_MIX.no_answer),
            failed: share(self.failed, PRIOR_MIX.failed),
        }
    }

    /// Dial-to-pickup law of humans.
    pub fn human_pickup_law(&self) -> Law {
        self.human_pickup.law(prior::HUMAN_PICKUP, PRIOR_WEIGHT)
    }
    /// Dial-to-pickup law of machines.
    pub fn machine_pickup_law(&self) -> Law {
        self.machine_pickup.law(prior::MACHINE_PICKUP, PRIOR_WEIGHT)
    }
    /// AMD decision law for humans.
    pub fn amd_human_law(&self) -> Law {
        self.amd_human.law(prior::AMD_HUMAN, PRIOR_WEIGHT)
    }
    /// AMD decision law for machines.
    pub fn amd_machine_law(&self) -> Law {
        self.amd_machine.law(prior::AMD_MACHINE, PRIOR_WEIGHT)
    }
    /// Line-hold law of busy and invalid dials.
    pub fn failed_hold_law(&self) -> Law {
        self.failed_hold.law(prior::FAILED_HOLD, PRIOR_WEIGHT)
    }
    /// Talk-time law (its mean from [`Estimates::talk_exposure`] when known).
    pub fn talk_law(&self) -> Law {
        by_exposure(&self.talk, prior::TALK, self.talk_exposure)
    }
    /// Wrap-up law (its mean from [`Estimates::wrap_exposure`] when known).
    pub fn wrap_law(&self) -> Law {
        let prior = Law { mean: self.wrap_prior.filter(|m| *m > 0.0).unwrap_or(prior::WRAP.mean), ..prior::WRAP };
        by_exposure(&self.wrap, prior, self.wrap_exposure)
    }
}

/// A duration's law, its mean the time observed (`exposure`, the durations still going
/// included) over the durations that ended when the exposure is known.
fn by_exposure(moments: &Moments, prior: Law, exposure: Option<f64>) -> Law {
    let law = moments.law(prior, PRIOR_WEIGHT);
    match exposure {
        Some(exposure) => {
            Law { mean: (exposure + PRIOR_WEIGHT * prior.mean) / (moments.count as f64 + PRIOR_WEIGHT), cv: law.cv }
        }
        None => law,
    }
}

impl Default for Estimates {
    fn default() -> Self {
        Self::prior()
    }
}
