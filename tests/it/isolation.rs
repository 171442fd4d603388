//! Tenant isolation: for every resource, another agency's credential can neither read, list,
//! update nor delete it; another tenant's ids answer 404 and nothing changes.

use crate::{both, harness::*};
use reqwest::StatusCode;
use serde_json::{Value, json};

both!(cross_tenant_every_resource);

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
