//! Contacts, lists, consents, debts and the bulk API.

use crate::{both, harness::*};
use reqwest::StatusCode;
use serde_json::json;

both!(contact_crud_dedupe_and_search, bulk_create_merges_and_reports_rows, consents_debts_and_lists);

async fn contact_crud_dedupe_and_search(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = app.signup("Leads Inc").await;
    let t = o.token.as_str();
    let c = app
        .post(
            "/v1/contacts",
            t,
            json!({"first_name": "Ann", "last_name": "Lee", "phones": [{"number": "(512) 555-0100", "label": "mobile"}], "emails": ["Ann@Example.com"], "zip": "78701-1234", "state": "tx", "custom": {"plan": "gold"}}),
        )
        .await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.body);
    let id = c.body["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("lead_"));
    assert_eq!(c.body["phones"][0]["number"], "+15125550100");
    assert_eq!(c.body["emails"][0], "ann@example.com");
    assert_eq!((c.body["zip"].as_str(), c.body["state"].as_str()), (Some("78701"), Some("TX")));
    assert_eq!(c.body["custom"]["plan"], "gold");
    // The same phone in another format, or the same email, is a duplicate.
    let dup = app.post("/v1/contacts", t, json!({"phones": [{"number": "+1 512 555 0100"}]})).await;
    assert_eq!((dup.status, dup.code()), (StatusCode::CONFLICT, "duplicate_contact"));
    assert!(dup.body["detail"].as_str().unwrap().contains(&id));
    let dup = app.post("/v1/contacts", t, json!({"emails": ["ANN@example.com"]})).await;
    assert_eq!(dup.code(), "duplicate_contact");
    let bad = app
        .post(
            "/v1/contacts",
            t,
            json!({"phones": [{"number": "555-0100"}], "zip": "7870", "state": "XX", "stage": "weird"}),
        )
        .await;
    assert_eq!(bad.code(), "validation_failed");
    for f in ["phones[0].number", "zip", "state", "stage"] {
        assert!(bad.body["fields"][f].is_string(), "{f}: {}", bad.body);
    }
    let none = app.post("/v1/contacts", t, json!({"first_name": "Nobody"})).await;
    assert!(none.body["fields"]["phones"].is_string());
    app.post("/v1/contacts", t, json!({"first_name": "Bob", "phones": [{"number": "2125550111"}]})).await;
    for (q, n) in [("512-555-0100", 1), ("ann@example.com", 1), ("Lee", 1), ("Bo", 1), ("zzz", 0)] {
        let r = app.get(&format!("/v1/contacts?q={}", q.replace('@', "%40")), t).await;
        assert_eq!(r.body["data"].as_array().unwrap().len(), n, "{q}: {}", r.body);
    }
    assert_eq!(app.get("/v1/contacts?state=TX", t).await.body["data"].as_array().unwrap().len(), 1);
    let p = app
        .patch(
            &format!("/v1/contacts/{id}"),
            t,
            json!({"first_name": "Annie", "phones": [{"number": "512 555 0199"}], "stage": "contacted"}),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(p.body["first_name"], "Annie");
    assert_eq!(p.body["phones"].as_array().unwrap().len(), 2);
    assert_eq!(p.body["stage"], "contacted");
    assert_eq!(app.delete(&format!("/v1/contacts/{id}"), t).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/v1/contacts/{id}"), t).await.status, StatusCode::NOT_FOUND);
    // The phone is free again.
    assert_eq!(
        app.post("/v1/contacts", t, json!({"phones": [{"number": "5125550100"}]})).await.status,
        StatusCode::CREATED
    );
    app.stop().await;
}

async fn bulk_create_merges_and_reports_rows(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = app.signup("Bulk").await;
    let t = o.token.as_str();
    let list = app.post("/v1/lists", t, json!({"name": "November"})).await.body["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            "/v1/contacts/bulk",
            t,
            json!({"list_id": list, "contacts": [
                {"first_name": "A", "phones": [{"number": "5125550100"}]},
                {"first_name": "B", "phones": [{"number": "nope"}]},
                {"last_name": "Again", "phones": [{"number": "(512) 555-0100"}], "emails": ["a@x.test"]},
                {"first_name": "C", "emails": ["c@x.test"], "zip": "10001"}
            ]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.body["created"].as_u64(), r.body["merged"].as_u64(), r.body["failed"].as_u64()),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(r.body["rows"][1]["status"], "failed");
    assert!(r.body["rows"][1]["errors"]["phones[0].number"].is_string());
    let merged_id = r.body["rows"][2]["contact_id"].as_str().unwrap();
    assert_eq!(merged_id, r.body["rows"][0]["contact_id"].as_str().unwrap());
    let merged = app.get(&format!("/v1/contacts/{merged_id}"), t).await;
    assert_eq!(merged.body["first_name"], "A", "existing values win");
    assert_eq!(merged.body["last_name"], "Again", "empty fields are filled");
    assert_eq!(merged.body["emails"], json!(["a@x.test"]));
    assert_eq!(app.get(&format!("/v1/lists/{list}"), t).await.body["size"], 2);
    assert_eq!(app.get(&format!("/v1/contacts?list_id={list}"), t).await.body["data"].as_array().unwrap().len(), 2);
    let too_many: Vec<_> = (0..1001).map(|i| json!({"phones": [{"number": format!("512555{:04}", i)}]})).collect();
    assert_eq!(app.post("/v1/contacts/bulk", t, json!({"contacts": too_many})).await.code(), "validation_failed");
    app.stop().await;
}

async fn consents_debts_and_lists(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = app.signup("Consent").await;
    let t = o.token.as_str();
    let id = app.post("/v1/contacts", t, json!({"phones": [{"number": "5125550100"}]})).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let c = app
        .post(
            &format!("/v1/contacts/{id}/consents"),
            t,
            json!({"address": "512-555-0100", "level": "prior_express_written", "channels": ["voice", "sms"], "source": "web form", "evidence": "https://forms.example/123", "given_at": "2026-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.body);
    let bad = app
        .post(&format!("/v1/contacts/{id}/consents"), t, json!({"address": "2125550000", "level": "prior_express", "channels": ["voice"], "source": "x", "given_at": "2026-01-01T00:00:00Z"}))
        .await;
    assert_eq!(bad.code(), "validation_failed", "consent for a number the contact does not have");
    let d = app
        .post(
            &format!("/v1/contacts/{id}/debts"),
            t,
            json!({"account_number": "A-1", "creditor": "Bank", "balance_cents": 12345}),
        )
        .await;
    assert_eq!(d.status, StatusCode::CREATED);
    let full = app.get(&format!("/v1/contacts/{id}"), t).await;
    assert_eq!(full.body["consents"][0]["level"], "prior_express_written");
    assert_eq!(full.body["consents"][0]["channels"], json!(["voice", "sms"]));
    assert_eq!(full.body["debts"][0]["balance_cents"], 12345);
    let cid = c.body["id"].as_str().unwrap();
    assert_eq!(app.delete(&format!("/v1/contacts/{id}/consents/{cid}"), t).await.status, StatusCode::NO_CONTENT);
    assert!(app.get(&format!("/v1/contacts/{id}"), t).await.body["consents"][0]["revoked_at"].is_string());
    let l = app.post("/v1/lists", t, json!({"name": "L"})).await.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.patch(&format!("/v1/contacts/{id}"), t, json!({"list_ids": [l]})).await.body["list_ids"],
        json!([l])
    );
    assert_eq!(
        app.patch(&format!("/v1/contacts/{id}"), t, json!({"list_ids": ["list_01JD3T6X8Q4M2N7P9R5S0T1VWX"]}))
            .await
            .code(),
        "validation_failed"
    );
    // A deleted contact leaves the list.
    let other = app.post("/v1/contacts", t, json!({"phones": [{"number": "2125550177"}], "list_ids": [l]})).await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.body);
    assert_eq!(app.get(&format!("/v1/lists/{l}"), t).await.body["size"], 2);
    let other = other.body["id"].as_str().unwrap();
    assert_eq!(app.delete(&format!("/v1/contacts/{other}"), t).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/v1/lists/{l}"), t).await.body["size"], 1);
    assert_eq!(app.delete(&format!("/v1/lists/{l}"), t).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/v1/contacts/{id}"), t).await.body["list_ids"], json!([]));
    app.stop().await;
}
