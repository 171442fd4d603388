//! Carrier errors, normalized: the caller needs to know whether trying again can help.

/// What kind of failure a carrier call was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Timeout, connection failure, 429 or 5xx: the same request may succeed later.
    Transient,
    /// The carrier refused the request as invalid (4xx): fix the input, do not retry.
    Rejected,
    /// Credentials were refused: the account needs attention.
    Unauthorized,
    /// The call, message or number does not exist (any more) at the carrier.
    NotFound,
}

/// A failed carrier operation, with the carrier's own code when it gave one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{operation}: {detail}")]
pub struct CarrierError {
    pub kind: ErrorKind,
    pub operation: &'static str,
    /// HTTP status, when there was a response.
    pub status: Option<u16>,
    /// Carrier error code (Twilio `code`, Telnyx `errors[0].code`).
    pub code: Option<String>,
    pub detail: String,
}

impl CarrierError {
    pub fn retryable(&self) -> bool {
        self.kind == ErrorKind::Transient
    }

    pub(crate) fn from_status(operation: &'static str, status: u16, code: Option<String>, detail: String) -> Self {
        let kind = match status {
            401 | 403 => ErrorKind::Unauthorized,
            404 => ErrorKind::NotFound,
            408 | 429 => ErrorKind::Transient,
            s if s >= 500 => ErrorKind::Transient,
            _ => ErrorKind::Rejected,
        };
        CarrierError { kind, operation, status: Some(status), code, detail }
    }

    pub(crate) fn transport(operation: &'static str, err: &reqwest::Error) -> Self {
        let detail = if err.is_timeout() {
            "the carrier did not answer in time".to_owned()
        } else if err.is_connect() {
            "could not connect to the carrier".to_owned()
        } else {
            format!("transport error: {err}")
        };
        CarrierError { kind: ErrorKind::Transient, operation, status: None, code: None, detail }
    }

    pub(crate) fn invalid(operation: &'static str, detail: impl Into<String>) -> Self {
        CarrierError { kind: ErrorKind::Rejected, operation, status: None, code: None, detail: detail.into() }
    }
}

/// Why an incoming webhook was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("the webhook signature is missing")]
    MissingSignature,
    #[error("the webhook signature does not match")]
    BadSignature,
    #[error("the webhook timestamp is too old or too far in the future")]
    Expired,
    #[error("the webhook body is malformed: {0}")]
    Malformed(String),
}
