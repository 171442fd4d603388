//! The discrete-event simulation of PACING.md §4: an integer µs clock, a heap ordered by
//! (time, sequence), and the product's own [`Policy`] fed with [`Observation`]s built from the
//! simulated state and [`Estimates`] learnt from resolved outcomes.

mod events;
mod metrics;
mod state;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

pub use self::metrics::ShiftMetrics;
pub(crate) use self::metrics::ratio;
use self::state::{Agent, Call, Stage};
use super::estimates::Estimates;
use super::observe::{AbandonMeter, AgentObs, AgentState, CallObs, CallStage, Observation};
use super::policy::Policy;
use super::records::{Outcome, Record, RecordStream};
use super::scenario::Scenario;

const US: f64 = 1e6;

fn to_us(seconds: f64) -> u64 {
    (seconds.max(0.0) * US).round() as u64
}

fn to_s(us: u64) -> f64 {
    us as f64 / US
}

/// Where the simulated list comes from.
#[derive(Debug, Clone)]
pub enum RecordSource {
    /// The endless seeded stream.
    Stream(RecordStream),
    /// A fixed list; dialing stops when it runs out.
    List(Vec<Record>),
}

impl RecordSource {
    fn get(&self, k: u64) -> Option<Record> {
        match self {
            Self::Stream(s) => Some(s.record(k)),
            Self::List(list) => list.get(k as usize).copied(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    Tick,
    /// A decision deferred to respect the policy's minimum gap between decisions.
    Decide,
    Pickup(usize),
    Amd(usize),
    /// End of a call that never picks up: no-answer timeout, busy or invalid.
    RingEnd(usize),
    /// The safe-harbor deadline of a person waiting for an agent.
    Deadline(usize),
    TalkEnd(usize),
    WrapEnd(usize),
}

/// Simulates one shift of `scenario` on the record stream of `seed`.
pub fn simulate(scenario: &Scenario, policy: Policy, seed: u64) -> ShiftMetrics {
    simulate_list(scenario, policy, RecordSource::Stream(RecordStream::new(scenario, seed)))
}

/// Simulates one shift on an explicit record source.
pub fn simulate_list(scenario: &Scenario, policy: Policy, records: RecordSource) -> ShiftMetrics {
    let mut sim = Sim::new(scenario, policy, records);
    sim.run();
    sim.metrics
}

struct Sim<'a> {
    scenario: &'a Scenario,
    records: RecordSource,
    policy: Policy,
    est: Estimates,
    heap: BinaryHeap<Reverse<(u64, u64, Event)>>,
    seq: u64,
    now: u64,
    end: u64,
    tick: u64,
    calls: Vec<Call>,
    /// Calls ringing, in AMD or waiting, in no particular order.
    live: Vec<usize>,
    waiting: VecDeque<usize>,
    agents: Vec<Agent>,
    lines: u32,
    lines_since: u64,
    meter: AbandonMeter,
    recent_dials: VecDeque<u64>,
    recent_abandons: VecDeque<u64>,
    obs: Observation,
    metrics: ShiftMetrics,
}

impl<'a> Sim<'a> {
    fn new(scenario: &'a Scenario, policy: Policy, records: RecordSource) -> Self {
        let end = to_us(scenario.hours * 3600.0);
        let hours = (scenario.hours.ceil() as usize).max(1);
        let tick = to_us(policy.tick_interval()).max(1);
        let mut est = Estimates::prior();
        est.ring_timeout = scenario.timeout;
        Self {
            scenario,
            records,
            policy,
            est,
            heap: BinaryHeap::new(),
            seq: 0,
            now: 0,
            end,
            tick,
            calls: Vec::new(),
            live: Vec::new(),
            waiting: VecDeque::new(),
            agents: vec![Agent::ready(0); scenario.agents as usize],
            lines: 0,
            lines_since: 0,
            meter: AbandonMeter::default(),
            recent_dials: VecDeque::new(),
            recent_abandons: VecDeque::new(),
            obs: Observation::default(),
            metrics: ShiftMetrics {
                agents: scenario.agents,
                hours: scenario.hours,
                hourly_humans: vec![0; hours],
                hourly_abandons: vec![0; hours],
                ..ShiftMetrics::default()
            },
        }
    }

    fn schedule(&mut self, at: u64, event: Event) {
        self.seq += 1;
        self.heap.push(Reverse((at, self.seq, event)));
    }

    fn run(&mut self) {
        self.schedule(0, Event::Tick);
        let reacts = self.policy.reacts_to_events();
        let gap = to_us(self.policy.min_decision_gap());
        let mut due = false;
        let mut deferred = false;
        let mut last_decision: Option<u64> = None;
        while let Some(Reverse((at, _, event))) = self.heap.pop() {
            if at > self.end {
                break;
            }
            self.now = at;
            due |= self.handle(event) && reacts;
            let since_last = last_decision.map_or(u64::MAX, |t| at.saturating_sub(t));
            match event {
                // A tick only matters if nothing made the policy decide since the last tick.
                Event::Tick => due |= since_last >= self.tick,
                Event::Decide => {
                    deferred = false;
                    due = true;
                }
                _ => {
                    if due && since_last < gap {
                        if !deferred {
                            let when = last_decision.unwrap_or(0) + gap;
                            self.schedule(when, Event::Decide);
                            deferred = true;
                        }
                        due = false;
                    }
                }
            }
            // Decide once per instant, after every event of that instant.
            let next_at = self.heap.peek().map(|Reverse((t, _, _))| *t);
            if due && next_at != Some(at) {
                self.decide();
                last_decision = Some(at);
                due = false;
            }
        }
        self.now = self.end;
        self.close();
    }

    /// Applies one event; true when the dialer's picture changed.
    fn handle(&mut self, event: Event) -> bool {
        match event {
            Event::Tick => {
                if let Some(level) = self.policy.dial_level() {
                    self.metrics.level_sum += level;
                    self.metrics.level_ticks += 1;
                    self.metrics.level_max = self.metrics.level_max.max(level);
                }
                self.schedule(self.now + self.tick, Event::Tick);
                false
            }
            Event::Decide => false,
            Event::Pickup(c) => self.on_pickup(c),
            Event::Amd(c) => self.on_amd(c),
            Event::RingEnd(c) => self.on_ring_end(c),
            Event::Deadline(c) => self.on_deadline(c),
            Event::TalkEnd(a) => self.on_talk_end(a),
            Event::WrapEnd(a) => self.on_wrap_end(a),
        }
    }

    fn decide(&mut self) {
        self.fill_observation();
        let decision = self.policy.decide(&self.obs, &self.est);
        for i in 0..decision.dials as usize {
            let bind = decision.bind_to.get(i).copied().flatten();
            let bind = bind.filter(|&a| self.agents.get(a).is_some_and(|ag| ag.state == AgentState::Ready));
            if !self.dial(bind) {
                break;
            }
        }
    }

    fn fill_observation(&mut self) {
        let window = self.now.saturating_sub(to_us(60.0));
        while self.recent_dials.front().is_some_and(|&t| t < window) {
            self.recent_dials.pop_front();
        }
        while self.recent_abandons.front().is_some_and(|&t| t < window) {
            self.recent_abandons.pop_front();
        }
        let obs = &mut self.obs;
        obs.now = to_s(self.now);
        obs.time_of_day = self.scenario.shift_start + obs.now;
        obs.agents.clear();
        obs.agents.extend(self.agents.iter().map(|a| AgentObs {
            state: a.state,
            since: to_s(a.since),
            open_lines: a.open_lines,
        }));
        obs.calls.clear();
        for &c in &self.live {
            let call = &self.calls[c];
            let stage = match call.stage {
                Stage::Ringing => CallStage::Ringing,
                Stage::Detecting => CallStage::Detecting,
                Stage::Waiting => CallStage::Waiting,
                Stage::Talking | Stage::Done => continue,
            };
            obs.calls.push(CallObs { stage, since: to_s(call.since), dialed: to_s(call.dialed), agent: call.agent });
        }
        self.meter.dials_last_minute = self.recent_dials.len() as u64;
        self.meter.abandons_last_minute = self.recent_abandons.len() as u64;
        obs.meter = self.meter;
    }

    /// Places one call; false once the list is exhausted.
    fn dial(&mut self, bind: Option<usize>) -> bool {
        if let Some(cap) = self.scenario.trunk_lines_per_agent
            && f64::from(self.lines + 1) > cap * f64::from(self.scenario.agents)
        {
            self.metrics.rejected += 1;
            return true;
        }
        let k = self.calls.len();
        let Some(record) = self.records.get(k as u64) else { return false };
        let event = match record.outcome {
            Outcome::Human | Outcome::Machine => Event::Pickup(k),
            Outcome::NoAnswer | Outcome::Busy | Outcome::Invalid => Event::RingEnd(k),
        };
        self.schedule(self.now + to_us(record.hold), event);
        self.calls.push(Call::new(record, self.now, bind, self.live.len()));
        self.live.push(k);
        if let Some(a) = bind {
            let agent = &mut self.agents[a];
            agent.open_lines += 1;
            self.metrics.max_bound_per_agent = self.metrics.max_bound_per_agent.max(agent.open_lines);
        }
        self.add_lines(1);
        self.metrics.dials += 1;
        self.meter.dials_today += 1;
        self.recent_dials.push_back(self.now);
        true
    }

    fn close(&mut self) {
        for a in 0..self.agents.len() {
            let state = self.agents[a].state;
            self.set_state(a, state);
        }
        self.add_lines(0);
    }
}
