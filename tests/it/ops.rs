//! Health, readiness, metrics, request ids.

use crate::{both, harness::*};
use reqwest::{Method, StatusCode};

both!(health_ready_metrics);

async fn health_ready_metrics(backend: Backend) {
    let app = spawn_app(backend).await;
    let h = app.req(Method::GET, "/healthz", None, None).await;
    assert_eq!(h.status, StatusCode::OK);
    assert_eq!(h.body["status"], "ok");
    let r = app.req(Method::GET, "/readyz", None, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let (db, queue) = match backend {
        Backend::Postgres => ("postgres", "redis"),
        Backend::Sqlite => ("sqlite", "sqlite"),
    };
    assert_eq!(r.body["database"], db);
    assert_eq!(r.body["queue"], queue);
    assert!(r.headers.get("x-request-id").is_some());
    let owner = app.signup("Metrics").await;
    app.get("/v1/me", &owner.token).await;
    let text = app.client.get(format!("{}/metrics", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(text.contains("outdial_http_requests_total{method=\"GET\",route=\"/v1/me\",status=\"200\"} 1"), "{text}");
    assert!(text.contains("outdial_http_request_duration_seconds_bucket"), "{text}");
    // A client's request id is kept (when sane) so logs can be joined.
    let res = app.client.get(format!("{}/healthz", app.base)).header("x-request-id", "abc-123").send().await.unwrap();
    assert_eq!(res.headers()["x-request-id"], "abc-123");
    app.stop().await;
}

/// A statement the pool prepared while its table was empty still takes the primary key once
/// the table has grown. Left to itself, PostgreSQL gives a prepared statement one generic plan
/// after five runs and keeps it until the table is next analyzed; on an empty `dial_attempts`
/// that plan read one attempt through the index on the tenant's power groups, so the look-up
/// became a scan of every attempt of the tenant.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_planned_on_an_empty_table_still_uses_the_primary_key() {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let app = spawn_app(Backend::Postgres).await;
    // One connection of the app's own pool for the whole test; nothing is kept.
    let conn = app.state().db.begin().await.unwrap();
    let run = |sql: &'static str| {
        let conn = &conn;
        async move { conn.execute_unprepared(sql).await.unwrap() }
    };
    // Rows without their campaign: this session skips foreign-key triggers. (Set first:
    // changing it later would discard the session's cached plans.)
    run("SET LOCAL session_replication_role = replica").await;
    run("PREPARE one_attempt(varchar, varchar) AS \
         SELECT * FROM dial_attempts WHERE tenant_id = $1 AND id = $2 LIMIT 1")
    .await;
    for _ in 0..8 {
        run("EXECUTE one_attempt('ten_a', 'att_1')").await;
    }
    run("INSERT INTO dial_attempts (tenant_id, id, campaign_id, contact_id, phone, status, created_at, updated_at) \
         SELECT 'ten_a', 'att_' || n, 'cmp_a', 'con_' || n, '+15551230000', 'ended', now(), now() \
         FROM generate_series(1, 20000) n")
    .await;
    let plan: Vec<String> = conn
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "EXPLAIN EXECUTE one_attempt('ten_a', 'att_77')",
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect();
    let plan = plan.join("\n");
    assert!(plan.contains("dial_attempts_pkey"), "the look-up of one attempt does not use the primary key:\n{plan}");
    conn.rollback().await.unwrap();
    app.stop().await;
}
