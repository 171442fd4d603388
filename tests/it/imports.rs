//! CSV imports: streaming upload, mapping, bad rows and encodings, dedupe, DNC flagging,
//! progress and the error download.

use crate::{both, harness::*};
use reqwest::StatusCode;
use serde_json::{Value, json};

both!(
    import_with_bad_rows_encodings_duplicates_and_dnc,
    bad_files_are_refused_and_leave_nothing,
    mapping_is_validated_and_start_is_once,
    duplicates_across_batches_merge_and_odd_characters_survive
);

pub async fn upload(app: &TestApp, token: &str, query: &str, content_type: &str, body: Vec<u8>) -> Res {
    let res = app
        .client
        .post(format!("{}/v1/imports{query}", app.base))
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

pub async fn wait_done(app: &TestApp, token: &str, id: &str) -> Value {
    eventually("the import to finish", || async {
        let r = app.get(&format!("/v1/imports/{id}"), token).await;
        matches!(r.body["status"].as_str(), Some("done" | "failed")).then_some(r.body)
    })
    .await
}

async fn import_with_bad_rows_encodings_duplicates_and_dnc(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = app.signup("Importer").await;
    let t = o.token.as_str();
    // Already a contact, and a number on the internal DNC list.
    let existing = app
        .post("/v1/contacts", t, json!({"first_name": "Old", "phones": [{"number": "3125550100"}]}))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post("/v1/dnc", t, json!({"phone": "2125550102"})).await;
    let mut csv = b"\xEF\xBB\xBFFirst Name,Last Name,Phone,Mobile,Email,Zip,State,Notes\n".to_vec();
    csv.extend_from_slice(b"Ann,Lee,(512) 555-0100,,ann@x.com,78701,TX,\"two\nlines\"\n");
    csv.extend_from_slice(b"Bob,Ray,not-a-phone,,,,,\n");
    csv.extend_from_slice(b"Jos\xE9,P\xE9rez,2125550101,,,10001,NY,latin-1 row\n");
    csv.extend_from_slice(b"Dup,OfAnn,512.555.0100,,,,,same phone as row 1\n");
    csv.extend_from_slice(b"Merge,Old,,3125550100,,,,matches an existing contact\n");
    csv.extend_from_slice(b"Dana,Dnc,2125550102,,,,,on the DNC list\n");
    csv.extend_from_slice(b",,,,,9999x,ZZ,no phone and bad fields\n");
    csv.extend_from_slice(b"\n");
    let r = upload(&app, t, "?filename=leads.csv&list_name=November", "text/csv", csv).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["status"], "uploaded");
    assert_eq!(r.body["encoding"], "latin-1");
    let fields: Vec<&str> =
        r.body["columns"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["first_name", "last_name", "phone", "phone", "email", "zip", "state", "custom:Notes"]);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let list = r.body["list_id"].as_str().unwrap().to_owned();
    let mapping: serde_json::Map<String, Value> =
        r.body["columns"].as_array().unwrap().iter().map(|c| (c["index"].to_string(), c["field"].clone())).collect();
    let s = app.post(&format!("/v1/imports/{id}/start"), t, json!({"mapping": mapping})).await;
    assert_eq!(s.status, StatusCode::ACCEPTED, "{}", s.body);
    let done = wait_done(&app, t, &id).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(done["rows_done"], 7, "{done}");
    assert_eq!(
        (done["rows_created"].as_i64(), done["rows_merged"].as_i64(), done["rows_failed"].as_i64()),
        (Some(3), Some(2), Some(2)),
        "{done}"
    );
    assert_eq!(done["rows_dnc_flagged"], 1, "{done}");
    assert_eq!(done["percent"], 100.0);
    // The contacts, with normalized numbers, resolved zones, Latin-1 decoded, notes kept.
    let ann = app.get("/v1/contacts?q=ann%40x.com", t).await.body["data"][0]["id"].as_str().unwrap().to_owned();
    let ann = app.get(&format!("/v1/contacts/{ann}"), t).await.body;
    assert_eq!(ann["phones"][0]["number"], "+15125550100");
    assert_eq!(ann["phones"][0]["zones"], json!(["America/Chicago"]));
    assert_eq!(ann["custom"]["Notes"], "two\nlines");
    assert_eq!(ann["import_id"], id.as_str());
    let jose = app.get("/v1/contacts?q=2125550101", t).await.body["data"][0].clone();
    assert_eq!(jose["first_name"], "Jos\u{e9}");
    assert_eq!(jose["last_name"], "P\u{e9}rez");
    let dana = app.get("/v1/contacts?q=Dana", t).await.body["data"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(app.get(&format!("/v1/contacts/{dana}"), t).await.body["phones"][0]["dnc_flag"], "internal");
    // The merged row filled the existing contact's list place; nothing was duplicated.
    let old = app.get(&format!("/v1/contacts/{existing}"), t).await.body;
    assert_eq!(old["first_name"], "Old");
    assert_eq!(old["list_ids"], json!([list]));
    assert_eq!(app.get(&format!("/v1/lists/{list}"), t).await.body["size"], 4);
    let errors = app
        .client
        .get(format!("{}/v1/imports/{id}/errors", app.base))
        .bearer_auth(t)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = errors.lines().collect();
    assert_eq!(lines[0], "row,column,message,raw");
    assert!(lines[1].starts_with("2,\"Phone\""), "{errors}");
    assert!(errors.contains("7,\"State\""), "{errors}");
    assert!(errors.contains("7,\"Zip\""), "{errors}");
    assert_eq!(lines.len(), 4, "{errors}");
    app.stop().await;
}

/// A file of several batches (1,000 rows each): later rows repeat a number of the batch just
/// before theirs (on PostgreSQL often still being written when the later batch is planned) or
/// an address of an older batch, and merge into that contact with their other values. Tabs,
/// backslashes and line breaks in a field come back as written.
async fn duplicates_across_batches_merge_and_odd_characters_survive(backend: Backend) {
    const ROWS: usize = 3_500;
    let app = spawn_app(backend).await;
    let o = app.signup("Batches").await;
    let t = o.token.as_str();
    let phone = |i: usize| format!("312555{i:04}");
    let email = |i: usize| format!("p{i}@example.test");
    let by_phone = |i: usize| i >= 1000 && i.is_multiple_of(7);
    let by_email = |i: usize| i >= 2000 && i.is_multiple_of(11) && !by_phone(i);
    let mut csv = String::from("First Name,Phone,Email,Notes\n");
    for i in 0..ROWS {
        let p = if by_phone(i) { phone(i - 1000) } else { phone(i) };
        let e = if by_email(i) { email(i - 2000) } else { email(i) };
        let notes = if i == 5 { "\"tab\there, back\\slash\nand a new line\"" } else { "plain" };
        csv.push_str(&format!("Row{i},{p},{e},{notes}\n"));
    }
    let merged = (0..ROWS).filter(|&i| by_phone(i) || by_email(i)).count();
    let r = upload(&app, t, "?list_name=Batches&auto_start=true", "text/csv", csv.into_bytes()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let list = r.body["list_id"].as_str().unwrap().to_owned();
    let done = wait_done(&app, t, &id).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(done["rows_done"], ROWS, "{done}");
    assert_eq!(
        (done["rows_created"].as_u64(), done["rows_merged"].as_u64(), done["rows_failed"].as_u64()),
        (Some((ROWS - merged) as u64), Some(merged as u64), Some(0)),
        "{done}"
    );
    assert_eq!(app.get(&format!("/v1/lists/{list}"), t).await.body["size"], ROWS - merged);
    let contact_of = |q: String| {
        let app = &app;
        async move {
            let found = app.get(&format!("/v1/contacts?q={}", q.replace('@', "%40")), t).await.body;
            let data = found["data"].as_array().unwrap().clone();
            assert_eq!(data.len(), 1, "one contact holds {q}: {found}");
            let id = data[0]["id"].as_str().unwrap().to_owned();
            app.get(&format!("/v1/contacts/{id}"), t).await.body
        }
    };
    // Row 1001 repeats row 1's number: row 1's contact gains row 1001's address.
    let first = contact_of(phone(1)).await;
    assert_eq!(first["first_name"], "Row1");
    assert_eq!(first["emails"], json!([email(1), email(1001)]), "{first}");
    // Row 2013 repeats row 13's address: row 13's contact gains row 2013's number.
    let thirteenth = contact_of(email(13)).await;
    assert_eq!(thirteenth["first_name"], "Row13");
    let numbers: Vec<&str> =
        thirteenth["phones"].as_array().unwrap().iter().map(|p| p["number"].as_str().unwrap()).collect();
    assert_eq!(numbers, vec![format!("+1{}", phone(13)), format!("+1{}", phone(2013))], "{thirteenth}");
    // Every merge of the last batch found its contact (none was created twice).
    let root = |mut i: usize| loop {
        i = match i {
            i if by_phone(i) => i - 1000,
            i if by_email(i) => i - 2000,
            i => break i,
        }
    };
    for i in (3000..ROWS).filter(|&i| by_phone(i)) {
        let c = contact_of(phone(i - 1000)).await;
        assert_eq!(c["first_name"], format!("Row{}", root(i)), "{c}");
    }
    let odd = contact_of(phone(5)).await;
    assert_eq!(odd["custom"]["Notes"], "tab\there, back\\slash\nand a new line", "{odd}");
    app.stop().await;
}

async fn bad_files_are_refused_and_leave_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = app.signup("Bad Files").await;
    let t = o.token.as_str();
    let wide = (0..10_000).map(|i| format!("c{i}")).collect::<Vec<_>>().join(",") + "\n" + &"1,".repeat(9_999) + "1\n";
    let cases: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
        ("text/csv", Vec::new(), StatusCode::UNPROCESSABLE_ENTITY, "empty_file"),
        ("text/csv", b"phone,name\n".to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "no_rows"),
        ("text/csv", wide.into_bytes(), StatusCode::UNPROCESSABLE_ENTITY, "too_many_columns"),
        ("application/json", b"{}".to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
    ];
    for (ct, body, status, code) in cases {
        let r = upload(&app, t, "", ct, body).await;
        assert_eq!((r.status, r.code()), (status, code), "{}", r.body);
    }
    let r =
        upload(&app, t, "?list_id=list_01JD3T6X8Q4M2N7P9R5S0T1VWX", "text/csv", b"phone\n5125550100\n".to_vec()).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/v1/imports", t).await.body["data"], json!([]), "no half-written import");
    let (agent, _) = app.add_member(&o, "agent").await;
    assert_eq!(
        upload(&app, &agent, "", "text/csv", b"phone\n5125550100\n".to_vec()).await.status,
        StatusCode::FORBIDDEN
    );
    app.stop().await;
}

async fn mapping_is_validated_and_start_is_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = app.signup("Mapping").await;
    let t = o.token.as_str();
    let r = upload(&app, t, "", "text/csv", b"Tel,Tel,Who\n5125550100,5125550199,Ann Lee\n".to_vec()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let headers: Vec<&str> =
        r.body["columns"].as_array().unwrap().iter().map(|c| c["header"].as_str().unwrap()).collect();
    assert_eq!(headers, vec!["Tel", "Tel (2)", "Who"]);
    let id = r.body["id"].as_str().unwrap().to_owned();
    for (mapping, key) in [
        (json!({"0": "first_name"}), "mapping"),
        (json!({"7": "phone"}), "mapping.7"),
        (json!({"0": "phone", "1": "telephone"}), "mapping.1"),
        (json!({"x": "phone"}), "mapping.x"),
    ] {
        let r = app.post(&format!("/v1/imports/{id}/start"), t, json!({"mapping": mapping})).await;
        assert_eq!(r.code(), "validation_failed", "{}", r.body);
        assert!(r.body["fields"][key].is_string(), "{key}: {}", r.body);
    }
    let ok = app
        .post(&format!("/v1/imports/{id}/start"), t, json!({"mapping": {"0": "phone", "1": "phone", "2": "full_name"}}))
        .await;
    assert_eq!(ok.status, StatusCode::ACCEPTED, "{}", ok.body);
    assert_eq!(
        app.post(&format!("/v1/imports/{id}/start"), t, json!({"mapping": {"0": "phone"}})).await.code(),
        "import_already_started"
    );
    assert_eq!(wait_done(&app, t, &id).await["rows_created"], 1);
    let c = app.get("/v1/contacts?q=5125550199", t).await.body["data"][0].clone();
    assert_eq!((c["first_name"].as_str(), c["last_name"].as_str()), (Some("Ann"), Some("Lee")));
    app.stop().await;
}

/// A client that disconnects mid-upload leaves no import and no stored chunks behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_upload_leaves_nothing() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app(Backend::Sqlite).await;
    let o = app.signup("Cut Off").await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /v1/imports HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nContent-Type: text/csv\r\nContent-Length: 5000000\r\n\r\n",
        o.token
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let mut body = String::from("phone,name\n");
    for i in 0..20_000 {
        body.push_str(&format!("512555{:04},Name {i}\n", i % 10_000));
    }
    s.write_all(body.as_bytes()).await.unwrap();
    s.shutdown().await.unwrap();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), s.read_to_end(&mut buf)).await;
    drop(s);
    let answer = String::from_utf8_lossy(&buf);
    assert!(answer.starts_with("HTTP/1.1 400") && answer.contains("upload_incomplete"), "{answer}");
    let imports = eventually("the cut-off upload cleaned up", || async {
        let r = app.get("/v1/imports", &o.token).await;
        (r.body["data"] == json!([])).then_some(r)
    })
    .await;
    assert_eq!(imports.status, StatusCode::OK);
    app.stop().await;
}

/// Another agency can neither see, start nor download the errors of an import.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_are_tenant_scoped() {
    let app = spawn_app(Backend::Sqlite).await;
    let a = app.signup("Alpha Imports").await;
    let b = app.signup("Bravo Imports").await;
    let r = upload(&app, &a.token, "", "text/csv", b"phone\n5125550100\nbad\n".to_vec()).await;
    let id = r.body["id"].as_str().unwrap().to_owned();
    for path in [format!("/v1/imports/{id}"), format!("/v1/imports/{id}/errors")] {
        assert_eq!(app.get(&path, &b.token).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(
        app.post(&format!("/v1/imports/{id}/start"), &b.token, json!({"mapping": {"0": "phone"}})).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get("/v1/imports", &b.token).await.body["data"], json!([]));
    // Still A's to start, and its contacts are A's only.
    let s = app.post(&format!("/v1/imports/{id}/start"), &a.token, json!({"mapping": {"0": "phone"}})).await;
    assert_eq!(s.status, StatusCode::ACCEPTED, "{}", s.body);
    assert_eq!(wait_done(&app, &a.token, &id).await["rows_created"], 1);
    assert_eq!(app.get("/v1/contacts", &b.token).await.body["data"], json!([]));
    assert_eq!(app.get("/v1/contacts", &a.token).await.body["data"].as_array().unwrap().len(), 1);
    app.stop().await;
}

/// The `n` of a `SELECT count(*) AS n ...`.
async fn count(db: &outdial_infra::db::Db, sql: &str) -> i64 {
    use sea_orm::ConnectionTrait;
    let row = db.query_one_raw(sea_orm::Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
    row.unwrap().try_get::<i64>("", "n").unwrap()
}

/// PostgreSQL keeps no foreign key from numbers and addresses to their contact (migration
/// `m20261206_000015_import_keys`): a batch adding to a stored contact locks it before it
/// commits. Here the contact is deleted while the batch waits for that lock: the batch rolls
/// back, and planned again it makes the row a contact of its own. Nothing points to the
/// deleted contact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_deleted_while_an_import_adds_to_it_leaves_nothing_behind() {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let app = spawn_app(Backend::Postgres).await;
    let o = app.signup("Race Imports").await;
    let t = o.token.as_str();
    let old = app.post("/v1/contacts", t, json!({"first_name": "Old", "phones": [{"number": "3125550100"}]})).await;
    let old = old.body["id"].as_str().unwrap().to_owned();
    // A supervisor's deletion that has the contact's row already.
    let db = &app.state().db;
    let deleting = db.begin().await.unwrap();
    deleting.execute_unprepared(&format!("SELECT id FROM contacts WHERE id = '{old}' FOR UPDATE")).await.unwrap();
    let csv = b"phone,email\n312-555-0100,new@x.com\n2125550199,\n".to_vec();
    let id = upload(&app, t, "", "text/csv", csv).await.body["id"].as_str().unwrap().to_owned();
    let s = app.post(&format!("/v1/imports/{id}/start"), t, json!({"mapping": {"0": "phone", "1": "email"}})).await;
    assert_eq!(s.status, StatusCode::ACCEPTED, "{}", s.body);
    let waiting =
        "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%FOR KEY SHARE%'";
    eventually("the batch to wait for the contact it adds to", || async {
        (count(db, waiting).await > 0).then_some(())
    })
    .await;
    let tenant = outdial_domain::ids::TenantId::parse(&o.tenant_id).unwrap();
    outdial_infra::db::repo::contacts::delete(&deleting, &tenant, &old).await.unwrap();
    deleting.commit().await.unwrap();

    let done = wait_done(&app, t, &id).await;
    assert_eq!((done["status"].as_str(), done["rows_created"].as_i64()), (Some("done"), Some(2)), "{done}");
    let found = app.get("/v1/contacts?q=3125550100", t).await.body["data"].clone();
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
    assert_ne!(found[0]["id"], json!(old));
    let new = app.get(&format!("/v1/contacts/{}", found[0]["id"].as_str().unwrap()), t).await.body;
    assert_eq!(new["emails"], json!(["new@x.com"]), "{new}");
    for table in ["contact_phones", "contact_emails"] {
        let q = format!("SELECT count(*) AS n FROM {table} WHERE contact_id = '{old}'");
        assert_eq!(count(db, &q).await, 0, "{table} still points to the deleted contact");
    }
    app.stop().await;
}

/// An import into a tenant without contacts looks up only the numbers and addresses it wrote
/// itself. A contact another writer adds meanwhile (here the API's, committed while the
/// import's first batch waits on its number) makes the batch fail on the unique number; the
/// retry looks every key up and merges into that contact. A number on the tenant's
/// do-not-call list is flagged without a look-up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_into_an_empty_tenant_merges_into_a_contact_added_meanwhile() {
    use outdial_infra::db::repo::contacts::{self, Fields, NewContact};
    use sea_orm::TransactionTrait;
    let app = spawn_app(Backend::Postgres).await;
    let o = app.signup("Empty Tenant").await;
    let t = o.token.as_str();
    assert_eq!(app.post("/v1/dnc", t, json!({"phone": "2125550102"})).await.status, StatusCode::CREATED);
    let tenant = outdial_domain::ids::TenantId::parse(&o.tenant_id).unwrap();
    let db = &app.state().db;
    // Not committed yet: the import's run begins with the tenant empty.
    let adding = db.begin().await.unwrap();
    let new = NewContact {
        fields: Fields { first_name: Some("Meanwhile".into()), stage: "new".into(), ..Default::default() },
        phones: vec![("+13125550100".into(), None)],
        emails: vec![],
    };
    let added = contacts::create(&adding, &tenant, &new, None, chrono::Utc::now()).await.unwrap().id;
    let csv = b"phone,email\n312-555-0100,new@x.com\n2125550102,\n2125550199,dup@x.com\n(212) 555-0199,\n".to_vec();
    let id = upload(&app, t, "", "text/csv", csv).await.body["id"].as_str().unwrap().to_owned();
    let s = app.post(&format!("/v1/imports/{id}/start"), t, json!({"mapping": {"0": "phone", "1": "email"}})).await;
    assert_eq!(s.status, StatusCode::ACCEPTED, "{}", s.body);
    let waiting = "SELECT count(*) AS n FROM pg_stat_activity \
                   WHERE wait_event_type = 'Lock' AND query LIKE 'COPY contact_phones%'";
    eventually("the batch to wait on the number being added", || async {
        (count(db, waiting).await > 0).then_some(())
    })
    .await;
    adding.commit().await.unwrap();

    let done = wait_done(&app, t, &id).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(
        (done["rows_created"].as_i64(), done["rows_merged"].as_i64(), done["rows_dnc_flagged"].as_i64()),
        (Some(2), Some(2), Some(1)),
        "{done}"
    );
    let found = app.get("/v1/contacts?q=3125550100", t).await.body["data"].clone();
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found[0]["id"], json!(added));
    let merged = app.get(&format!("/v1/contacts/{added}"), t).await.body;
    assert_eq!((merged["first_name"].as_str(), merged["emails"].clone()), (Some("Meanwhile"), json!(["new@x.com"])));
    let listed = app.get("/v1/contacts?q=2125550102", t).await.body["data"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(app.get(&format!("/v1/contacts/{listed}"), t).await.body["phones"][0]["dnc_flag"], "internal");
    assert_eq!(count(db, &format!("SELECT count(*) AS n FROM contacts WHERE tenant_id = '{tenant}'")).await, 3);
    // The first run failed on the number added meanwhile; the second merged.
    let runs = format!("SELECT max(attempts)::bigint AS n FROM jobs WHERE payload LIKE '%{id}%'");
    assert_eq!(count(db, &runs).await, 2);
    app.stop().await;
}

/// The same for the list an import fills (migration `m20261206_000016_list_member_keys`): a
/// list deleted while a batch waits for it (which deletes the import too) ends the import's
/// job with the reason, and leaves no place behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_deleted_while_an_import_fills_it_ends_the_import() {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let app = spawn_app(Backend::Postgres).await;
    let o = app.signup("List Race").await;
    let t = o.token.as_str();
    let csv = b"phone\n3125550100\n2125550199\n".to_vec();
    let r = upload(&app, t, "?filename=leads.csv&list_name=Doomed", "text/csv", csv).await;
    let id = r.body["id"].as_str().unwrap().to_owned();
    let list = r.body["list_id"].as_str().unwrap().to_owned();
    let db = &app.state().db;
    let deleting = db.begin().await.unwrap();
    deleting.execute_unprepared(&format!("SELECT id FROM lists WHERE id = '{list}' FOR UPDATE")).await.unwrap();
    let s = app.post(&format!("/v1/imports/{id}/start"), t, json!({"mapping": {"0": "phone"}})).await;
    assert_eq!(s.status, StatusCode::ACCEPTED, "{}", s.body);
    let waiting = "SELECT count(*) AS n FROM pg_stat_activity \
                   WHERE wait_event_type = 'Lock' AND query LIKE '%FROM lists%FOR KEY SHARE%'";
    eventually("the batch to wait for its list", || async { (count(db, waiting).await > 0).then_some(()) }).await;
    let tenant = outdial_domain::ids::TenantId::parse(&o.tenant_id).unwrap();
    outdial_infra::db::repo::lists::delete(&deleting, &tenant, &list).await.unwrap();
    deleting.commit().await.unwrap();

    let dead = format!(
        "SELECT count(*) AS n FROM jobs WHERE payload LIKE '%{id}%' AND status = 'dead' \
                        AND last_error LIKE '%list this import fills was deleted%'"
    );
    eventually("the import's job to end with the reason", || async { (count(db, &dead).await == 1).then_some(()) })
        .await;
    assert_eq!(count(db, &format!("SELECT count(*) AS n FROM list_members WHERE list_id = '{list}'")).await, 0);
    assert_eq!(app.get(&format!("/v1/imports/{id}"), t).await.status, StatusCode::NOT_FOUND);
    app.stop().await;
}
