//! The seed table of state calling-time rules (COMPLIANCE.md §2 and
//! `data/derived/state_call_windows.csv`), each with its citation and confidence.
//! Stricter-than-federal only: where a state is silent the federal 8–21 floor applies.

use chrono::NaiveDate;

use super::holidays::Holiday;
use super::model::{Channel, Purpose};
use super::place::StateCode;
use super::rules::{ChannelScope, Confidence, DayRule, StateRule, Window};
use super::state_holidays;

/// A day rule open from `h1:m1` to `h2:m2`; `Closed` if the times are invalid (fail safe).
fn open(h1: u32, m1: u32, h2: u32, m2: u32) -> DayRule {
    Window::hm(h1, m1, h2, m2).map_or(DayRule::Closed, |window| DayRule::Window { window })
}

struct Seed {
    state: &'static str,
    texts_from: Option<Option<NaiveDate>>,
    weekdays: DayRule,
    saturday: DayRule,
    sunday: DayRule,
    holidays: DayRule,
    calendar: Vec<Holiday>,
    citation: &'static str,
    confidence: Confidence,
}

impl Seed {
    fn every_day(state: &'static str, day: DayRule, citation: &'static str, c: Confidence) -> Self {
        Self {
            state,
            texts_from: None,
            weekdays: day,
            saturday: day,
            sunday: day,
            holidays: DayRule::Unrestricted,
            calendar: Vec::new(),
            citation,
            confidence: c,
        }
    }

    fn texts(mut self, from: Option<NaiveDate>) -> Self {
        self.texts_from = Some(from);
        self
    }

    fn into_rule(self) -> Option<StateRule> {
        let mut channels = vec![ChannelScope { channel: Channel::Voice, from: None }];
        if let Some(from) = self.texts_from {
            channels.push(ChannelScope { channel: Channel::Sms, from });
        }
        Some(StateRule {
            state: StateCode::parse(self.state).ok()?,
            channels,
            purposes: vec![Purpose::Marketing],
            prerecorded_only: false,
            weekdays: self.weekdays,
            saturday: self.saturday,
            sunday: self.sunday,
            holidays: self.holidays,
            holiday_calendar: self.calendar,
            standard_time_clock: false,
            consent_exempts: false,
            effective_from: None,
            citation: self.citation.to_string(),
            confidence: self.confidence,
        })
    }
}

/// The shipped state rules. State telemarketing acts bind solicitation, so every rule
/// binds `Purpose::Marketing` only; collection hours come from Regulation F.
pub fn seed_state_rules() -> Vec<StateRule> {
    use Confidence::*;
    let mut rules: Vec<StateRule> = Vec::new();
    let mut push = |seed: Seed| rules.extend(seed.into_rule());

    // "No solicitation calls are allowed on Sundays or holidays… none… prior to 8 a.m. or
    // after 8 p.m." Holidays per Ala. Code 1-3-8 with observance shifts.
    push(Seed {
        sunday: DayRule::Closed,
        holidays: DayRule::Closed,
        calendar: state_holidays::alabama(),
        ..Seed::every_day("AL", open(8, 0, 20, 0), "Ala. Admin. Code r. 770-X-5-.17(1)(b)", Primary)
    });
    push(
        Seed::every_day(
            "CT",
            open(9, 0, 20, 0),
            "Conn. Gen. Stat. 42-288a as amended by P.A. 23-98 (eff. 2023-10-01)",
            Secondary,
        )
        .texts(None),
    );
    push(Seed::every_day("FL", open(8, 0, 20, 0), "Fla. Stat. 501.616(6)(a)", Primary).texts(None));
    push(Seed::every_day("KY", open(10, 0, 21, 0), "KRS 367.46955(15) (as reported)", Unverified));
    push(
        Seed {
            sunday: DayRule::Closed,
            holidays: DayRule::Closed,
            calendar: state_holidays::louisiana(),
            ..Seed::every_day("LA", open(8, 0, 20, 0), "LPSC General Order R-29617", Secondary)
        }
        .texts(None),
    );
    push(
        Seed::every_day(
            "MD",
            open(8, 0, 20, 0),
            "Md. Code, Com. Law 14-4501 et seq. (Stop the Spam Calls Act of 2023, eff. 2024-01-01)",
            Secondary,
        )
        .texts(None),
    );
    push(Seed::every_day("MA", open(8, 0, 20, 0), "M.G.L. c.159C s.3 (as reported)", Unverified));
    push(Seed::every_day("MI", open(9, 0, 21, 0), "industry tables (as reported)", Unverified));
    push(Seed::every_day("MN", open(9, 0, 21, 0), "Minn. Stat. 325E.27 (as reported)", Unverified));
    push(Seed::every_day("NV", open(9, 0, 20, 0), "industry table (Drop Cowboy, as reported)", Unverified));
    push(Seed::every_day("NM", open(9, 0, 21, 0), "NMSA 57-12-22 (as reported)", Unverified));
    push(
        Seed::every_day("OK", open(8, 0, 20, 0), "15 O.S. 775C.4 (Telephone Solicitation Act of 2022)", Secondary)
            .texts(None),
    );
    // Sunday 13:30 is unverified; holidays closed since 2019-12-03 (73 P.S. 2245(a)(10)).
    push(Seed {
        sunday: open(13, 30, 21, 0),
        holidays: DayRule::Closed,
        calendar: state_holidays::pennsylvania(),
        ..Seed::every_day("PA", open(8, 0, 21, 0), "73 P.S. 2245(a), (a)(10)", Secondary)
    });
    push(Seed {
        saturday: open(10, 0, 17, 0),
        sunday: DayRule::Closed,
        holidays: DayRule::Closed,
        calendar: state_holidays::rhode_island(),
        ..Seed::every_day("RI", open(9, 0, 18, 0), "R.I. Gen. Laws 5-61-2(2), 5-61-3.6", Primary)
    });
    // Texts bound from 2025-09-01 (SB 140, 89th Leg.).
    push(
        Seed {
            sunday: open(12, 0, 21, 0),
            ..Seed::every_day("TX", open(9, 0, 21, 0), "Tex. Bus. & Com. Code 301.051; SB 140 (89th Leg.)", Secondary)
        }
        .texts(NaiveDate::from_ymd_opt(2025, 9, 1)),
    );
    // Texts: RCW 19.190 covers commercial texts; applying the hours to them is the safe
    // reading until counsel says otherwise.
    push(Seed::every_day("WA", open(8, 0, 20, 0), "RCW 19.158.040(2); RCW 19.190", Primary).texts(None));
    push(Seed::every_day("WY", open(8, 0, 20, 0), "as reported", Unverified));

    rules.extend(mississippi());
    rules.extend(utah());
    rules.extend(nebraska());
    rules
}

/// "8 a.m. to 8 p.m. Central Standard Time": read literally, the window must hold on the
/// standard-time clock too, i.e. 09:00–20:00 CDT in summer (COMPLIANCE.md §8 case 21).
/// Sunday closed; holidays no longer restricted since the PSC rules were repealed.
fn mississippi() -> Option<StateRule> {
    let mut rule = Seed {
        sunday: DayRule::Closed,
        ..Seed::every_day("MS", open(8, 0, 20, 0), "Miss. Code 77-3-723(1)", Confidence::Primary)
    }
    .into_rule()?;
    rule.standard_time_clock = true;
    Some(rule)
}

/// "Without prior express consent" no solicitation 9 p.m.–8 a.m., on Sunday or on a legal
/// holiday, so consent lifts the rule.
fn utah() -> Option<StateRule> {
    let mut rule = Seed {
        sunday: DayRule::Closed,
        holidays: DayRule::Closed,
        calendar: state_holidays::utah(),
        ..Seed::every_day("UT", open(8, 0, 21, 0), "Utah Code 13-25a-103(3)", Confidence::Primary)
    }
    .into_rule()?;
    rule.consent_exempts = true;
    Some(rule)
}

/// Prerecorded messages only 13:00–21:00 on Sundays and holidays; weekdays unrestricted.
fn nebraska() -> Option<StateRule> {
    let mut rule = Seed {
        weekdays: DayRule::Unrestricted,
        saturday: DayRule::Unrestricted,
        sunday: open(13, 0, 21, 0),
        holidays: open(13, 0, 21, 0),
        calendar: state_holidays::nebraska(),
        ..Seed::every_day(
            "NE",
            DayRule::Unrestricted,
            "Neb. Admin. Code tit. 291 ch. 11 s.3 (as reported)",
            Confidence::Unverified,
        )
    }
    .into_rule()?;
    rule.prerecorded_only = true;
    Some(rule)
}
