//! API conventions: error bodies, bad input, idempotency keys, pagination.

use crate::{both, harness::*};
use reqwest::{Method, StatusCode};
use serde_json::json;

both!(bad_input_gets_stable_codes, idempotency_keys, hostile_strings_are_data, pagination_walks_every_row);

async fn raw(app: &TestApp, token: &str, path: &str, content_type: &str, body: Vec<u8>) -> Res {
    let res = app
        .client
        .post(format!("{}{path}", app.base))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    Res { status, body: serde_json::from_str(&res.text().await.unwrap()).unwrap_or_default(), headers }
}

async fn bad_input_gets_stable_codes(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.signup("Bad Input").await;
    let t = owner.token.as_str();
    let cases: Vec<(&str, &str, Vec<u8>, StatusCode, &str)> = vec![
        ("/v1/teams", "application/json", b"{\"name\":".to_vec(), StatusCode::BAD_REQUEST, "malformed_json"),
        ("/v1/teams", "application/json", b"{\"name\": 42}".to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
        (
            "/v1/teams",
            "application/json",
            b"{\"name\": \"x\", \"tenant_id\": \"ten_x\"}".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            "/v1/teams",
            "text/plain",
            b"{\"name\": \"x\"}".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "/v1/invitations",
            "application/json",
            b"{\"email\": \"a@b.test\", \"role\": \"god\"}".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            "/v1/invitations",
            "application/json",
            b"{\"email\": \"<b>@x\", \"role\": \"agent\"}".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
    ];
    for (path, ct, body, status, code) in cases {
        let r = raw(&app, t, path, ct, body).await;
        assert_eq!(r.status, status, "{path}: {}", r.body);
        assert_eq!(r.code(), code, "{path}: {}", r.body);
        assert!(r.body["detail"].is_string());
    }
    let mut big = b"{\"name\": \"".to_vec();
    big.extend(std::iter::repeat_n(b'a', 1_100_000));
    big.extend(b"\"}");
    let r = raw(&app, t, "/v1/teams", "application/json", big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.code(), "body_too_large");
    // Nothing was written by any of them.
    assert_eq!(app.get("/v1/teams", t).await.body["data"], json!([]));
    assert_eq!(app.get("/v1/invitations", t).await.body["data"], json!([]));
    let r = app.get("/v1/teams?limit=0", t).await;
    assert_eq!(r.code(), "validation_failed");
    let r = app.get("/v1/teams?limit=abc", t).await;
    assert_eq!(r.code(), "invalid_query");
    let r = app.get("/v1/jobs?status=exploded", t).await;
    assert_eq!(r.code(), "invalid_query");
    let r = app.req(Method::GET, "/v1/nothing-here", Some(t), None).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"));
    let r = app.req(Method::PUT, "/v1/teams", Some(t), None).await;
    assert_eq!((r.status, r.code()), (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"));
    // A tenant header is ignored: the tenant comes from the credential.
    let other = app.signup("Other").await;
    let res = app
        .client
        .get(format!("{}/v1/tenant", app.base))
        .bearer_auth(t)
        .header("x-tenant-id", &other.tenant_id)
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["id"], owner.tenant_id.as_str());
    app.stop().await;
}

async fn idempotency_keys(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.signup("Idem").await;
    let send = |key: &'static str, name: &'static str| {
        let app = &app;
        let token = owner.token.clone();
        async move {
            let res = app
                .client
                .post(format!("{}/v1/teams", app.base))
                .bearer_auth(token)
                .header("idempotency-key", key)
                .json(&json!({"name": name}))
                .send()
                .await
                .unwrap();
            let status = res.status();
            let replayed = res.headers().contains_key("idempotent-replayed");
            (status, replayed, res.json::<serde_json::Value>().await.unwrap())
        }
    };
    let (s1, r1, b1) = send("k-1", "Red").await;
    assert_eq!((s1, r1), (StatusCode::CREATED, false));
    let (s2, r2, b2) = send("k-1", "Red").await;
    assert_eq!((s2, r2), (StatusCode::CREATED, true));
    assert_eq!(b1["id"], b2["id"], "the retry returns the first result");
    let (s3, _, b3) = send("k-1", "Blue").await;
    assert_eq!(s3, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b3["code"], "idempotency_key_reused");
    // A failed request (409) is remembered too, so a retry does not create anything.
    let (s4, _, _) = send("k-2", "Red").await;
    assert_eq!(s4, StatusCode::CONFLICT);
    let teams = app.get("/v1/teams", &owner.token).await;
    assert_eq!(teams.body["data"].as_array().unwrap().len(), 1);

    // A process that died mid-request leaves its key marked running: a repeat is told to wait
    // while that could still be true, and runs once the lease is over (here the handler runs
    // again and finds the team made before the "crash": nothing is made twice).
    let (s5, _, _) = send("k-3", "Green").await;
    assert_eq!(s5, StatusCode::CREATED);
    let tenant = outdial_domain::ids::TenantId::parse(&owner.tenant_id).unwrap();
    let crash = |began: chrono::DateTime<chrono::Utc>| {
        let db = app.state().db.clone();
        let tenant = tenant.clone();
        let key = format!("{}:k-3", owner.user_id);
        async move {
            use outdial_infra::db::entity::idempotency_key as ik;
            use sea_orm::{ColumnTrait, QueryFilter, sea_query::Expr};
            let r = outdial_infra::db::scope::update_many::<ik::Entity>(&tenant)
                .col_expr(ik::Column::Status, Expr::value(Option::<i32>::None))
                .col_expr(ik::Column::Body, Expr::value(Option::<String>::None))
                .col_expr(ik::Column::CreatedAt, Expr::value(began))
                .filter(ik::Column::Key.eq(key))
                .exec(&db)
                .await
                .unwrap();
            assert_eq!(r.rows_affected, 1);
        }
    };
    crash(chrono::Utc::now()).await;
    let (s6, _, b6) = send("k-3", "Green").await;
    assert_eq!((s6, b6["code"].as_str()), (StatusCode::CONFLICT, Some("idempotency_key_in_progress")), "{b6}");
    crash(chrono::Utc::now() - outdial_infra::db::repo::idempotency::LEASE - chrono::Duration::seconds(1)).await;
    let (s7, r7, b7) = send("k-3", "Green").await;
    assert_eq!((s7, r7), (StatusCode::CONFLICT, false), "the repeat ran: {b7}");
    assert_ne!(b7["code"], "idempotency_key_in_progress", "{b7}");
    let teams = app.get("/v1/teams", &owner.token).await;
    assert_eq!(teams.body["data"].as_array().unwrap().len(), 2, "{}", teams.body);
    // Its answer is kept like any other.
    let (s8, r8, _) = send("k-3", "Green").await;
    assert_eq!((s8, r8), (StatusCode::CONFLICT, true));
    app.stop().await;
}

async fn hostile_strings_are_data(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.signup("Hostile").await;
    for name in ["Robert'); DROP TABLE teams;--", "<script>alert(1)</script>", "\" OR 1=1 --", "💥 ünïcödé"] {
        let r = app.post("/v1/teams", &owner.token, json!({"name": name})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(
            app.get(&format!("/v1/teams/{}", r.body["id"].as_str().unwrap()), &owner.token).await.body["name"],
            name
        );
    }
    for path in ["/v1/teams/' OR '1'='1", "/v1/members/<img src=x>", "/v1/api-keys/%00", "/v1/jobs/..%2F..%2Fetc"] {
        let r = app.get(path, &owner.token).await;
        assert!(r.status.is_client_error(), "{path}: {}", r.status);
        assert!(!r.body.to_string().to_lowercase().contains("sql"), "{path} leaked internals: {}", r.body);
    }
    let r = app.post_anon("/v1/auth/login", json!({"email": "' OR 1=1 --", "password": "x"})).await;
    assert_eq!(r.code(), "invalid_credentials");
    assert_eq!(app.get("/v1/teams", &owner.token).await.body["data"].as_array().unwrap().len(), 4);
    app.stop().await;
}

async fn pagination_walks_every_row(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.signup("Pages").await;
    let mut made = Vec::new();
    for i in 0..7 {
        made.push(
            app.post("/v1/teams", &owner.token, json!({"name": format!("team {i}")})).await.body["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/teams?limit=3&cursor={c}"),
            None => "/v1/teams?limit=3".to_owned(),
        };
        let r = app.get(&path, &owner.token).await;
        for t in r.body["data"].as_array().unwrap() {
            seen.push(t["id"].as_str().unwrap().to_owned());
        }
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    made.sort();
    assert_eq!(seen, made, "every row once, in order");
    app.stop().await;
}
