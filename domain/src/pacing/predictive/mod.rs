//! Outdial's predictive policy: a look-ahead on the calls in flight and the agents about to free.
//!
//! Each in-flight call's chance to produce a person inside the horizon is conditioned on its
//! stage and age (a call ringing for 20 s is probably a no-answer; one picked up after 6 s is
//! probably a person). Agents in wrap-up free up by the conditional wrap law; talking agents by
//! P(talk ends | elapsed) convolved with the wrap law. A dynamic program turns both into expected
//! abandons for n new dials, and the policy places the largest n whose marginal dial still risks
//! abandoning its person with probability at most θ. θ self-corrects from the abandon meter so
//! the period's rate settles just under the target, and the cap guard overrides everything.

mod forecast;
mod lookahead;
mod model;

use serde::{Deserialize, Serialize};

use self::forecast::Forecast;
use self::lookahead::Lookahead;
use self::model::Model;
use super::estimates::Estimates;
use super::observe::{AbandonMeter, DEFAULT_ABANDON_TARGET, Decision, Observation, cap_headroom, must_fall_back};
use super::policy::pooled_progressive;

/// Tuning of the predictive policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictiveParams {
    /// Abandon cap over the period (0.03).
    pub target: f64,
    /// Share of the cap the controller steers to, leaving room for chance.
    pub aim: f64,
    /// θ when the meter is exactly on aim: the largest acceptable P(abandon) of the marginal
    /// dial's person.
    pub threshold: f64,
    /// How hard θ reacts to the meter: θ = threshold · exp(gain · z), z the budget's z-score.
    pub gain: f64,
    /// Abandons added under the square root of the budget, so a young period reacts gently.
    pub budget_floor: f64,
    /// Standard deviations of chance kept off the budget: a period of H people steers to
    /// aim·target·H − confidence·√(aim·target·H) abandons, so a campaign that reaches a few
    /// hundred people (whose rate chance moves by a point) stays under the cap as surely as
    /// one that reaches thousands.
    #[serde(default = "default_confidence")]
    pub confidence: f64,
    /// Abandons of headroom below the cap guard under which θ shrinks in proportion.
    pub headroom: f64,
    /// Trunk ceiling: lines (calls in flight + talking) per logged-in agent.
    pub max_lines_per_agent: f64,
    /// Decision cadence when nothing happens, seconds.
    pub tick: f64,
    /// Least time between event-driven decisions, seconds.
    pub min_gap: f64,
    /// Look-ahead bin width, seconds.
    pub bin: f64,
    /// How long a person who answered waits for an agent before the safe-harbor message,
    /// seconds: the simulation's deadline (2 s), or 0 for an engine that plays it the moment
    /// nobody is ready.
    #[serde(default = "default_patience")]
    pub patience: f64,
}

fn default_patience() -> f64 {
    2.0
}

fn default_confidence() -> f64 {
    1.0
}

impl Default for PredictiveParams {
    fn default() -> Self {
        Self {
            target: DEFAULT_ABANDON_TARGET,
            aim: 0.9,
            threshold: 0.05,
            gain: 0.5,
            budget_floor: 4.0,
            confidence: default_confidence(),
            headroom: 3.0,
            max_lines_per_agent: 3.0,
            tick: 1.0,
            min_gap: 0.5,
            bin: 1.0,
            patience: default_patience(),
        }
    }
}

/// The predictive policy: its parameters plus caches rebuilt on demand (not persisted).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Predictive {
    /// Tuning.
    pub params: PredictiveParams,
    #[serde(skip)]
    cache: Box<Cache>,
}

#[derive(Debug, Clone, Default)]
struct Cache {
    model: Option<Box<Model>>,
    forecast: Forecast,
    lookahead: Lookahead,
    trial: Vec<f64>,
    tried: Vec<(u32, f64)>,
}

impl Predictive {
    /// A policy with these parameters.
    pub fn new(params: PredictiveParams) -> Self {
        Self { params, cache: Box::default() }
    }

    /// θ for the current meter. The meter's abandon budget (aim × humans − abandons, less the
    /// margin for chance) is the integral of the controller's error, so steering θ by it
    /// settles the period's rate on aim whatever the list; scaling by √budget keeps one early
    /// abandon from swinging it.
    pub fn threshold(&self, meter: &AbandonMeter) -> f64 {
        let p = &self.params;
        let expected = p.target * p.aim * meter.humans as f64;
        let allowed = expected - p.confidence * expected.sqrt();
        let z = (allowed - meter.abandons as f64) / (expected + p.budget_floor).sqrt();
        let theta = (p.threshold * (p.gain * z).exp()).clamp(p.threshold / 20.0, 5.0 * p.threshold);
        // Close to the cap guard, tread carefully: tripping it means minutes of progressive.
        let headroom = cap_headroom(meter, p.target);
        let care = (headroom / p.headroom).clamp(0.05, 1.0);
        (theta * care).min(1.0)
    }

    /// How many pooled calls to place now.
    pub fn decide(&mut self, obs: &Observation, est: &Estimates) -> Decision {
        if must_fall_back(&obs.meter, self.params.target) {
            return pooled_progressive(obs);
        }
        let theta = self.threshold(&obs.meter);
        let bin = self.params.bin;
        let c = &mut self.cache;
        if c.model.as_ref().is_none_or(|m| m.is_stale(est, bin)) {
            c.model = Some(Box::new(Model::build(est, bin)));
        }
        let Some(model) = c.model.as_deref() else { return Decision::none() };
        let mix = est.mix();
        let f = &mut c.forecast;
        f.fill(model, &mix, obs);
        let room = self.params.max_lines_per_agent * f64::from(f.logged_in) - f64::from(f.lines);
        let most = room.floor().max(0.0) as u32;
        let limit = theta * mix.human;
        c.lookahead.set_frees(&f.frees, self.params.patience / bin);
        // New dials cannot produce a person before pickup + AMD: that prefix is shared.
        let first = f.new_dial.iter().position(|p| *p > 1e-12).unwrap_or(f.new_dial.len());
        c.lookahead.prepare(f.start, &f.answers, first);
        Decision::pooled(c.largest_dials(most, limit))
    }
}

impl Cache {
    /// The largest n ≤ `most` whose n-th dial adds at most `limit` expected abandons. The
    /// marginal abandon grows with n, so: one step at a time while n is small (the usual case),
    /// then galloping, then bisection.
    fn largest_dials(&mut self, most: u32, limit: f64) -> u32 {
        const STEP_UNTIL: u32 = 4;
        self.tried.clear();
        let mut good = 0;
        let mut step = 1;
        let mut bad = loop {
            let n = (good + step).min(most);
            if n == good {
                return good;
            }
            if self.marginal(n) > limit {
                break n;
            }
            good = n;
            if good >= STEP_UNTIL {
                step *= 2;
            }
        };
        while bad - good > 1 {
            let mid = good + (bad - good) / 2;
            if self.marginal(mid) <= limit {
                good = mid;
            } else {
                bad = mid;
            }
        }
        good
    }

    fn marginal(&mut self, n: u32) -> f64 {
        self.abandons(n) - self.abandons(n - 1)
    }

    fn abandons(&mut self, n: u32) -> f64 {
        if let Some(&(_, ab)) = self.tried.iter().find(|(k, _)| *k == n) {
            return ab;
        }
        self.trial.clear();
        let extra = f64::from(n);
        let f = &self.forecast;
        self.trial.extend(f.answers.iter().zip(&f.new_dial).map(|(a, d)| a + extra * d));
        let ab = self.lookahead.expected_abandons(&self.trial);
        self.tried.push((n, ab));
        ab
    }
}
