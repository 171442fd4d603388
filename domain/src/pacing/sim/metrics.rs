//! What one simulated shift measured (PACING.md §4.3).

use serde::Serialize;

/// Raw totals of one shift; ratios are derived so seeds can be pooled exactly.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ShiftMetrics {
    /// Agents logged in.
    pub agents: u32,
    /// Shift length, hours.
    pub hours: f64,
    /// Agent-seconds talking.
    pub talk: f64,
    /// Agent-seconds in wrap-up.
    pub wrap: f64,
    /// Agent-seconds ready (idle or reserved for a dial group).
    pub wait: f64,
    /// Calls placed.
    pub dials: u64,
    /// People connected to an agent (ground truth).
    pub connected: u64,
    /// People abandoned (ground truth, AMD false-machine hang-ups included).
    pub abandoned: u64,
    /// Live answers as the dialer saw them (connected + dropped, after AMD).
    pub visible_humans: u64,
    /// Drops as the dialer saw them.
    pub visible_abandons: u64,
    /// Ringing calls cancelled by first-connect-wins.
    pub cancelled: u64,
    /// Dials refused by the trunk cap.
    pub rejected: u64,
    /// Ground-truth live answers per hour of the shift.
    pub hourly_humans: Vec<u64>,
    /// Ground-truth abandons per hour of the shift.
    pub hourly_abandons: Vec<u64>,
    /// Each completed ready spell of an agent before a call, seconds.
    pub waits: Vec<f64>,
    /// Line-seconds (ringing + AMD + waiting + talking calls).
    pub line_seconds: f64,
    /// Most lines in use at once.
    pub max_lines: u32,
    /// Most calls in flight bound to one agent at once.
    pub max_bound_per_agent: u32,
    /// VICIdial dial level summed over ticks, and the tick count (for the mean).
    pub level_sum: f64,
    /// Ticks the level was sampled on.
    pub level_ticks: u64,
    /// Highest dial level reached.
    pub level_max: f64,
}

impl ShiftMetrics {
    /// Σtalk / (Σtalk + Σwait); wrap is excluded from both.
    pub fn occupancy(&self) -> f64 {
        ratio(self.talk, self.talk + self.wait)
    }

    /// Abandoned / (connected + abandoned), percent.
    pub fn abandon_pct(&self) -> f64 {
        100.0 * ratio(self.abandoned as f64, (self.connected + self.abandoned) as f64)
    }

    /// N × shift hours.
    pub fn agent_hours(&self) -> f64 {
        f64::from(self.agents) * self.hours
    }
}

/// a / b, or 0 when b is 0.
pub(crate) fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}
