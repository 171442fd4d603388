//! The pacing policies behind one interface: observation and estimates in, dials out.

use serde::{Deserialize, Serialize};

use super::estimates::Estimates;
use super::observe::{AgentState, Decision, Observation};
use super::predictive::{Predictive, PredictiveParams};
use super::vicidial::{VicidialParams, VicidialState};

/// A pacing policy with whatever state it carries between ticks.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Policy {
    /// One bound call per ready agent with none in flight.
    Progressive,
    /// Power dialing, first connect wins: a ready agent with no open group gets `lines` calls
    /// bound to it. The first person to answer reaches that agent and the group's calls still
    /// ringing are cancelled. Calls of the group already picked up cannot be cancelled; a person
    /// among them is an orphan, offered (pooled variant) to any other ready agent without an open
    /// group within the safe-harbor window, else abandoned.
    Power {
        /// Calls per group (2 or 3 in the benchmark).
        lines: u32,
    },
    /// Clean-room emulation of VICIdial's adaptive pacing (PACING.md §2.4); pooled.
    Vicidial(VicidialState),
    /// Outdial's look-ahead predictive policy; pooled.
    Predictive(Predictive),
}

impl Policy {
    /// VICIdial `ADAPT_TAPERED` with the benchmark defaults (PACING.md §5.3).
    pub fn vicidial_tapered() -> Self {
        Self::Vicidial(VicidialState::new(VicidialParams::default()))
    }

    /// The predictive policy with its tuned defaults.
    pub fn predictive() -> Self {
        Self::Predictive(Predictive::new(PredictiveParams::default()))
    }

    /// A short stable name for reports.
    pub fn name(&self) -> String {
        match self {
            Self::Progressive => "progressive".into(),
            Self::Power { lines } => format!("power{lines}"),
            Self::Vicidial(_) => "vicidial".into(),
            Self::Predictive(_) => "predictive".into(),
        }
    }

    /// The engine must call [`Policy::decide`] at least this often (seconds), on a fixed grid
    /// starting at the campaign's start.
    pub fn tick_interval(&self) -> f64 {
        match self {
            // 0.5 s is the common grid of VICIdial's 1 s adapt loop and 2.5 s placing loop.
            Self::Vicidial(_) => 0.5,
            Self::Predictive(p) => p.params.tick,
            Self::Progressive | Self::Power { .. } => 1.0,
        }
    }

    /// The least time between two event-driven decisions, seconds: state changes closer than
    /// this to the last decision wait for it (a live engine batches them the same way).
    pub fn min_decision_gap(&self) -> f64 {
        match self {
            Self::Predictive(p) => p.params.min_gap,
            _ => 0.0,
        }
    }

    /// Whether the engine should also call [`Policy::decide`] right after every state change
    /// (agent freed, call resolved). VICIdial only acts on its own timers.
    pub fn reacts_to_events(&self) -> bool {
        !matches!(self, Self::Vicidial(_))
    }

    /// How many calls to place now, and where each goes.
    pub fn decide(&mut self, obs: &Observation, est: &Estimates) -> Decision {
        match self {
            Self::Progressive => bound_groups(obs, 1),
            Self::Power { lines } => bound_groups(obs, (*lines).max(1)),
            Self::Vicidial(state) => state.decide(obs),
            Self::Predictive(p) => p.decide(obs, est),
        }
    }

    /// VICIdial's current dial level, for traces.
    pub fn dial_level(&self) -> Option<f64> {
        match self {
            Self::Vicidial(state) => Some(state.dial_level),
            _ => None,
        }
    }
}

/// `lines` calls bound to every ready agent that has none in flight.
pub(crate) fn bound_groups(obs: &Observation, lines: u32) -> Decision {
    let mut bind_to = Vec::new();
    for (i, agent) in obs.agents.iter().enumerate() {
        if agent.state == AgentState::Ready && agent.open_lines == 0 {
            bind_to.extend(std::iter::repeat_n(Some(i), lines as usize));
        }
    }
    Decision { dials: bind_to.len() as u32, bind_to }
}

/// Pooled progressive: never more calls in flight than ready agents, so every person reaches an
/// agent. The predictive policy falls back to it when the cap guard trips.
pub(crate) fn pooled_progressive(obs: &Observation) -> Decision {
    let ready = obs.free_agents();
    let in_flight = obs.calls.len() as u32;
    Decision::pooled(ready.saturating_sub(in_flight))
}
