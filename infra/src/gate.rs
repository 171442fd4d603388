//! The compliance gate as every channel calls it: look up what the domain's `evaluate` needs
//! (contact, consents, opt-outs, DNC lists, registries, attempt history, tenant settings),
//! decide, and append the decision to the audit log.

use crate::db::{
    entity::compliance_audit,
    repo::{RepoError, audit, compliance_settings, contacts, dnc, ledger, reassigned},
};
use chrono::{DateTime, Duration, Utc};
use outdial_domain::{
    compliance::{
        AttemptOutcome, AttemptRecord, Channel, ConsentLevel, ConsentRecord, ContactLocation, Decision, DialMode,
        Direction, GateInput, LineType, OptOutRecord, Purpose, RegistryScrub, RuleSet, StateCode, StateRegistryScrub,
        Verdict, evaluate, resolve,
    },
    contacts::Phone,
    ids::TenantId,
    tenancy::Email,
};
use sea_orm::ConnectionTrait;
use std::sync::Arc;

/// The national registry as the gate sees it. Implemented by the shared in-memory registry;
/// `NoRegistry` when none is loaded (marketing calls then block with `DNC_STALE_REGISTRY`).
pub trait NationalRegistry: Send + Sync {
    /// Whether the ten-digit number is listed, and the copy date of the data covering its
    /// area code (`None` when the registry does not cover it).
    fn scrub(&self, nanp: u64) -> RegistryScrub;
}

/// No national registry loaded.
pub struct NoRegistry;

impl NationalRegistry for NoRegistry {
    fn scrub(&self, _: u64) -> RegistryScrub {
        RegistryScrub { listed: false, copy_obtained_at: None }
    }
}

impl NationalRegistry for crate::dnc::national::NationalDnc {
    fn scrub(&self, nanp: u64) -> RegistryScrub {
        let registry = self.current();
        let npa = (nanp / 10_000_000) as u16;
        // A copy that does not cover the area code is no scrub at all for it.
        if !registry.covers_npa(npa) {
            return RegistryScrub { listed: false, copy_obtained_at: None };
        }
        RegistryScrub {
            listed: registry.contains(nanp),
            copy_obtained_at: registry.copy_date().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc()),
        }
    }
}

/// A gate check as callers ask it.
#[derive(Debug, Clone)]
pub struct Check {
    pub channel: Channel,
    pub purpose: Purpose,
    /// Phone (voice, sms) or email (email), as given.
    pub destination: String,
    pub zip: Option<String>,
    pub state: Option<StateCode>,
    pub contact_id: Option<String>,
    pub campaign_id: Option<String>,
    pub debt_id: Option<String>,
    pub dial_mode: DialMode,
    pub line_type: LineType,
    /// The instant to decide for (now unless a supervisor asks "what if").
    pub at: DateTime<Utc>,
    /// Who asked: `user:usr_...`, `api_key:key_...`, `system:dialer`.
    pub actor: String,
}

/// A decision and the audit row that records it.
#[derive(Debug, Clone)]
pub struct Checked {
    pub decision: Decision,
    pub audit_id: String,
    pub contact_id: Option<String>,
}

/// Why a check could not run (as opposed to a Block decision).
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    #[error("no such contact")]
    UnknownContact,
    #[error(transparent)]
    Repo(#[from] RepoError),
}

fn parse_channels(raw: &str) -> Vec<Channel> {
    raw.split(',')
        .filter_map(|c| match c.trim() {
            "voice" => Some(Channel::Voice),
            "sms" => Some(Channel::Sms),
            "email" => Some(Channel::Email),
            _ => None,
        })
        .collect()
}

fn parse_level(raw: &str) -> Option<ConsentLevel> {
    match raw {
        "prior_express" => Some(ConsentLevel::PriorExpress),
        "prior_express_written" => Some(ConsentLevel::PriorExpressWritten),
        _ => None,
    }
}

/// Stored ledger text → domain values (unknown text never silently becomes "no attempt": it
/// counts as an attempt that connected, the strict reading).
fn attempt_record(row: &crate::db::entity::contact_attempt::Model) -> AttemptRecord {
    let channel = parse_channels(&row.channel).first().copied().unwrap_or(Channel::Voice);
    let purpose = match row.purpose.as_str() {
        "informational" => Purpose::Informational,
        "collection" => Purpose::Collection,
        _ => Purpose::Marketing,
    };
    let outcome = match row.outcome.as_str() {
        "conversation" => AttemptOutcome::Conversation,
        "voicemail" => AttemptOutcome::Voicemail,
        "no_answer" => AttemptOutcome::NoAnswer,
        "busy" => AttemptOutcome::Busy,
        "did_not_connect" => AttemptOutcome::DidNotConnect,
        "delivered" => AttemptOutcome::Delivered,
        "failed" => AttemptOutcome::Failed,
        _ => AttemptOutcome::AnsweredNoConversation,
    };
    AttemptRecord {
        at: row.occurred_at,
        channel,
        direction: if row.direction == "inbound" { Direction::Inbound } else { Direction::Outbound },
        address: row.address.clone(),
        purpose,
        campaign_id: row.campaign_id.clone(),
        debt_id: row.debt_id.clone(),
        subject: row.contact_id.clone(),
        outcome,
    }
}

/// Normalizes the destination for its channel; `None` when it does not parse (the domain then
/// answers `INVALID_DESTINATION`).
fn normalize(channel: Channel, raw: &str) -> Option<String> {
    match channel {
        Channel::Email => Email::parse(raw).ok().map(|e| e.as_str().to_owned()),
        Channel::Voice | Channel::Sms => Phone::parse(raw).ok().map(|p| p.as_str().to_owned()),
    }
}

/// Runs one check and records it.
pub async fn check<C: ConnectionTrait>(
    conn: &C,
    base_rules: &RuleSet,
    national: &Arc<dyn NationalRegistry>,
    tenant: &TenantId,
    req: &Check,
    decided_at: DateTime<Utc>,
) -> Result<Checked, GateError> {
    let destination = normalize(req.channel, &req.destination).unwrap_or_else(|| req.destination.clone());
    let phone = (req.channel != Channel::Email).then(|| Phone::parse(&destination).ok()).flatten();

    // The contact: the one named, or the one owning the number.
    let contact_id = match &req.contact_id {
        Some(id) => Some(id.clone()),
        None => match &phone {
            Some(p) => contacts::by_phone(conn, tenant, p.as_str()).await?,
            None => None,
        },
    };
    let full = match &contact_id {
        Some(id) => match contacts::get_full(conn, tenant, id).await {
            Ok(f) => Some(f),
            Err(RepoError::NotFound) => return Err(GateError::UnknownContact),
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let state_of = |raw: &Option<String>| raw.as_deref().and_then(|s| StateCode::parse(s).ok());
    let location = ContactLocation {
        zip: req.zip.clone().or_else(|| full.as_ref().and_then(|f| f.contact.zip.clone())),
        state_on_file: req.state.or_else(|| full.as_ref().and_then(|f| state_of(&f.contact.state))),
        address_state: full.as_ref().and_then(|f| state_of(&f.contact.address_state)),
    };

    let settings = compliance_settings::get(conn, tenant).await?;
    let rules = base_rules.clone().with_overrides(&settings.overrides);

    let mut input = GateInput::new(req.channel, req.purpose, destination.clone());
    input.dial_mode = req.dial_mode;
    input.line_type = req.line_type;
    input.location = location.clone();
    input.campaign_id = req.campaign_id.clone();
    input.debt_id = req.debt_id.clone();
    input.subject = contact_id.clone();
    if let Some(f) = &full {
        input.consents = f
            .consents
            .iter()
            .filter_map(|c| {
                Some(ConsentRecord {
                    address: c.address.clone(),
                    level: parse_level(&c.level)?,
                    channels: parse_channels(&c.channels),
                    given_at: c.given_at,
                    revoked_at: c.revoked_at,
                    expires_at: c.expires_at,
                })
            })
            .collect();
    }

    // Do-not-call facts.
    match req.channel {
        Channel::Email => {
            if let Some(entry) = dnc::find(conn, tenant, &dnc::Target::Email(destination.clone())).await? {
                input.opt_outs.push(OptOutRecord {
                    address: destination.clone(),
                    channel: Channel::Email,
                    received_at: entry.created_at,
                });
            }
        }
        Channel::Voice | Channel::Sms => {
            if let Some(p) = &phone {
                input.dnc.internal = dnc::find(conn, tenant, &dnc::Target::Phone(p.to_string())).await?.is_some();
                if let Some(n) = p.nanp() {
                    input.dnc.national = national.scrub(n);
                    input.dnc.area_code_subscribed =
                        p.npa().is_some_and(|npa| settings.subscribed_area_codes.contains(&npa));
                }
                if let Some(answer) = reassigned::find(conn, tenant, p.as_str()).await? {
                    input.reassigned = reassigned::check_of(&answer);
                }
                let holding = dnc::lists_holding(conn, tenant, p.as_str()).await?;
                input.dnc.suppression_lists =
                    holding.iter().filter(|l| l.kind == "custom").map(|l| l.name.clone()).collect();
                let states = resolve(req.channel, &destination, &location).map(|j| j.states).unwrap_or_default();
                for list in dnc::state_lists(conn, tenant).await? {
                    let Some(state) = state_of(&list.state).filter(|s| states.contains(s)) else { continue };
                    let listed = holding.iter().any(|h| h.id == list.id);
                    // Several loads of one state's list: the freshest copy decides.
                    let scrub = RegistryScrub { listed, copy_obtained_at: list.copy_obtained_at };
                    match input.dnc.state_lists.iter_mut().find(|s| s.state == state) {
                        Some(existing) => {
                            existing.scrub.listed |= listed;
                            if scrub.copy_obtained_at > existing.scrub.copy_obtained_at {
                                existing.scrub.copy_obtained_at = scrub.copy_obtained_at;
                            }
                        }
                        None => input.dnc.state_lists.push(StateRegistryScrub { state, scrub }),
                    }
                }
            }
        }
    }

    // History: long enough for every cap (Reg F's 7 days, MA's 7 days, tenant caps).
    let mut addresses = vec![destination.clone()];
    if let Some(f) = &full {
        addresses.extend(f.phones.iter().map(|p| p.e164.clone()));
        addresses.extend(f.emails.iter().map(|e| e.email.clone()));
    }
    let since = req.at - Duration::days(35);
    input.history = ledger::history(conn, tenant, contact_id.as_deref(), addresses, since)
        .await?
        .iter()
        .filter(|r| r.occurred_at <= req.at)
        .map(attempt_record)
        .collect();

    let mut decision = evaluate(&input, &rules, req.at);
    if settings.revision > 0 {
        decision.ruleset_version = format!("{}+t{}", decision.ruleset_version, settings.revision);
    }
    let audit_id = crate::ids::audit().to_string();
    let codes: Vec<&str> = decision.reasons.iter().map(|r| r.code.as_str()).collect();
    audit::append(
        conn,
        compliance_audit::Model {
            tenant_id: tenant.to_string(),
            id: audit_id.clone(),
            decided_at,
            evaluated_at: req.at,
            channel: channel_str(req.channel).into(),
            purpose: purpose_str(req.purpose).into(),
            destination,
            contact_id: contact_id.clone(),
            campaign_id: req.campaign_id.clone(),
            verdict: if decision.verdict == Verdict::Allow { "allow" } else { "block" }.into(),
            codes: format!(",{},", codes.join(",")),
            decision: serde_json::to_string(&decision)
                .map_err(|e| RepoError::Db(sea_orm::DbErr::Custom(e.to_string())))?,
            ruleset_version: decision.ruleset_version.clone(),
            actor: req.actor.clone(),
        },
    )
    .await?;
    Ok(Checked { decision, audit_id, contact_id })
}

pub fn channel_str(c: Channel) -> &'static str {
    match c {
        Channel::Voice => "voice",
        Channel::Sms => "sms",
        Channel::Email => "email",
    }
}

pub fn purpose_str(p: Purpose) -> &'static str {
    match p {
        Purpose::Marketing => "marketing",
        Purpose::Informational => "informational",
        Purpose::Collection => "collection",
    }
}
