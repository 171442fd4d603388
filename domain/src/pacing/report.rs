//! `outdial bench pacing`: run one policy over many seeded shifts and summarise (PACING.md §4.3).

use serde::{Deserialize, Serialize};

use super::ceiling::{CeilingInput, InformationLimit, PhysicalLimit, information_limit, physical_limit};
use super::observe::DEFAULT_ABANDON_TARGET;
use super::policy::Policy;
use super::records::{RecordStream, StreamMeans};
use super::scenario::{Preset, Scenario};
use super::sim::{ShiftMetrics, ratio, simulate};

/// The policies the bench can run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PolicyKind {
    /// One bound line per idle agent.
    Progressive,
    /// 2-line first-connect-wins.
    Power2,
    /// 3-line first-connect-wins.
    Power3,
    /// VICIdial ADAPT_TAPERED emulation.
    Vicidial,
    /// Outdial's predictive policy.
    #[default]
    Predictive,
}

impl PolicyKind {
    /// Every policy, baselines first.
    pub const ALL: [Self; 5] = [Self::Progressive, Self::Power2, Self::Power3, Self::Vicidial, Self::Predictive];

    /// Parses the CLI spelling (`progressive|power2|power3|vicidial|predictive`).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The CLI spelling.
    pub fn name(self) -> &'static str {
        match self {
            Self::Progressive => "progressive",
            Self::Power2 => "power2",
            Self::Power3 => "power3",
            Self::Vicidial => "vicidial",
            Self::Predictive => "predictive",
        }
    }

    /// A fresh policy of this kind, as a new campaign would start it.
    pub fn policy(self) -> Policy {
        match self {
            Self::Progressive => Policy::Progressive,
            Self::Power2 => Policy::Power { lines: 2 },
            Self::Power3 => Policy::Power { lines: 3 },
            Self::Vicidial => Policy::vicidial_tapered(),
            Self::Predictive => Policy::predictive(),
        }
    }

    /// A fresh policy of this kind for a scenario: the predictive look-ahead expects people to
    /// wait for an agent as long as they do there.
    pub fn policy_for(self, scenario: &Scenario) -> Policy {
        let mut policy = self.policy();
        if let Policy::Predictive(p) = &mut policy {
            p.params.patience = scenario.abandon_after;
        }
        policy
    }
}

/// Bench flags. Every scenario field left `None` comes from `scenario` (M when that is `None`
/// too); set fields override it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BenchOptions {
    /// Preset the other fields override.
    pub scenario: Option<Preset>,
    /// Agents.
    pub agents: Option<u32>,
    /// Share of human answers.
    pub human: Option<f64>,
    /// Share of machines.
    pub machine: Option<f64>,
    /// Share of no-answers.
    pub no_answer: Option<f64>,
    /// Share of busy.
    pub busy: Option<f64>,
    /// Share of invalid numbers.
    pub invalid: Option<f64>,
    /// Mean talk time, seconds.
    pub talk_mean: Option<f64>,
    /// Talk-time coefficient of variation.
    pub talk_cv: Option<f64>,
    /// Mean wrap-up, seconds.
    pub wrap_mean: Option<f64>,
    /// No-answer timeout, seconds.
    pub timeout: Option<f64>,
    /// Shift length, hours (8).
    pub hours: Option<f64>,
    /// Seeds, i.e. days of one campaign (30).
    pub seeds: Option<u32>,
    /// AMD errors on (v2 knob; off by default).
    pub amd_errors: Option<bool>,
    /// How long a person who answered waits for an agent before the safe-harbor message,
    /// seconds (2; the engine waits 0).
    #[serde(default)]
    pub abandon_after: Option<f64>,
    /// Policy to run.
    pub policy: PolicyKind,
}

/// Bench options that describe no valid campaign.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BenchError {
    /// The outcome shares are negative or do not add up to 1.
    #[error("outcome shares must be non-negative and sum to 1 (they sum to {0})")]
    InvalidMix(f64),
    /// A count that must be positive is zero.
    #[error("{0} must be at least 1")]
    Zero(&'static str),
    /// A duration that must be positive is not.
    #[error("{0} must be a positive number of seconds or hours")]
    NotPositive(&'static str),
    /// A value outside the range it may take.
    #[error("{0} must be {1}")]
    OutOfRange(&'static str, &'static str),
}

impl BenchOptions {
    /// The scenario these options describe.
    pub fn scenario(&self) -> Result<Scenario, BenchError> {
        let mut s = Scenario::preset(self.scenario.unwrap_or(Preset::M));
        s.agents = self.agents.unwrap_or(s.agents);
        s.human = self.human.unwrap_or(s.human);
        s.machine = self.machine.unwrap_or(s.machine);
        s.no_answer = self.no_answer.unwrap_or(s.no_answer);
        s.busy = self.busy.unwrap_or(s.busy);
        s.invalid = self.invalid.unwrap_or(s.invalid);
        s.talk.mean = self.talk_mean.unwrap_or(s.talk.mean);
        s.talk.cv = self.talk_cv.unwrap_or(s.talk.cv);
        s.wrap.mean = self.wrap_mean.unwrap_or(s.wrap.mean);
        s.hours = self.hours.unwrap_or(s.hours);
        s.amd_errors = self.amd_errors.unwrap_or(s.amd_errors);
        s.abandon_after = self.abandon_after.unwrap_or(s.abandon_after);
        if let Some(t) = self.timeout {
            s = s.with_timeout(t);
        }
        let shares = [s.human, s.machine, s.no_answer, s.busy, s.invalid];
        let sum: f64 = shares.iter().sum();
        let share_ok = |x: &f64| (0.0..=1.0).contains(x);
        if !shares.iter().all(share_ok) || (sum - 1.0).abs() > 1e-6 {
            return Err(BenchError::InvalidMix(sum));
        }
        if s.agents == 0 {
            return Err(BenchError::Zero("agents"));
        }
        if self.seeds == Some(0) {
            return Err(BenchError::Zero("seeds"));
        }
        for (name, v) in [("talk_mean", s.talk.mean), ("wrap_mean", s.wrap.mean), ("hours", s.hours)] {
            if !positive(v) {
                return Err(BenchError::NotPositive(name));
            }
        }
        if !(0.0..=60.0).contains(&s.abandon_after) {
            return Err(BenchError::OutOfRange("abandon_after", "0 to 60 seconds"));
        }
        // Machines pick up no earlier than 3 s, so a shorter timeout leaves no law to sample.
        if !positive(s.timeout - s.machine_pickup.min) {
            return Err(BenchError::NotPositive("timeout"));
        }
        if !(0.0..f64::INFINITY).contains(&s.talk.cv) {
            return Err(BenchError::NotPositive("talk_cv"));
        }
        Ok(s)
    }
}

/// A finite number above zero (NaN is not).
fn positive(v: f64) -> bool {
    v.is_finite() && v > 0.0
}

/// The bounds of PACING.md §6 for the scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CeilingReport {
    /// The means they were computed from (sampled from the record stream).
    pub input: CeilingInput,
    /// U1, the information-limited CMDP optimum (L = 3 lines/agent, α = 3 %).
    pub u1: InformationLimit,
    /// U0, the rigorous physical limit at the same line cap.
    pub u0: PhysicalLimit,
}

/// Results over all seeds. Means over seeds carry a 95 % CI half-width (Student t).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchReport {
    /// Policy name.
    pub policy: String,
    /// The simulated campaign.
    pub scenario: Scenario,
    /// Seeds (days) run.
    pub seeds: u32,
    /// Mean over seeds of Σtalk / (Σtalk + Σwait).
    pub occupancy: f64,
    /// 95 % CI half-width of `occupancy`.
    pub occupancy_ci95: f64,
    /// All seeds pooled: Σdrops / Σ(connected + drops), percent (the 30-day legal figure).
    pub abandon_pct: f64,
    /// Worst single seed's abandon %.
    pub worst_day_abandon_pct: f64,
    /// Worst hour of the shift, seeds pooled per hour, percent.
    pub worst_hour_abandon_pct: f64,
    /// Abandon % as the dialer saw it (after AMD).
    pub visible_abandon_pct: f64,
    /// Whether `abandon_pct` is within the 3 % cap.
    pub compliant: bool,
    /// Dials per agent-hour.
    pub dials_per_agent_hour: f64,
    /// Connects per agent-hour.
    pub connects_per_agent_hour: f64,
    /// 95 % CI half-width of `connects_per_agent_hour`.
    pub connects_per_agent_hour_ci95: f64,
    /// Talk minutes per agent-hour.
    pub talk_minutes_per_agent_hour: f64,
    /// (talk + wrap) / logged-in time.
    pub utilization: f64,
    /// Mean agent wait between calls, seconds.
    pub mean_wait_s: f64,
    /// 95th percentile of agent wait between calls, seconds.
    pub p95_wait_s: f64,
    /// Mean lines in use per agent.
    pub mean_lines_per_agent: f64,
    /// Most lines in use at once per agent, worst seed.
    pub max_lines_per_agent: f64,
    /// Human records burned by abandons, per shift.
    pub human_records_burned_per_shift: f64,
    /// Ringing calls cancelled by first-connect-wins, per shift.
    pub cancelled_per_shift: f64,
    /// VICIdial's mean dial level over the shift.
    pub mean_dial_level: Option<f64>,
    /// VICIdial's highest dial level.
    pub max_dial_level: Option<f64>,
    /// The bounds for this scenario.
    pub ceiling: CeilingReport,
}

/// Runs `opts.policy` over `opts.seeds` shifts and computes the ceilings.
pub fn run_bench(opts: &BenchOptions) -> Result<BenchReport, BenchError> {
    let scenario = opts.scenario()?;
    let seeds = opts.seeds.unwrap_or(30);
    let policy = opts.policy.policy_for(&scenario);
    let shifts: Vec<ShiftMetrics> =
        (0..u64::from(seeds)).map(|seed| simulate(&scenario, policy.clone(), seed)).collect();
    Ok(summarise(opts.policy.name(), &scenario, &shifts, ceiling(&scenario)))
}

/// U0 and U1 for a scenario, from 100 000 sampled records of seed 0.
pub fn ceiling(scenario: &Scenario) -> CeilingReport {
    let means = StreamMeans::sample(&RecordStream::new(scenario, 0), 100_000);
    let input = CeilingInput {
        agents: scenario.agents,
        p: means.p,
        hold: means.hold,
        talk: means.talk,
        wrap: means.wrap,
        lines_per_agent: 3,
        alpha: DEFAULT_ABANDON_TARGET,
    };
    CeilingReport { input, u1: information_limit(&input), u0: physical_limit(&input) }
}

/// Pools per-seed shifts into a report.
pub fn summarise(policy: &str, scenario: &Scenario, shifts: &[ShiftMetrics], ceiling: CeilingReport) -> BenchReport {
    let sum = |f: fn(&ShiftMetrics) -> f64| shifts.iter().map(f).sum::<f64>();
    let n = shifts.len().max(1) as f64;
    let agent_hours = sum(ShiftMetrics::agent_hours);
    let logged_in = agent_hours * 3600.0;
    let (connected, abandoned) = (sum(|m| m.connected as f64), sum(|m| m.abandoned as f64));
    let occupancy: Vec<f64> = shifts.iter().map(ShiftMetrics::occupancy).collect();
    let connects: Vec<f64> = shifts.iter().map(|m| ratio(m.connected as f64, m.agent_hours())).collect();
    let hours = shifts.iter().map(|m| m.hourly_humans.len()).max().unwrap_or(0);
    let worst_hour = (0..hours)
        .map(|h| {
            let at = |v: &Vec<u64>| v.get(h).copied().unwrap_or(0) as f64;
            let humans: f64 = shifts.iter().map(|m| at(&m.hourly_humans)).sum();
            let abandons: f64 = shifts.iter().map(|m| at(&m.hourly_abandons)).sum();
            100.0 * ratio(abandons, humans)
        })
        .fold(0.0, f64::max);
    let mut waits: Vec<f64> = shifts.iter().flat_map(|m| m.waits.iter().copied()).collect();
    waits.sort_by(f64::total_cmp);
    let p95 = waits.get(((waits.len() as f64 * 0.95) as usize).min(waits.len().saturating_sub(1)));
    let level_ticks = sum(|m| m.level_ticks as f64);
    let abandon_pct = 100.0 * ratio(abandoned, connected + abandoned);
    BenchReport {
        policy: policy.to_string(),
        scenario: scenario.clone(),
        seeds: shifts.len() as u32,
        occupancy: mean(&occupancy),
        occupancy_ci95: ci95(&occupancy),
        abandon_pct,
        worst_day_abandon_pct: shifts.iter().map(ShiftMetrics::abandon_pct).fold(0.0, f64::max),
        worst_hour_abandon_pct: worst_hour,
        visible_abandon_pct: 100.0 * ratio(sum(|m| m.visible_abandons as f64), sum(|m| m.visible_humans as f64)),
        compliant: abandon_pct <= 100.0 * DEFAULT_ABANDON_TARGET,
        dials_per_agent_hour: ratio(sum(|m| m.dials as f64), agent_hours),
        connects_per_agent_hour: mean(&connects),
        connects_per_agent_hour_ci95: ci95(&connects),
        talk_minutes_per_agent_hour: ratio(sum(|m| m.talk), agent_hours) / 60.0,
        utilization: ratio(sum(|m| m.talk + m.wrap), logged_in),
        mean_wait_s: mean(&waits),
        p95_wait_s: p95.copied().unwrap_or(0.0),
        mean_lines_per_agent: ratio(sum(|m| m.line_seconds), logged_in),
        max_lines_per_agent: shifts
            .iter()
            .map(|m| f64::from(m.max_lines) / f64::from(m.agents.max(1)))
            .fold(0.0, f64::max),
        human_records_burned_per_shift: abandoned / n,
        cancelled_per_shift: sum(|m| m.cancelled as f64) / n,
        mean_dial_level: (level_ticks > 0.0).then(|| sum(|m| m.level_sum) / level_ticks),
        max_dial_level: (level_ticks > 0.0).then(|| shifts.iter().map(|m| m.level_max).fold(0.0, f64::max)),
        ceiling,
    }
}

fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() { 0.0 } else { xs.iter().sum::<f64>() / xs.len() as f64 }
}

/// Half-width of a 95 % Student-t interval for the mean.
fn ci95(xs: &[f64]) -> f64 {
    if xs.len() < 2 {
        return 0.0;
    }
    let m = mean(xs);
    let var = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (xs.len() - 1) as f64;
    t975(xs.len() - 1) * (var / xs.len() as f64).sqrt()
}

/// 97.5 % quantile of Student's t.
fn t975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];
    TABLE.get(df.saturating_sub(1)).copied().unwrap_or(1.96 + 2.4 / df as f64)
}
