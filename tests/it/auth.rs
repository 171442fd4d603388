//! Signup, login, API keys, sessions, lockout, password change and reset.

use crate::{both, harness::*};
use reqwest::StatusCode;
use serde_json::json;

both!(
    signup_login_api_key_me,
    bad_signups_write_nothing,
    wrong_password_and_lockout,
    refresh_rotates_and_reuse_revokes_family,
    logout_ends_the_session,
    tampered_expired_and_revoked_credentials,
    password_change_and_reset,
    api_key_role_is_capped,
);

async fn signup_login_api_key_me(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.signup("Acme Collections").await;
    let login = app.post_anon("/v1/auth/login", json!({"email": owner.email, "password": owner.password})).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    assert_eq!(login.body["tenant"]["slug"], "acme-collections");
    assert_eq!(login.body["role"], "owner");
    let token = login.body["access_token"].as_str().unwrap();
    let key = app.post("/v1/api-keys", token, json!({"name": "CRM sync"})).await;
    assert_eq!(key.status, StatusCode::CREATED, "{}", key.body);
    let secret = key.body["key"].as_str().unwrap();
    assert!(secret.starts_with("od_"));
    let me = app.get("/v1/me", secret).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(me.body["credential"], "api_key");
    assert_eq!(me.body["tenant"]["id"], owner.tenant_id.as_str());
    assert_eq!(me.body["user"]["email"], owner.email.as_str());
    // Shown once: reading the key back never reveals the secret, and last use is recorded.
    let id = key.body["id"].as_str().unwrap();
    let read = app.get(&format!("/v1/api-keys/{id}"), token).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(read.body.get("key").is_none());
    assert!(!read.body.to_string().contains(secret));
    assert!(read.body["last_used_at"].is_string(), "{}", read.body);
    app.stop().await;
}

async fn bad_signups_write_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let cases = [
        (json!({"agency_name": "A", "name": "N", "email": "not-an-email", "password": PASSWORD}), "email"),
        (json!({"agency_name": "A", "name": "N", "email": "x@y.test", "password": "short"}), "password"),
        (json!({"agency_name": "A", "name": "N", "email": "x@y.test", "password": "alllowercaseletters"}), "password"),
        (json!({"agency_name": "", "name": "N", "email": "x@y.test", "password": PASSWORD}), "agency_name"),
    ];
    for (body, field) in cases {
        let r = app.post_anon("/v1/auth/signup", body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.code(), "validation_failed");
        assert!(r.body["fields"][field].is_string(), "{field}: {}", r.body);
    }
    let r = app.post_anon("/v1/auth/signup", json!({"agency_name": "A", "name": "N", "email": "x@y.test"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "invalid_body");
    // Nothing half-written: the address is still free.
    let ok = app
        .post_anon(
            "/v1/auth/signup",
            json!({"agency_name": "A", "name": "N", "email": "x@y.test", "password": PASSWORD}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    let dup = app
        .post_anon(
            "/v1/auth/signup",
            json!({"agency_name": "B", "name": "N", "email": "X@Y.test", "password": PASSWORD}),
        )
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    assert_eq!(dup.code(), "email_taken");
    app.stop().await;
}

async fn wrong_password_and_lockout(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.signup("Lock").await;
    let unknown = app.post_anon("/v1/auth/login", json!({"email": "nobody@nowhere.test", "password": "x"})).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.code(), "invalid_credentials");
    for _ in 0..5 {
        let r = app.post_anon("/v1/auth/login", json!({"email": owner.email, "password": "Wrong-password-1"})).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.code(), "invalid_credentials");
    }
    // Locked: even the right password is refused until the lock ends.
    let r = app.post_anon("/v1/auth/login", json!({"email": owner.email, "password": owner.password})).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert_eq!(r.code(), "account_locked");
    app.stop().await;
}

async fn refresh_rotates_and_reuse_revokes_family(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.signup("Rotate").await;
    let first = app.post_anon("/v1/auth/refresh", json!({"refresh_token": owner.refresh})).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let second_refresh = first.body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second_refresh, owner.refresh);
    // Replaying the used token is detected and revokes the whole family, new token included.
    let replay = app.post_anon("/v1/auth/refresh", json!({"refresh_token": owner.refresh})).await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
    assert_eq!(replay.code(), "refresh_token_reused");
    let after = app.post_anon("/v1/auth/refresh", json!({"refresh_token": second_refresh})).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(after.code(), "invalid_refresh_token");
    let junk = app.post_anon("/v1/auth/refresh", json!({"refresh_token": "rt_nope"})).await;
    assert_eq!(junk.code(), "invalid_refresh_token");
    app.stop().await;
}

async fn logout_ends_the_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.signup("Logout").await;
    let r = app.post_anon("/v1/auth/logout", json!({"refresh_token": owner.refresh})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let after = app.post_anon("/v1/auth/refresh", json!({"refresh_token": owner.refresh})).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

async fn tampered_expired_and_revoked_credentials(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.signup("Creds").await;
    let none = app.req(reqwest::Method::GET, "/v1/me", None, None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(none.code(), "unauthenticated");
    let mut tampered = owner.token.clone();
    let mid = tampered.len() / 2;
    let c = if &tampered[mid..mid + 1] == "A" { "B" } else { "A" };
    tampered.replace_range(mid..mid + 1, c);
    assert_eq!(app.get("/v1/me", &tampered).await.code(), "invalid_token");
    // A token signed with another secret, and one that has expired.
    let other = outdial_infra::auth::jwt::JwtKeys::new(&[9u8; 32], 60);
    let now = chrono::Utc::now().timestamp();
    let forged = other.issue(&owner.user_id, &owner.tenant_id, "owner", now).unwrap();
    assert_eq!(app.get("/v1/me", &forged).await.code(), "invalid_token");
    let secret = std::fs::read_to_string(app.data_dir.0.join("jwt.secret")).unwrap();
    let real = outdial_infra::auth::jwt::JwtKeys::new(secret.trim().as_bytes(), 60);
    let expired = real.issue(&owner.user_id, &owner.tenant_id, "owner", now - 3600).unwrap();
    let r = app.get("/v1/me", &expired).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.code(), "token_expired");
    let valid = real.issue(&owner.user_id, &owner.tenant_id, "owner", now).unwrap();
    assert_eq!(app.get("/v1/me", &valid).await.status, StatusCode::OK);
    // A revoked API key stops working at once.
    let key = app.post("/v1/api-keys", &owner.token, json!({"name": "temp"})).await;
    let secret = key.body["key"].as_str().unwrap();
    assert_eq!(app.get("/v1/me", secret).await.status, StatusCode::OK);
    let del = app.delete(&format!("/v1/api-keys/{}", key.body["id"].as_str().unwrap()), &owner.token).await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    let r = app.get("/v1/me", secret).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.code(), "api_key_revoked");
    let mut wrong = secret.to_owned();
    wrong.push('x');
    assert_eq!(app.get("/v1/me", &wrong).await.code(), "invalid_api_key");
    app.stop().await;
}

async fn password_change_and_reset(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.signup("Pw").await;
    let bad = app
        .post("/v1/auth/password", &owner.token, json!({"current_password": "nope", "new_password": "Another-pass-77"}))
        .await;
    assert_eq!(bad.code(), "invalid_credentials");
    let weak = app
        .post("/v1/auth/password", &owner.token, json!({"current_password": PASSWORD, "new_password": "weak"}))
        .await;
    assert_eq!(weak.code(), "validation_failed");
    let ok = app
        .post(
            "/v1/auth/password",
            &owner.token,
            json!({"current_password": PASSWORD, "new_password": "Another-pass-77"}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT, "{}", ok.body);
    // Other sessions are signed out; the new password works, the old does not.
    assert_eq!(
        app.post_anon("/v1/auth/refresh", json!({"refresh_token": owner.refresh})).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.post_anon("/v1/auth/login", json!({"email": owner.email, "password": PASSWORD})).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.post_anon("/v1/auth/login", json!({"email": owner.email, "password": "Another-pass-77"})).await.status,
        StatusCode::OK
    );
    // Reset by email: unknown addresses get the same answer.
    assert_eq!(
        app.post_anon("/v1/auth/password-reset", json!({"email": "ghost@nowhere.test"})).await.status,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        app.post_anon("/v1/auth/password-reset", json!({"email": owner.email})).await.status,
        StatusCode::ACCEPTED
    );
    let mail = app.wait_mail("password_reset:").await;
    assert_eq!(mail["to"], owner.email.as_str());
    let token = token_from_mail(&mail);
    let r = app
        .post_anon("/v1/auth/password-reset/confirm", json!({"token": token, "new_password": "Third-pass-99!"}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let again = app
        .post_anon("/v1/auth/password-reset/confirm", json!({"token": token, "new_password": "Fourth-pass-99!"}))
        .await;
    assert_eq!(again.code(), "invalid_reset_token");
    assert_eq!(
        app.post_anon("/v1/auth/login", json!({"email": owner.email, "password": "Third-pass-99!"})).await.status,
        StatusCode::OK
    );
    assert_eq!(read_mails(&app.data_dir.0).len(), 1, "no mail for the unknown address");
    app.stop().await;
}

async fn api_key_role_is_capped(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.signup("Caps").await;
    let (admin, _) = app.add_member(&owner, "admin").await;
    let r = app.post("/v1/api-keys", &admin, json!({"name": "too much", "role": "owner"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["fields"]["role"].is_string());
    let (agent, _) = app.add_member(&owner, "agent").await;
    let r = app.post("/v1/api-keys", &agent, json!({"name": "agent key"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.code(), "forbidden");
    let k = app.post("/v1/api-keys", &owner.token, json!({"name": "sup", "role": "supervisor"})).await;
    let key = k.body["key"].as_str().unwrap();
    assert_eq!(app.get("/v1/me", key).await.body["role"], "supervisor");
    // A supervisor key cannot manage keys.
    assert_eq!(app.get("/v1/api-keys", key).await.status, StatusCode::FORBIDDEN);
    // Keys cannot change the password of the person behind them.
    let r = app
        .post("/v1/auth/password", key, json!({"current_password": PASSWORD, "new_password": "Another-pass-77"}))
        .await;
    assert_eq!(r.code(), "user_credential_required");
    app.stop().await;
}

/// The SMTP transport against a small SMTP server on loopback: the invitation arrives as a
/// real SMTP conversation (EHLO, MAIL FROM, RCPT TO, DATA).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitation_goes_out_over_smtp() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(String, String)>(4);
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else { return };
            let tx = tx.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 test ESMTP\r\n").await.unwrap();
                let (mut rcpt, mut data, mut in_data) = (String::new(), String::new(), false);
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            w.write_all(b"250 queued\r\n").await.unwrap();
                            let _ = tx.send((rcpt.clone(), data.clone())).await;
                        } else {
                            data.push_str(&line);
                            data.push('\n');
                        }
                        continue;
                    }
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250 test\r\n"
                    } else if upper.starts_with("RCPT TO") {
                        rcpt = line.clone();
                        b"250 ok\r\n"
                    } else if upper.starts_with("DATA") {
                        in_data = true;
                        b"354 go\r\n"
                    } else if upper.starts_with("QUIT") {
                        let _ = w.write_all(b"221 bye\r\n").await;
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    w.write_all(reply).await.unwrap();
                }
            });
        }
    });
    let url = format!("smtp://127.0.0.1:{port}");
    let app = spawn_app_with(Backend::Sqlite, &[("OUTDIAL_SMTP_URL", &url)]).await;
    let o = app.signup("Smtp").await;
    let inv =
        app.post("/v1/invitations", &o.token, json!({"email": "smtp-invitee@example.test", "role": "agent"})).await;
    assert_eq!(inv.status, StatusCode::CREATED);
    let (rcpt, data) =
        tokio::time::timeout(std::time::Duration::from_secs(20), rx.recv()).await.expect("an SMTP delivery").unwrap();
    assert!(rcpt.contains("smtp-invitee@example.test"), "{rcpt}");
    assert!(data.contains("accept-invitation?token="), "{data}");
    assert!(data.to_ascii_lowercase().contains("subject: you're invited to smtp"), "{data}");
    let id = inv.body["id"].as_str().unwrap();
    eventually("email_sent_at", || async {
        app.get(&format!("/v1/invitations/{id}"), &o.token).await.body["email_sent_at"].is_string().then_some(())
    })
    .await;
    app.stop().await;
}
