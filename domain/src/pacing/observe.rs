//! What a pacing policy sees of one campaign, and what it answers.

use serde::{Deserialize, Serialize};

/// The legal abandon cap: 3 % of live-answered calls over 30 days (TSR, TCPA).
pub const DEFAULT_ABANDON_TARGET: f64 = 0.03;

/// What the dialer can observe about one campaign right now. Times are seconds (f64) relative
/// to any epoch, except `time_of_day`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// The current instant.
    pub now: f64,
    /// Local time of day in the campaign's calling zone, seconds after midnight (only VICIdial's
    /// taper reads it).
    pub time_of_day: f64,
    /// Every logged-in agent, paused ones included; [`Decision::bind_to`] indexes this list.
    pub agents: Vec<AgentObs>,
    /// Every call placed and not yet connected to an agent or ended.
    pub calls: Vec<CallObs>,
    /// Abandon counters.
    pub meter: AbandonMeter,
}

/// An agent's state as the dialer sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AgentState {
    /// Available, including "reserved for a dial group" (see `open_lines`).
    Ready,
    /// On a call.
    Talking,
    /// In after-call work.
    Wrapping,
    /// Logged in but not taking calls.
    Paused,
}

/// One agent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AgentObs {
    /// Current state.
    pub state: AgentState,
    /// When the agent entered that state.
    pub since: f64,
    /// Calls in flight bound to this agent (progressive and power dialing); 0 when pooled.
    pub open_lines: u32,
}

/// Where a call in flight is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CallStage {
    /// Dialled, not picked up.
    Ringing,
    /// Picked up, answering-machine detection running.
    Detecting,
    /// A person, waiting for an agent; abandoned if none takes it within the safe-harbor window.
    Waiting,
}

/// One call in flight.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CallObs {
    /// Current stage.
    pub stage: CallStage,
    /// When the call entered the stage (dial time, pickup time, greeting end).
    pub since: f64,
    /// When it was dialled: the pickup delay tells a person from a machine.
    pub dialed: f64,
    /// The agent it is bound to, if any (index into [`Observation::agents`]).
    pub agent: Option<usize>,
}

/// The campaign's abandon counters as the dialer sees them (after AMD, so a person AMD hung up
/// on is invisible here).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbandonMeter {
    /// Live-answered calls (connected + abandoned) over the regulatory period (30 days).
    pub humans: u64,
    /// Abandoned calls over the period.
    pub abandons: u64,
    /// Live-answered calls since local midnight.
    pub humans_today: u64,
    /// Abandoned calls since local midnight.
    pub abandons_today: u64,
    /// Dials since local midnight.
    pub dials_today: u64,
    /// Dials in the last 60 s.
    pub dials_last_minute: u64,
    /// Abandons in the last 60 s.
    pub abandons_last_minute: u64,
}

/// How many calls to place now and where each goes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Calls to place now, from the top of the list.
    pub dials: u32,
    /// One entry per dial: the agent (index into [`Observation::agents`]) it is bound to, or
    /// `None` for a pooled call that goes to the longest-idle ready agent.
    pub bind_to: Vec<Option<usize>>,
}

impl Decision {
    /// Place no calls.
    pub fn none() -> Self {
        Self::default()
    }

    /// `dials` pooled calls.
    pub fn pooled(dials: u32) -> Self {
        Self { dials, bind_to: vec![None; dials as usize] }
    }
}

/// Humans the cap guard pretends it has seen while the period is young, so a single early
/// abandon does not trip it: before 100 humans it trips at `target × 100` abandons (3).
const GUARD_MIN_HUMANS: u64 = 100;

/// The cap guard: true when the period's abandon rate is at or above `target` (e.g.
/// [`DEFAULT_ABANDON_TARGET`]), so the campaign must dial progressively until it recovers.
pub fn must_fall_back(meter: &AbandonMeter, target: f64) -> bool {
    cap_headroom(meter, target) <= 0.0
}

/// The cap guard for fixed multi-line dialing (power): it trips early enough that the lines
/// already ringing cannot carry the period over `target`. Each extra line of a group (beyond
/// the one that connects) can be picked up the instant it is cancelled and count as an
/// abandon, so the guard keeps that many abandons of headroom.
pub fn must_fall_back_with(meter: &AbandonMeter, target: f64, extra_lines_in_flight: u32) -> bool {
    cap_headroom(meter, target) <= f64::from(extra_lines_in_flight)
}

/// Abandons the period can still take before the cap guard trips.
pub(crate) fn cap_headroom(meter: &AbandonMeter, target: f64) -> f64 {
    target * meter.humans.max(GUARD_MIN_HUMANS) as f64 - meter.abandons as f64
}

impl Observation {
    /// Number of agents in `state`.
    pub fn count_agents(&self, state: AgentState) -> u32 {
        self.agents.iter().filter(|a| a.state == state).count() as u32
    }

    /// Number of calls in `stage`.
    pub fn count_calls(&self, stage: CallStage) -> u32 {
        self.calls.iter().filter(|c| c.stage == stage).count() as u32
    }

    /// Ready agents with no bound calls in flight: the ones a pooled human can go to.
    pub fn free_agents(&self) -> u32 {
        self.agents.iter().filter(|a| a.state == AgentState::Ready && a.open_lines == 0).count() as u32
    }
}
