//! Contact (lead) vocabulary: phone numbers in E.164, ZIP codes, states, free-text fields.

use crate::compliance::{PhoneClass, PhoneError, StateCode, classify};
use std::fmt;

/// A phone number normalized to E.164 (`+15125550100`). NANP numbers are checked for a valid
/// area code and exchange; other countries are accepted as `phonenumber` parses them.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

impl Phone {
    /// Parses a number as people write it: `(512) 555-0100`, `512.555.0100`, `+1 512 555 0100`,
    /// `+44 20 7946 0958`. US is the default country.
    pub fn parse(raw: &str) -> Result<Phone, PhoneError> {
        let trimmed = raw.trim();
        // Fast path for the common case (10 or 11 digits, NANP), which an import runs millions
        // of times; anything else goes through libphonenumber.
        if !trimmed.starts_with('+') || trimmed.starts_with("+1") {
            let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
            let national = match digits.len() {
                10 => Some(digits.as_str()),
                11 if digits.starts_with('1') => Some(&digits[1..]),
                _ => None,
            };
            let only_punctuation = trimmed.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
            if let (Some(n), true) = (national, only_punctuation) {
                let b = n.as_bytes();
                if b[0] < b'2' || b[3] < b'2' {
                    return Err(PhoneError::NotNanp);
                }
                return Ok(Phone(format!("+1{n}")));
            }
        }
        let class = classify(trimmed)?;
        let number =
            phonenumber::parse(Some(phonenumber::country::Id::US), trimmed).map_err(|_| PhoneError::Unparseable)?;
        if let PhoneClass::International { .. } = class
            && !phonenumber::is_valid(&number)
        {
            return Err(PhoneError::Unparseable);
        }
        Ok(Phone(number.format().mode(phonenumber::Mode::E164).to_string()))
    }

    /// The E.164 text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The ten NANP digits as a number (`5125550100`), for registry look-ups; `None` outside +1.
    pub fn nanp(&self) -> Option<u64> {
        self.0.strip_prefix("+1").filter(|d| d.len() == 10).and_then(|d| d.parse().ok())
    }

    /// The area code of a NANP number.
    pub fn npa(&self) -> Option<u16> {
        self.nanp().map(|n| (n / 10_000_000) as u16)
    }
}

impl fmt::Debug for Phone {
    // Phone numbers are personal data: logs show the country and area code only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: String = self.0.chars().take(5).collect();
        write!(f, "{shown}*******")
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a contact field was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("must be a US ZIP code like 78701 or 78701-1234")]
    Zip,
    #[error("must be a two-letter US state or territory code like TX")]
    State,
    #[error("must be at most {0} characters, without control characters")]
    Text(usize),
}

/// A five-digit ZIP (a ZIP+4 keeps its first five digits).
pub fn parse_zip(raw: &str) -> Result<String, FieldError> {
    let t = raw.trim();
    let five = match t.len() {
        5 => t,
        9 if t.bytes().all(|b| b.is_ascii_digit()) => &t[..5],
        10 if t.as_bytes()[5] == b'-' => &t[..5],
        _ => return Err(FieldError::Zip),
    };
    if five.bytes().all(|b| b.is_ascii_digit()) && t.bytes().filter(u8::is_ascii_digit).count() >= 5 {
        Ok(five.to_owned())
    } else {
        Err(FieldError::Zip)
    }
}

/// A state or territory code, upper-cased.
pub fn parse_state(raw: &str) -> Result<StateCode, FieldError> {
    StateCode::parse(raw.trim()).map_err(|_| FieldError::State)
}

/// Trimmed free text of at most `max` characters; empty becomes `None`.
pub fn parse_text(raw: &str, max: usize) -> Result<Option<String>, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    // Line breaks and tabs are text (notes, addresses); other control characters are not.
    if t.chars().count() > max || t.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
        return Err(FieldError::Text(max));
    }
    Ok(Some(t.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_normalize_to_e164() {
        for raw in ["(512) 555-0100", "512.555.0100", "+1 512 555 0100", "15125550100", " 512-555-0100 "] {
            assert_eq!(Phone::parse(raw).unwrap().as_str(), "+15125550100", "{raw}");
        }
        assert_eq!(Phone::parse("+44 20 7946 0958").unwrap().as_str(), "+442079460958");
        assert_eq!(Phone::parse("+15125550100").unwrap().nanp(), Some(5_125_550_100));
        assert_eq!(Phone::parse("+15125550100").unwrap().npa(), Some(512));
        for bad in ["", "12345", "(112) 555-0100", "512-055-0100", "not a phone", "+999 1234"] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(format!("{:?}", Phone::parse("5125550100").unwrap()), "+1512*******");
    }

    #[test]
    fn zips_states_text() {
        assert_eq!(parse_zip("78701").unwrap(), "78701");
        assert_eq!(parse_zip("78701-1234").unwrap(), "78701");
        assert_eq!(parse_zip("787011234").unwrap(), "78701");
        for bad in ["7870", "ABCDE", "78701-12", ""] {
            assert!(parse_zip(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_state("tx").unwrap().as_str(), "TX");
        assert!(parse_state("XX").is_err());
        assert_eq!(parse_text("  ", 10).unwrap(), None);
        assert!(parse_text("a\u{0}b", 10).is_err());
    }
}
