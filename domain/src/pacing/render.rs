//! The bench report as text for humans.

use std::fmt::Write as _;

use super::report::BenchReport;

/// A human-readable summary.
pub fn render_text(r: &BenchReport) -> String {
    let s = &r.scenario;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} on {} agents, p={:.2} machine={:.2} no-answer={:.2} busy={:.2} invalid={:.2}, \
         talk {:.0}s cv {:.1}, wrap {:.0}s, timeout {:.0}s, {} × {:.0} h",
        r.policy,
        s.agents,
        s.human,
        s.machine,
        s.no_answer,
        s.busy,
        s.invalid,
        s.talk.mean,
        s.talk.cv,
        s.wrap.mean,
        s.timeout,
        r.seeds,
        s.hours
    );
    let _ = writeln!(out, "  occupancy        {:>6.1}% ± {:.1}", 100.0 * r.occupancy, 100.0 * r.occupancy_ci95);
    let _ = writeln!(
        out,
        "  abandon          {:>6.2}% pooled{}  (worst day {:.2}%, worst hour {:.2}%, dialer saw {:.2}%)",
        r.abandon_pct,
        if r.compliant { "" } else { "  OVER THE 3% CAP" },
        r.worst_day_abandon_pct,
        r.worst_hour_abandon_pct,
        r.visible_abandon_pct
    );
    let _ = writeln!(out, "  dials/agent-h    {:>6.1}", r.dials_per_agent_hour);
    let _ = writeln!(
        out,
        "  connects/agent-h {:>6.1} ± {:.1}   talk {:.1} min/agent-h, utilization {:.1}%",
        r.connects_per_agent_hour,
        r.connects_per_agent_hour_ci95,
        r.talk_minutes_per_agent_hour,
        100.0 * r.utilization
    );
    let _ = writeln!(out, "  wait between calls mean {:.1}s, p95 {:.1}s", r.mean_wait_s, r.p95_wait_s);
    let _ = writeln!(
        out,
        "  lines/agent mean {:.2}, max {:.2}; people burned/shift {:.1}; cancelled/shift {:.1}",
        r.mean_lines_per_agent, r.max_lines_per_agent, r.human_records_burned_per_shift, r.cancelled_per_shift
    );
    if let (Some(mean), Some(max)) = (r.mean_dial_level, r.max_dial_level) {
        let _ = writeln!(out, "  VICIdial dial level mean {mean:.2}, max {max:.2}");
    }
    let c = &r.ceiling;
    let _ = writeln!(
        out,
        "  ceiling U1 (CMDP, L=3): occupancy {:.1}%, abandon {:.2}%, {:.1} connects/agent-h, {:.0} dials/agent-h",
        100.0 * c.u1.occupancy,
        c.u1.abandon_pct,
        c.u1.connects_per_agent_hour,
        c.u1.dials_per_agent_hour
    );
    let _ = writeln!(
        out,
        "  physical limit U0: occupancy {:.1}%, {:.1} connects/agent-h",
        100.0 * c.u0.occupancy,
        c.u0.connects_per_agent_hour
    );
    out
}
