//! List imports: upload a CSV (streamed, never held in memory), map its columns, follow the
//! progress, download the rows that failed.

use super::dto::PageOut;
use crate::{
    error::{ApiError, ApiResult, ErrorBody},
    extract::{ApiJson, ApiPath, ApiQuery, Auth, PageQuery},
    middleware::TraceId,
    state::AppState,
};
use axum::{
    Json,
    body::Body,
    extract::State,
    http::{StatusCode, header},
    response::IntoResponse,
};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use outdial_domain::tenancy::{Role, parse_name};
use outdial_infra::{
    db::{
        entity::import,
        repo::{imports, lists},
    },
    import::{
        mapping::{Field, suggest},
        upload::{ChunkWriter, UploadError},
    },
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

/// The largest file accepted (1 GiB: several million rows).
pub const MAX_UPLOAD: u64 = 1024 * 1024 * 1024;

/// The upload route (streams its body; no JSON body limit, no idempotency buffering).
pub fn upload_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(upload_import))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_imports))
        .routes(routes!(get_import))
        .routes(routes!(start_import))
        .routes(routes!(download_import_errors))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The file's name, for people (default `upload.csv`).
    pub filename: Option<String>,
    /// Put the imported contacts in this list.
    pub list_id: Option<String>,
    /// Or in a new list with this name.
    pub list_name: Option<String>,
    /// Start at once with the suggested column mapping.
    pub auto_start: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ColumnOut {
    pub index: usize,
    pub header: String,
    /// The field the column feeds: a contact field, `custom:<name>` or `ignore`.
    pub field: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportOut {
    #[schema(example = "imp_01JD3T6X8Q4M2N7P9R5S0T1VWX")]
    pub id: String,
    pub filename: String,
    pub list_id: Option<String>,
    /// `uploaded` (waiting for a mapping), `queued`, `running`, `done` or `failed`.
    pub status: String,
    /// `utf-8` or `latin-1`.
    pub encoding: String,
    /// The columns with the mapping in force (suggested until the import is started).
    pub columns: Vec<ColumnOut>,
    pub total_bytes: i64,
    pub bytes_done: i64,
    /// 0 to 100, by bytes read.
    pub percent: f64,
    pub rows_done: i64,
    pub rows_created: i64,
    /// Rows that matched an existing contact by phone or email and were merged into it.
    pub rows_merged: i64,
    /// Rows refused; download them from `/v1/imports/{id}/errors`.
    pub rows_failed: i64,
    /// Rows with a number on the internal or national do-not-call list (imported, flagged).
    pub rows_dnc_flagged: i64,
    pub rows_per_second: Option<f64>,
    pub eta_seconds: Option<f64>,
    /// Why the import failed, and what to do.
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<import::Model> for ImportOut {
    fn from(i: import::Model) -> Self {
        let headers: Vec<String> = serde_json::from_str(&i.columns).unwrap_or_default();
        let mapping: BTreeMap<String, String> = serde_json::from_str(&i.mapping).unwrap_or_default();
        let columns = headers
            .into_iter()
            .enumerate()
            .map(|(index, header)| ColumnOut {
                index,
                header,
                field: mapping.get(&index.to_string()).cloned().unwrap_or_else(|| "ignore".into()),
            })
            .collect();
        let elapsed = i
            .started_at
            .map(|s| (i.finished_at.unwrap_or(i.updated_at) - s).num_milliseconds() as f64 / 1000.0)
            .filter(|e| *e > 0.0);
        let rows_per_second = elapsed.map(|e| i.rows_done as f64 / e);
        let eta_seconds = match (elapsed, i.status.as_str()) {
            (Some(e), "running") if i.bytes_done > 0 => {
                Some((i.total_bytes - i.bytes_done) as f64 / (i.bytes_done as f64 / e))
            }
            _ => None,
        };
        ImportOut {
            percent: if i.total_bytes > 0 {
                (i.bytes_done as f64 * 100.0 / i.total_bytes as f64).min(100.0)
            } else {
                0.0
            },
            id: i.id,
            filename: i.filename,
            list_id: i.list_id,
            status: i.status,
            encoding: i.encoding,
            columns,
            total_bytes: i.total_bytes,
            bytes_done: i.bytes_done,
            rows_done: i.rows_done,
            rows_created: i.rows_created,
            rows_merged: i.rows_merged,
            rows_failed: i.rows_failed,
            rows_dnc_flagged: i.rows_dnc_flagged,
            rows_per_second,
            eta_seconds,
            error: i.error,
            created_at: i.created_at,
            started_at: i.started_at,
            finished_at: i.finished_at,
        }
    }
}

fn upload_error(e: UploadError) -> ApiError {
    match e {
        UploadError::Empty => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty_file",
            "the file is empty; export the list again with a header row",
        ),
        UploadError::NoRows => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "no_rows", "the file has a header row but no data rows")
        }
        UploadError::TooLarge(mb) => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "file_too_large",
            format!("the file is over {mb} MiB; split it into smaller files"),
        ),
        UploadError::TooManyColumns(n) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_many_columns",
            format!(
                "the file has {n} columns; at most {} are supported — remove unused columns",
                outdial_infra::import::upload::MAX_COLUMNS
            ),
        ),
        UploadError::Repo(r) => r.into(),
    }
}

/// Uploads a CSV list (send the file as the body, `Content-Type: text/csv`). Answers with the
/// columns and a suggested mapping; start the import with `/v1/imports/{id}/start`, or pass
/// `auto_start=true` to use the suggestion.
#[utoipa::path(post, path = "/v1/imports", tag = "imports", operation_id = "upload_import", params(UploadQuery),
    request_body(content = String, content_type = "text/csv", description = "the CSV file, header row first"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "stored", body = ImportOut),
        (status = 400, description = "upload_incomplete", body = ErrorBody),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 404, description = "no such list", body = ErrorBody),
        (status = 413, description = "file_too_large", body = ErrorBody),
        (status = 415, description = "unsupported_media_type", body = ErrorBody),
        (status = 422, description = "empty_file, no_rows, too_many_columns or validation_failed", body = ErrorBody),
    ))]
pub async fn upload_import(
    State(state): State<AppState>,
    auth: Auth,
    trace: TraceId,
    ApiQuery(q): ApiQuery<UploadQuery>,
    headers: axum::http::HeaderMap,
    body: Body,
) -> ApiResult<(StatusCode, Json<ImportOut>)> {
    auth.require(Role::Supervisor)?;
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if !matches!(ct.as_str(), "text/csv" | "application/csv" | "text/plain" | "application/octet-stream") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the file as the body with Content-Type: text/csv",
        ));
    }
    let filename = q
        .filename
        .as_deref()
        .map(parse_name)
        .transpose()
        .map_err(|e| ApiError::field("filename", e.to_string()))?
        .unwrap_or_else(|| "upload.csv".into());
    if let Some(l) = &q.list_id {
        lists::get(&state.db, &auth.tenant, l).await.map_err(ApiError::repo("list"))?;
    }
    let list_name =
        q.list_name.as_deref().map(parse_name).transpose().map_err(|e| ApiError::field("list_name", e.to_string()))?;
    let now = Utc::now();
    let imp =
        imports::create(&state.db, &auth.tenant, &filename, q.list_id.as_deref(), auth.user_id.as_str(), now).await?;
    let mut writer = ChunkWriter::new(&auth.tenant, &imp.id, MAX_UPLOAD);
    let mut stream = body.into_data_stream();
    let outcome: Result<(u64, _), ApiError> = async {
        while let Some(frame) = stream.next().await {
            let bytes = frame.map_err(|_| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "upload_incomplete",
                    "the upload was cut off; send the file again",
                )
            })?;
            writer.push(&state.db, &bytes).await.map_err(upload_error)?;
        }
        writer.finish(&state.db).await.map_err(upload_error)
    }
    .await;
    let (total, sniffed) = match outcome {
        Ok(v) => v,
        Err(e) => {
            // Nothing half-written: the row and its chunks go.
            imports::delete(&state.db, &auth.tenant, &imp.id).await?;
            return Err(e);
        }
    };
    let suggested: BTreeMap<String, String> =
        suggest(&sniffed.headers).into_iter().map(|(i, f)| (i.to_string(), f.name())).collect();
    let mut imp =
        imports::uploaded(&state.db, &auth.tenant, &imp.id, total, &sniffed.headers, sniffed.encoding, &suggested)
            .await?;
    let list_id = match (&q.list_id, list_name) {
        (Some(l), _) => Some(l.clone()),
        (None, Some(name)) => Some(lists::create(&state.db, &auth.tenant, &name, now).await?.id),
        (None, None) => None,
    };
    if q.auto_start.unwrap_or(false) {
        check_mapping(&suggested, sniffed.headers.len())?;
        imp = imports::start(&state.db, &auth.tenant, &imp.id, &suggested, list_id.as_deref(), &trace.0, Utc::now())
            .await
            .map_err(ApiError::repo("import"))?;
        state.relay_wake.notify_one();
    } else if let Some(l) = list_id {
        imp.list_id = Some(l);
        // Remembered for the start call.
        imports::set_list(&state.db, &auth.tenant, &imp.id, imp.list_id.as_deref()).await?;
    }
    Ok((StatusCode::CREATED, Json(imp.into())))
}

fn check_mapping(mapping: &BTreeMap<String, String>, columns: usize) -> ApiResult<()> {
    let mut fields = BTreeMap::new();
    let mut reachable = false;
    for (k, v) in mapping {
        let idx: usize = k
            .parse()
            .map_err(|_| ApiError::field(&format!("mapping.{k}"), "keys are column indexes (\"0\", \"1\", ...)"))?;
        if idx >= columns {
            fields.insert(format!("mapping.{k}"), format!("the file has {columns} columns"));
            continue;
        }
        match Field::parse(v) {
            Some(Field::Phone | Field::Email) => reachable = true,
            Some(_) => {}
            None => {
                fields.insert(
                    format!("mapping.{k}"),
                    "must be a contact field (first_name, phone, email, zip, ...), custom:<name> or ignore".into(),
                );
            }
        }
    }
    if !reachable && fields.is_empty() {
        fields.insert("mapping".into(), "map at least one column to phone or email".into());
    }
    if fields.is_empty() { Ok(()) } else { Err(ApiError::fields(fields)) }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartIn {
    /// Column index (as a string) → field: `first_name`, `last_name`, `full_name`, `company`,
    /// `phone`, `email`, `zip`, `state`, `address`, `city`, `address_state`, `lead_type`,
    /// `source`, `score`, `custom:<name>` or `ignore`. Unmapped columns are ignored.
    #[schema(value_type = Object, example = json!({"0": "first_name", "1": "phone"}))]
    pub mapping: BTreeMap<String, String>,
    /// Put the contacts in this list (overrides the upload's).
    pub list_id: Option<String>,
}

/// Starts an uploaded import with a column mapping (supervisors and up).
#[utoipa::path(post, path = "/v1/imports/{id}/start", tag = "imports", operation_id = "start_import", request_body = StartIn,
    params(("id" = String, Path, description = "import id")),
    security(("bearer" = [])),
    responses(
        (status = 202, description = "queued", body = ImportOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 409, description = "import_already_started", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn start_import(
    State(state): State<AppState>,
    auth: Auth,
    trace: TraceId,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<StartIn>,
) -> ApiResult<(StatusCode, Json<ImportOut>)> {
    auth.require(Role::Supervisor)?;
    let imp = imports::get(&state.db, &auth.tenant, &id).await.map_err(ApiError::repo("import"))?;
    let columns: Vec<String> = serde_json::from_str(&imp.columns).unwrap_or_default();
    check_mapping(&body.mapping, columns.len())?;
    let list = body.list_id.clone().or(imp.list_id.clone());
    if let Some(l) = &body.list_id {
        lists::get(&state.db, &auth.tenant, l).await.map_err(|_| ApiError::field("list_id", "no such list"))?;
    }
    let imp = imports::start(&state.db, &auth.tenant, &id, &body.mapping, list.as_deref(), &trace.0, Utc::now())
        .await
        .map_err(ApiError::repo("import"))?;
    state.relay_wake.notify_one();
    Ok((StatusCode::ACCEPTED, Json(imp.into())))
}

/// Lists imports, newest first.
#[utoipa::path(get, path = "/v1/imports", tag = "imports", operation_id = "list_imports", params(PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "a page of imports", body = PageOut<ImportOut>),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 422, description = "invalid_query", body = ErrorBody),
    ))]
pub async fn list_imports(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<PageOut<ImportOut>>> {
    let (rows, next_cursor) = imports::list(&state.db, &auth.tenant, &q.page()?).await?;
    Ok(Json(PageOut { data: rows.into_iter().map(Into::into).collect(), next_cursor }))
}

/// One import with its progress (rows done, rate, ETA).
#[utoipa::path(get, path = "/v1/imports/{id}", tag = "imports", operation_id = "get_import",
    params(("id" = String, Path, description = "import id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the import", body = ImportOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
    ))]
pub async fn get_import(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ImportOut>> {
    Ok(Json(imports::get(&state.db, &auth.tenant, &id).await.map_err(ApiError::repo("import"))?.into()))
}

/// The rows that failed, as CSV (`row,column,message,raw`): fix them and upload again.
#[utoipa::path(get, path = "/v1/imports/{id}/errors", tag = "imports", operation_id = "download_import_errors",
    params(("id" = String, Path, description = "import id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "CSV", body = String, content_type = "text/csv"),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
    ))]
pub async fn download_import_errors(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<impl IntoResponse> {
    imports::get(&state.db, &auth.tenant, &id).await.map_err(ApiError::repo("import"))?;
    let mut out = String::from("row,column,message,raw\n");
    let mut after = 0;
    loop {
        let mut rows = imports::errors(&state.db, &auth.tenant, &id, after, 5000).await?;
        let full = rows.len() == 5000;
        let Some(last) = rows.last().map(|r| r.row) else { break };
        // A full page may end inside a row: that row is read whole with the next page.
        if full {
            rows.retain(|r| r.row != last);
        }
        for e in &rows {
            out.push_str(&format!(
                "{},{},{},{}\n",
                e.row,
                super::csv_field(&e.field),
                super::csv_field(&e.message),
                super::csv_field(e.raw.as_deref().unwrap_or(""))
            ));
        }
        if !full {
            break;
        }
        after = last - 1;
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"import-errors.csv\""),
        ],
        out,
    ))
}
