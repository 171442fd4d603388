//! A clean-room emulation of VICIdial's adaptive pacing, written from the pseudocode in
//! PACING.md §2.4 (no VICIdial code): a 2.5 s placing loop and a 1 s adapt loop that rewrites the
//! dial level every 15 loops and refreshes drop statistics every 60.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::observe::{AgentState, CallStage, Decision, Observation};

/// VICIdial's `dial_method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AdaptMethod {
    /// Fixed level (`RATIO`).
    Ratio,
    /// Drop brake resets the level to 1.0.
    HardLimit,
    /// Drop brake tapers the level towards the end of the day.
    Tapered,
    /// Drop brake halves the level.
    Average,
}

/// Campaign settings the emulation reads (schema names in comments).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VicidialParams {
    /// `dial_method`.
    pub method: AdaptMethod,
    /// Starting `auto_dial_level`.
    pub initial_level: f64,
    /// `adaptive_dropped_percentage`.
    pub drop_limit_pct: f64,
    /// `adaptive_maximum_level`.
    pub max_level: f64,
    /// `adaptive_intensity`, percent.
    pub intensity: f64,
    /// `adaptive_dl_diff_target`.
    pub diff_target: f64,
    /// `available_only_ratio_tally`.
    pub available_only_ratio_tally: bool,
    /// `adaptive_latest_server_time`, HHMM.
    pub latest_server_time: u32,
}

impl Default for VicidialParams {
    /// The benchmark defaults (PACING.md §5.3): TAPERED, level 1.0, 3 % drops, max 3.0, dialing
    /// ends 17:00.
    fn default() -> Self {
        Self {
            method: AdaptMethod::Tapered,
            initial_level: 1.0,
            drop_limit_pct: 3.0,
            max_level: 3.0,
            intensity: 0.0,
            diff_target: 0.0,
            available_only_ratio_tally: false,
            latest_server_time: 1700,
        }
    }
}

const PLACE_EVERY: f64 = 2.5;
const ADAPT_EVERY: f64 = 1.0;
const WINDOW: usize = 15;
const LEVEL_EVERY: u32 = 15;
const DROPS_EVERY: u32 = 60;
/// Tolerance on timer comparisons, far below the µs clock of any engine.
const EPS: f64 = 1e-7;

/// One adapt-loop sample.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Agents READY.
    pub ready: u32,
    /// Answered calls waiting for an agent (LIVE).
    pub waiting: u32,
    /// Agents logged in, any status.
    pub total: u32,
}

/// Drop statistics as last refreshed (they are up to 60 s stale, as in VICIdial).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct DropStats {
    /// Dials in the minute before the refresh.
    pub calls_1min: u64,
    /// Drops in that minute.
    pub drops_1min: u64,
    /// Dials since midnight.
    pub calls_today: u64,
    /// Human-answered calls since midnight (connected + drops).
    pub answers_today: u64,
    /// Drops since midnight.
    pub drops_today: u64,
}

/// Everything the emulation carries between ticks; serializable so the engine can persist it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VicidialState {
    /// Settings.
    pub params: VicidialParams,
    /// Current `auto_dial_level`.
    pub dial_level: f64,
    /// Last 15 adapt samples.
    pub samples: VecDeque<Sample>,
    /// Adapt loops since the drop statistics were refreshed.
    pub drop_counter: u32,
    /// Adapt loops since the level was recomputed.
    pub level_counter: u32,
    /// Last drop statistics.
    pub drops: DropStats,
    /// When the adapt loop runs next.
    pub next_adapt: Option<f64>,
    /// When the placing loop runs next.
    pub next_place: Option<f64>,
}

impl VicidialState {
    /// A fresh campaign at its initial level.
    pub fn new(params: VicidialParams) -> Self {
        Self {
            dial_level: params.initial_level,
            params,
            samples: VecDeque::with_capacity(WINDOW),
            // VICIdial starts this counter at 61 so the first loop computes drop statistics.
            drop_counter: DROPS_EVERY + 1,
            level_counter: 0,
            drops: DropStats::default(),
            next_adapt: None,
            next_place: None,
        }
    }

    /// Runs whichever loops are due at `obs.now`; places calls only on the 2.5 s loop.
    pub fn decide(&mut self, obs: &Observation) -> Decision {
        let mut next_adapt = self.next_adapt.unwrap_or(obs.now);
        while next_adapt <= obs.now + EPS {
            self.adapt(obs);
            next_adapt += ADAPT_EVERY;
        }
        self.next_adapt = Some(next_adapt);
        let mut next_place = self.next_place.unwrap_or(obs.now);
        if next_place > obs.now + EPS {
            return Decision::none();
        }
        while next_place <= obs.now + EPS {
            next_place += PLACE_EVERY;
        }
        self.next_place = Some(next_place);
        self.place(obs)
    }

    fn place(&self, obs: &Observation) -> Decision {
        let ready = obs.count_agents(AgentState::Ready);
        let talking = obs.count_agents(AgentState::Talking);
        let (agents, connected_bonus) =
            if self.params.available_only_ratio_tally { (ready, talking) } else { (ready + talking, 0) };
        let goal = (self.dial_level * f64::from(agents)).round_ties_even() as i64 + i64::from(connected_bonus);
        let in_progress = obs.calls.len() as i64 + i64::from(talking);
        Decision::pooled((goal - in_progress).max(0) as u32)
    }

    fn adapt(&mut self, obs: &Observation) {
        self.samples.push_back(Sample {
            ready: obs.count_agents(AgentState::Ready),
            waiting: obs.count_calls(CallStage::Waiting),
            total: obs.agents.len() as u32,
        });
        while self.samples.len() > WINDOW {
            self.samples.pop_front();
        }
        if self.drop_counter >= DROPS_EVERY {
            let m = &obs.meter;
            self.drops = DropStats {
                calls_1min: m.dials_last_minute,
                drops_1min: m.abandons_last_minute,
                calls_today: m.dials_today,
                answers_today: m.humans_today,
                drops_today: m.abandons_today,
            };
            self.drop_counter = 0;
        }
        let avg = |f: fn(&Sample) -> u32| {
            self.samples.iter().map(|s| f64::from(f(s))).sum::<f64>() / self.samples.len() as f64
        };
        let total = avg(|s| s.total);
        if self.level_counter >= LEVEL_EVERY && total > 0.0 {
            if self.params.method != AdaptMethod::Ratio {
                let diff = avg(|s| s.ready) - avg(|s| s.waiting) + self.params.diff_target;
                self.dial_level = self.next_level(diff, total, obs.time_of_day);
            }
            self.level_counter = 0;
        }
        self.drop_counter += 1;
        self.level_counter += 1;
    }

    fn next_level(&self, diff: f64, total: f64, time_of_day: f64) -> f64 {
        let p = &self.params;
        let mul = if diff != 0.0 && total != 0.0 { diff / total } else { 0.0 };
        let pct = 100.0 * mul;
        let im = p.intensity / 100.0;
        let ipct = if pct < 0.0 { pct * (im - 1.0).abs() } else { pct * (im + 1.0) };
        let mut level = round3(self.dial_level * (1.0 + ipct / 100.0)).min(p.max_level);
        if level < 1.0 {
            level = 1.0;
        }
        let d = &self.drops;
        let drop_pct_1min =
            if d.drops_1min > 0 { 100.0 * d.drops_1min as f64 / d.calls_1min.max(1) as f64 } else { 0.0 };
        if d.calls_1min > 20 && drop_pct_1min > 50.0 {
            level /= 2.0;
        }
        let drop_pct_today =
            if d.drops_today > 0 { 100.0 * d.drops_today as f64 / d.answers_today.max(1) as f64 } else { 0.0 };
        if d.calls_today > 50 && drop_pct_today > p.drop_limit_pct {
            level = match p.method {
                AdaptMethod::HardLimit => 1.0,
                AdaptMethod::Average => level / 2.0,
                AdaptMethod::Tapered => {
                    let left = i64::from(p.latest_server_time) - hhmm(time_of_day);
                    if left < 0 { 1.0 } else { level * (left.min(1000) as f64 / 1000.0) }
                }
                AdaptMethod::Ratio => level,
            };
        }
        level.max(1.0)
    }
}

/// Perl's `sprintf("%.3f")`: Rust's formatter also rounds the exact binary value, half to even.
fn round3(x: f64) -> f64 {
    format!("{x:.3}").parse().unwrap_or(x)
}

/// Local time as the HHMM integer VICIdial subtracts (non-linear on purpose: 2100 − 1959 = 141).
fn hhmm(time_of_day: f64) -> i64 {
    let secs = time_of_day.max(0.0) as i64 % 86_400;
    (secs / 3600) * 100 + (secs % 3600) / 60
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pacing::observe::{AgentObs, CallObs};

    fn obs(now: f64, ready: usize, talking: usize, ringing: usize) -> Observation {
        let agent = |state| AgentObs { state, since: 0.0, open_lines: 0 };
        let mut agents = vec![agent(AgentState::Ready); ready];
        agents.extend(vec![agent(AgentState::Talking); talking]);
        let call = CallObs { stage: CallStage::Ringing, since: 0.0, dialed: 0.0, agent: None };
        Observation { now, time_of_day: 9.0 * 3600.0 + now, agents, calls: vec![call; ringing], ..Default::default() }
    }

    #[test]
    fn places_level_times_agents_minus_calls_in_progress() {
        let mut v = VicidialState::new(VicidialParams { initial_level: 2.0, ..Default::default() });
        // 3 ready + 2 talking at level 2 → goal 10; 2 talking + 3 ringing in progress.
        assert_eq!(v.decide(&obs(0.0, 3, 2, 3)).dials, 5);
        // Not on the 2.5 s grid: nothing placed.
        assert_eq!(v.decide(&obs(1.0, 3, 2, 0)).dials, 0);
        assert_eq!(v.decide(&obs(2.5, 3, 2, 0)).dials, 8);
    }

    #[test]
    fn all_idle_for_fifteen_seconds_doubles_the_level() {
        let mut v = VicidialState::new(VicidialParams::default());
        for s in 0..16 {
            v.decide(&obs(f64::from(s), 4, 0, 0));
        }
        assert_eq!(v.dial_level, 2.0);
    }

    #[test]
    fn taper_reads_hhmm_literally() {
        assert_eq!(hhmm(19.0 * 3600.0 + 59.0 * 60.0), 1959);
        assert_eq!(round3(1.23449), 1.234);
    }
}
