//! The compliance gate through `POST /v1/compliance/check`: DNC lists, suppression lists,
//! the attempt ledger, settings and the audit log.

use crate::{both, harness::*};
use reqwest::StatusCode;
use serde_json::{Value, json};

both!(
    dnc_entry_blocks_the_very_next_check,
    ledger_drives_reg_f_and_audit_records_everything,
    suppression_and_state_lists,
    settings_overrides_apply_and_version
);

fn codes(v: &Value) -> Vec<String> {
    v["reasons"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap().to_owned()).collect()
}

async fn dnc_entry_blocks_the_very_next_check(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = app.signup("Gate").await;
    let t = o.token.as_str();
    // A Tuesday, 11:00 in Austin: allowed for an informational call.
    let check =
        json!({"phone": "+15125550100", "channel": "voice", "purpose": "informational", "at": "2026-11-24T17:00:00Z"});
    let r = app.post("/v1/compliance/check", t, check.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["decision"], "allow", "{}", r.body);
    assert_eq!(r.body["zones"], json!(["America/Chicago"]));
    let add = app.post("/v1/dnc", t, json!({"phone": "(512) 555-0100", "reason": "asked on a call"})).await;
    assert_eq!(add.status, StatusCode::CREATED, "{}", add.body);
    let again = app.post("/v1/dnc", t, json!({"phone": "512.555.0100"})).await;
    assert_eq!(
        (again.status, again.body["id"].clone()),
        (StatusCode::OK, add.body["id"].clone()),
        "adding twice is idempotent"
    );
    let r = app.post("/v1/compliance/check", t, check.clone()).await;
    assert_eq!(r.body["decision"], "block");
    assert_eq!(codes(&r.body), vec!["DNC_INTERNAL"]);
    assert_eq!(r.body["next_allowed_at"], Value::Null, "waiting does not lift a DNC block");
    // Emails: an unsubscribe blocks the email channel only.
    app.post("/v1/dnc", t, json!({"email": "ann@example.com"})).await;
    let e = app
        .post(
            "/v1/compliance/check",
            t,
            json!({"email": "Ann@Example.com", "channel": "email", "purpose": "marketing"}),
        )
        .await;
    assert_eq!(codes(&e.body), vec!["OPTED_OUT"], "{}", e.body);
    let listed = app.get("/v1/dnc?phone=5125550100", t).await;
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 1);
    let id = add.body["id"].as_str().unwrap();
    assert_eq!(app.delete(&format!("/v1/dnc/{id}"), t).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.post("/v1/compliance/check", t, check).await.body["decision"], "allow");
    let bad = app.post("/v1/dnc", t, json!({"phone": "12", "email": "x@y.test"})).await;
    assert_eq!(bad.code(), "validation_failed");
    let bad = app
        .post(
            "/v1/compliance/check",
            t,
            json!({"phone": "not a phone", "channel": "voice", "purpose": "informational"}),
        )
        .await;
    assert_eq!(codes(&bad.body), vec!["INVALID_DESTINATION"], "{}", bad.body);
    app.stop().await;
}

async fn ledger_drives_reg_f_and_audit_records_everything(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = app.signup("Collect").await;
    let t = o.token.as_str();
    let id =
        app.post("/v1/contacts", t, json!({"phones": [{"number": "5125550100"}], "zip": "78701"})).await.body["id"]
            .as_str()
            .unwrap()
            .to_owned();
    let debt = app.post(&format!("/v1/contacts/{id}/debts"), t, json!({"account_number": "9"})).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Seven placed calls about the debt over six days (Mon 2026-11-09 .. Sat 11-14).
    for (i, day) in [9, 10, 11, 12, 13, 14, 14].iter().enumerate() {
        let r = app
            .post(
                "/v1/attempts",
                t,
                json!({"contact_id": id, "address": "5125550100", "channel": "voice", "purpose": "collection", "debt_id": debt, "outcome": "no_answer", "occurred_at": format!("2026-11-{day:02}T{:02}:00:00Z", 15 + i)}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let check = json!({"contact_id": id, "phone": "5125550100", "channel": "voice", "purpose": "collection", "debt_id": debt, "at": "2026-11-15T18:00:00Z"});
    let r = app.post("/v1/compliance/check", t, check).await;
    assert_eq!(r.body["decision"], "block", "{}", r.body);
    assert!(codes(&r.body).contains(&"REG_F_7_IN_7".to_owned()), "{}", r.body);
    assert!(r.body["next_allowed_at"].is_string(), "the block lifts as the window rolls: {}", r.body);
    // Another debt of the same consumer has its own counter.
    let other = json!({"contact_id": id, "phone": "5125550100", "channel": "voice", "purpose": "collection", "debt_id": "debt_01JD3T6X8Q4M2N7P9R5S0T1VWX", "at": "2026-11-16T18:00:00Z"});
    assert_eq!(app.post("/v1/compliance/check", t, other).await.body["decision"], "allow");
    // The audit log has both decisions, searchable and exportable.
    let blocks = app.get("/v1/compliance/audit?decision=block&code=REG_F_7_IN_7", t).await;
    assert_eq!(blocks.body["data"].as_array().unwrap().len(), 1, "{}", blocks.body);
    let entry = &blocks.body["data"][0];
    assert_eq!(entry["destination"], "+15125550100");
    assert_eq!(entry["contact_id"], id.as_str());
    assert!(entry["ruleset_version"].as_str().unwrap().starts_with("us-"));
    assert!(entry["actor"].as_str().unwrap().starts_with("user:"));
    let all = app.get(&format!("/v1/compliance/audit?contact_id={id}"), t).await;
    assert_eq!(all.body["data"].as_array().unwrap().len(), 2);
    let csv = app
        .client
        .get(format!("{}/v1/compliance/audit/export?destination=5125550100", app.base))
        .bearer_auth(t)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(text.lines().next().unwrap().starts_with("id,decided_at"));
    assert!(text.contains("REG_F_7_IN_7"));
    let (agent, _) = app.add_member(&o, "agent").await;
    assert_eq!(app.get("/v1/compliance/audit", &agent).await.status, StatusCode::FORBIDDEN);
    app.stop().await;
}

async fn suppression_and_state_lists(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = app.signup("Suppress").await;
    let t = o.token.as_str();
    let lit = app.post("/v1/suppression-lists", t, json!({"name": "Litigators", "kind": "custom"})).await;
    assert_eq!(lit.status, StatusCode::CREATED, "{}", lit.body);
    let lid = lit.body["id"].as_str().unwrap();
    let add = app
        .post(
            &format!("/v1/suppression-lists/{lid}/entries"),
            t,
            json!({"phones": ["5125550100", "bogus", "(512) 555-0100"]}),
        )
        .await;
    assert_eq!(add.status, StatusCode::OK, "{}", add.body);
    assert_eq!(add.body["added"], 1);
    assert_eq!(add.body["invalid"][0]["index"], 1);
    assert_eq!(add.body["list"]["entries"], 1);
    let r = app.post("/v1/compliance/check", t, json!({"phone": "5125550100", "channel": "voice", "purpose": "informational", "at": "2026-11-24T17:00:00Z"})).await;
    assert_eq!(codes(&r.body), vec!["SUPPRESSION_LIST"], "{}", r.body);
    assert_eq!(
        app.post("/v1/suppression-lists", t, json!({"name": "TX", "kind": "state"})).await.code(),
        "validation_failed"
    );
    let tx = app.post("/v1/suppression-lists", t, json!({"name": "Texas DNC", "kind": "state", "state": "TX"})).await;
    let txid = tx.body["id"].as_str().unwrap();
    assert_eq!(
        app.post(&format!("/v1/suppression-lists/{txid}/entries"), t, json!({"phones": ["2145550100"]})).await.code(),
        "validation_failed",
        "a state list needs its copy date"
    );
    let r = app
        .post(
            &format!("/v1/suppression-lists/{txid}/entries"),
            t,
            json!({"phones": ["2145550100"], "copy_obtained_at": "2026-11-20T00:00:00Z"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let m = app
        .post(
            "/v1/compliance/check",
            t,
            json!({"phone": "2145550100", "channel": "voice", "purpose": "marketing", "at": "2026-11-24T17:00:00Z"}),
        )
        .await;
    assert!(codes(&m.body).contains(&"DNC_STATE".to_owned()), "{}", m.body);
    // Registries bind telemarketing only.
    let i = app.post("/v1/compliance/check", t, json!({"phone": "2145550100", "channel": "voice", "purpose": "informational", "at": "2026-11-24T17:00:00Z"})).await;
    assert_eq!(i.body["decision"], "allow", "{}", i.body);
    assert_eq!(app.delete(&format!("/v1/suppression-lists/{lid}"), t).await.status, StatusCode::NO_CONTENT);
    let r = app.post("/v1/compliance/check", t, json!({"phone": "5125550100", "channel": "voice", "purpose": "informational", "at": "2026-11-24T17:00:00Z"})).await;
    assert_eq!(r.body["decision"], "allow");
    app.stop().await;
}

async fn settings_overrides_apply_and_version(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = app.signup("Settings").await;
    let t = o.token.as_str();
    let s = app.get("/v1/compliance/settings", t).await;
    assert_eq!(s.body["revision"], 0);
    // 20:59:00 Central on a weekday: allowed with the default 30 s guard band...
    let late =
        json!({"phone": "5125550100", "channel": "voice", "purpose": "informational", "at": "2026-11-25T02:59:00Z"});
    assert_eq!(app.post("/v1/compliance/check", t, late.clone()).await.body["decision"], "allow");
    // ...blocked with a 90 s ring-time guard band.
    let put = app
        .req(
            reqwest::Method::PUT,
            "/v1/compliance/settings",
            Some(t),
            Some(json!({"overrides": {"guard_band_seconds": 90}, "subscribed_area_codes": [512, 214]})),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    assert_eq!(put.body["revision"], 1);
    assert_eq!(put.body["subscribed_area_codes"], json!([214, 512]));
    let r = app.post("/v1/compliance/check", t, late).await;
    assert_eq!(codes(&r.body), vec!["CALLING_HOURS"], "{}", r.body);
    assert!(r.body["ruleset_version"].as_str().unwrap().ends_with("+t1"));
    let bad = app
        .req(
            reqwest::Method::PUT,
            "/v1/compliance/settings",
            Some(t),
            Some(json!({"overrides": {"guard_band_seconds": "long"}, "subscribed_area_codes": []})),
        )
        .await;
    assert_eq!(bad.code(), "validation_failed");
    let bad = app
        .req(
            reqwest::Method::PUT,
            "/v1/compliance/settings",
            Some(t),
            Some(json!({"overrides": {}, "subscribed_area_codes": [1]})),
        )
        .await;
    assert_eq!(bad.code(), "validation_failed");
    app.stop().await;
}
