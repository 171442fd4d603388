//! Minting typed ids: a prefix and a ULID, so ids sort by creation time (cursor pagination).

use outdial_domain::ids::*;

fn body() -> String {
    ulid::Ulid::new().to_string()
}

macro_rules! minters {
    ($($f:ident -> $t:ty),*) => {$(
        /// A fresh id.
        pub fn $f() -> $t {
            <$t>::from_ulid_body(&body()).expect("a ULID is 26 Crockford base32 characters")
        }
    )*};
}

minters!(
    tenant -> TenantId,
    user -> UserId,
    team -> TeamId,
    invitation -> InvitationId,
    api_key -> ApiKeyId,
    job -> JobId,
    contact -> ContactId,
    list -> ListId,
    import -> ImportId,
    dnc_entry -> DncEntryId,
    consent -> ConsentId,
    debt -> DebtId,
    suppression_list -> SuppressionListId,
    attempt -> AttemptId,
    audit -> AuditId,
    carrier_account -> CarrierAccountId,
    phone_number -> PhoneNumberId,
    call -> CallId,
    message -> MessageId,
    task -> TaskId,
    campaign -> CampaignId,
    dial_attempt -> DialAttemptId,
    agent_session -> AgentSessionId,
    disposition -> DispositionId,
    callback -> CallbackId,
    script -> ScriptId,
    monitor -> MonitorId,
    voicemail_template -> VoicemailTemplateId
);

/// A fresh untyped id with a prefix, for internal rows (refresh tokens, resets, traces).
pub fn raw(prefix: &str) -> String {
    format!("{prefix}{}", body())
}
