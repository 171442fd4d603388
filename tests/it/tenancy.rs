//! Invitations, members, roles and teams as an agency uses them.

use crate::{both, harness::*};
use reqwest::StatusCode;
use serde_json::json;

both!(invitation_flow, existing_user_joins_second_agency, members_and_roles, teams_crud_and_membership, role_checks);

async fn invitation_flow(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.signup("Invite Co").await;
    let team = app.post("/v1/teams", &owner.token, json!({"name": "Closers"})).await;
    let team_id = team.body["id"].as_str().unwrap();
    let inv = app
        .post(
            "/v1/invitations",
            &owner.token,
            json!({"email": "Bob@Example.test", "role": "agent", "team_id": team_id}),
        )
        .await;
    assert_eq!(inv.status, StatusCode::CREATED, "{}", inv.body);
    assert_eq!(inv.body["email"], "bob@example.test");
    assert_eq!(inv.body["status"], "pending");
    let id = inv.body["id"].as_str().unwrap();
    let dup = app.post("/v1/invitations", &owner.token, json!({"email": "bob@example.test", "role": "agent"})).await;
    assert_eq!(dup.code(), "invitation_pending");
    let mail = app.wait_mail(&format!("invitation:{id}")).await;
    assert_eq!(mail["to"], "bob@example.test");
    assert!(mail["subject"].as_str().unwrap().contains("Invite Co"));
    let token = token_from_mail(&mail);
    let sent = eventually("email_sent_at", || async {
        let r = app.get(&format!("/v1/invitations/{id}"), &owner.token).await;
        r.body["email_sent_at"].is_string().then_some(r)
    })
    .await;
    assert_eq!(sent.body["status"], "pending");
    // A new person must give a name and a password.
    let missing = app.post_anon("/v1/invitations/accept", json!({"token": token})).await;
    assert_eq!(missing.code(), "validation_failed");
    let acc =
        app.post_anon("/v1/invitations/accept", json!({"token": token, "name": "Bob", "password": PASSWORD})).await;
    assert_eq!(acc.status, StatusCode::OK, "{}", acc.body);
    assert_eq!(acc.body["role"], "agent");
    assert_eq!(acc.body["tenant"]["id"], owner.tenant_id.as_str());
    let bob_id = acc.body["user"]["id"].as_str().unwrap();
    let again =
        app.post_anon("/v1/invitations/accept", json!({"token": token, "name": "Bob", "password": PASSWORD})).await;
    assert_eq!(again.code(), "invalid_invitation");
    let members = app.get(&format!("/v1/teams/{team_id}/members"), &owner.token).await;
    assert_eq!(members.body["user_ids"], json!([bob_id]));
    let login = app.post_anon("/v1/auth/login", json!({"email": "bob@example.test", "password": PASSWORD})).await;
    assert_eq!(login.status, StatusCode::OK);
    assert_eq!(app.get(&format!("/v1/invitations/{id}"), &owner.token).await.body["status"], "accepted");
    // A revoked invitation's link dies.
    let inv2 =
        app.post("/v1/invitations", &owner.token, json!({"email": "carol@example.test", "role": "supervisor"})).await;
    let id2 = inv2.body["id"].as_str().unwrap();
    let mail2 = app.wait_mail(&format!("invitation:{id2}")).await;
    assert_eq!(app.delete(&format!("/v1/invitations/{id2}"), &owner.token).await.status, StatusCode::NO_CONTENT);
    let r = app
        .post_anon(
            "/v1/invitations/accept",
            json!({"token": token_from_mail(&mail2), "name": "Carol", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.code(), "invalid_invitation");
    app.stop().await;
}

async fn existing_user_joins_second_agency(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = app.signup("First").await;
    let second = app.signup("Second").await;
    let inv = app.post("/v1/invitations", &second.token, json!({"email": first.email, "role": "supervisor"})).await;
    assert_eq!(inv.status, StatusCode::CREATED, "{}", inv.body);
    let mail = app.wait_mail(&format!("invitation:{}", inv.body["id"].as_str().unwrap())).await;
    let acc = app.post_anon("/v1/invitations/accept", json!({"token": token_from_mail(&mail)})).await;
    assert_eq!(acc.status, StatusCode::OK, "{}", acc.body);
    assert_eq!(acc.body["tenant"]["id"], second.tenant_id.as_str());
    assert_eq!(acc.body["user"]["id"], first.user_id.as_str());
    // Login picks the first agency unless told; the slug chooses the other.
    let slug = acc.body["tenant"]["slug"].as_str().unwrap();
    let l1 = app.post_anon("/v1/auth/login", json!({"email": first.email, "password": PASSWORD})).await;
    assert_eq!(l1.body["tenant"]["id"], first.tenant_id.as_str());
    let l2 = app.post_anon("/v1/auth/login", json!({"email": first.email, "password": PASSWORD, "tenant": slug})).await;
    assert_eq!(l2.body["tenant"]["id"], second.tenant_id.as_str());
    assert_eq!(l2.body["role"], "supervisor");
    let inv = app.post("/v1/invitations", &second.token, json!({"email": first.email, "role": "agent"})).await;
    assert_eq!(inv.code(), "already_member");
    app.stop().await;
}

async fn members_and_roles(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.signup("Roles").await;
    let (agent, agent_id) = app.add_member(&owner, "agent").await;
    let (admin, admin_id) = app.add_member(&owner, "admin").await;
    let list = app.get("/v1/members?limit=2", &owner.token).await;
    assert_eq!(list.body["data"].as_array().unwrap().len(), 2);
    let next = list.body["next_cursor"].as_str().unwrap();
    let rest = app.get(&format!("/v1/members?limit=2&cursor={next}"), &owner.token).await;
    assert_eq!(rest.body["data"].as_array().unwrap().len(), 1);
    assert!(rest.body["next_cursor"].is_null());
    // Promote the agent; the agent's next request carries the new role.
    let p = app.patch(&format!("/v1/members/{agent_id}"), &admin, json!({"role": "supervisor"})).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(app.get("/v1/me", &agent).await.body["role"], "supervisor");
    // Admins cannot make owners or touch owners; the last owner stays.
    assert_eq!(
        app.patch(&format!("/v1/members/{agent_id}"), &admin, json!({"role": "owner"})).await.code(),
        "validation_failed"
    );
    assert_eq!(app.delete(&format!("/v1/members/{}", owner.user_id), &admin).await.code(), "forbidden");
    assert_eq!(
        app.patch(&format!("/v1/members/{}", owner.user_id), &owner.token, json!({"role": "admin"})).await.code(),
        "last_owner"
    );
    assert_eq!(
        app.patch(&format!("/v1/members/{agent_id}"), &agent, json!({"role": "admin"})).await.code(),
        "forbidden"
    );
    // A removed member's token stops working at once.
    assert_eq!(app.delete(&format!("/v1/members/{admin_id}"), &owner.token).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/v1/me", &admin).await.status, StatusCode::UNAUTHORIZED);
    let tenant = app.patch("/v1/tenant", &owner.token, json!({"name": "Roles & Co"})).await;
    assert_eq!(tenant.body["name"], "Roles & Co");
    app.stop().await;
}

async fn teams_crud_and_membership(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.signup("Teams").await;
    let (_, agent_id) = app.add_member(&owner, "agent").await;
    let t = app.post("/v1/teams", &owner.token, json!({"name": "Day shift"})).await;
    assert_eq!(t.status, StatusCode::CREATED);
    let id = t.body["id"].as_str().unwrap();
    assert_eq!(app.post("/v1/teams", &owner.token, json!({"name": "Day shift"})).await.code(), "team_name_taken");
    assert_eq!(
        app.patch(&format!("/v1/teams/{id}"), &owner.token, json!({"name": "Night shift"})).await.body["name"],
        "Night shift"
    );
    assert_eq!(
        app.put(&format!("/v1/teams/{id}/members/{agent_id}"), &owner.token).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.put(&format!("/v1/teams/{id}/members/{agent_id}"), &owner.token).await.code(), "already_in_team");
    assert_eq!(
        app.put(&format!("/v1/teams/{id}/members/usr_01JD3T6X8Q4M2N7P9R5S0T1VWX"), &owner.token).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get(&format!("/v1/teams/{id}/members"), &owner.token).await.body["user_ids"], json!([agent_id]));
    assert_eq!(
        app.delete(&format!("/v1/teams/{id}/members/{agent_id}"), &owner.token).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.delete(&format!("/v1/teams/{id}"), &owner.token).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/v1/teams/{id}"), &owner.token).await.status, StatusCode::NOT_FOUND);
    app.stop().await;
}

async fn role_checks(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.signup("Checks").await;
    let (agent, _) = app.add_member(&owner, "agent").await;
    for r in [
        app.post("/v1/teams", &agent, json!({"name": "x"})).await,
        app.post("/v1/invitations", &agent, json!({"email": "z@z.test", "role": "agent"})).await,
        app.get("/v1/invitations", &agent).await,
        app.get("/v1/jobs", &agent).await,
        app.patch("/v1/tenant", &agent, json!({"name": "mine now"})).await,
    ] {
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert_eq!(r.code(), "forbidden");
    }
    // Reads any member may do.
    assert_eq!(app.get("/v1/teams", &agent).await.status, StatusCode::OK);
    assert_eq!(app.get("/v1/members", &agent).await.status, StatusCode::OK);
    app.stop().await;
}
