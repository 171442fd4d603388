//! Voicemail templates: an agency's recordings (uploaded, or recorded in the browser and sent
//! as WAV), stored in the database and fetched by the carrier by an unguessable link when a
//! campaign leaves a voicemail after the beep. Only WAV and MP3 are taken: what Twilio's
//! `<Play>` and Telnyx's `playback_start` both play.

use super::DialerError;
use crate::db::entity::{campaign, voicemail_template as vt};
use crate::db::scope;
use chrono::{DateTime, Utc};
use outdial_domain::ids::TenantId;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

/// The largest recording taken (a minute of 16-bit 16 kHz WAV is under 2 MB).
pub const MAX_BYTES: usize = 5 * 1024 * 1024;

/// What a file is, as far as the carriers care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Audio {
    pub content_type: &'static str,
    /// From a WAV header; MP3 is not measured.
    pub duration_ms: Option<i64>,
}

/// Reads what the bytes are: a RIFF/WAVE file (its length from the header) or an MP3 (an ID3
/// tag or a frame sync first). Anything else is refused with the code to show.
pub fn sniff(bytes: &[u8]) -> Result<Audio, DialerError> {
    if bytes.is_empty() {
        return Err(DialerError::Invalid("empty_audio", "the recording is empty".into()));
    }
    if bytes.len() > MAX_BYTES {
        return Err(DialerError::Invalid(
            "audio_too_large",
            format!("a recording may be {} MB at most", MAX_BYTES / (1024 * 1024)),
        ));
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WAVE" {
        return Ok(Audio { content_type: "audio/wav", duration_ms: Some(wav_duration_ms(bytes)?) });
    }
    let mp3 = bytes.starts_with(b"ID3") || (bytes.len() >= 2 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0);
    if mp3 {
        return Ok(Audio { content_type: "audio/mpeg", duration_ms: None });
    }
    Err(DialerError::Invalid("unsupported_audio", "send a WAV or MP3 file (the formats both carriers play)".into()))
}

/// The length of a WAV file's sound: its `data` chunk over the `fmt ` chunk's byte rate.
fn wav_duration_ms(bytes: &[u8]) -> Result<i64, DialerError> {
    let bad =
        || DialerError::Invalid("unsupported_audio", "the WAV file is damaged: no format or no sound in it".into());
    let u32_at = |i: usize| bytes.get(i..i + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let (mut at, mut byte_rate, mut data) = (12usize, None, None);
    while let (Some(id), Some(size)) = (bytes.get(at..at + 4), u32_at(at + 4)) {
        let body = at + 8;
        match id {
            b"fmt " => byte_rate = u32_at(body + 8),
            // A recording cut short (or streamed with a placeholder size) counts what is there.
            b"data" => data = Some((size as usize).min(bytes.len().saturating_sub(body))),
            _ => {}
        }
        at = body.saturating_add(size as usize + (size as usize & 1));
    }
    match (byte_rate, data) {
        (Some(rate), Some(len)) if rate > 0 && len > 0 => Ok((len as i64 * 1000) / i64::from(rate)),
        _ => Err(bad()),
    }
}

/// The link the carrier fetches the audio by: no sign-in, the token is the key.
pub fn audio_url(public_url: &str, t: &vt::Model) -> String {
    let ext = if t.content_type == "audio/mpeg" { "mp3" } else { "wav" };
    format!("{public_url}/media/voicemail/{}/{}.{ext}", t.id, t.token)
}

fn check_name(name: &str) -> Result<String, DialerError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(DialerError::Invalid("invalid_name", "name must be 1 to 100 characters".into()));
    }
    Ok(name.to_owned())
}

pub async fn create<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    name: &str,
    audio: Vec<u8>,
    by: &str,
    now: DateTime<Utc>,
) -> Result<vt::Model, DialerError> {
    let name = check_name(name)?;
    let kind = sniff(&audio)?;
    let model = vt::Model {
        tenant_id: tenant.to_string(),
        id: crate::ids::voicemail_template().to_string(),
        name,
        content_type: kind.content_type.to_owned(),
        size_bytes: audio.len() as i64,
        audio,
        duration_ms: kind.duration_ms,
        token: hex::encode(rand::random::<[u8; 16]>()),
        created_by: by.to_owned(),
        created_at: now,
        updated_at: now,
    };
    vt::Entity::insert(vt::ActiveModel::from(model.clone())).exec_without_returning(conn).await?;
    Ok(model)
}

pub async fn list<C: ConnectionTrait>(conn: &C, tenant: &TenantId) -> Result<Vec<vt::Model>, DialerError> {
    Ok(scope::find::<vt::Entity>(tenant).order_by_asc(vt::Column::Name).order_by_asc(vt::Column::Id).all(conn).await?)
}

pub async fn get<C: ConnectionTrait>(conn: &C, tenant: &TenantId, id: &str) -> Result<vt::Model, DialerError> {
    scope::find::<vt::Entity>(tenant).filter(vt::Column::Id.eq(id)).one(conn).await?.ok_or(DialerError::NotFound)
}

pub async fn rename<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
    name: &str,
    now: DateTime<Utc>,
) -> Result<vt::Model, DialerError> {
    let name = check_name(name)?;
    let mut m: vt::ActiveModel = get(conn, tenant, id).await?.into();
    m.name = Set(name);
    m.updated_at = Set(now);
    Ok(m.update(conn).await?)
}

/// Deletes a template no campaign plays; one still in use says which.
pub async fn delete<C: ConnectionTrait>(conn: &C, tenant: &TenantId, id: &str) -> Result<(), DialerError> {
    let t = get(conn, tenant, id).await?;
    let users = scope::find::<campaign::Entity>(tenant)
        .filter(campaign::Column::VoicemailUrl.contains(format!("/media/voicemail/{}/", t.id)))
        .all(conn)
        .await?;
    if let Some(c) = users.first() {
        return Err(DialerError::Conflict(
            "template_in_use",
            format!("campaign \"{}\" leaves this voicemail; choose another for it first", c.name),
        ));
    }
    scope::delete_many::<vt::Entity>(tenant).filter(vt::Column::Id.eq(&t.id)).exec(conn).await?;
    Ok(())
}

/// The audio for the carrier's fetch: the template with this id and token, whoever owns it.
pub async fn for_carrier<C: ConnectionTrait>(
    conn: &C,
    id: &str,
    token: &str,
) -> Result<Option<vt::Model>, DialerError> {
    let t = scope::global::<vt::Entity>().filter(vt::Column::Id.eq(id)).one(conn).await?;
    // Compared here in constant time rather than in the query.
    Ok(t.filter(|t| {
        t.token.len() == token.len() && t.token.bytes().zip(token.bytes()).fold(0u8, |d, (a, b)| d | (a ^ b)) == 0
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A mono 16-bit PCM WAV of `ms` milliseconds at 8 kHz.
    fn wav(ms: u32) -> Vec<u8> {
        let data = 8000 * 2 * ms / 1000;
        let mut b = Vec::new();
        b.extend(b"RIFF");
        b.extend((36 + data).to_le_bytes());
        b.extend(b"WAVEfmt ");
        b.extend(16u32.to_le_bytes());
        b.extend(1u16.to_le_bytes());
        b.extend(1u16.to_le_bytes());
        b.extend(8000u32.to_le_bytes());
        b.extend(16000u32.to_le_bytes());
        b.extend(2u16.to_le_bytes());
        b.extend(16u16.to_le_bytes());
        b.extend(b"data");
        b.extend(data.to_le_bytes());
        b.extend(vec![0u8; data as usize]);
        b
    }

    #[test]
    fn wav_and_mp3_are_known_and_measured_anything_else_is_refused() {
        assert_eq!(sniff(&wav(1500)).unwrap(), Audio { content_type: "audio/wav", duration_ms: Some(1500) });
        assert_eq!(sniff(b"ID3\x04\x00rest").unwrap().content_type, "audio/mpeg");
        assert_eq!(sniff(&[0xFF, 0xFB, 0x90, 0x00]).unwrap().content_type, "audio/mpeg");
        let code = |r: Result<Audio, DialerError>| match r {
            Err(DialerError::Invalid(code, _)) => code,
            other => panic!("{other:?}"),
        };
        assert_eq!(code(sniff(b"")), "empty_audio");
        assert_eq!(code(sniff(b"OggS\x00\x02")), "unsupported_audio");
        assert_eq!(code(sniff(&vec![0xFF; MAX_BYTES + 1])), "audio_too_large");
        // A WAV header with no sound in it.
        assert_eq!(code(sniff(&wav(0))), "unsupported_audio");
        let mut cut = wav(1000);
        cut.truncate(cut.len() / 2);
        assert_eq!(sniff(&cut).unwrap().duration_ms, Some(498), "a cut-off file counts what is there");
    }
}
