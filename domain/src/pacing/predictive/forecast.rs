//! Expected person-answers and agent frees per look-ahead bin, from what the dialer sees.

use super::model::Model;
use crate::pacing::estimates::Mix;
use crate::pacing::observe::{AgentState, CallStage, Observation};

/// The look-ahead's inputs for one decision (buffers reused across decisions).
#[derive(Debug, Clone, Default)]
pub(super) struct Forecast {
    /// Expected person-answers per bin from the calls already in flight.
    pub(super) answers: Vec<f64>,
    /// Expected agents freeing up per bin.
    pub(super) frees: Vec<f64>,
    /// Expected person-answers per bin from one new dial.
    pub(super) new_dial: Vec<f64>,
    /// Free agents (ready, no bound calls) minus people already waiting.
    pub(super) start: i64,
    /// Agents logged in and not paused.
    pub(super) logged_in: u32,
    /// Lines in use: calls in flight plus talking agents.
    pub(super) lines: u32,
    talk_ends: Vec<f64>,
    talk_cdf: Vec<f64>,
}

/// Bins per point of the coarse talk-end grid.
const TALK_GRID: usize = 5;

impl Forecast {
    pub(super) fn fill(&mut self, model: &Model, mix: &Mix, obs: &Observation) {
        let bins = model.bins;
        let bin = model.bin;
        for v in [&mut self.answers, &mut self.frees, &mut self.talk_ends, &mut self.new_dial] {
            v.clear();
            v.resize(bins, 0.0);
        }
        let mut waiting = 0i64;
        for call in &obs.calls {
            let age = (obs.now - call.since).max(0.0);
            match call.stage {
                CallStage::Waiting => waiting += 1,
                CallStage::Ringing => ringing_answers(model, mix, age, &mut self.answers),
                CallStage::Detecting => {
                    let pickup = (call.since - call.dialed).max(0.0);
                    detecting_answers(model, mix, pickup, age, &mut self.answers);
                }
            }
        }
        // Talk ends are summed over agents on a coarse grid: over a horizon much shorter than a
        // talk the conditional law is nearly linear, and this loop runs for every talking agent.
        let coarse = TALK_GRID as f64 * bin;
        self.talk_cdf.clear();
        self.talk_cdf.resize(bins / TALK_GRID + 2, 0.0);
        let (mut free, mut logged_in, mut talking) = (0i64, 0u32, 0u32);
        for agent in &obs.agents {
            let elapsed = (obs.now - agent.since).max(0.0);
            match agent.state {
                AgentState::Ready => {
                    logged_in += 1;
                    free += i64::from(agent.open_lines == 0);
                }
                AgentState::Wrapping => {
                    logged_in += 1;
                    let base = model.wrap.survival(elapsed).max(1e-300);
                    let within = |u: f64| 1.0 - model.wrap.survival(elapsed + u) / base;
                    ends_per_bin(within, bin, 1.0, &mut self.frees);
                }
                AgentState::Talking => {
                    logged_in += 1;
                    talking += 1;
                    let base = model.talk.survival(elapsed).max(1e-300);
                    for (k, slot) in self.talk_cdf.iter_mut().enumerate().skip(1) {
                        *slot += 1.0 - model.talk.survival(elapsed + k as f64 * coarse) / base;
                    }
                }
                AgentState::Paused => {}
            }
        }
        let cdf = &self.talk_cdf;
        let talk_cdf = |j: usize| {
            let k = j / TALK_GRID;
            let frac = (j % TALK_GRID) as f64 / TALK_GRID as f64;
            cdf[k] + frac * (cdf[k + 1] - cdf[k])
        };
        for (j, slot) in self.talk_ends.iter_mut().enumerate() {
            *slot = talk_cdf(j + 1) - talk_cdf(j);
        }
        // A talk that ends in bin j frees its agent after the wrap-up.
        for (j, &t) in self.talk_ends.iter().enumerate() {
            if t > 0.0 {
                for (k, &w) in model.wrap_pmf.iter().take(bins - j).enumerate() {
                    self.frees[j + k] += t * w;
                }
            }
        }
        ringing_answers(model, mix, 0.0, &mut self.new_dial);
        self.start = free - waiting;
        self.logged_in = logged_in;
        self.lines = obs.calls.len() as u32 + talking;
    }
}

/// Adds `scale` · P(event in bin b) for b in the horizon, given P(event within u) as `within`.
fn ends_per_bin(within: impl Fn(f64) -> f64, bin: f64, scale: f64, out: &mut [f64]) {
    let mut before = 0.0;
    for (b, slot) in out.iter_mut().enumerate() {
        let upto = within((b + 1) as f64 * bin);
        *slot += scale * (upto - before);
        before = upto;
        if before > 1.0 - 1e-9 {
            break;
        }
    }
}

/// Expected person-answers per bin from a call that has been ringing for `age` seconds.
fn ringing_answers(model: &Model, mix: &Mix, age: f64, out: &mut [f64]) {
    let alive = mix.human * (1.0 - model.human_pickup.cdf(age))
        + mix.machine * (1.0 - model.machine_pickup.cdf(age))
        + if age < model.timeout { mix.no_answer } else { 0.0 }
        + mix.failed * model.failed.survival(age);
    if alive <= 1e-12 {
        return;
    }
    let scale = mix.human / alive;
    let shift = model.amd_human_mean;
    let at = |u: f64| model.human_pickup.cdf((age + u - shift).max(age));
    let mut before = at(0.0);
    for (b, slot) in out.iter_mut().enumerate() {
        let upto = at((b + 1) as f64 * model.bin);
        *slot += scale * (upto - before);
        before = upto;
        if age + (b + 1) as f64 * model.bin - shift > model.timeout {
            break;
        }
    }
}

/// Expected person-answers per bin from a call in AMD for `age` seconds that picked up
/// `pickup` seconds after the dial.
fn detecting_answers(model: &Model, mix: &Mix, pickup: f64, age: f64, out: &mut [f64]) {
    let w_human = mix.human * model.human_pickup.pdf(pickup) * model.amd_human.survival(age);
    let w_machine = mix.machine * model.machine_pickup.pdf(pickup) * model.amd_machine.survival(age);
    let total = w_human + w_machine;
    let p_human = if total > 1e-300 { w_human / total } else { mix.human / (mix.human + mix.machine) };
    ends_per_bin(|u| model.amd_human.ends_within(age, u), model.bin, p_human, out);
}
