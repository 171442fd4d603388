//! Benchmark scenarios (PACING.md §3): the outcome mix and timing laws of one campaign.

use serde::{Deserialize, Serialize};

use super::rng::fold;

/// The three benchmark presets of PACING.md §3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Preset {
    /// 5 agents, cold B2B list, 5 % human answers.
    S,
    /// 20 agents, 12 % human answers.
    M,
    /// 100 agents, warm B2C list, 25 % human answers.
    L,
}

/// A lognormal law given by its mean and coefficient of variation, truncated to `[min, max)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LogNormal {
    /// Mean in seconds (before truncation).
    pub mean: f64,
    /// Coefficient of variation.
    pub cv: f64,
    /// Lower bound in seconds.
    pub min: f64,
    /// Upper bound in seconds (`f64::INFINITY` for none).
    pub max: f64,
}

/// Everything that defines a simulated campaign; record k is a pure function of this, the seed
/// and k.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// Agents logged in for the whole shift.
    pub agents: u32,
    /// Share of dials answered by a person.
    pub human: f64,
    /// Share answered by a machine.
    pub machine: f64,
    /// Share that rings until the timeout.
    pub no_answer: f64,
    /// Share that is busy.
    pub busy: f64,
    /// Share that is invalid (SIT).
    pub invalid: f64,
    /// Talk time of a connected human.
    pub talk: LogNormal,
    /// Wrap-up after each call.
    pub wrap: LogNormal,
    /// No-answer timeout (s).
    pub timeout: f64,
    /// Dial-to-pickup delay of humans (upper bound is the timeout).
    pub human_pickup: LogNormal,
    /// Dial-to-pickup delay of machines (upper bound is the timeout).
    pub machine_pickup: LogNormal,
    /// AMD decision time after pickup for humans: uniform `(lo, hi)`.
    pub amd_human: (f64, f64),
    /// AMD decision time after pickup for machines: uniform `(lo, hi)`.
    pub amd_machine: (f64, f64),
    /// Line hold of a busy call: uniform `(lo, hi)`.
    pub busy_hold: (f64, f64),
    /// Line hold of an invalid number: uniform `(lo, hi)`.
    pub invalid_hold: (f64, f64),
    /// Seconds after the greeting within which a human must reach an agent (safe harbor: 2 s).
    pub abandon_after: f64,
    /// AMD errors (v2 knob): 5 % of humans hung up as machines, 10 % of machines passed through.
    pub amd_errors: bool,
    /// Shift length in hours.
    pub hours: f64,
    /// Local time of day the shift starts, seconds after midnight (VICIdial's taper reads it).
    pub shift_start: f64,
    /// Optional trunk cap in lines per agent; dials above it are rejected.
    pub trunk_lines_per_agent: Option<f64>,
    /// Benchmark variant of first-connect-wins (PACING.md §5.2 "strict"): abandon every person
    /// among a group's picked-up calls once the group has connected. The product routes them
    /// instead (pooled), which is the default.
    pub strict_orphans: bool,
}

impl Scenario {
    /// One of the PACING.md §3 presets with the shared base parameters.
    pub fn preset(preset: Preset) -> Self {
        let (agents, human, machine, no_answer, busy, invalid, talk_mean, talk_cv) = match preset {
            Preset::S => (5, 0.05, 0.30, 0.40, 0.05, 0.20, 240.0, 1.2),
            Preset::M => (20, 0.12, 0.33, 0.35, 0.05, 0.15, 180.0, 1.0),
            Preset::L => (100, 0.25, 0.35, 0.25, 0.05, 0.10, 150.0, 1.0),
        };
        let timeout = 25.0;
        Self {
            agents,
            human,
            machine,
            no_answer,
            busy,
            invalid,
            talk: LogNormal { mean: talk_mean, cv: talk_cv, min: 1.0, max: f64::INFINITY },
            wrap: LogNormal { mean: 30.0, cv: 0.5, min: 5.0, max: f64::INFINITY },
            timeout,
            human_pickup: LogNormal { mean: 9.0, cv: 4.0 / 9.0, min: 2.0, max: timeout },
            machine_pickup: LogNormal { mean: 16.0, cv: 0.25, min: 3.0, max: timeout },
            amd_human: (1.5, 3.0),
            amd_machine: (2.5, 5.0),
            busy_hold: (2.0, 5.0),
            invalid_hold: (1.0, 4.0),
            abandon_after: 2.0,
            amd_errors: false,
            hours: 8.0,
            shift_start: 9.0 * 3600.0,
            trunk_lines_per_agent: None,
            strict_orphans: false,
        }
    }

    /// Sets the no-answer timeout, which also bounds both pickup laws.
    pub fn with_timeout(mut self, timeout: f64) -> Self {
        self.timeout = timeout;
        self.human_pickup.max = timeout;
        self.machine_pickup.max = timeout;
        self
    }

    /// A hash of every parameter that shapes the record stream (not the shift length or the
    /// agent count, so a longer run or a bigger team dials the same list).
    pub(crate) fn stream_key(&self, seed: u64) -> u64 {
        let words = [
            self.human,
            self.machine,
            self.no_answer,
            self.busy,
            self.invalid,
            self.talk.mean,
            self.talk.cv,
            self.talk.min,
            self.wrap.mean,
            self.wrap.cv,
            self.wrap.min,
            self.timeout,
            self.human_pickup.mean,
            self.human_pickup.cv,
            self.human_pickup.min,
            self.machine_pickup.mean,
            self.machine_pickup.cv,
            self.machine_pickup.min,
            self.amd_human.0,
            self.amd_human.1,
            self.amd_machine.0,
            self.amd_machine.1,
            self.busy_hold.0,
            self.busy_hold.1,
            self.invalid_hold.0,
            self.invalid_hold.1,
        ];
        let h = words.iter().fold(fold(0x5041_4345, seed), |h, w| fold(h, w.to_bits()));
        fold(h, u64::from(self.amd_errors))
    }
}
