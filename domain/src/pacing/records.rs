//! The calling list as an infinite, seeded stream of call records (PACING.md §4.1).

use serde::Serialize;

use super::rng::Draws;
use super::scenario::Scenario;

/// What a dialled number really is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// A person answers.
    Human,
    /// An answering machine or voicemail picks up.
    Machine,
    /// Rings until the timeout.
    NoAnswer,
    /// Busy signal.
    Busy,
    /// Disconnected or invalid number (SIT).
    Invalid,
}

/// One list record: what happens whenever it is dialled. The customer, not the policy, decides
/// how long a conversation lasts, so talk and wrap belong to the record.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Record {
    /// Ground truth.
    pub outcome: Outcome,
    /// Dial to pickup (human, machine) or to the end of the line (busy, invalid), seconds.
    pub hold: f64,
    /// Pickup to AMD decision (human, machine), seconds.
    pub amd: f64,
    /// Talk time if connected (for a machine AMD let through: the agent's time on it).
    pub talk: f64,
    /// Wrap-up after the call.
    pub wrap: f64,
    /// AMD gets this record wrong (only drawn when the scenario turns AMD errors on).
    pub amd_error: bool,
}

impl Record {
    /// What the dialer's AMD reports, which may differ from the truth.
    pub fn detected_human(&self) -> bool {
        match self.outcome {
            Outcome::Human => !self.amd_error,
            Outcome::Machine => self.amd_error,
            _ => false,
        }
    }
}

/// The record stream of one (scenario, seed).
#[derive(Debug, Clone)]
pub struct RecordStream {
    key: u64,
    scenario: Box<Scenario>,
}

impl RecordStream {
    /// The stream the given seed yields for this scenario.
    pub fn new(scenario: &Scenario, seed: u64) -> Self {
        Self { key: scenario.stream_key(seed), scenario: Box::new(scenario.clone()) }
    }

    /// Record k: a pure function of (scenario, seed, k). Every field is drawn in a fixed order
    /// whatever the outcome, so changing one share does not reshuffle the rest of the record.
    pub fn record(&self, k: u64) -> Record {
        let s = &self.scenario;
        let mut d = Draws::new(self.key, k);
        let u = d.open01();
        let total = s.human + s.machine + s.no_answer + s.busy + s.invalid;
        let shares = [
            (s.human, Outcome::Human),
            (s.machine, Outcome::Machine),
            (s.no_answer, Outcome::NoAnswer),
            (s.busy, Outcome::Busy),
        ];
        let mut edge = 0.0;
        let mut outcome = Outcome::Invalid;
        for (share, candidate) in shares {
            edge += share / total;
            if u < edge {
                outcome = candidate;
                break;
            }
        }
        let error_draw = d.open01();
        let wrap = d.lognormal(s.wrap.mean, s.wrap.cv).max(s.wrap.min);
        let mut talk = d.lognormal(s.talk.mean, s.talk.cv).max(s.talk.min);
        let (hold, amd, amd_error) = match outcome {
            Outcome::Human => {
                let p = &s.human_pickup;
                let hold = d.lognormal_in(p.mean, p.cv, p.min, p.max.min(s.timeout));
                let amd = d.uniform(s.amd_human.0, s.amd_human.1);
                (hold, amd, s.amd_errors && error_draw < 0.05)
            }
            Outcome::Machine => {
                let p = &s.machine_pickup;
                let hold = d.lognormal_in(p.mean, p.cv, p.min, p.max.min(s.timeout));
                let amd = d.uniform(s.amd_machine.0, s.amd_machine.1);
                let passed = s.amd_errors && error_draw < 0.10;
                if passed {
                    talk = d.uniform(5.0, 15.0);
                }
                (hold, amd, passed)
            }
            Outcome::NoAnswer => (s.timeout, 0.0, false),
            Outcome::Busy => (d.uniform(s.busy_hold.0, s.busy_hold.1), 0.0, false),
            Outcome::Invalid => (d.uniform(s.invalid_hold.0, s.invalid_hold.1), 0.0, false),
        };
        Record { outcome, hold, amd, talk, wrap, amd_error }
    }
}

/// Sample means of a stream, as the §3 "derived means" table and the ceiling need them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StreamMeans {
    /// Share of human records.
    pub p: f64,
    /// Mean talk time of human records.
    pub talk: f64,
    /// Mean wrap time.
    pub wrap: f64,
    /// Mean line hold of a dial before it connects or ends.
    pub hold: f64,
}

impl StreamMeans {
    /// Means over the first `n` records of `stream`.
    pub fn sample(stream: &RecordStream, n: u64) -> Self {
        let (mut humans, mut talk, mut wrap, mut hold) = (0u64, 0.0, 0.0, 0.0);
        for k in 0..n {
            let r = stream.record(k);
            wrap += r.wrap;
            hold += match r.outcome {
                Outcome::Human | Outcome::Machine => r.hold + r.amd,
                _ => r.hold,
            };
            if r.outcome == Outcome::Human {
                humans += 1;
                talk += r.talk;
            }
        }
        let n = n.max(1) as f64;
        Self { p: humans as f64 / n, talk: talk / humans.max(1) as f64, wrap: wrap / n, hold: hold / n }
    }
}
