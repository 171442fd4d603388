//! Behaviour of the policies in the simulator; short runs so the debug build stays quick.

use super::*;

fn short(preset: Preset, hours: f64) -> Scenario {
    Scenario { hours, ..Scenario::preset(preset) }
}

fn record(outcome: Outcome, hold: f64, amd: f64, talk: f64, wrap: f64) -> Record {
    Record { outcome, hold, amd, talk, wrap, amd_error: false }
}

fn one_agent() -> Scenario {
    Scenario { agents: 1, ..short(Preset::M, 1.0) }
}

#[test]
fn same_inputs_give_bit_identical_metrics() {
    let s = short(Preset::M, 0.25);
    for kind in [PolicyKind::Predictive, PolicyKind::Vicidial, PolicyKind::Power3] {
        assert_eq!(simulate(&s, kind.policy(), 7), simulate(&s, kind.policy(), 7));
    }
    assert_ne!(simulate(&s, Policy::predictive(), 7), simulate(&s, Policy::predictive(), 8));
}

#[test]
fn record_k_does_not_depend_on_the_shift_or_the_team() {
    let a = RecordStream::new(&Scenario::preset(Preset::M), 3);
    let b = RecordStream::new(&Scenario { agents: 50, hours: 2.0, ..Scenario::preset(Preset::M) }, 3);
    assert_eq!(a.record(1234), b.record(1234));
    assert_ne!(a.record(1234), RecordStream::new(&Scenario::preset(Preset::M), 4).record(1234));
}

#[test]
fn progressive_never_has_more_than_one_line_per_agent() {
    let s = short(Preset::M, 1.0);
    let m = simulate(&s, Policy::Progressive, 1);
    assert!(m.dials > 500);
    assert_eq!(m.max_bound_per_agent, 1);
    assert!(m.max_lines <= s.agents, "{} lines for {} agents", m.max_lines, s.agents);
    assert_eq!(m.abandoned, 0);
}

#[test]
fn first_connect_wins_cancels_ringing_siblings_and_abandons_a_picked_up_orphan() {
    let list = vec![
        record(Outcome::Human, 5.0, 2.0, 60.0, 10.0),
        // Picked up before the first person connects: cannot be cancelled, is a person.
        record(Outcome::Human, 6.0, 2.5, 60.0, 10.0),
        // Still ringing when the first person connects: cancelled.
        record(Outcome::NoAnswer, 25.0, 0.0, 60.0, 10.0),
    ];
    let m = simulate_list(&one_agent(), Policy::Power { lines: 3 }, RecordSource::List(list));
    assert_eq!(m.dials, 3);
    assert_eq!(m.cancelled, 1);
    assert_eq!(m.connected, 1);
    // The orphan has no other agent to go to.
    assert_eq!(m.abandoned, 1);
}

#[test]
fn a_person_is_abandoned_only_after_exactly_d_seconds() {
    // The agent takes the first person at 7 s and is free again at 7 + 1 + wrap; the orphan's
    // greeting ends at 8 s, so it is saved only if the wrap ends by 8 + D = 10 s.
    let run = |wrap: f64| {
        let list = vec![record(Outcome::Human, 5.0, 2.0, 1.0, wrap), record(Outcome::Human, 6.0, 2.0, 30.0, 5.0)];
        simulate_list(&one_agent(), Policy::Power { lines: 2 }, RecordSource::List(list))
    };
    let at_d = run(2.0);
    assert_eq!((at_d.connected, at_d.abandoned), (2, 0));
    let past_d = run(2.000_001);
    assert_eq!((past_d.connected, past_d.abandoned), (1, 1));
}

#[test]
fn strict_three_line_power_dialing_breaks_the_cap_on_a_warm_list() {
    let strict = Scenario { strict_orphans: true, ..short(Preset::L, 0.5) };
    let s = simulate(&strict, Policy::Power { lines: 3 }, 2);
    assert!(s.abandon_pct() > 6.0, "{}", s.abandon_pct());
    // Routing orphans to other free agents (the product's variant) saves most of them.
    let pooled = simulate(&short(Preset::L, 0.5), Policy::Power { lines: 3 }, 2);
    assert!(pooled.abandon_pct() < s.abandon_pct() / 2.0, "{}", pooled.abandon_pct());
}

#[test]
fn the_cap_guard_trips_at_the_target() {
    let meter = |humans, abandons| AbandonMeter { humans, abandons, ..AbandonMeter::default() };
    assert!(!must_fall_back(&meter(1000, 29), 0.03));
    assert!(must_fall_back(&meter(1000, 30), 0.03));
    // Young period: a couple of early abandons are not yet a trend.
    assert!(!must_fall_back(&meter(10, 2), 0.03));
    // Power: the extra lines ringing are headroom already spent.
    assert!(!must_fall_back_with(&meter(1000, 25), 0.03, 4));
    assert!(must_fall_back_with(&meter(1000, 26), 0.03, 4));
    assert!(must_fall_back_with(&meter(1000, 30), 0.03, 0));
}

#[test]
fn predictive_falls_back_to_progressive_over_the_cap() {
    let ready = AgentObs { state: AgentState::Ready, since: 0.0, open_lines: 0 };
    let mut obs = Observation { agents: vec![ready; 10], ..Observation::default() };
    let mut policy = Policy::predictive();
    let est = Estimates::prior();
    assert!(policy.decide(&obs, &est).dials > 10, "ten idle agents: dial ahead");
    obs.meter = AbandonMeter { humans: 1000, abandons: 40, ..AbandonMeter::default() };
    assert_eq!(policy.decide(&obs, &est).dials, 10);
}

#[test]
fn predictive_discounts_calls_that_rang_long() {
    // Two ready agents, eight talking, six calls in flight. Fresh calls could each bring a
    // person soon; calls ringing for 22 s almost certainly will not, so beside those the policy
    // dials more.
    let ready = AgentObs { state: AgentState::Ready, since: 90.0, open_lines: 0 };
    let talking = AgentObs { state: AgentState::Talking, since: 60.0, open_lines: 0 };
    let call = |since| CallObs { stage: CallStage::Ringing, since, dialed: since, agent: None };
    let obs = |age: f64| {
        let mut agents = vec![ready; 2];
        agents.extend([talking; 8]);
        Observation { now: 100.0, agents, calls: vec![call(100.0 - age); 6], ..Observation::default() }
    };
    let mut policy = Policy::predictive();
    let est = Estimates::prior();
    let fresh = policy.decide(&obs(0.5), &est).dials;
    let stale = policy.decide(&obs(22.0), &est).dials;
    assert!(stale > fresh, "stale {stale} vs fresh {fresh}");
}

#[test]
fn predictive_keeps_the_cap_and_beats_progressive_on_m() {
    let s = short(Preset::M, 1.0);
    let pooled = |kind: PolicyKind| {
        let shifts: Vec<ShiftMetrics> = (0..4).map(|seed| simulate(&s, kind.policy(), seed)).collect();
        let (talk, wait) = shifts.iter().fold((0.0, 0.0), |(t, w), m| (t + m.talk, w + m.wait));
        let abandoned: u64 = shifts.iter().map(|m| m.abandoned).sum();
        let connected: u64 = shifts.iter().map(|m| m.connected).sum();
        (talk / (talk + wait), abandoned as f64 / (abandoned + connected) as f64)
    };
    let (occupancy, abandon) = pooled(PolicyKind::Predictive);
    let (progressive, _) = pooled(PolicyKind::Progressive);
    assert!(abandon <= 0.03, "abandon {abandon}");
    assert!(occupancy > progressive + 0.20, "{occupancy} vs progressive {progressive}");
}

#[test]
fn ceiling_for_m_is_in_the_expected_range() {
    let c = ceiling(&Scenario::preset(Preset::M));
    assert!((0.82..0.92).contains(&c.u1.occupancy), "{:?}", c.u1);
    assert!(c.u1.abandon_pct <= 3.0 && c.u1.abandon_pct > 2.0, "{:?}", c.u1);
    // U0 with 3 lines per agent: the agents bind, so nobody ever waits.
    assert!((c.u0.occupancy - 1.0).abs() < 1e-9);
    assert!(c.u1.connects_per_agent_hour < c.u0.connects_per_agent_hour);
}

#[test]
fn bench_options_override_the_preset_and_reject_bad_mixes() {
    let opts = BenchOptions { scenario: Some(Preset::S), agents: Some(7), ..BenchOptions::default() };
    let s = opts.scenario().unwrap();
    assert_eq!((s.agents, s.human), (7, 0.05));
    let bad = BenchOptions { human: Some(0.5), ..BenchOptions::default() };
    assert!(matches!(bad.scenario(), Err(BenchError::InvalidMix(_))));
    assert_eq!(PolicyKind::parse("power3"), Some(PolicyKind::Power3));
}

/// A young campaign's first talks to end are its shortest. Counting the talk time of the
/// talks still going (the exposure) keeps it from believing its agents free up soon.
#[test]
fn talks_still_going_lengthen_the_talk_law() {
    let mut est = Estimates::prior();
    for _ in 0..10 {
        est.observe(Resolution::Talk(10.0));
    }
    let ended_only = est.talk_law();
    // The same ten talks, and forty more going for 40 s each inside the learning window.
    est.talk_exposure = Some(10.0 * 10.0 + 40.0 * 40.0);
    let with_open = est.talk_law();
    assert!((ended_only.mean - 1000.0 / 15.0).abs() < 1e-9, "{ended_only:?}");
    assert!((with_open.mean - 2600.0 / 15.0).abs() < 1e-9, "{with_open:?}");
    assert_eq!(with_open.cv, ended_only.cv);
}

/// Wrap-ups are learnt like talks: the campaign's wrap time is the prior (a wrap-up lasts at
/// most that), the wrap-ups that ended move the mean, and those still going count by how long
/// they have lasted so far.
#[test]
fn wrap_ups_are_learnt_from_the_campaign() {
    let mut est = Estimates::prior();
    assert_eq!(est.wrap_law().mean, 30.0);
    est.wrap_prior = Some(60.0);
    assert_eq!(est.wrap_law().mean, 60.0);
    for _ in 0..45 {
        est.observe(Resolution::Wrap(4.0));
    }
    est.wrap_exposure = Some(45.0 * 4.0);
    assert!((est.wrap_law().mean - (180.0 + 300.0) / 50.0).abs() < 1e-9, "{:?}", est.wrap_law());
    // Five agents wrapping for 20 s already.
    est.wrap_exposure = Some(45.0 * 4.0 + 5.0 * 20.0);
    assert!((est.wrap_law().mean - (280.0 + 300.0) / 50.0).abs() < 1e-9, "{:?}", est.wrap_law());
    // The bench's wait for an agent cannot be negative.
    let opts = BenchOptions { abandon_after: Some(-1.0), ..BenchOptions::default() };
    assert!(matches!(opts.scenario(), Err(BenchError::OutOfRange("abandon_after", _))));
}
