//! Simulated agents and calls.

use crate::pacing::observe::AgentState;
use crate::pacing::records::Record;

/// Where a simulated call is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stage {
    Ringing,
    Detecting,
    Waiting,
    Talking,
    Done,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Agent {
    pub(super) state: AgentState,
    /// µs the agent entered `state`.
    pub(super) since: u64,
    /// Calls in flight bound to this agent.
    pub(super) open_lines: u32,
    /// The call being talked on.
    pub(super) call: Option<usize>,
}

impl Agent {
    pub(super) fn ready(at: u64) -> Self {
        Self { state: AgentState::Ready, since: at, open_lines: 0, call: None }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Call {
    pub(super) record: Record,
    /// µs of the dial.
    pub(super) dialed: u64,
    /// µs the call entered `stage`.
    pub(super) since: u64,
    pub(super) stage: Stage,
    /// Bound agent (power and progressive dialing) until the group is decided.
    pub(super) agent: Option<usize>,
    /// Index in the simulator's list of live calls.
    pub(super) live_pos: usize,
    /// Picked up when its group's agent connected to a sibling.
    pub(super) orphan: bool,
}

impl Call {
    pub(super) fn new(record: Record, at: u64, agent: Option<usize>, live_pos: usize) -> Self {
        Self { record, dialed: at, since: at, stage: Stage::Ringing, agent, live_pos, orphan: false }
    }
}
