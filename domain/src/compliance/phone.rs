//! Classifying a destination number: domestic, non-geographic, foreign NANP or international.

use phonenumber::country::Id;
use std::sync::LazyLock;

/// What kind of place a phone number points at, before any location lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneClass {
    /// A NANP number in the US or one of its territories (or an NPA not yet in the
    /// metadata, which is treated as domestic with an unknown location).
    Domestic {
        /// Area code.
        npa: u16,
        /// Exchange (central office code).
        nxx: u16,
    },
    /// Toll-free, 5XX personal-communications, 900 premium and other codes with no place.
    NonGeographic {
        /// Area code.
        npa: u16,
    },
    /// A NANP number outside the US: Canada or a Caribbean/Atlantic country.
    ForeignNanp {
        /// Area code.
        npa: u16,
        /// ISO region libphonenumber assigns to the area code (`CA`, `JM`, `DO`, ...).
        region: Id,
    },
    /// Any non-NANP country code.
    International {
        /// ITU country calling code.
        country_code: u16,
    },
}

/// Why a destination string is not a usable phone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// `phonenumber` could not parse it.
    #[error("not a phone number")]
    Unparseable,
    /// Country code 1 but not a ten-digit NANP number with a valid area code.
    #[error("not a valid NANP number")]
    NotNanp,
}

/// Territories where the TCPA, TSR and FDCPA apply as in the states.
const DOMESTIC_REGIONS: [Id; 6] = [Id::US, Id::PR, Id::VI, Id::GU, Id::AS, Id::MP];

/// Parses a destination (E.164 preferred; US national format accepted) and classifies it.
pub fn classify(raw: &str) -> Result<PhoneClass, PhoneError> {
    // E.164 NANP (`+1` and ten digits), what every stored number looks like, is read directly;
    // libphonenumber's parse would give the same national number (see the test below) at a
    // few times the cost, and the gate classifies on every decision.
    let national = match raw.strip_prefix("+1") {
        Some(digits) if digits.len() == 10 && digits.bytes().all(|b| b.is_ascii_digit()) => {
            digits.parse::<u64>().map_err(|_| PhoneError::Unparseable)?
        }
        _ => {
            let number = phonenumber::parse(Some(Id::US), raw).map_err(|_| PhoneError::Unparseable)?;
            let country_code = number.code().value();
            if country_code != 1 {
                return Ok(PhoneClass::International { country_code });
            }
            number.national().value()
        }
    };
    classify_nanp(national)
}

/// Classifies a national number of country code 1.
fn classify_nanp(national: u64) -> Result<PhoneClass, PhoneError> {
    if !(2_000_000_000..=9_999_999_999).contains(&national) {
        return Err(PhoneError::NotNanp);
    }
    // Bounded by the range check above, so the casts cannot truncate.
    let npa = (national / 10_000_000) as u16;
    let nxx = ((national / 10_000) % 1000) as u16;
    if nxx < 200 {
        return Err(PhoneError::NotNanp);
    }
    if is_non_geographic(npa) {
        return Ok(PhoneClass::NonGeographic { npa });
    }
    match nanp_region(npa) {
        Some(region) if !DOMESTIC_REGIONS.contains(&region) => Ok(PhoneClass::ForeignNanp { npa, region }),
        _ => Ok(PhoneClass::Domestic { npa, nxx }),
    }
}

/// Area codes that name no place: 8XX toll-free, 5XX personal communications, 900
/// premium, 700/710 carrier and government services, 456 inbound international, the
/// Canadian non-geographic 600/622, and the N11 service codes.
///
/// COMPLIANCE.md §3 ("8XX toll-free, 5XX, 900, NPAs missing from data → use the
/// ZIP/address only; if none, block") and §8 case 10.
pub fn is_non_geographic(npa: u16) -> bool {
    matches!(
        npa,
        456 | 500 | 521
            ..=529
                | 533
                | 544
                | 566
                | 577
                | 588
                | 600
                | 622
                | 700
                | 710
                | 800
                | 822
                | 833
                | 844
                | 855
                | 866
                | 877
                | 888
                | 900
    ) || npa % 100 == 11
}

/// The region libphonenumber assigns to a NANP area code.
///
/// NANP regions are told apart by area code alone, so a neutral subscriber number is
/// used: fictional numbers such as 555-01XX must classify exactly like real ones.
/// Every gate decision asks this, and a libphonenumber parse costs microseconds, so all
/// 1,000 area codes are looked up once and kept.
pub fn nanp_region(npa: u16) -> Option<Id> {
    static REGIONS: LazyLock<Vec<Option<Id>>> = LazyLock::new(|| (0..1000).map(probe_region).collect());
    match REGIONS.get(usize::from(npa)) {
        Some(region) => *region,
        None => probe_region(npa),
    }
}

fn probe_region(npa: u16) -> Option<Id> {
    let probe = format!("+1{npa:03}2345678");
    phonenumber::parse(None, probe).ok()?.country().id()
}

#[cfg(test)]
mod fast_path_tests {
    use super::*;

    /// The direct reading of `+1XXXXXXXXXX` classifies exactly as libphonenumber's parse.
    #[test]
    fn e164_fast_path_matches_libphonenumber() {
        let slow = |raw: &str| -> Result<PhoneClass, PhoneError> {
            let number = phonenumber::parse(Some(Id::US), raw).map_err(|_| PhoneError::Unparseable)?;
            if number.code().value() != 1 {
                return Ok(PhoneClass::International { country_code: number.code().value() });
            }
            classify_nanp(number.national().value())
        };
        // A deterministic spread over every NPA, exchanges and line numbers, including
        // invalid NPAs and exchanges (0XX, 1XX) and N11 codes.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for npa in 0..1000u64 {
            for _ in 0..8 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let rest = x % 10_000_000;
                let raw = format!("+1{:03}{:07}", npa, rest);
                assert_eq!(classify(&raw), slow(&raw), "{raw}");
            }
        }
    }
}
