//! Pacing: how many calls to place now (PACING.md).
//!
//! The live engine fills an [`Observation`] (agents, calls in flight, the abandon meter) and
//! [`Estimates`] (outcome counts and duration sums from one SQL aggregate), calls
//! [`Policy::decide`] at least every [`Policy::tick_interval`] (and after state changes when
//! [`Policy::reacts_to_events`]), and places [`Decision::dials`] calls, binding each to
//! [`Decision::bind_to`]'s agent or pooling it. [`must_fall_back`] is the 3 % cap guard.
//!
//! The benchmark runs the same policies in a discrete-event simulation on seeded record streams
//! ([`simulate`]) and compares them with the ceilings of PACING.md §6 ([`run_bench`]).

mod ceiling;
mod estimates;
mod observe;
mod policy;
mod predictive;
mod records;
mod render;
mod report;
mod rng;
mod scenario;
mod sim;
mod vicidial;

pub use self::ceiling::{CeilingInput, InformationLimit, PhysicalLimit, information_limit, physical_limit};
pub use self::estimates::{Estimates, Law, Mix, Moments, Resolution};
pub use self::observe::{
    AbandonMeter, AgentObs, AgentState, CallObs, CallStage, DEFAULT_ABANDON_TARGET, Decision, Observation,
    must_fall_back, must_fall_back_with,
};
pub use self::policy::Policy;
pub use self::predictive::{Predictive, PredictiveParams};
pub use self::records::{Outcome, Record, RecordStream, StreamMeans};
pub use self::render::render_text;
pub use self::report::{
    BenchError, BenchOptions, BenchReport, CeilingReport, PolicyKind, ceiling, run_bench, summarise,
};
pub use self::scenario::{LogNormal, Preset, Scenario};
pub use self::sim::{RecordSource, ShiftMetrics, simulate, simulate_list};
pub use self::vicidial::{AdaptMethod, DropStats, Sample, VicidialParams, VicidialState};

#[cfg(test)]
mod tests;
