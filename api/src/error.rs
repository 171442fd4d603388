//! The one error type at the edge: a status, a stable snake_case code and a human detail.
//! Internals (database messages, stack traces) are logged, never returned.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use outdial_infra::db::repo::RepoError;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Every error response has this body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable, machine-readable code (snake_case).
    #[schema(example = "validation_failed")]
    pub code: String,
    /// What went wrong and what to do, for a person.
    pub detail: String,
    /// Per-field messages, for `validation_failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, String>>,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
    pub fields: Option<BTreeMap<String, String>>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError { status, code, detail: detail.into(), fields: None }
    }

    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("no such {what}"))
    }

    pub fn forbidden() -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", "your role does not allow this")
    }

    pub fn unauthenticated(code: &'static str, detail: &str) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, code, detail)
    }

    /// 422 with one message per offending field.
    pub fn fields(fields: BTreeMap<String, String>) -> ApiError {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "validation_failed",
            detail: "some fields are invalid; see fields".into(),
            fields: Some(fields),
        }
    }

    /// 422 for one field.
    pub fn field(name: &str, message: impl Into<String>) -> ApiError {
        ApiError::fields(BTreeMap::from([(name.to_owned(), message.into())]))
    }

    /// A failure on our side: logged with its cause, answered with a generic body.
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        tracing::error!(error = %cause, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "something went wrong on our side; try again",
        )
    }

    /// Maps a repository error, naming the resource for 404s.
    pub fn repo(what: &'static str) -> impl Fn(RepoError) -> ApiError {
        move |e| match e {
            RepoError::NotFound => ApiError::not_found(what),
            RepoError::Conflict(code, detail) => ApiError::new(StatusCode::CONFLICT, code, detail),
            RepoError::Db(db) => ApiError::internal(db),
        }
    }
}

impl From<RepoError> for ApiError {
    fn from(e: RepoError) -> ApiError {
        ApiError::repo("resource")(e)
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> ApiError {
        ApiError::internal(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody { code: self.code.to_owned(), detail: self.detail, fields: self.fields };
        (self.status, Json(body)).into_response()
    }
}

impl From<outdial_infra::voice::VoiceError> for ApiError {
    fn from(e: outdial_infra::voice::VoiceError) -> ApiError {
        use outdial_infra::telephony::ErrorKind;
        use outdial_infra::voice::VoiceError;
        match e {
            VoiceError::NotFound => ApiError::not_found("resource"),
            VoiceError::Invalid(code, detail) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail),
            VoiceError::Carrier(c) => {
                let carrier_code = c.code.as_deref().map(|c| format!(" (carrier code {c})")).unwrap_or_default();
                match c.kind {
                    ErrorKind::Transient => ApiError::new(
                        StatusCode::BAD_GATEWAY,
                        "carrier_unavailable",
                        format!("the carrier did not complete {}: {}; try again shortly", c.operation, c.detail),
                    ),
                    ErrorKind::Unauthorized => ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "carrier_credentials_refused",
                        "the carrier refused the account's credentials; update them on the carrier account",
                    ),
                    ErrorKind::NotFound => ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "carrier_not_found",
                        format!("the carrier does not know this resource: {}{carrier_code}", c.detail),
                    ),
                    ErrorKind::Rejected => ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "carrier_rejected",
                        format!("the carrier refused the request: {}{carrier_code}", c.detail),
                    ),
                }
            }
            VoiceError::Repo(r) => r.into(),
            VoiceError::Db(d) => ApiError::internal(d),
            VoiceError::Secret(s) => ApiError::internal(s),
        }
    }
}

impl From<outdial_infra::dialer::DialerError> for ApiError {
    fn from(e: outdial_infra::dialer::DialerError) -> ApiError {
        use outdial_infra::dialer::DialerError;
        match e {
            DialerError::NotFound => ApiError::not_found("resource"),
            DialerError::Invalid(code, detail) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail),
            DialerError::Conflict(code, detail) => ApiError::new(StatusCode::CONFLICT, code, detail),
            DialerError::Voice(v) => v.into(),
            DialerError::Repo(r) => r.into(),
            DialerError::Db(d) => ApiError::internal(d),
        }
    }
}
