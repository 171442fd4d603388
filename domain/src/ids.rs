//! Typed, prefixed identifiers (`ten_...`, `usr_...`). The random part is minted by the caller
//! (infra) so the domain stays deterministic; the domain only parses and checks the shape.

use std::fmt;

/// Error for an identifier that is not of the expected `prefix_` + 26 Crockford base32 form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid {kind} id")]
pub struct IdError {
    /// The kind of identifier that was expected, e.g. `tenant`.
    pub kind: &'static str,
}

const BODY_LEN: usize = 26;

fn valid_body(body: &str) -> bool {
    body.len() == BODY_LEN
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || (b.is_ascii_uppercase() && !matches!(b, b'I' | b'L' | b'O' | b'U')))
}

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $kind:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The prefix every id of this kind starts with.
            pub const PREFIX: &'static str = $prefix;

            /// Parses an id received from outside (a path, a token, a row).
            pub fn parse(raw: &str) -> Result<Self, IdError> {
                match raw.strip_prefix($prefix) {
                    Some(body) if valid_body(body) => Ok(Self(raw.to_owned())),
                    _ => Err(IdError { kind: $kind }),
                }
            }

            /// Builds an id from a freshly minted 26-character ULID body.
            pub fn from_ulid_body(body: &str) -> Result<Self, IdError> {
                Self::parse(&format!("{}{}", $prefix, body))
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(value: String) -> Result<Self, IdError> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

typed_id!(
    /// An agency (tenant).
    TenantId, "ten_", "tenant"
);
typed_id!(
    /// A person who can log in; may belong to several tenants.
    UserId, "usr_", "user"
);
typed_id!(
    /// A team inside a tenant.
    TeamId, "team_", "team"
);
typed_id!(
    /// An invitation to join a tenant.
    InvitationId, "inv_", "invitation"
);
typed_id!(
    /// An API key for integrators.
    ApiKeyId, "key_", "api key"
);
typed_id!(
    /// A background job written through the outbox.
    JobId, "job_", "job"
);
typed_id!(
    /// A contact (lead).
    ContactId, "lead_", "contact"
);
typed_id!(
    /// A list of contacts.
    ListId, "list_", "list"
);
typed_id!(
    /// A list import (CSV or JSON bulk).
    ImportId, "imp_", "import"
);
typed_id!(
    /// An internal do-not-call entry.
    DncEntryId, "dnc_", "dnc entry"
);
typed_id!(
    /// A consent record.
    ConsentId, "cns_", "consent"
);
typed_id!(
    /// A debt or account of a collection contact.
    DebtId, "debt_", "debt"
);
typed_id!(
    /// A suppression list (state DNC list, litigators, ...).
    SuppressionListId, "sup_", "suppression list"
);
typed_id!(
    /// A row of the contact-attempt ledger.
    AttemptId, "att_", "attempt"
);
typed_id!(
    /// A compliance decision in the audit log.
    AuditId, "aud_", "audit entry"
);
typed_id!(
    /// A carrier account (Twilio, Telnyx, or the sandbox speaking one of them).
    CarrierAccountId, "car_", "carrier account"
);
typed_id!(
    /// A phone number the tenant holds.
    PhoneNumberId, "num_", "phone number"
);
typed_id!(
    /// One call through a carrier.
    CallId, "call_", "call"
);
typed_id!(
    /// One text through a carrier.
    MessageId, "msg_", "message"
);
typed_id!(
    /// A follow-up task (a callback owed to a missed inbound caller).
    TaskId, "task_", "task"
);
typed_id!(
    /// A dialing campaign.
    CampaignId, "cmp_", "campaign"
);
typed_id!(
    /// One dial of one lead by a campaign.
    DialAttemptId, "dial_", "dial attempt"
);
typed_id!(
    /// An agent logged in to a campaign, with their audio leg.
    AgentSessionId, "ags_", "agent session"
);
typed_id!(
    /// A disposition an agent can give a call.
    DispositionId, "dsp_", "disposition"
);
typed_id!(
    /// A scheduled callback.
    CallbackId, "cb_", "callback"
);
typed_id!(
    /// A call script template.
    ScriptId, "scr_", "script"
);
typed_id!(
    /// A supervisor listening, whispering or barging on an agent's calls.
    MonitorId, "mon_", "monitor"
);
typed_id!(
    /// A recording played after the beep when a campaign leaves a voicemail.
    VoicemailTemplateId, "vmt_", "voicemail template"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_its_own_prefix_and_shape() {
        let ok = "ten_01HZX3B6Y8Q4M2N7P9R5S0T1VW";
        assert_eq!(TenantId::parse(ok).unwrap().as_str(), ok);
        assert!(UserId::parse(ok).is_err());
        assert!(TenantId::parse("ten_short").is_err());
        assert!(TenantId::parse("ten_01HZX3B6Y8Q4M2N7P9R5S0T1VU").is_err());
        assert!(TenantId::parse("ten_01hzx3b6y8q4m2n7p9r5s0t1vw").is_err());
        assert!(TenantId::parse("' OR 1=1 --").is_err());
    }
}
