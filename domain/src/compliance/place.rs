//! Value types for places: USPS state codes and IANA zones.

use std::fmt;

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Errors from parsing place values supplied by callers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlaceError {
    /// Not a USPS code of a state, DC or an inhabited territory.
    #[error("not a US state or territory code: {0:?}")]
    UnknownState(String),
    /// Not a zone name the bundled IANA database knows.
    #[error("not an IANA time zone: {0:?}")]
    UnknownZone(String),
}

/// USPS codes of the 50 states, DC and the inhabited territories where TCPA/TSR apply.
///
/// Military "states" (AA/AE/AP) are left out on purpose: they carry no local time.
const USPS_CODES: [&str; 56] = [
    "AK", "AL", "AR", "AS", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "GA", "GU", "HI", "IA", "ID", "IL", "IN", "KS",
    "KY", "LA", "MA", "MD", "ME", "MI", "MN", "MO", "MP", "MS", "MT", "NC", "ND", "NE", "NH", "NJ", "NM", "NV", "NY",
    "OH", "OK", "OR", "PA", "PR", "RI", "SC", "SD", "TN", "TX", "UT", "VA", "VI", "VT", "WA", "WI", "WV", "WY",
];

/// A validated two-letter USPS state or territory code (e.g. `FL`, `PR`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StateCode([u8; 2]);

impl StateCode {
    /// Parses a USPS code, case-insensitively, ignoring surrounding whitespace.
    pub fn parse(raw: &str) -> Result<Self, PlaceError> {
        let upper = raw.trim().to_ascii_uppercase();
        if !USPS_CODES.contains(&upper.as_str()) {
            return Err(PlaceError::UnknownState(raw.to_string()));
        }
        let b = upper.as_bytes();
        Ok(Self([b[0], b[1]]))
    }

    /// The two-letter code.
    pub fn as_str(&self) -> &str {
        // Only ASCII letters from USPS_CODES are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// Every code this type accepts.
    pub fn all() -> impl Iterator<Item = StateCode> {
        USPS_CODES.iter().filter_map(|c| Self::parse(c).ok())
    }
}

impl fmt::Debug for StateCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for StateCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for StateCode {
    type Error = PlaceError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<StateCode> for String {
    fn from(value: StateCode) -> Self {
        value.as_str().to_string()
    }
}

/// An IANA time zone, ordered by name so zone sets print deterministically.
///
/// Zones are always IANA names resolved through `chrono-tz`: never a fixed UTC offset,
/// because DST rules differ inside one offset (COMPLIANCE.md §0.3).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Zone(Tz);

impl Zone {
    /// Parses an IANA zone name such as `America/Phoenix`.
    pub fn parse(name: &str) -> Result<Self, PlaceError> {
        name.trim().parse::<Tz>().map(Self).map_err(|_| PlaceError::UnknownZone(name.to_string()))
    }

    /// The IANA name.
    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// The `chrono-tz` zone for local-time arithmetic.
    pub fn tz(&self) -> Tz {
        self.0
    }
}

impl From<Tz> for Zone {
    fn from(tz: Tz) -> Self {
        Self(tz)
    }
}

impl PartialOrd for Zone {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Zone {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.name().cmp(other.name())
    }
}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl TryFrom<String> for Zone {
    type Error = PlaceError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Zone> for String {
    fn from(value: Zone) -> Self {
        value.name().to_string()
    }
}
