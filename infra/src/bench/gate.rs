//! `outdial bench gate`: decisions per second of the pure compliance gate
//! (`outdial_domain::compliance::evaluate`) on one core, on warm state.
//!
//! A pool of realistic gate inputs is built up front (numbers across area codes and zones,
//! ZIPs and states on file, the three purposes, consents, fresh DNC scrubs, attempt history
//! that trips caps now and then, instants spread over a week's calling day); the timed loop
//! only calls `evaluate` on them, round after round.

use super::{PLACES, peak_rss};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use outdial_domain::compliance::{
    AttemptOutcome, AttemptRecord, Channel, ConsentLevel, ConsentRecord, DialMode, Direction, DncStatus, EbrKind,
    EstablishedBusinessRelationship, GateInput, LineType, OptOutRecord, Purpose, ReassignedCheck, RegistryScrub,
    RuleSet, StateCode, StateRegistryScrub, Verdict, evaluate, resolve,
};
use rand::{Rng, SeedableRng, rngs::StdRng};
use std::collections::BTreeMap;
use std::fmt;
use std::time::Instant;

/// What to run.
#[derive(Debug, Clone)]
pub struct GateBenchOptions {
    /// Decisions to time.
    pub decisions: u64,
    /// Distinct inputs built up front and cycled through (capped at `decisions`).
    pub pool: usize,
    /// Seed of the synthetic inputs.
    pub seed: u64,
}

impl Default for GateBenchOptions {
    fn default() -> Self {
        Self { decisions: 2_000_000, pool: 100_000, seed: 1 }
    }
}

/// Measurements of one run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GateBenchReport {
    /// Decisions timed.
    pub decisions: u64,
    /// Distinct inputs they cycled through.
    pub distinct_inputs: usize,
    /// Seconds to build the inputs (not timed).
    pub build_secs: f64,
    /// Seconds of the timed loop.
    pub secs: f64,
    /// Decisions per second on one thread.
    pub decisions_per_sec: f64,
    /// Nanoseconds per decision.
    pub ns_per_decision: f64,
    /// Decisions that allowed the attempt.
    pub allowed: u64,
    /// Decisions that blocked it.
    pub blocked: u64,
    /// Blocked decisions that carried a next allowed instant (the forward search ran).
    pub blocked_with_next_allowed: u64,
    /// Nanoseconds per decision for attempts blocked only by time (calling hours, day bans,
    /// caps), where `evaluate` searches forward for the next allowed instant.
    pub ns_per_searching_decision: f64,
    /// Nanoseconds per decision for every other attempt.
    pub ns_per_other_decision: f64,
    /// Nanoseconds of `resolve` (number classification, area code, ZIP and state look-ups)
    /// alone, which every decision runs once.
    pub ns_per_resolve: f64,
    /// How often each reason code appeared, over one pass of the pool.
    pub reasons_per_pool_pass: BTreeMap<String, u64>,
    /// Peak resident memory of the process, where the OS reports it.
    pub peak_rss_bytes: Option<u64>,
}

impl fmt::Display for GateBenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pct = |n: u64| 100.0 * n as f64 / self.decisions.max(1) as f64;
        let rows = [
            ("decisions", format!("{} over {} distinct inputs", self.decisions, self.distinct_inputs)),
            ("build inputs", format!("{:.2} s", self.build_secs)),
            ("timed loop", format!("{:.2} s", self.secs)),
            ("decisions/s, 1 core", format!("{:.0}", self.decisions_per_sec)),
            ("ns per decision", format!("{:.0}", self.ns_per_decision)),
            ("allowed", format!("{} ({:.1}%)", self.allowed, pct(self.allowed))),
            ("blocked", format!("{} ({:.1}%)", self.blocked, pct(self.blocked))),
            (
                "  with a next allowed instant",
                format!("{} ({:.1}%)", self.blocked_with_next_allowed, pct(self.blocked_with_next_allowed)),
            ),
            ("  searching next allowed", format!("{:.0} ns per decision", self.ns_per_searching_decision)),
            ("  all others", format!("{:.0} ns per decision", self.ns_per_other_decision)),
            ("  of which resolve()", format!("{:.0} ns", self.ns_per_resolve)),
            ("peak RSS", self.peak_rss_bytes.map_or("n/a".into(), |b| format!("{:.0} MB", b as f64 / 1e6))),
        ];
        for (name, value) in rows {
            writeln!(f, "{name:<30} {value}")?;
        }
        writeln!(f, "reason codes (one pass of the pool):")?;
        let mut reasons: Vec<_> = self.reasons_per_pool_pass.iter().collect();
        reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (code, n) in reasons {
            writeln!(f, "  {code:<28} {n}")?;
        }
        Ok(())
    }
}

/// Runs the benchmark, reporting stages through `log`.
pub fn run(opts: &GateBenchOptions, mut log: impl FnMut(&str)) -> anyhow::Result<GateBenchReport> {
    anyhow::ensure!(opts.decisions > 0, "nothing to time: --decisions must be at least 1");
    let rules = RuleSet::us_default();
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let pool_len = opts.pool.max(1).min(usize::try_from(opts.decisions).unwrap_or(usize::MAX));
    log(&format!("building {pool_len} gate inputs"));
    let started = Instant::now();
    let week = Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).single().ok_or_else(|| anyhow::anyhow!("base instant"))?;
    let pool: Vec<(GateInput, DateTime<Utc>)> =
        (0..pool_len).map(|i| synth::input(&mut rng, &rules, week, i)).collect();
    let build_secs = started.elapsed().as_secs_f64();

    // Warm-up pass, untimed: builds the reference tables (ZIP, area-code gazetteer),
    // tallies the reasons the pool produces and splits it by whether `evaluate` searches.
    log("warm-up pass");
    let mut reasons_per_pool_pass = BTreeMap::new();
    let (mut searching, mut others) = (Vec::new(), Vec::new());
    for (input, now) in &pool {
        let d = evaluate(input, &rules, *now);
        if d.verdict == Verdict::Block && d.next_allowed_at.is_some() { &mut searching } else { &mut others }
            .push((input, *now));
        for r in d.reasons {
            *reasons_per_pool_pass.entry(r.code.as_str().to_owned()).or_insert(0) += 1;
        }
    }
    let ns_per = |part: &[(&GateInput, DateTime<Utc>)]| {
        let started = Instant::now();
        for &(input, now) in part {
            std::hint::black_box(evaluate(std::hint::black_box(input), &rules, now));
        }
        started.elapsed().as_secs_f64() * 1e9 / part.len().max(1) as f64
    };
    let (ns_per_searching_decision, ns_per_other_decision) = (ns_per(&searching), ns_per(&others));
    let started = Instant::now();
    for (input, _) in &pool {
        std::hint::black_box(resolve(input.channel, std::hint::black_box(&input.destination), &input.location).ok());
    }
    let ns_per_resolve = started.elapsed().as_secs_f64() * 1e9 / pool.len() as f64;

    log(&format!("timing {} decisions on one thread", opts.decisions));
    let (mut allowed, mut blocked_with_next_allowed) = (0u64, 0u64);
    let started = Instant::now();
    let mut left = opts.decisions;
    while left > 0 {
        for (input, now) in pool.iter().take(usize::try_from(left).unwrap_or(usize::MAX)) {
            let d = evaluate(std::hint::black_box(input), &rules, *now);
            let allow = d.verdict == Verdict::Allow;
            allowed += u64::from(allow);
            blocked_with_next_allowed += u64::from(!allow && d.next_allowed_at.is_some());
            left -= 1;
        }
    }
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    Ok(GateBenchReport {
        decisions: opts.decisions,
        distinct_inputs: pool.len(),
        build_secs,
        secs,
        decisions_per_sec: opts.decisions as f64 / secs,
        ns_per_decision: secs * 1e9 / opts.decisions as f64,
        allowed,
        blocked: opts.decisions - allowed,
        blocked_with_next_allowed,
        ns_per_searching_decision,
        ns_per_other_decision,
        ns_per_resolve,
        reasons_per_pool_pass,
        peak_rss_bytes: peak_rss(),
    })
}

/// Synthetic gate inputs shaped like a dialer's traffic.
mod synth {
    use super::*;

    fn pick<T: Copy>(rng: &mut StdRng, weighted: &[(T, u32)]) -> T {
        let total: u32 = weighted.iter().map(|w| w.1).sum();
        let mut x = rng.gen_range(0..total);
        for &(v, w) in weighted {
            if x < w {
                return v;
            }
            x -= w;
        }
        weighted[weighted.len() - 1].0
    }

    fn days(rng: &mut StdRng, range: std::ops::Range<i64>) -> TimeDelta {
        TimeDelta::minutes(rng.gen_range(range.start * 1440..range.end * 1440))
    }

    fn state(code: &str) -> Option<StateCode> {
        StateCode::parse(code).ok()
    }

    /// One input and the instant it is decided at. `week` is a Monday 00:00 UTC; instants
    /// fall between 12:00 and 01:00 UTC on one of its days (8 am-9 pm Eastern, 5 am-6 pm
    /// Pacific), so calling hours block some of them, as they would a national dialer.
    pub(super) fn input(
        rng: &mut StdRng,
        rules: &RuleSet,
        week: DateTime<Utc>,
        index: usize,
    ) -> (GateInput, DateTime<Utc>) {
        let now = week + TimeDelta::days(rng.gen_range(0..7)) + TimeDelta::minutes(rng.gen_range(12 * 60..25 * 60));
        let home = &PLACES[rng.gen_range(0..PLACES.len())];
        let channel = pick(rng, &[(Channel::Voice, 85), (Channel::Sms, 10), (Channel::Email, 5)]);
        let purpose = pick(rng, &[(Purpose::Marketing, 60), (Purpose::Collection, 25), (Purpose::Informational, 15)]);
        let phone = format!("+1{}{}{:04}", home.npa, rng.gen_range(200..1000), rng.gen_range(0..10_000));
        let destination = if channel == Channel::Email { format!("lead{index}@example.com") } else { phone.clone() };
        let mut input = GateInput::new(channel, purpose, destination.clone());
        input.dial_mode = match channel {
            Channel::Voice => {
                pick(rng, &[(DialMode::Manual, 40), (DialMode::Automated, 50), (DialMode::Prerecorded, 10)])
            }
            _ => DialMode::Automated,
        };
        input.line_type = pick(rng, &[(LineType::Wireless, 55), (LineType::Landline, 30), (LineType::Unknown, 15)]);
        // Most leads live where their area code is; some moved, some have no ZIP.
        let lives = if rng.gen_bool(0.05) { &PLACES[rng.gen_range(0..PLACES.len())] } else { home };
        if rng.gen_bool(0.9) {
            input.location.zip = Some(lives.zip.to_owned());
        }
        if rng.gen_bool(0.6) {
            input.location.state_on_file = state(lives.state);
        }
        if rng.gen_bool(0.2) {
            input.location.address_state = state(lives.state);
        }
        input.campaign_id = Some(format!("cmp_{}", rng.gen_range(0..20)));
        input.subject = Some(format!("ctc_{index}"));
        if purpose == Purpose::Collection {
            input.debt_id = Some(format!("debt_{index}"));
        }

        let consent_level =
            if purpose == Purpose::Marketing { ConsentLevel::PriorExpressWritten } else { ConsentLevel::PriorExpress };
        if rng.gen_bool(0.7) {
            input.consents.push(ConsentRecord {
                address: destination.clone(),
                level: consent_level,
                channels: if channel == Channel::Email {
                    vec![Channel::Email]
                } else {
                    vec![Channel::Voice, Channel::Sms]
                },
                given_at: now - days(rng, 30..400),
                revoked_at: None,
                expires_at: None,
            });
        }
        if rng.gen_bool(0.01) {
            input.opt_outs.push(OptOutRecord {
                address: destination.clone(),
                channel,
                received_at: now - days(rng, 1..20),
            });
        }
        if rng.gen_bool(0.1) {
            input.ebr = Some(EstablishedBusinessRelationship { kind: EbrKind::Purchase, at: now - days(rng, 30..360) });
        }
        input.reassigned = if rng.gen_bool(0.7) { ReassignedCheck::NotReassigned } else { ReassignedCheck::NotChecked };

        // Fresh scrubs, as infra supplies them: national, and the lists of the states the
        // lead may be in that keep one.
        let copy = |rng: &mut StdRng, listed_rate: f64| RegistryScrub {
            listed: rng.gen_bool(listed_rate),
            copy_obtained_at: Some(now - days(rng, 1..20)),
        };
        let mut dnc = DncStatus {
            internal: rng.gen_bool(0.01),
            national: copy(rng, 0.08),
            area_code_subscribed: true,
            ..DncStatus::default()
        };
        for code in [home.state, lives.state] {
            if let Some(s) = state(code).filter(|s| rules.state_dnc_lists.contains(s))
                && !dnc.state_lists.iter().any(|l| l.state == s)
            {
                dnc.state_lists.push(StateRegistryScrub { state: s, scrub: copy(rng, 0.03) });
            }
        }
        if rng.gen_bool(0.005) {
            dnc.suppression_lists.push("litigators".into());
        }
        input.dnc = dnc;

        // The last two weeks of the consumer's ledger: enough attempts now and then to
        // reach a cap or a post-conversation cooldown.
        let attempts = pick(rng, &[(0usize, 40), (1, 20), (2, 12), (3, 10), (5, 8), (7, 6), (9, 4)]);
        for _ in 0..attempts {
            let at = now - days(rng, 0..14);
            let outcome = pick(
                rng,
                &[
                    (AttemptOutcome::NoAnswer, 45),
                    (AttemptOutcome::Voicemail, 25),
                    (AttemptOutcome::Busy, 8),
                    (AttemptOutcome::AnsweredNoConversation, 10),
                    (AttemptOutcome::Conversation, 12),
                ],
            );
            input.history.push(AttemptRecord {
                at,
                channel: if channel == Channel::Email { Channel::Email } else { Channel::Voice },
                direction: if rng.gen_bool(0.95) { Direction::Outbound } else { Direction::Inbound },
                address: destination.clone(),
                purpose,
                campaign_id: input.campaign_id.clone(),
                debt_id: input.debt_id.clone(),
                subject: input.subject.clone(),
                outcome,
            });
        }
        input.history.sort_by_key(|a| a.at);
        (input, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_run_decides_both_ways() {
        let opts = GateBenchOptions { decisions: 3_000, pool: 1_000, seed: 3 };
        let report = run(&opts, |_| {}).expect("bench runs");
        assert_eq!(report.decisions, 3_000);
        assert_eq!(report.distinct_inputs, 1_000);
        assert_eq!(report.allowed + report.blocked, 3_000);
        // Each input is decided three times, identically.
        assert_eq!(report.allowed % 3, 0);
        assert!(report.allowed > 300 && report.blocked > 300, "{report}");
        assert!(report.reasons_per_pool_pass.contains_key("CALLING_HOURS"), "{report}");
        assert!(serde_json::to_value(&report).expect("json")["decisions_per_sec"].is_f64());
    }
}
