//! Tenancy vocabulary: roles, emails, passwords, agency slugs.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A member's role inside one tenant. Ordered by power: an agent can do least.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Works dial queues.
    Agent,
    /// Builds campaigns and runs the floor.
    Supervisor,
    /// Manages the team, numbers, keys and settings.
    Admin,
    /// Created the agency; can do everything, including billing.
    Owner,
}

impl Role {
    /// Every role, weakest first.
    pub const ALL: [Role; 4] = [Role::Agent, Role::Supervisor, Role::Admin, Role::Owner];

    /// The stable text form used in storage and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
            Role::Owner => "owner",
        }
    }

    /// Parses the stable text form.
    pub fn parse(raw: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == raw)
    }

    /// Whether this role may act where `required` is needed.
    pub fn at_least(self, required: Role) -> bool {
        self >= required
    }

    /// Whether a member with this role may hand out `granted` (to an invitee or an API key):
    /// nobody grants more than they hold, and only owners make owners.
    pub fn may_grant(self, granted: Role) -> bool {
        self.at_least(Role::Admin) && granted <= self
    }
}

/// Why a value given at the boundary was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TenancyError {
    /// The email address is not of the form local@domain.tld.
    #[error("must be an email address like name@example.com")]
    InvalidEmail,
    /// The password is too weak.
    #[error("{0}")]
    WeakPassword(&'static str),
    /// The agency name is empty or too long.
    #[error("must be 1 to 120 characters")]
    InvalidName,
}

/// A normalized (trimmed, lower-cased) email address.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    /// Parses and normalizes an address: one `@`, a dotted domain, no spaces or control characters.
    pub fn parse(raw: &str) -> Result<Email, TenancyError> {
        let value = raw.trim().to_ascii_lowercase();
        let (local, domain) = value.split_once('@').ok_or(TenancyError::InvalidEmail)?;
        let allowed_local = |c: char| c.is_ascii_alphanumeric() || "._%+-'".contains(c);
        let allowed_domain = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '.';
        let labels_ok = domain.split('.').count() >= 2
            && domain.split('.').all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
        if value.len() > 254
            || local.is_empty()
            || local.len() > 64
            || !local.chars().all(allowed_local)
            || !domain.chars().all(allowed_domain)
            || !labels_ok
        {
            return Err(TenancyError::InvalidEmail);
        }
        Ok(Email(value))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Email {
    // Addresses are personal data: logs show only the domain.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.split_once('@') {
            Some((_, domain)) => write!(f, "***@{domain}"),
            None => f.write_str("***"),
        }
    }
}

/// A password that passed the strength policy; never printed.
pub struct NewPassword(String);

impl NewPassword {
    /// Minimum length, per NIST SP 800-63B (at least 8; we ask for 10).
    pub const MIN_LEN: usize = 10;

    /// Checks the policy: 10 to 128 characters, not all one character class, and not one of
    /// the passwords every attacker tries first.
    pub fn parse(raw: &str) -> Result<NewPassword, TenancyError> {
        let len = raw.chars().count();
        if len < Self::MIN_LEN {
            return Err(TenancyError::WeakPassword("must be at least 10 characters"));
        }
        if len > 128 {
            return Err(TenancyError::WeakPassword("must be at most 128 characters"));
        }
        let classes = [
            raw.chars().any(|c| c.is_ascii_lowercase()),
            raw.chars().any(|c| c.is_ascii_uppercase()),
            raw.chars().any(|c| c.is_ascii_digit()),
            raw.chars().any(|c| !c.is_ascii_alphanumeric()),
        ];
        if classes.iter().filter(|x| **x).count() < 2 {
            return Err(TenancyError::WeakPassword(
                "must mix at least two of: lower case, upper case, digits, symbols",
            ));
        }
        let lowered = raw.to_ascii_lowercase();
        const COMMON: [&str; 8] =
            ["password", "12345678", "qwertyuiop", "letmein", "iloveyou", "welcome", "admin", "abc123"];
        if COMMON.iter().any(|c| lowered.starts_with(c)) {
            return Err(TenancyError::WeakPassword("is too common"));
        }
        Ok(NewPassword(raw.to_owned()))
    }

    /// The password text, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Trims a display name (agency, team, person) and checks its length.
pub fn parse_name(raw: &str) -> Result<String, TenancyError> {
    let trimmed = raw.trim();
    let len = trimmed.chars().count();
    if len == 0 || len > 120 || trimmed.chars().any(char::is_control) {
        return Err(TenancyError::InvalidName);
    }
    Ok(trimmed.to_owned())
}

/// A URL-safe slug for an agency name: lower-case ASCII letters and digits joined by `-`.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug: String = slug.chars().take(48).collect();
    if slug.is_empty() { "agency".to_owned() } else { slug.trim_end_matches('-').to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_order_and_grants() {
        assert!(Role::Owner.at_least(Role::Admin));
        assert!(!Role::Agent.at_least(Role::Supervisor));
        assert!(Role::Admin.may_grant(Role::Supervisor));
        assert!(!Role::Admin.may_grant(Role::Owner));
        assert!(!Role::Supervisor.may_grant(Role::Agent));
        assert_eq!(Role::parse("supervisor"), Some(Role::Supervisor));
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn emails_are_normalized_and_checked() {
        assert_eq!(Email::parse(" Ann@Example.COM ").unwrap().as_str(), "ann@example.com");
        for bad in ["", "ann", "ann@", "@x.com", "ann@x", "a b@x.com", "<script>@x.com", "ann@-x.com"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(format!("{:?}", Email::parse("ann@x.com").unwrap()), "***@x.com");
    }

    #[test]
    fn weak_passwords_are_refused() {
        assert!(NewPassword::parse("short1A").is_err());
        assert!(NewPassword::parse("alllowercaseletters").is_err());
        assert!(NewPassword::parse("Password123!").is_err());
        assert!(NewPassword::parse("correct horse 9").is_ok());
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("  Acme Collections, LLC "), "acme-collections-llc");
        assert_eq!(slugify("!!!"), "agency");
    }
}
