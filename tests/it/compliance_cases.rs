//! COMPLIANCE.md §8, the call and text cases, asked through `POST /v1/compliance/check` with
//! `at`. Each test runs an agency whose marketing scrubs are in order for its dates (a National
//! DNC copy covering every area code, a subscription to them, fresh state lists), so a block
//! means the rule under test blocked. Cases 3, 12 and 27–28, 32, 34 are not gate checks
//! (callback scheduling, data coverage, pacing, SMS parsing, email headers) and are tested in
//! the domain crate or with their features.

use crate::harness::*;
use chrono::NaiveDate;
use outdial_infra::dnc::national::{Builder, ListKind, snapshot};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// An app and an agency with scrubs obtained on `copy` (so they are fresh for 31 days).
struct Gate {
    app: TestApp,
    token: String,
    _registry: TempDir,
}

async fn gate(copy: &str, listed: &[u64]) -> Gate {
    let date = NaiveDate::parse_from_str(copy, "%Y-%m-%d").unwrap();
    let dir = TempDir::new();
    let path = dir.0.join("national.snap");
    let mut b = Builder::new();
    for npa in 200..1000 {
        b.cover_npa(npa);
    }
    for n in listed {
        b.add(*n, ListKind::Full).unwrap();
    }
    snapshot::write(&b.build(date), &path).unwrap();
    let app = spawn_app_with(Backend::Sqlite, &[("OUTDIAL_DNC_SNAPSHOT", path.to_str().unwrap())]).await;
    let owner = app.signup("Cases").await;
    let t = owner.token.clone();
    let all: Vec<u16> = (200..1000).collect();
    let r = app
        .req(
            Method::PUT,
            "/v1/compliance/settings",
            Some(&t),
            Some(json!({"overrides": {}, "subscribed_area_codes": all})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // A copy dated in the future cannot be recorded (the API refuses it); cases set after today
    // run without state lists, so those states also carry DNC_STALE_REGISTRY.
    let states: &[&str] = if date <= chrono::Utc::now().date_naive() {
        &["CO", "FL", "IN", "LA", "MA", "MO", "MS", "OK", "PA", "TN", "TX", "WY"]
    } else {
        &[]
    };
    for st in states {
        let l = app
            .post("/v1/suppression-lists", &t, json!({"name": format!("{st} DNC"), "kind": "state", "state": st}))
            .await;
        let id = l.body["id"].as_str().unwrap();
        let e = app
            .post(
                &format!("/v1/suppression-lists/{id}/entries"),
                &t,
                json!({"phones": [], "copy_obtained_at": format!("{copy}T00:00:00Z")}),
            )
            .await;
        assert_eq!(e.status, StatusCode::OK, "{}", e.body);
    }
    Gate { app, token: t, _registry: dir }
}

impl Gate {
    async fn check(&self, body: Value) -> Value {
        let r = self.app.post("/v1/compliance/check", &self.token, body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body
    }

    /// Asserts the decision and that every expected code is among the reasons (an allow has none).
    async fn expect(&self, phone: &str, zip: Option<&str>, at: &str, decision: &str, codes: &[&str]) -> Value {
        self.expect_with(
            json!({"phone": phone, "zip": zip, "channel": "voice", "purpose": "marketing", "at": at}),
            decision,
            codes,
        )
        .await
    }

    async fn expect_with(&self, body: Value, decision: &str, codes: &[&str]) -> Value {
        let d = self.check(body.clone()).await;
        let got: Vec<&str> = d["reasons"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
        assert_eq!(d["decision"], decision, "{body} → {got:?} {d}");
        for c in codes {
            assert!(got.contains(c), "{body}: expected {c} in {got:?}");
        }
        if decision == "allow" {
            assert!(got.is_empty(), "{body}: {got:?}");
        }
        d
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_01_spring_forward() {
    let g = gate("2026-03-01", &[]).await;
    g.expect("+12125550100", None, "2026-03-08T11:30:00Z", "block", &["CALLING_HOURS"]).await;
    g.expect("+12125550100", None, "2026-03-08T12:00:00Z", "allow", &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_02_fall_back() {
    let g = gate("2026-10-25", &[]).await;
    g.expect("+12125550100", None, "2026-11-01T12:30:00Z", "block", &["CALLING_HOURS"]).await;
    g.expect("+12125550100", None, "2026-11-01T13:00:00Z", "allow", &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cases_04_to_06_navajo_hawaii_guam_alaska() {
    let g = gate("2026-07-01", &[]).await;
    let d = g.expect("+19288710100", None, "2026-07-16T03:30:00Z", "block", &["CALLING_HOURS"]).await;
    let zones = d["zones"].as_array().unwrap();
    assert!(zones.contains(&json!("America/Denver")) && zones.contains(&json!("America/Phoenix")), "{d}");
    g.expect("+16025550100", None, "2026-07-16T03:30:00Z", "allow", &[]).await;
    g.expect("+18085550100", None, "2026-07-15T16:00:00Z", "block", &["CALLING_HOURS"]).await;
    g.expect("+16715550100", None, "2026-07-15T16:00:00Z", "block", &["CALLING_HOURS"]).await;
    let g = gate("2026-01-05", &[]).await;
    let d = g.expect("+19075550100", None, "2026-01-10T17:30:00Z", "block", &["CALLING_HOURS"]).await;
    assert!(d["zones"].as_array().unwrap().contains(&json!("America/Adak")), "{d}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cases_07_to_11_multi_zone_overlays_unknown_nongeographic_foreign() {
    let g = gate("2026-01-10", &[]).await;
    // 850: FL hours (8–20) on {Chicago, New_York}; allowed band 14:00Z–01:00Z.
    g.expect("+18505550100", None, "2026-01-15T13:30:00Z", "block", &["CALLING_HOURS"]).await;
    g.expect("+18505550100", None, "2026-01-16T01:05:00Z", "block", &["CALLING_HOURS"]).await;
    g.expect("+18505550100", None, "2026-01-15T14:00:00Z", "allow", &[]).await;
    g.expect("+18505550100", None, "2026-01-16T00:59:00Z", "allow", &[]).await;
    // Overlays inherit the parent's zones.
    let d = g
        .check(
            json!({"phone": "+14485550100", "channel": "voice", "purpose": "marketing", "at": "2026-01-15T17:00:00Z"}),
        )
        .await;
    let zones = d["zones"].as_array().unwrap();
    assert!(zones.contains(&json!("America/Chicago")) && zones.contains(&json!("America/New_York")), "{d}");
    // No location data: ZIP, else UNKNOWN_LOCATION; never a silent Eastern default.
    g.expect("+13575550100", None, "2026-01-15T17:00:00Z", "block", &["UNKNOWN_LOCATION"]).await;
    g.expect("+13575550100", Some("98101"), "2026-01-15T20:00:00Z", "allow", &[]).await;
    for tollfree in ["+18005550100", "+18335550100", "+19005550100", "+15005550100"] {
        g.expect(tollfree, None, "2026-01-15T17:00:00Z", "block", &["UNKNOWN_LOCATION"]).await;
    }
    g.expect("+18005550100", Some("10001"), "2026-01-15T17:00:00Z", "allow", &[]).await;
    for foreign in ["+18765550100", "+18095550100", "+14415550100", "+14165550100"] {
        g.expect(foreign, None, "2026-01-15T17:00:00Z", "block", &["INTERNATIONAL"]).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cases_13_to_15_zip_disagrees_with_area_code() {
    let g = gate("2026-07-10", &[]).await;
    g.expect("+12125550100", Some("98101"), "2026-07-15T14:30:00Z", "block", &["CALLING_HOURS"]).await;
    g.expect("+12125550100", Some("98101"), "2026-07-16T00:30:00Z", "allow", &[]).await;
    // Florida's 20:00 cutoff follows the 305 number into Georgia.
    g.expect("+13055550100", Some("30303"), "2026-07-16T00:30:00Z", "block", &["CALLING_HOURS"]).await;
    // Oklahoma number, Texas ZIP, Sunday 11:30 CDT: Texas's Sunday noon start.
    g.expect("+14055550100", Some("75201"), "2026-07-19T16:30:00Z", "block", &[]).await;
    g.expect("+14055550100", Some("75201"), "2026-07-20T16:30:00Z", "allow", &[]).await;
}

async fn attempt(
    g: &Gate,
    contact: Option<&str>,
    phone: &str,
    purpose: &str,
    debt: Option<&str>,
    outcome: &str,
    at: &str,
) {
    let r = g
        .app
        .post("/v1/attempts", &g.token, json!({"contact_id": contact, "address": phone, "channel": "voice", "purpose": purpose, "debt_id": debt, "outcome": outcome, "occurred_at": at}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cases_16_and_24_florida_three_per_rolling_24h_across_numbers() {
    let g = gate("2026-07-10", &[]).await;
    let c = g
        .app
        .post(
            "/v1/contacts",
            &g.token,
            json!({"phones": [{"number": "3055550100"}, {"number": "4075550100"}], "zip": "33101"}),
        )
        .await;
    let id = c.body["id"].as_str().unwrap().to_owned();
    // T = 2026-07-14 14:00Z (10:00 EDT); calls at T, T+1h (other number), T+2h.
    attempt(&g, Some(&id), "3055550100", "marketing", None, "no_answer", "2026-07-14T14:00:00Z").await;
    attempt(&g, Some(&id), "4075550100", "marketing", None, "no_answer", "2026-07-14T15:00:00Z").await;
    attempt(&g, Some(&id), "3055550100", "marketing", None, "no_answer", "2026-07-14T16:00:00Z").await;
    let body = |at: &str| json!({"contact_id": id, "phone": "4075550100", "channel": "voice", "purpose": "marketing", "at": at});
    g.expect_with(body("2026-07-15T13:59:00Z"), "block", &["FREQUENCY_CAP"]).await;
    g.expect_with(body("2026-07-15T14:00:01Z"), "allow", &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cases_17_to_18_texas_sunday_and_utah_pioneer_day() {
    let g = gate("2026-03-10", &[]).await;
    g.expect("+15125550100", None, "2026-03-15T16:59:00Z", "block", &[]).await;
    g.expect("+15125550100", None, "2026-03-15T17:00:00Z", "allow", &[]).await;
    g.expect("+15125550100", None, "2026-03-16T13:30:00Z", "block", &["CALLING_HOURS"]).await;
    g.expect("+15125550100", None, "2026-03-16T14:00:00Z", "allow", &[]).await;
    let g = gate("2026-07-20", &[]).await;
    g.expect("+18015550100", None, "2026-07-24T18:00:00Z", "block", &["HOLIDAY"]).await;
    let c = g.app.post("/v1/contacts", &g.token, json!({"phones": [{"number": "8015550100"}]})).await;
    let id = c.body["id"].as_str().unwrap().to_owned();
    g.app
        .post(&format!("/v1/contacts/{id}/consents"), &g.token, json!({"address": "8015550100", "level": "prior_express", "channels": ["voice"], "source": "web form", "given_at": "2026-07-01T00:00:00Z"}))
        .await;
    g.expect("+18015550100", None, "2026-07-24T18:00:00Z", "allow", &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cases_19_to_22_alabama_rhode_island_mississippi_pennsylvania_louisiana() {
    let g = gate("2026-12-20", &[]).await;
    g.expect("+12055550100", None, "2026-12-20T18:00:00Z", "block", &["STATE_DAY_BAN"]).await; // Sunday
    g.expect("+12055550100", None, "2026-12-25T18:00:00Z", "block", &["HOLIDAY"]).await;
    g.expect("+12055550100", None, "2026-12-20T02:00:00Z", "block", &["CALLING_HOURS"]).await; // Sat 2026-12-19 20:00 CT
    g.expect("+12055550100", None, "2026-12-22T18:00:00Z", "allow", &[]).await;
    g.expect("+12155550100", None, "2026-12-25T16:00:00Z", "block", &["HOLIDAY"]).await; // PA
    let g = gate("2027-07-01", &[]).await;
    g.expect("+12055550100", None, "2027-07-05T18:00:00Z", "block", &["HOLIDAY"]).await; // observed
    let g = gate("2026-09-01", &[]).await;
    g.expect("+14015550100", None, "2026-09-07T16:00:00Z", "block", &["HOLIDAY"]).await; // Labor Day
    g.expect("+14015550100", None, "2026-09-12T21:00:00Z", "block", &[]).await; // Sat 17:00 EDT
    g.expect("+14015550100", None, "2026-09-08T22:00:00Z", "block", &["CALLING_HOURS"]).await; // 18:00
    g.expect("+14015550100", None, "2026-09-08T21:59:00Z", "allow", &[]).await; // 17:59
    g.expect("+16015550100", None, "2026-09-08T13:30:00Z", "block", &["CALLING_HOURS"]).await; // MS 08:30 CDT
    g.expect("+16015550100", None, "2026-09-13T18:00:00Z", "block", &[]).await; // MS Sunday
    // Louisiana emergency: everything blocks, collection and consented calls too.
    let r = g.app.req(Method::PUT, "/v1/compliance/settings", Some(&g.token), Some(json!({"overrides": {"emergency_bans": ["LA"]}, "subscribed_area_codes": (200..1000).collect::<Vec<u16>>()}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for purpose in ["marketing", "collection", "informational"] {
        g.expect_with(
            json!({"phone": "+15045550100", "channel": "voice", "purpose": purpose, "at": "2026-09-08T16:00:00Z"}),
            "block",
            &["EMERGENCY_BAN"],
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_23_window_end_includes_ring_time() {
    let g = gate("2026-07-10", &[]).await;
    // 20:59:50 EDT with the default 30 s guard band crosses 21:00.
    g.expect("+12125550100", None, "2026-07-16T00:59:50Z", "block", &["CALLING_HOURS"]).await;
    g.expect("+12125550100", None, "2026-07-16T00:59:00Z", "allow", &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cases_25_26_regulation_f_and_massachusetts() {
    let g = gate("2026-11-01", &[]).await;
    let c = g.app.post("/v1/contacts", &g.token, json!({"phones": [{"number": "6175550100"}], "zip": "02108"})).await;
    let id = c.body["id"].as_str().unwrap().to_owned();
    let debt =
        g.app.post(&format!("/v1/contacts/{id}/debts"), &g.token, json!({"account_number": "1"})).await.body["id"]
            .as_str()
            .unwrap()
            .to_owned();
    attempt(&g, Some(&id), "6175550100", "collection", Some(&debt), "no_answer", "2026-11-09T15:00:00Z").await;
    attempt(&g, Some(&id), "6175550100", "collection", Some(&debt), "no_answer", "2026-11-10T15:00:00Z").await;
    let body = json!({"contact_id": id, "phone": "6175550100", "channel": "voice", "purpose": "collection", "debt_id": debt, "at": "2026-11-11T15:00:00Z"});
    g.expect_with(body, "block", &["FREQUENCY_CAP"]).await;
    // Regulation F: a conversation on Monday stops calls about that debt until next Monday.
    let c = g.app.post("/v1/contacts", &g.token, json!({"phones": [{"number": "2125550177"}]})).await;
    let id = c.body["id"].as_str().unwrap().to_owned();
    attempt(
        &g,
        Some(&id),
        "2125550177",
        "collection",
        Some("debt_01JD3T6X8Q4M2N7P9R5S0T1VWX"),
        "conversation",
        "2026-11-09T15:00:00Z",
    )
    .await;
    let body = |at: &str| json!({"contact_id": id, "phone": "2125550177", "channel": "voice", "purpose": "collection", "debt_id": "debt_01JD3T6X8Q4M2N7P9R5S0T1VWX", "at": at});
    g.expect_with(body("2026-11-13T16:00:00Z"), "block", &["REG_F_POST_CONVERSATION"]).await;
    g.expect_with(body("2026-11-16T16:00:00Z"), "allow", &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_29_registry_age_subscription_and_listing() {
    let g = gate("2026-06-01", &[2_125_550_199]).await;
    g.expect("+12125550100", None, "2026-07-02T16:00:00Z", "allow", &[]).await;
    g.expect("+12125550100", None, "2026-07-03T16:00:00Z", "block", &["DNC_STALE_REGISTRY"]).await;
    g.expect("+12125550199", None, "2026-06-10T16:00:00Z", "block", &["DNC_NATIONAL"]).await;
    // The registry binds telemarketing only.
    g.expect_with(
        json!({"phone": "+12125550199", "channel": "voice", "purpose": "informational", "at": "2026-06-10T16:00:00Z"}),
        "allow",
        &[],
    )
    .await;
    let r = g
        .app
        .req(
            Method::PUT,
            "/v1/compliance/settings",
            Some(&g.token),
            Some(json!({"overrides": {}, "subscribed_area_codes": [512]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    g.expect("+12125550100", None, "2026-06-10T16:00:00Z", "block", &["DNC_AREA_CODE_NOT_SUBSCRIBED"]).await;
    let status = g.app.get("/v1/compliance/registry", &g.token).await.body;
    assert_eq!(status["copy_date"], "2026-06-01");
    assert_eq!(status["numbers"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_33_all_party_recording_disclosure() {
    let g = gate("2026-07-10", &[]).await;
    let d = g.expect("+14155550100", Some("89501"), "2026-07-15T19:00:00Z", "allow", &[]).await;
    let notices: Vec<&str> = d["notices"].as_array().unwrap().iter().map(|n| n["code"].as_str().unwrap()).collect();
    assert!(notices.contains(&"RECORDING_DISCLOSURE_REQUIRED"), "{d}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn texts_follow_the_same_gate() {
    let g = gate("2026-03-10", &[]).await;
    // A text needs consent; with it, Texas's hours bind texts too (SB 140, from 2025-09-01).
    let c = g.app.post("/v1/contacts", &g.token, json!({"phones": [{"number": "5125550100"}]})).await;
    let id = c.body["id"].as_str().unwrap().to_owned();
    let sms = |at: &str| json!({"phone": "+15125550100", "channel": "sms", "purpose": "marketing", "at": at});
    g.expect_with(sms("2026-03-16T16:00:00Z"), "block", &["NO_CONSENT"]).await;
    g.app
        .post(&format!("/v1/contacts/{id}/consents"), &g.token, json!({"address": "5125550100", "level": "prior_express_written", "channels": ["sms"], "source": "web form", "given_at": "2026-03-01T00:00:00Z"}))
        .await;
    g.expect_with(sms("2026-03-16T16:00:00Z"), "allow", &[]).await;
    g.expect_with(sms("2026-03-15T16:30:00Z"), "block", &[]).await;
}

/// Case 31: the agency records the Reassigned Numbers Database's answer for a number; a consent
/// given before the number was permanently disconnected no longer counts, and `no data` (or no
/// answer at all) gives no safe harbor (a notice). Answers are the agency's own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_31_reassigned_number_invalidates_consent() {
    let g = gate("2026-07-10", &[]).await;
    let c = g.app.post("/v1/contacts", &g.token, json!({"phones": [{"number": "2125550100"}]})).await;
    let id = c.body["id"].as_str().unwrap().to_owned();
    let consent = json!({"address": "2125550100", "level": "prior_express_written", "channels": ["sms"],
                         "source": "web form", "given_at": "2025-05-01T00:00:00Z"});
    let r = g.app.post(&format!("/v1/contacts/{id}/consents"), &g.token, consent).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let text = json!({"phone": "+12125550100", "channel": "sms", "purpose": "marketing", "at": "2026-07-15T16:00:00Z"});
    let notices = |d: &Value| -> Vec<String> {
        d["notices"].as_array().unwrap().iter().map(|n| n["code"].as_str().unwrap().to_owned()).collect()
    };
    let put = |body: Value| g.app.req(Method::PUT, "/v1/compliance/reassigned", Some(&g.token), Some(body));
    // Never asked: allowed, without the safe harbor.
    let d = g.expect_with(text.clone(), "allow", &[]).await;
    assert!(notices(&d).contains(&"RND_NO_SAFE_HARBOR".to_owned()), "{d}");

    let r = put(json!({"phone": "(212) 555-0100", "result": "disconnected",
                       "disconnected_at": "2025-09-10T00:00:00Z", "checked_at": "2026-07-01T00:00:00Z"}))
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((r.body["phone"].as_str(), r.body["result"].as_str()), (Some("+12125550100"), Some("disconnected")));
    g.expect_with(text.clone(), "block", &["REASSIGNED_NUMBER"]).await;
    let got = g.app.get("/v1/compliance/reassigned?phone=2125550100", &g.token).await;
    assert_eq!(got.body["disconnected_at"], "2025-09-10T00:00:00Z", "{}", got.body);

    assert_eq!(put(json!({"phone": "2125550100", "result": "no_data"})).await.status, StatusCode::OK);
    let d = g.expect_with(text.clone(), "allow", &[]).await;
    assert!(notices(&d).contains(&"RND_NO_SAFE_HARBOR".to_owned()), "{d}");
    assert_eq!(put(json!({"phone": "2125550100", "result": "not_reassigned"})).await.status, StatusCode::OK);
    let d = g.expect_with(text, "allow", &[]).await;
    assert!(notices(&d).is_empty(), "{d}");

    for (body, field) in [
        (json!({"phone": "2125550100", "result": "disconnected"}), "disconnected_at"),
        (
            json!({"phone": "2125550100", "result": "no_data", "disconnected_at": "2025-09-10T00:00:00Z"}),
            "disconnected_at",
        ),
        (
            json!({"phone": "2125550100", "result": "disconnected", "disconnected_at": "2026-07-02T00:00:00Z",
                "checked_at": "2026-07-01T00:00:00Z"}),
            "disconnected_at",
        ),
        (json!({"phone": "2125550100", "result": "no_data", "checked_at": "2099-01-01T00:00:00Z"}), "checked_at"),
        (json!({"phone": "not a number", "result": "no_data"}), "phone"),
    ] {
        let r = put(body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.body);
        assert!(r.body["fields"][field].is_string(), "{body}: {}", r.body);
    }
    assert_eq!(put(json!({"phone": "2125550100", "result": "maybe"})).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Another agency sees none of it.
    let other = g.app.signup("Other Agency").await;
    let r = g.app.get("/v1/compliance/reassigned?phone=2125550100", &other.token).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}
