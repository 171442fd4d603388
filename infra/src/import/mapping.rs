//! Column mapping: which CSV column feeds which contact field, suggested from the header.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A contact field a column can feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    FirstName,
    LastName,
    /// "Ann Lee" split into first and last name at the last space.
    FullName,
    Company,
    /// Several columns may map to phone: each becomes one of the contact's numbers.
    Phone,
    Email,
    Zip,
    State,
    Address,
    City,
    AddressState,
    LeadType,
    Source,
    Score,
    /// Stored in the contact's custom fields under this name.
    Custom(String),
    /// Not imported.
    Ignore,
}

impl Field {
    /// Parses the wire form: a field name, `custom:<name>` or `ignore`.
    pub fn parse(raw: &str) -> Option<Field> {
        if let Some(name) = raw.strip_prefix("custom:") {
            let name = name.trim();
            return (!name.is_empty() && name.len() <= 64).then(|| Field::Custom(name.to_owned()));
        }
        Some(match raw {
            "first_name" => Field::FirstName,
            "last_name" => Field::LastName,
            "full_name" => Field::FullName,
            "company" => Field::Company,
            "phone" => Field::Phone,
            "email" => Field::Email,
            "zip" => Field::Zip,
            "state" => Field::State,
            "address" => Field::Address,
            "city" => Field::City,
            "address_state" => Field::AddressState,
            "lead_type" => Field::LeadType,
            "source" => Field::Source,
            "score" => Field::Score,
            "ignore" => Field::Ignore,
            _ => return None,
        })
    }

    /// The wire form.
    pub fn name(&self) -> String {
        match self {
            Field::Custom(n) => format!("custom:{n}"),
            other => serde_json::to_value(other).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
        }
    }
}

/// Column index → field.
pub type Mapping = BTreeMap<usize, Field>;

fn norm(header: &str) -> String {
    header.trim().to_ascii_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).collect()
}

/// A mapping guessed from the header names; unknown columns become custom fields.
pub fn suggest(headers: &[String]) -> Mapping {
    headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let n = norm(h);
            let field = match n.as_str() {
                "firstname" | "first" | "fname" | "givenname" => Field::FirstName,
                "lastname" | "last" | "lname" | "surname" | "familyname" => Field::LastName,
                "name" | "fullname" | "contactname" => Field::FullName,
                "company" | "companyname" | "business" | "organization" => Field::Company,
                "email" | "emailaddress" | "mail" => Field::Email,
                "zip" | "zipcode" | "postalcode" | "postcode" | "zip5" => Field::Zip,
                "state" | "st" | "province" => Field::State,
                "address" | "address1" | "street" | "streetaddress" => Field::Address,
                "city" | "town" => Field::City,
                "leadtype" | "type" => Field::LeadType,
                "source" | "leadsource" => Field::Source,
                "score" | "leadscore" => Field::Score,
                _ if n.contains("phone")
                    || n.contains("mobile")
                    || n.contains("cell")
                    || n == "tel"
                    || n == "telephone" =>
                {
                    Field::Phone
                }
                "" => Field::Ignore,
                _ => Field::Custom(h.trim().chars().take(64).collect()),
            };
            (i, field)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_from_common_headers() {
        let h: Vec<String> =
            ["First Name", "LAST_NAME", "Phone", "Mobile Phone", "E-mail", "Zip Code", "State", "Favorite color", ""]
                .iter()
                .map(|s| s.to_string())
                .collect();
        let m = suggest(&h);
        assert_eq!(m[&0], Field::FirstName);
        assert_eq!(m[&1], Field::LastName);
        assert_eq!(m[&2], Field::Phone);
        assert_eq!(m[&3], Field::Phone);
        assert_eq!(m[&4], Field::Email);
        assert_eq!(m[&5], Field::Zip);
        assert_eq!(m[&6], Field::State);
        assert_eq!(m[&7], Field::Custom("Favorite color".into()));
        assert_eq!(m[&8], Field::Ignore);
        assert_eq!(Field::parse("custom:tier"), Some(Field::Custom("tier".into())));
        assert_eq!(Field::parse("phone"), Some(Field::Phone));
        assert_eq!(Field::parse("nonsense"), None);
        assert_eq!(Field::Custom("x".into()).name(), "custom:x");
        assert_eq!(Field::FirstName.name(), "first_name");
    }
}
