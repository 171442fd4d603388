//! Carrier accounts per tenant. Credentials are sealed with the keyring, bound to the row id,
//! and never returned or logged.

use super::{Credentials, Voice, VoiceError};
use crate::db::{entity::carrier_account, repo::Page, scope};
use crate::secrets::{Keyring, SecretError};
use crate::telephony::{telnyx::TelnyxCredentials, twilio::TwilioCredentials};
use chrono::{DateTime, Utc};
use outdial_domain::ids::TenantId;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// A new account.
pub struct NewAccount {
    pub name: String,
    pub sandbox: bool,
    pub base_url: Option<String>,
    pub credentials: Credentials,
    pub calls_per_sec: u32,
    pub messages_per_sec: u32,
}

fn seal(voice: &Voice, id: &str, creds: &Credentials) -> (String, String) {
    let json = match creds {
        Credentials::Twilio(c) => serde_json::to_vec(c),
        Credentials::Telnyx(c) => serde_json::to_vec(c),
    }
    .expect("credentials serialize");
    let (key_id, sealed) = voice.keyring.seal(&json, id);
    (key_id, sealed)
}

/// Stores a new account.
pub async fn create<C: ConnectionTrait>(
    conn: &C,
    voice: &Voice,
    tenant: &TenantId,
    new: NewAccount,
    now: DateTime<Utc>,
) -> Result<carrier_account::Model, VoiceError> {
    let id = crate::ids::carrier_account().to_string();
    let provider = match &new.credentials {
        Credentials::Twilio(c) => {
            c.validate().map_err(|d| VoiceError::Invalid("invalid_credentials", d))?;
            "twilio"
        }
        Credentials::Telnyx(c) => {
            c.validate().map_err(|d| VoiceError::Invalid("invalid_credentials", d))?;
            "telnyx"
        }
    };
    let (key_id, sealed) = seal(voice, &id, &new.credentials);
    let model = carrier_account::Model {
        tenant_id: tenant.to_string(),
        id,
        provider: provider.into(),
        name: new.name,
        sandbox: new.sandbox,
        base_url: new.base_url,
        credentials: sealed,
        key_id,
        calls_per_sec: i32::try_from(new.calls_per_sec.clamp(1, 1000)).unwrap_or(1),
        messages_per_sec: i32::try_from(new.messages_per_sec.clamp(1, 1000)).unwrap_or(1),
        status: "active".into(),
        created_at: now,
        updated_at: now,
    };
    carrier_account::Entity::insert(carrier_account::ActiveModel::from(model.clone()).reset_all())
        .exec_without_returning(conn)
        .await?;
    Ok(model)
}

/// Fresh credentials for a sandbox account (any well-formed credentials work there).
pub fn sandbox_credentials(provider: &str, telnyx_public_key: &str) -> Credentials {
    let token = crate::auth::token::new_secret();
    if provider == "telnyx" {
        Credentials::Telnyx(TelnyxCredentials {
            api_key: format!("KEYsandbox{}", &token[..24]),
            public_key: telnyx_public_key.to_owned(),
            connection_id: "sandbox-connection".into(),
            messaging_profile_id: None,
        })
    } else {
        let sid: String =
            token.bytes().take(32).map(|b| char::from_digit(u32::from(b) % 16, 16).unwrap_or('0')).collect();
        Credentials::Twilio(TwilioCredentials {
            account_sid: format!("AC{sid}"),
            auth_token: token[..32].to_owned(),
            api_key_sid: Some(format!("SK{sid}")),
            api_key_secret: Some(token[..32].chars().rev().collect()),
            twiml_app_sid: Some(format!("AP{sid}")),
        })
    }
}

/// Every new tenant starts with a sandbox account that speaks Twilio's protocol.
pub async fn create_default_sandbox<C: ConnectionTrait>(
    conn: &C,
    voice: &Voice,
    tenant: &TenantId,
    now: DateTime<Utc>,
) -> Result<carrier_account::Model, VoiceError> {
    let new = NewAccount {
        name: "Sandbox".into(),
        sandbox: true,
        base_url: None,
        credentials: sandbox_credentials("twilio", ""),
        calls_per_sec: 50,
        messages_per_sec: 50,
    };
    create(conn, voice, tenant, new, now).await
}

pub async fn get<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
) -> Result<carrier_account::Model, VoiceError> {
    scope::find::<carrier_account::Entity>(tenant)
        .filter(carrier_account::Column::Id.eq(id))
        .filter(carrier_account::Column::Status.ne("deleted"))
        .one(conn)
        .await?
        .ok_or(VoiceError::NotFound)
}

/// The account a webhook names, before the tenant is known.
pub async fn by_id_for_webhook<C: ConnectionTrait>(conn: &C, id: &str) -> Result<carrier_account::Model, VoiceError> {
    scope::global::<carrier_account::Entity>()
        .filter(carrier_account::Column::Id.eq(id))
        .filter(carrier_account::Column::Status.ne("deleted"))
        .one(conn)
        .await?
        .ok_or(VoiceError::NotFound)
}

pub async fn list<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    page: &Page,
) -> Result<(Vec<carrier_account::Model>, Option<String>), VoiceError> {
    let mut q = scope::find::<carrier_account::Entity>(tenant).filter(carrier_account::Column::Status.ne("deleted"));
    if let Some(c) = &page.cursor {
        q = q.filter(carrier_account::Column::Id.gt(c.as_str()));
    }
    let rows = q.order_by_asc(carrier_account::Column::Id).limit(page.limit + 1).all(conn).await?;
    Ok(page.finish(rows, |r| r.id.clone()))
}

/// Renames, changes limits or replaces credentials.
#[allow(clippy::too_many_arguments)]
pub async fn update<C: ConnectionTrait>(
    conn: &C,
    voice: &Voice,
    tenant: &TenantId,
    id: &str,
    name: Option<String>,
    credentials: Option<Credentials>,
    (calls_per_sec, messages_per_sec): (Option<u32>, Option<u32>),
    now: DateTime<Utc>,
) -> Result<carrier_account::Model, VoiceError> {
    let current = get(conn, tenant, id).await?;
    let mut m: carrier_account::ActiveModel = current.clone().into();
    if let Some(n) = name {
        m.name = sea_orm::Set(n);
    }
    if let Some(c) = credentials {
        let ok = match (&c, current.provider.as_str()) {
            (Credentials::Twilio(t), "twilio") => t.validate(),
            (Credentials::Telnyx(t), "telnyx") => t.validate(),
            _ => Err("credentials must be for the account's own carrier".into()),
        };
        ok.map_err(|d| VoiceError::Invalid("invalid_credentials", d))?;
        let (key_id, sealed) = seal(voice, id, &c);
        m.credentials = sea_orm::Set(sealed);
        m.key_id = sea_orm::Set(key_id);
    }
    if let Some(cps) = calls_per_sec {
        m.calls_per_sec = sea_orm::Set(i32::try_from(cps.clamp(1, 1000)).unwrap_or(1));
    }
    if let Some(mps) = messages_per_sec {
        m.messages_per_sec = sea_orm::Set(i32::try_from(mps.clamp(1, 1000)).unwrap_or(1));
    }
    m.updated_at = sea_orm::Set(now);
    Ok(m.update(conn).await?)
}

/// Removes an account from use (its calls and numbers stay for history).
pub async fn delete<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(), VoiceError> {
    let current = get(conn, tenant, id).await?;
    let mut m: carrier_account::ActiveModel = current.into();
    m.status = sea_orm::Set("deleted".into());
    m.updated_at = sea_orm::Set(now);
    m.update(conn).await?;
    Ok(())
}

/// Re-encrypts every account's credentials with the current key (after adding a new key
/// first in `OUTDIAL_SECRET_KEYS`). Returns how many rows changed.
pub async fn rotate_keys<C: ConnectionTrait>(conn: &C, keyring: &Keyring) -> Result<u64, VoiceError> {
    let rows = scope::global::<carrier_account::Entity>()
        .filter(carrier_account::Column::KeyId.ne(keyring.current_id()))
        .all(conn)
        .await?;
    let mut n = 0;
    for row in rows {
        let plain = keyring.open(&row.key_id, &row.credentials, &row.id).map_err(|e| match e {
            SecretError::UnknownKey(k) => VoiceError::Invalid(
                "unknown_key",
                format!("carrier account {} is encrypted with key {k}, which is not configured", row.id),
            ),
            other => other.into(),
        })?;
        let (key_id, sealed) = keyring.seal(&plain, &row.id);
        let mut m: carrier_account::ActiveModel = row.into();
        m.credentials = sea_orm::Set(sealed);
        m.key_id = sea_orm::Set(key_id);
        m.update(conn).await?;
        n += 1;
    }
    Ok(n)
}
