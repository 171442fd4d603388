//! The compliance gate: may this call, text or email go out now?
//!
//! Pure logic: no IO, no clock, no randomness. Infra looks up DNC membership, consent and
//! the attempt ledger and passes them in with `now`; [`evaluate`] answers with a
//! [`Decision`] carrying stable reason codes, the jurisdiction and zone sets, the local
//! times, the rule-set version and the next instant the attempt would be allowed.
//!
//! Rules follow `shared/docs/COMPLIANCE.md` (cited per rule). Reference data comes from
//! the `zipcodes` (ZIP → state, zone, area codes), `phonenumber` (E.164, NANP regions) and
//! `chrono-tz` (IANA tzdb) crates.

mod caps;
mod codes;
mod consent;
mod decision;
mod defaults;
mod dnc;
mod gate;
mod holidays;
mod jurisdiction;
mod model;
mod npa;
mod phone;
mod place;
mod reference;
mod rules;
mod search;
mod state_holidays;
mod state_rules;
mod windows;

#[cfg(test)]
mod tests;

pub use codes::{NoticeCode, ReasonCode};
pub use decision::{Decision, Notice, Reason, Verdict, ZoneTime};
pub use gate::evaluate;
pub use holidays::{Holiday, HolidayRule, Observance, add_business_days, easter_sunday, federal_holidays, holiday_on};
pub use jurisdiction::{Candidate, JurisdictionSet, LocationSource, Unplaceable, resolve};
pub use model::{
    AttemptOutcome, AttemptRecord, Channel, ConsentLevel, ConsentRecord, ContactLocation, DialMode, Direction,
    DncStatus, EbrKind, EstablishedBusinessRelationship, GateInput, LineType, OptOutRecord, Purpose, ReassignedCheck,
    RegistryScrub, StateRegistryScrub,
};
pub use npa::OVERLAY_PARENTS;
pub use phone::{PhoneClass, PhoneError, classify};
pub use place::{PlaceError, StateCode, Zone};
pub use reference::{NpaPlace, npa_place};
pub use rules::{
    CapCounts, CapKey, CapPeriod, ChannelScope, Confidence, ConsentPolicy, ConversationCooldown, DayRule, FederalRules,
    FrequencyCap, RULESET_VERSION, RuleSet, StateHoliday, StateRule, TenantOverrides, Window,
};
pub use search::SEARCH_HORIZON_DAYS;
pub use windows::resolve_local;
