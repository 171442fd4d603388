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
