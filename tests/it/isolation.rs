//! Tenant isolation: for every resource, another agency's credential can neither read, list,
//! update nor delete it; another tenant's ids answer 404 and nothing changes.

use crate::{both, harness::*};
use reqwest::StatusCode;
use serde_json::{Value, json};

both!(cross_tenant_every_resource, cross_tenant_contacts_and_compliance);

fn ids(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["id"].as_str().or(x["user"]["id"].as_str()).map(str::to_owned)).collect())
        .unwrap_or_default()
}

async fn cross_tenant_every_resource(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = app.signup("Alpha").await;
    let b = app.signup("Bravo").await;
    let b_key = app.post("/v1/api-keys", &b.token, json!({"name": "b"})).await.body["key"].as_str().unwrap().to_owned();
    let (_, a_agent) = app.add_member(&a, "agent").await;

    // A's resources.
    let team = app.post("/v1/teams", &a.token, json!({"name": "A team"})).await.body["id"].as_str().unwrap().to_owned();
    assert_eq!(app.put(&format!("/v1/teams/{team}/members/{a_agent}"), &a.token).await.status, StatusCode::NO_CONTENT);
    let key = app.post("/v1/api-keys", &a.token, json!({"name": "a"})).await;
    let key_id = key.body["id"].as_str().unwrap().to_owned();
    let a_key = key.body["key"].as_str().unwrap().to_owned();
    let inv = app.post("/v1/invitations", &a.token, json!({"email": "someone@alpha.test", "role": "agent"})).await.body
        ["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.wait_mail(&format!("invitation:{inv}")).await;
    let jobs = eventually("a job row", || async {
        let r = app.get("/v1/jobs", &a.token).await;
        (!ids(&r.body).is_empty()).then_some(ids(&r.body))
    })
    .await;
    let job = jobs[0].clone();

    for cred in [b.token.as_str(), b_key.as_str()] {
        // Reads: 404 for another tenant's ids.
        for path in [
            format!("/v1/teams/{team}"),
            format!("/v1/teams/{team}/members"),
            format!("/v1/api-keys/{key_id}"),
            format!("/v1/invitations/{inv}"),
            format!("/v1/members/{}", a.user_id),
            format!("/v1/members/{a_agent}"),
            format!("/v1/jobs/{job}"),
        ] {
            let r = app.get(&path, cred).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "GET {path}: {}", r.body);
            assert_eq!(r.code(), "not_found");
        }
        // Lists: only B's own rows.
        for path in ["/v1/teams", "/v1/api-keys", "/v1/invitations", "/v1/members", "/v1/jobs"] {
            let r = app.get(path, cred).await;
            assert_eq!(r.status, StatusCode::OK, "GET {path}: {}", r.body);
            let seen = ids(&r.body);
            for foreign in [&team, &key_id, &inv, &a.user_id, &a_agent, &job] {
                assert!(!seen.contains(foreign), "{path} leaked {foreign}");
            }
        }
        // Updates and deletes: 404.
        let attempts = [
            app.patch(&format!("/v1/teams/{team}"), cred, json!({"name": "hijacked"})).await,
            app.delete(&format!("/v1/teams/{team}"), cred).await,
            app.put(&format!("/v1/teams/{team}/members/{a_agent}"), cred).await,
            app.delete(&format!("/v1/teams/{team}/members/{a_agent}"), cred).await,
            app.delete(&format!("/v1/api-keys/{key_id}"), cred).await,
            app.delete(&format!("/v1/invitations/{inv}"), cred).await,
            app.patch(&format!("/v1/members/{a_agent}"), cred, json!({"role": "admin"})).await,
            app.delete(&format!("/v1/members/{a_agent}"), cred).await,
            app.post(&format!("/v1/jobs/{job}/retry"), cred, json!({})).await,
        ];
        for r in attempts {
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        }
        // B cannot pull A's member into B's team either.
        let b_team = app.post("/v1/teams", &b.token, json!({"name": format!("B team {}", random_suffix())})).await.body
            ["id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(app.put(&format!("/v1/teams/{b_team}/members/{a_agent}"), cred).await.status, StatusCode::NOT_FOUND);
        // The tenant comes from the credential only: B's tenant endpoint shows B.
        assert_eq!(app.get("/v1/tenant", cred).await.body["id"], b.tenant_id.as_str());
    }

    // Nothing of A's changed.
    assert_eq!(app.get(&format!("/v1/teams/{team}"), &a.token).await.body["name"], "A team");
    assert_eq!(app.get(&format!("/v1/teams/{team}/members"), &a.token).await.body["user_ids"], json!([a_agent]));
    assert_eq!(app.get("/v1/me", &a_key).await.status, StatusCode::OK);
    assert_eq!(app.get(&format!("/v1/invitations/{inv}"), &a.token).await.body["status"], "pending");
    assert_eq!(app.get(&format!("/v1/members/{a_agent}"), &a.token).await.body["role"], "agent");
    assert_eq!(app.get("/v1/tenant", &a.token).await.body["name"], "Alpha");
    app.stop().await;
}

async fn cross_tenant_contacts_and_compliance(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = app.signup("Alpha Leads").await;
    let b = app.signup("Bravo Leads").await;
    let t = a.token.as_str();
    let contact = app
        .post("/v1/contacts", t, json!({"first_name": "Ann", "phones": [{"number": "5125550100"}]}))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let consent = app
        .post(&format!("/v1/contacts/{contact}/consents"), t, json!({"address": "5125550100", "level": "prior_express", "channels": ["voice"], "source": "form", "given_at": "2026-01-01T00:00:00Z"}))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let list = app.post("/v1/lists", t, json!({"name": "A list"})).await.body["id"].as_str().unwrap().to_owned();
    let dnc = app.post("/v1/dnc", t, json!({"phone": "2125550100"})).await.body["id"].as_str().unwrap().to_owned();
    let sup = app.post("/v1/suppression-lists", t, json!({"name": "A lits", "kind": "custom"})).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(&format!("/v1/suppression-lists/{sup}/entries"), t, json!({"phones": ["3125550100"]})).await;
    let audit = app
        .post(
            "/v1/compliance/check",
            t,
            json!({"contact_id": contact, "phone": "5125550100", "channel": "voice", "purpose": "informational"}),
        )
        .await
        .body["audit_id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post("/v1/attempts", t, json!({"contact_id": contact, "address": "5125550100", "channel": "voice", "purpose": "informational", "outcome": "no_answer", "occurred_at": "2026-11-01T15:00:00Z"})).await;
    let bt = b.token.as_str();
    for path in [
        format!("/v1/contacts/{contact}"),
        format!("/v1/lists/{list}"),
        format!("/v1/dnc/{dnc}"),
        format!("/v1/suppression-lists/{sup}"),
        format!("/v1/compliance/audit/{audit}"),
    ] {
        let r = app.get(&path, bt).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "GET {path}: {}", r.body);
    }
    for path in [
        "/v1/contacts",
        "/v1/lists",
        "/v1/dnc",
        "/v1/suppression-lists",
        "/v1/compliance/audit",
        "/v1/attempts",
        "/v1/contacts?q=5125550100",
    ] {
        let r = app.get(path, bt).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        assert_eq!(r.body["data"], json!([]), "{path} leaked: {}", r.body);
    }
    let export = app
        .client
        .get(format!("{}/v1/compliance/audit/export", app.base))
        .bearer_auth(bt)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(export.lines().count(), 1, "only the header: {export}");
    for r in [
        app.patch(&format!("/v1/contacts/{contact}"), bt, json!({"first_name": "Mallory"})).await,
        app.delete(&format!("/v1/contacts/{contact}"), bt).await,
        app.post(&format!("/v1/contacts/{contact}/consents"), bt, json!({"address": "5125550100", "level": "prior_express", "channels": ["voice"], "source": "x", "given_at": "2026-01-01T00:00:00Z"})).await,
        app.delete(&format!("/v1/contacts/{contact}/consents/{consent}"), bt).await,
        app.post(&format!("/v1/contacts/{contact}/debts"), bt, json!({})).await,
        app.delete(&format!("/v1/lists/{list}"), bt).await,
        app.delete(&format!("/v1/dnc/{dnc}"), bt).await,
        app.delete(&format!("/v1/suppression-lists/{sup}"), bt).await,
        app.post(&format!("/v1/suppression-lists/{sup}/entries"), bt, json!({"phones": ["5125550199"]})).await,
        app.post("/v1/compliance/check", bt, json!({"contact_id": contact, "phone": "5125550100", "channel": "voice", "purpose": "informational"})).await,
        app.post("/v1/attempts", bt, json!({"contact_id": contact, "address": "5125550100", "channel": "voice", "purpose": "informational", "outcome": "no_answer", "occurred_at": "2026-11-01T15:00:00Z"})).await,
    ] {
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    }
    // B may hold the same numbers without seeing or touching A's: duplicates are per tenant,
    // and A's DNC and suppression entries do not block B.
    assert_eq!(
        app.post("/v1/contacts", bt, json!({"phones": [{"number": "5125550100"}]})).await.status,
        StatusCode::CREATED
    );
    for phone in ["2125550100", "3125550100"] {
        let r = app
            .post(
                "/v1/compliance/check",
                bt,
                json!({"phone": phone, "channel": "voice", "purpose": "informational", "at": "2026-11-24T17:00:00Z"}),
            )
            .await;
        assert_eq!(r.body["decision"], "allow", "{phone}: {}", r.body);
    }
    // Nothing of A's changed.
    let c = app.get(&format!("/v1/contacts/{contact}"), t).await;
    assert_eq!(c.body["first_name"], "Ann");
    assert!(c.body["consents"][0]["revoked_at"].is_null());
    assert_eq!(app.get(&format!("/v1/dnc/{dnc}"), t).await.status, StatusCode::OK);
    assert_eq!(app.get(&format!("/v1/suppression-lists/{sup}"), t).await.body["entries"], 1);
    assert_eq!(app.get("/v1/attempts", t).await.body["data"].as_array().unwrap().len(), 1);
    app.stop().await;
}
