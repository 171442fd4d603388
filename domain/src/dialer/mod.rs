//! The dialer's rules that do not need a clock or a database: what a campaign may be set to,
//! what an ended dial attempt means for its lead, and what a disposition does.

pub mod schedule;
pub mod script;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How a campaign dials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DialMode {
    /// The agent sees the lead first and dials it.
    Preview,
    /// One line per ready agent.
    Progressive,
    /// `lines_per_agent` lines per ready agent; the first person to answer wins.
    Power,
    /// Lines paced from the outcome distribution, pooled across agents.
    Predictive,
}

impl DialMode {
    pub fn parse(raw: &str) -> Option<DialMode> {
        Some(match raw {
            "preview" => DialMode::Preview,
            "progressive" => DialMode::Progressive,
            "power" => DialMode::Power,
            "predictive" => DialMode::Predictive,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DialMode::Preview => "preview",
            DialMode::Progressive => "progressive",
            DialMode::Power => "power",
            DialMode::Predictive => "predictive",
        }
    }
}

/// The shortest ring a call may get before it counts as unanswered (FTC/FCC: 15 s or 4 rings).
pub const MIN_RING_SECS: i64 = 15;
/// The legal abandon ceiling, percent of live answers per campaign per 30 days.
pub const MAX_ABANDON_PCT: f64 = 3.0;

/// A rejected campaign setting: the field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct SettingError {
    pub field: &'static str,
    pub problem: String,
}

fn bad(field: &'static str, problem: impl Into<String>) -> SettingError {
    SettingError { field, problem: problem.into() }
}

/// Checks the settings that have legal or physical bounds.
pub fn check_settings(
    mode: DialMode,
    lines_per_agent: i64,
    abandon_target: f64,
    ring_timeout_secs: i64,
    max_attempts: i64,
    wrap_secs: i64,
) -> Result<(), SettingError> {
    if !(1..=3).contains(&lines_per_agent) {
        return Err(bad("lines_per_agent", "must be 1, 2 or 3"));
    }
    if mode != DialMode::Power && lines_per_agent != 1 && mode != DialMode::Predictive {
        return Err(bad("lines_per_agent", "only power and predictive campaigns dial more than one line per agent"));
    }
    if !(abandon_target > 0.0 && abandon_target <= MAX_ABANDON_PCT) {
        return Err(bad("abandon_target", "must be above 0 and at most 3 (percent of live answers)"));
    }
    if !(MIN_RING_SECS..=120).contains(&ring_timeout_secs) {
        return Err(bad("ring_timeout_secs", "must be 15 to 120 seconds (the law requires at least 15)"));
    }
    if !(1..=50).contains(&max_attempts) {
        return Err(bad("max_attempts", "must be 1 to 50"));
    }
    if !(0..=3600).contains(&wrap_secs) {
        return Err(bad("wrap_secs", "must be 0 to 3600 seconds"));
    }
    Ok(())
}

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A person talked to an agent.
    Connected,
    /// A person answered and no agent was free: they heard the safe-harbor message.
    Abandoned,
    /// An answering machine; we hung up.
    Machine,
    /// An answering machine; the voicemail was left after the beep.
    Voicemail,
    NoAnswer,
    Busy,
    /// The network or the carrier failed the call.
    Failed,
    /// Cancelled while ringing because another line of the group connected first.
    Cancelled,
    /// The compliance gate refused the dial.
    Blocked,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Connected => "connected",
            Outcome::Abandoned => "abandoned",
            Outcome::Machine => "machine",
            Outcome::Voicemail => "voicemail",
            Outcome::NoAnswer => "no_answer",
            Outcome::Busy => "busy",
            Outcome::Failed => "failed",
            Outcome::Cancelled => "cancelled",
            Outcome::Blocked => "blocked",
        }
    }

    pub fn parse(raw: &str) -> Option<Outcome> {
        [
            Outcome::Connected,
            Outcome::Abandoned,
            Outcome::Machine,
            Outcome::Voicemail,
            Outcome::NoAnswer,
            Outcome::Busy,
            Outcome::Failed,
            Outcome::Cancelled,
            Outcome::Blocked,
        ]
        .into_iter()
        .find(|o| o.as_str() == raw)
    }

    /// Whether it uses up one of the lead's attempts. An abandon, a cancelled line and a
    /// refused dial are the dialer's doing, not the lead's, so the lead keeps its attempt.
    pub fn counts(self) -> bool {
        !matches!(self, Outcome::Abandoned | Outcome::Cancelled | Outcome::Blocked)
    }

    /// Whether a live person answered (the abandon rate's denominator).
    pub fn human(self) -> bool {
        matches!(self, Outcome::Connected | Outcome::Abandoned)
    }
}

/// What the carrier said about the finished call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallEnd<'a> {
    /// Normalized final call status: completed, busy, no-answer, failed, canceled.
    pub status: &'a str,
    /// AMD verdict if any: human, machine, machine_beep, machine_end, fax, unknown.
    pub answered_by: Option<&'a str>,
    pub answered: bool,
    pub connected: bool,
    pub abandoned: bool,
    pub voicemail_dropped: bool,
    pub cancelled: bool,
}

/// The outcome of an attempt from how its call ended.
pub fn classify(end: CallEnd<'_>) -> Outcome {
    if end.connected {
        return Outcome::Connected;
    }
    if end.abandoned {
        return Outcome::Abandoned;
    }
    if end.cancelled && !end.answered {
        return Outcome::Cancelled;
    }
    if end.voicemail_dropped {
        return Outcome::Voicemail;
    }
    if end.answered {
        return match end.answered_by {
            Some("machine" | "machine_beep" | "machine_end" | "fax") => Outcome::Machine,
            // Answered, nobody routed, no safe-harbor recorded: the line was dropped on a
            // person, which the abandon meter must see.
            _ => Outcome::Abandoned,
        };
    }
    match end.status {
        "busy" => Outcome::Busy,
        "failed" => Outcome::Failed,
        "canceled" => Outcome::Cancelled,
        _ => Outcome::NoAnswer,
    }
}

/// Seconds to wait before dialing a lead again after each outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Redial {
    pub no_answer: i64,
    pub busy: i64,
    pub machine: i64,
    pub voicemail: i64,
    pub failed: i64,
    /// An abandoned person is called back soon, by an agent this time.
    pub abandoned: i64,
}

impl Default for Redial {
    fn default() -> Self {
        Redial { no_answer: 3600, busy: 900, machine: 7200, voicemail: 86_400, failed: 1800, abandoned: 300 }
    }
}

impl Redial {
    fn delay(&self, outcome: Outcome) -> i64 {
        match outcome {
            Outcome::NoAnswer => self.no_answer,
            Outcome::Busy => self.busy,
            Outcome::Machine => self.machine,
            Outcome::Voicemail => self.voicemail,
            Outcome::Failed => self.failed,
            Outcome::Abandoned => self.abandoned,
            Outcome::Cancelled | Outcome::Blocked | Outcome::Connected => 0,
        }
    }

    pub fn check(&self) -> Result<(), SettingError> {
        let all = [self.no_answer, self.busy, self.machine, self.voicemail, self.failed, self.abandoned];
        if all.iter().any(|d| !(0..=30 * 86_400).contains(d)) {
            return Err(bad("redial", "delays must be 0 to 2,592,000 seconds (30 days)"));
        }
        Ok(())
    }
}

/// Priority bands of the lead queue (higher dials first).
pub mod priority {
    /// A callback that is due.
    pub const CALLBACK: i64 = 300;
    /// A person we abandoned or whose line was cancelled after they picked up.
    pub const RETRY_HUMAN: i64 = 200;
    /// Never dialled.
    pub const NEW: i64 = 100;
    /// Redials.
    pub const REDIAL: i64 = 50;
}

/// What happens to a lead next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadNext {
    /// Back in the queue from `at`.
    Ready { at: DateTime<Utc>, priority: i64 },
    /// Waiting for the agent's disposition.
    AwaitDisposition,
    /// Every attempt is used up.
    Exhausted,
}

/// The lead's next step after an attempt ends. `attempts_used` already includes this attempt
/// when it counts.
pub fn after_attempt(
    outcome: Outcome,
    attempts_used: i64,
    max_attempts: i64,
    redial: &Redial,
    now: DateTime<Utc>,
) -> LeadNext {
    match outcome {
        Outcome::Connected => LeadNext::AwaitDisposition,
        Outcome::Abandoned | Outcome::Cancelled => {
            LeadNext::Ready { at: now + Duration::seconds(redial.delay(outcome)), priority: priority::RETRY_HUMAN }
        }
        _ if attempts_used >= max_attempts => LeadNext::Exhausted,
        _ => LeadNext::Ready { at: now + Duration::seconds(redial.delay(outcome)), priority: priority::REDIAL },
    }
}

/// What a disposition category does to the lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Contact,
    NoContact,
    Sale,
    Callback,
    Dnc,
    BadNumber,
}

impl Category {
    pub fn parse(raw: &str) -> Option<Category> {
        Some(match raw {
            "contact" => Category::Contact,
            "no_contact" => Category::NoContact,
            "sale" => Category::Sale,
            "callback" => Category::Callback,
            "dnc" => Category::Dnc,
            "bad_number" => Category::BadNumber,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Contact => "contact",
            Category::NoContact => "no_contact",
            Category::Sale => "sale",
            Category::Callback => "callback",
            Category::Dnc => "dnc",
            Category::BadNumber => "bad_number",
        }
    }
}

/// The disposition set every new agency starts with: code, label, category, hotkey.
pub const DEFAULT_DISPOSITIONS: &[(&str, &str, Category, &str)] = &[
    ("sale", "Sale", Category::Sale, "1"),
    ("interested", "Interested", Category::Contact, "2"),
    ("not_interested", "Not interested", Category::Contact, "3"),
    ("callback", "Call back", Category::Callback, "4"),
    ("no_contact", "No contact", Category::NoContact, "5"),
    ("dnc", "Do not call", Category::Dnc, "6"),
    ("bad_number", "Wrong number", Category::BadNumber, "7"),
];

/// The lead's next step after the agent's disposition.
pub fn after_disposition(
    category: Category,
    attempts_used: i64,
    max_attempts: i64,
    redial: &Redial,
    callback_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> LeadNext {
    match category {
        Category::Callback => LeadNext::Ready { at: callback_at.unwrap_or(now), priority: priority::CALLBACK },
        Category::NoContact => after_attempt(Outcome::NoAnswer, attempts_used, max_attempts, redial, now),
        Category::Contact | Category::Sale | Category::Dnc | Category::BadNumber => LeadNext::Exhausted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end(status: &str) -> CallEnd<'_> {
        CallEnd {
            status,
            answered_by: None,
            answered: false,
            connected: false,
            abandoned: false,
            voicemail_dropped: false,
            cancelled: false,
        }
    }

    #[test]
    fn ring_timeout_below_fifteen_seconds_is_refused() {
        let err = check_settings(DialMode::Power, 2, 3.0, 14, 3, 30).unwrap_err();
        assert_eq!(err.field, "ring_timeout_secs");
        assert!(check_settings(DialMode::Power, 2, 3.0, 15, 3, 30).is_ok());
        assert_eq!(check_settings(DialMode::Power, 2, 3.5, 20, 3, 30).unwrap_err().field, "abandon_target");
        assert_eq!(check_settings(DialMode::Progressive, 2, 3.0, 20, 3, 30).unwrap_err().field, "lines_per_agent");
        assert_eq!(check_settings(DialMode::Power, 4, 3.0, 20, 3, 30).unwrap_err().field, "lines_per_agent");
    }

    #[test]
    fn outcomes_follow_the_call() {
        assert_eq!(classify(end("busy")), Outcome::Busy);
        assert_eq!(classify(end("no-answer")), Outcome::NoAnswer);
        assert_eq!(classify(CallEnd { cancelled: true, ..end("canceled") }), Outcome::Cancelled);
        let answered = CallEnd { answered: true, ..end("completed") };
        assert_eq!(classify(CallEnd { connected: true, ..answered }), Outcome::Connected);
        assert_eq!(classify(CallEnd { abandoned: true, ..answered }), Outcome::Abandoned);
        assert_eq!(classify(CallEnd { answered_by: Some("machine"), ..answered }), Outcome::Machine);
        assert_eq!(classify(CallEnd { voicemail_dropped: true, ..answered }), Outcome::Voicemail);
        // A person answered and nothing routed them: counted against us.
        assert_eq!(classify(CallEnd { answered_by: Some("human"), ..answered }), Outcome::Abandoned);
        // A picked-up line of a cancelled group that turns out human is not "cancelled".
        assert_eq!(classify(CallEnd { cancelled: true, abandoned: true, ..answered }), Outcome::Abandoned);
    }

    #[test]
    fn abandons_keep_the_attempt_and_come_back_first() {
        let now = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        let r = Redial::default();
        assert!(!Outcome::Abandoned.counts());
        assert_eq!(
            after_attempt(Outcome::Abandoned, 3, 3, &r, now),
            LeadNext::Ready { at: now + Duration::seconds(300), priority: priority::RETRY_HUMAN }
        );
        assert_eq!(after_attempt(Outcome::NoAnswer, 3, 3, &r, now), LeadNext::Exhausted);
        assert_eq!(
            after_attempt(Outcome::Busy, 1, 3, &r, now),
            LeadNext::Ready { at: now + Duration::seconds(900), priority: priority::REDIAL }
        );
        assert_eq!(after_attempt(Outcome::Connected, 1, 3, &r, now), LeadNext::AwaitDisposition);
    }

    #[test]
    fn a_callback_disposition_returns_the_lead_at_the_chosen_time_first_in_line() {
        let now = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        let at = now + Duration::hours(20);
        assert_eq!(
            after_disposition(Category::Callback, 1, 3, &Redial::default(), Some(at), now),
            LeadNext::Ready { at, priority: priority::CALLBACK }
        );
        assert_eq!(after_disposition(Category::Dnc, 1, 3, &Redial::default(), None, now), LeadNext::Exhausted);
    }
}
