//! Texts end to end against the sandbox carrier: the compliance gate decides before a text is
//! queued (and again as it leaves), the text is sent once and its delivery recorded, inbound
//! STOP puts the number on the do-not-contact list at once, START lifts it, HELP is answered
//! with the agency's name; bad input is refused with a stable code; other agencies see nothing.

use crate::both;
use crate::harness::{Backend, Owner, TestApp, eventually, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};

both!(
    texts_pass_the_gate_and_honour_stop_help_and_start,
    texts_are_invisible_to_other_tenants,
    picture_texts_go_out_and_come_in_on_both_carriers
);

/// A Wednesday, 11:00 in New York (06:00 in Honolulu).
const CLOCK: &str = "2026-11-18T16:00:00Z";
const LEAD: &str = "+12125550123";

async fn app(backend: Backend) -> TestApp {
    spawn_app_with(backend, &[("OUTDIAL_DIALER_CLOCK_START", CLOCK)]).await
}

/// Buys a 212 number on the agency's sandbox account; returns it.
async fn number(app: &TestApp, o: &Owner) -> String {
    let accounts = app.get("/v1/carrier-accounts", &o.token).await;
    let account = accounts.body["data"][0]["id"].as_str().unwrap().to_owned();
    let r = app.post("/v1/numbers", &o.token, json!({ "account_id": account, "area_code": 212 })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["e164"].as_str().unwrap().to_owned()
}

async fn thread(app: &TestApp, o: &Owner, phone: &str) -> Vec<Value> {
    let r = app.get(&format!("/v1/messages/thread?phone={}", phone.replace('+', "%2B")), &o.token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body.as_array().unwrap().clone()
}

/// The lead texts one of our numbers.
async fn inbound(app: &TestApp, from: &str, to: &str, body: &str) {
    inbound_with_media(app, from, to, body, &[]).await
}

/// The lead texts one of our numbers, with pictures.
async fn inbound_with_media(app: &TestApp, from: &str, to: &str, body: &str, media: &[&str]) {
    let r = app
        .client
        .post(format!("{}/sandbox/_sandbox/inbound/messages", app.base))
        .json(&json!({ "from": from, "to": to, "body": body, "media_urls": media }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
}

/// A contact at `phone` (in `state`) who agreed in writing to texts; returns its id.
async fn consented(app: &TestApp, o: &Owner, phone: &str, state: &str) -> String {
    let c = app
        .post("/v1/contacts", &o.token, json!({"first_name": "Pat", "state": state, "phones": [{"number": phone}]}))
        .await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.body);
    let id = c.body["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            &format!("/v1/contacts/{id}/consents"),
            &o.token,
            json!({"address": phone, "level": "prior_express_written", "channels": ["sms"], "source": "web form", "given_at": "2026-03-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    id
}

fn text(to: &str, body: &str) -> Value {
    json!({ "to": to, "body": body, "purpose": "informational" })
}

async fn texts_pass_the_gate_and_honour_stop_help_and_start(backend: Backend) {
    let app = app(backend).await;
    let o = app.signup("Texting Agency").await;
    // No number that can text yet: the error says what to do.
    let r = app.post("/v1/messages", &o.token, text(LEAD, "Hello")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["code"], "no_number");
    let ours = number(&app, &o).await;
    // Without consent on record, the gate refuses, naming the rule.
    let r = app.post("/v1/messages", &o.token, text(LEAD, "Hello")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["code"], "blocked_by_compliance");
    assert!(r.body["detail"].as_str().unwrap().contains("NO_CONSENT"), "{}", r.body);
    consented(&app, &o, LEAD, "NY").await;
    consented(&app, &o, "+18085550123", "HI").await;
    // Bad input.
    for (body, code) in [
        (text("12", "Hi"), "invalid_phone"),
        (text(LEAD, "   "), "invalid_body"),
        (text(LEAD, &"x".repeat(1601)), "invalid_body"),
        (json!({ "to": LEAD, "body": "Hi", "purpose": "gossip" }), "invalid_purpose"),
        (json!({ "to": LEAD, "body": "Hi", "purpose": "informational", "number_id": "num_nope" }), "unknown_number"),
    ] {
        let r = app.post("/v1/messages", &o.token, body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.body["code"], code, "{}", r.body);
    }
    assert!(thread(&app, &o, LEAD).await.is_empty(), "refused texts leave nothing behind");
    // A text goes out from our number and is delivered.
    let r = app.post("/v1/messages", &o.token, text(LEAD, "Your appointment is tomorrow at 10.")).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    assert_eq!(r.body["status"], "queued");
    assert_eq!(r.body["from"], ours.as_str());
    let id = r.body["id"].as_str().unwrap().to_owned();
    let sent = eventually("the text to be delivered", || async {
        let m = app.get(&format!("/v1/messages/{id}"), &o.token).await.body;
        (m["status"] == "delivered").then_some(m)
    })
    .await;
    assert!(sent["sent_by"].as_str().unwrap().starts_with("user:"), "{sent}");
    let requests = app.client.get(format!("{}/sandbox/_sandbox/requests", app.base)).send().await.unwrap();
    let requests: Value = requests.json().await.unwrap();
    let posts = requests["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| q["path"].as_str().unwrap_or("").ends_with("/Messages.json"))
        .count();
    assert_eq!(posts, 1, "sent once");
    // Quiet hours where the person is: 06:00 in Honolulu. Refused with the rule and the audit.
    let r = app.post("/v1/messages", &o.token, text("+18085550123", "Aloha")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["code"], "blocked_by_compliance");
    let detail = r.body["detail"].as_str().unwrap();
    assert!(detail.contains("audit") && detail.contains("allowed again at"), "{detail}");
    // HELP: answered with the agency's name from the number the lead wrote to.
    inbound(&app, LEAD, &ours, "help").await;
    let reply = eventually("the HELP answer to be delivered", || async {
        let t = thread(&app, &o, LEAD).await;
        t.iter().find(|m| m["purpose"] == "reply" && m["status"] == "delivered").cloned()
    })
    .await;
    assert!(reply["body"].as_str().unwrap().contains("Texting Agency"), "{reply}");
    assert!(reply["body"].as_str().unwrap().contains("Reply STOP"), "{reply}");
    assert_eq!(reply["from"], ours.as_str());
    // STOP: on the do-not-contact list at once, for every channel; texts and calls refused.
    inbound(&app, LEAD, &ours, "STOP").await;
    let entry = eventually("the opt-out on the DNC list", || async {
        let r = app.get(&format!("/v1/dnc?phone={}", LEAD.replace('+', "%2B")), &o.token).await;
        r.body["data"].as_array().and_then(|d| d.first().cloned())
    })
    .await;
    assert_eq!(entry["source"], "sms_stop", "{entry}");
    let r = app.post("/v1/messages", &o.token, text(LEAD, "One more thing")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["code"], "blocked_by_compliance");
    assert!(r.body["detail"].as_str().unwrap().contains("DNC_INTERNAL"), "{}", r.body);
    let call = app
        .post(
            "/v1/compliance/check",
            &o.token,
            json!({ "channel": "voice", "purpose": "informational", "phone": LEAD }),
        )
        .await;
    assert_eq!(call.status, StatusCode::OK, "{}", call.body);
    assert_eq!(call.body["allowed"], false, "{}", call.body);
    assert!(call.body["reasons"].as_array().unwrap().iter().any(|r| r["code"] == "DNC_INTERNAL"), "{}", call.body);
    let t = thread(&app, &o, LEAD).await;
    assert_eq!(t.iter().filter(|m| m["direction"] == "inbound").count(), 2, "{t:?}");
    assert_eq!(
        t.iter().filter(|m| m["direction"] == "outbound").count(),
        2,
        "no answer of ours to STOP (the carrier confirms it): {t:?}"
    );
    // START: the opt-out by text is lifted, and texts go again.
    inbound(&app, LEAD, &ours, "Start").await;
    eventually("the opt-out lifted", || async {
        let r = app.get(&format!("/v1/dnc?phone={}", LEAD.replace('+', "%2B")), &o.token).await;
        r.body["data"].as_array().is_some_and(|d| d.is_empty()).then_some(())
    })
    .await;
    let r = app.post("/v1/messages", &o.token, text(LEAD, "Welcome back")).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    // A DNC entry a person added is not lifted by START.
    let other = "+12125550177";
    let r = app.post("/v1/dnc", &o.token, json!({ "phone": other, "reason": "asked on a call" })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    inbound(&app, other, &ours, "START").await;
    eventually("START recorded", || async { (!thread(&app, &o, other).await.is_empty()).then_some(()) }).await;
    let r = app.get(&format!("/v1/dnc?phone={}", other.replace('+', "%2B")), &o.token).await;
    assert_eq!(r.body["data"].as_array().unwrap().len(), 1, "{}", r.body);
    // The inbox, newest first.
    let inbox = app.get("/v1/messages?limit=200", &o.token).await;
    assert_eq!(inbox.status, StatusCode::OK);
    assert!(inbox.body["data"].as_array().unwrap().len() >= 7, "{}", inbox.body);
    app.stop().await;
}

async fn texts_are_invisible_to_other_tenants(backend: Backend) {
    let app = app(backend).await;
    let a = app.signup("Texts A").await;
    let b = app.signup("Texts B").await;
    number(&app, &a).await;
    consented(&app, &a, LEAD, "NY").await;
    let r = app.post("/v1/messages", &a.token, text(LEAD, "For A only")).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let id = r.body["id"].as_str().unwrap();
    assert_eq!(app.get(&format!("/v1/messages/{id}"), &b.token).await.status, StatusCode::NOT_FOUND);
    assert!(app.get("/v1/messages", &b.token).await.body["data"].as_array().unwrap().is_empty());
    assert!(thread(&app, &b, LEAD).await.is_empty());
    // B has no number of its own, and A's cannot be borrowed.
    let a_number = app.get("/v1/numbers", &a.token).await.body["data"][0]["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            "/v1/messages",
            &b.token,
            json!({ "to": LEAD, "body": "x", "purpose": "informational", "number_id": a_number }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["code"], "unknown_number");
    app.stop().await;
}

/// Picture texts (MMS): media URLs go out through each carrier's adapter as that carrier
/// expects them (Twilio `MediaUrl` pairs, Telnyx `media_urls` with type MMS), are kept on the
/// text, and come back in from the lead; bad media are refused before anything is written.
async fn picture_texts_go_out_and_come_in_on_both_carriers(backend: Backend) {
    let app = app(backend).await;
    let o = app.signup("Picture Agency").await;
    let twilio_number = number(&app, &o).await;
    let r = app
        .post(
            "/v1/carrier-accounts",
            &o.token,
            json!({ "name": "Telnyx sandbox", "provider": "telnyx", "sandbox": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let telnyx_account = r.body["id"].as_str().unwrap().to_owned();
    let r = app.post("/v1/numbers", &o.token, json!({ "account_id": telnyx_account, "area_code": 212 })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let (telnyx_id, telnyx_number) =
        (r.body["id"].as_str().unwrap().to_owned(), r.body["e164"].as_str().unwrap().to_owned());
    let numbers = app.get("/v1/numbers", &o.token).await.body;
    let twilio_id =
        numbers["data"].as_array().unwrap().iter().find(|n| n["e164"] == twilio_number.as_str()).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
    consented(&app, &o, LEAD, "NY").await;
    let flyer = "https://cdn.example.com/flyer.jpg";
    let eleven: Vec<String> = (0..11).map(|i| format!("https://cdn.example.com/{i}.png")).collect();
    for (body, code) in [
        (json!({ "to": LEAD, "media_urls": eleven, "purpose": "informational" }), "invalid_media"),
        (
            json!({ "to": LEAD, "media_urls": ["ftp://cdn.example.com/a.jpg"], "purpose": "informational" }),
            "invalid_media",
        ),
        (json!({ "to": LEAD, "media_urls": ["flyer.jpg"], "purpose": "informational" }), "invalid_media"),
        (json!({ "to": LEAD, "purpose": "informational" }), "invalid_body"),
        (json!({ "to": LEAD, "body": "", "media_urls": [], "purpose": "informational" }), "invalid_body"),
    ] {
        let r = app.post("/v1/messages", &o.token, body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.body["code"], code, "{}", r.body);
    }
    assert!(thread(&app, &o, LEAD).await.is_empty(), "refused texts leave nothing behind");
    // A picture alone, through Twilio.
    let r = app
        .post(
            "/v1/messages",
            &o.token,
            json!({ "to": LEAD, "media_urls": [flyer], "purpose": "informational", "number_id": twilio_id }),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    assert_eq!(r.body["media_urls"], json!([flyer]));
    assert_eq!(r.body["body"], "");
    let first = r.body["id"].as_str().unwrap().to_owned();
    // Words and two pictures, through Telnyx.
    let pictures = ["https://cdn.example.com/front.png", "https://cdn.example.com/back.png"];
    let r = app
        .post(
            "/v1/messages",
            &o.token,
            json!({ "to": LEAD, "body": "Both sides of the card", "media_urls": pictures, "purpose": "informational",
                    "number_id": telnyx_id }),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let second = r.body["id"].as_str().unwrap().to_owned();
    for id in [&first, &second] {
        let m = eventually("the picture text to be delivered", || async {
            let m = app.get(&format!("/v1/messages/{id}"), &o.token).await.body;
            (m["status"] == "delivered").then_some(m)
        })
        .await;
        assert!(!m["media_urls"].as_array().unwrap().is_empty(), "{m}");
    }
    // What each carrier was asked.
    let requests = app.client.get(format!("{}/sandbox/_sandbox/requests", app.base)).send().await.unwrap();
    let requests: Value = requests.json().await.unwrap();
    let requests = requests["requests"].as_array().unwrap();
    let twilio: Vec<&Value> =
        requests.iter().filter(|q| q["path"].as_str().unwrap_or("").ends_with("/Messages.json")).collect();
    assert_eq!(twilio.len(), 1, "{twilio:?}");
    let form: Vec<(String, String)> = serde_json::from_value(twilio[0]["form"].clone()).unwrap();
    assert!(form.contains(&("MediaUrl".into(), flyer.into())), "{form:?}");
    assert!(!form.iter().any(|(k, _)| k == "Body"), "no empty Body: {form:?}");
    let telnyx: Vec<&Value> =
        requests.iter().filter(|q| q["path"].as_str().unwrap_or("").ends_with("/v2/messages")).collect();
    assert_eq!(telnyx.len(), 1, "{telnyx:?}");
    assert_eq!(telnyx[0]["json"]["type"], "MMS", "{}", telnyx[0]);
    assert_eq!(telnyx[0]["json"]["media_urls"], json!(pictures), "{}", telnyx[0]);
    assert_eq!(telnyx[0]["json"]["text"], "Both sides of the card", "{}", telnyx[0]);
    crate::carriers::assert_conformance(&app).await;
    // The lead answers with pictures, on each carrier.
    let receipt = "https://media.example.net/receipt.jpeg";
    inbound_with_media(&app, LEAD, &twilio_number, "Here is my receipt", &[receipt]).await;
    inbound_with_media(&app, LEAD, &telnyx_number, "", &[receipt, flyer]).await;
    let t = eventually("both picture texts in", || async {
        let t = thread(&app, &o, LEAD).await;
        (t.iter().filter(|m| m["direction"] == "inbound").count() == 2).then_some(t)
    })
    .await;
    let by_number = |n: &str| t.iter().find(|m| m["direction"] == "inbound" && m["to"] == n).cloned().unwrap();
    let via_twilio = by_number(&twilio_number);
    assert_eq!(via_twilio["media_urls"], json!([receipt]), "{via_twilio}");
    assert_eq!(via_twilio["body"], "Here is my receipt");
    let via_telnyx = by_number(&telnyx_number);
    assert_eq!(via_telnyx["media_urls"], json!([receipt, flyer]), "{via_telnyx}");
    assert_eq!(via_telnyx["body"], "");
    app.stop().await;
}
