//! Background jobs: retries with backoff, the dead-letter view, retrying a dead job.

use crate::{both, harness::*};
use reqwest::StatusCode;
use serde_json::{Value, json};

both!(failing_job_retries_then_dead_letters);

async fn failing_job_retries_then_dead_letters(backend: Backend) {
    // An SMTP server that refuses connections: every send fails with a retryable error.
    let app = spawn_app_with(backend, &[("OUTDIAL_SMTP_URL", "smtp://127.0.0.1:1")]).await;
    let owner = app.signup("Dead Letters").await;
    let inv = app.post("/v1/invitations", &owner.token, json!({"email": "x@example.test", "role": "agent"})).await;
    assert_eq!(inv.status, StatusCode::CREATED);
    let dead: Value = eventually("the job dead-lettered", || async {
        let r = app.get("/v1/jobs?status=dead", &owner.token).await;
        r.body["data"].as_array().and_then(|a| a.first().cloned())
    })
    .await;
    assert_eq!(dead["kind"], "SendInvitationEmailV1");
    assert_eq!(dead["attempts"], 5, "{dead}");
    assert!(dead["last_error"].as_str().is_some_and(|e| !e.is_empty()), "{dead}");
    assert!(dead["trace_id"].as_str().unwrap().starts_with("req_"), "the job carries the request's trace id");
    let id = dead["id"].as_str().unwrap();
    let r = app.post(&format!("/v1/jobs/{id}/retry"), &owner.token, json!({})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    assert_eq!(r.body["status"], "pending");
    assert_eq!(r.body["attempts"], 0);
    // It fails again (the server is still down) and comes back to the dead-letter view.
    eventually("dead again", || async {
        let r = app.get(&format!("/v1/jobs/{id}"), &owner.token).await;
        (r.body["status"] == "dead" && r.body["attempts"] == 5).then_some(())
    })
    .await;
    let done = app.get("/v1/jobs?status=done", &owner.token).await;
    assert_eq!(done.body["data"], json!([]));
    let inv_now = app.get(&format!("/v1/invitations/{}", inv.body["id"].as_str().unwrap()), &owner.token).await;
    assert!(inv_now.body["email_sent_at"].is_null());
    app.stop().await;
}

#[tokio::test]
async fn only_dead_jobs_can_be_retried() {
    let app = spawn_app(Backend::Sqlite).await;
    let owner = app.signup("Retry").await;
    let inv = app.post("/v1/invitations", &owner.token, json!({"email": "y@example.test", "role": "agent"})).await;
    app.wait_mail(&format!("invitation:{}", inv.body["id"].as_str().unwrap())).await;
    let job = eventually("done", || async {
        let r = app.get("/v1/jobs?status=done", &owner.token).await;
        r.body["data"].as_array().and_then(|a| a.first().cloned())
    })
    .await;
    let r = app.post(&format!("/v1/jobs/{}/retry", job["id"].as_str().unwrap()), &owner.token, json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "job_not_dead");
    app.stop().await;
}
