//! The OpenAPI document: committed copy matches the live router, it is OpenAPI 3.1 and
//! describes every `/v1` route with request, response and error schemas, and a seeded fuzzer
//! driven by it gets no 5xx from any operation.

use crate::harness::*;
use rand::{Rng, SeedableRng, rngs::StdRng};
use reqwest::Method;
use serde_json::{Map, Value, json};
use std::collections::HashSet;

#[test]
fn committed_document_matches_the_live_router() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == outdial_api::openapi_json(),
        "openapi/openapi.json is stale: run `cargo run -p outdial-api -- openapi` and commit it"
    );
}

#[test]
fn document_is_openapi_3_1_and_complete() {
    let doc: Value = serde_json::from_str(&outdial_api::openapi_json()).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    let mut op_ids = HashSet::new();
    let mut count = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(op_ids.insert(id.to_owned()), "duplicate operationId {id}");
            if !path.starts_with("/v1") {
                continue;
            }
            count += 1;
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.keys().any(|k| k.starts_with('2')), "{method} {path}: no success response");
            let errors: Vec<_> = responses.iter().filter(|(k, _)| k.starts_with('4')).collect();
            assert!(!errors.is_empty(), "{method} {path}: no error responses");
            for (status, r) in errors {
                let schema = &r["content"]["application/json"]["schema"]["$ref"];
                assert_eq!(schema, "#/components/schemas/ErrorBody", "{method} {path} {status}");
            }
            // Actions on a resource (retry, start, pause, ...) take no body.
            let action = [
                "/retry", "/start", "/pause", "/resume", "/stop", "/ready", "/leave", "/hangup", "/preview", "/dial",
                "/skip", "/end",
            ]
            .iter()
            .any(|a| path.ends_with(a));
            if matches!(method.as_str(), "post" | "patch") && !action {
                assert!(
                    op["requestBody"]["content"]
                        .as_object()
                        .is_some_and(|c| c.values().all(|m| m["schema"].is_object())),
                    "{method} {path}: no request schema"
                );
            }
        }
    }
    assert!(count >= 30, "every /v1 route is described ({count})");
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.trim_start_matches("#/components/schemas/");
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

fn garbage(rng: &mut StdRng) -> Value {
    match rng.gen_range(0..8) {
        0 => Value::Null,
        1 => json!(rng.r#gen::<i64>()),
        2 => json!(rng.r#gen::<f64>() * 1e12),
        3 => json!(rng.r#gen::<bool>()),
        4 => json!([1, "two", null]),
        5 => json!({"nested": {"deep": [true]}}),
        6 => json!("'; DROP TABLE users; -- <script>x</script>"),
        _ => json!("\u{0000}\u{ffff}💥".repeat(rng.gen_range(1..50))),
    }
}

fn generate(doc: &Value, schema: &Value, rng: &mut StdRng, depth: u32) -> Value {
    if depth > 6 || rng.gen_bool(0.12) {
        return garbage(rng);
    }
    let schema = resolve(doc, schema);
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(options) = schema[key].as_array()
            && !options.is_empty()
        {
            let pick = &options[rng.gen_range(0..options.len())];
            return generate(doc, pick, rng, depth + 1);
        }
    }
    if let Some(values) = schema["enum"].as_array() {
        return values[rng.gen_range(0..values.len())].clone();
    }
    let ty = match &schema["type"] {
        Value::String(s) => s.clone(),
        Value::Array(a) => a[rng.gen_range(0..a.len())].as_str().unwrap_or("null").to_owned(),
        _ => "object".to_owned(),
    };
    match ty.as_str() {
        "string" => {
            let choices = [
                "".to_owned(),
                "a@b.test".to_owned(),
                format!("user{}@example.test", rng.r#gen::<u32>()),
                "Str0ng-Passw0rd!".to_owned(),
                "x".repeat(rng.gen_range(1..300)),
                "ten_01JD3T6X8Q4M2N7P9R5S0T1VWX".to_owned(),
                "<img src=x onerror=alert(1)>".to_owned(),
            ];
            json!(choices[rng.gen_range(0..choices.len())])
        }
        "integer" => json!(rng.gen_range(-5i64..500)),
        "number" => json!(rng.r#gen::<f64>()),
        "boolean" => json!(rng.r#gen::<bool>()),
        "null" => Value::Null,
        "array" => {
            let n = rng.gen_range(0..3);
            Value::Array((0..n).map(|_| generate(doc, &schema["items"], rng, depth + 1)).collect())
        }
        _ => {
            let mut obj = Map::new();
            let required: Vec<&str> =
                schema["required"].as_array().map(|r| r.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
            if let Some(props) = schema["properties"].as_object() {
                for (name, p) in props {
                    if required.contains(&name.as_str()) || rng.gen_bool(0.5) {
                        obj.insert(name.clone(), generate(doc, p, rng, depth + 1));
                    }
                }
            }
            if rng.gen_bool(0.05) {
                obj.insert("unexpected".into(), json!(1));
            }
            Value::Object(obj)
        }
    }
}

fn fill_path(path: &str, rng: &mut StdRng, known: &[String]) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').map(|e| start + e + 1).unwrap_or(rest.len());
        let v = match rng.gen_range(0..4) {
            0 if !known.is_empty() => known[rng.gen_range(0..known.len())].clone(),
            1 => "team_01JD3T6X8Q4M2N7P9R5S0T1VWX".to_owned(),
            2 => "%27%20OR%201%3D1".to_owned(),
            _ => format!("x{}", rng.r#gen::<u16>()),
        };
        out.push_str(&v);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fuzzer_driven_by_the_document_gets_no_5xx() {
    let app = spawn_app(Backend::Sqlite).await;
    let owner = app.signup("Fuzz").await;
    let (_, agent_id) = app.add_member(&owner, "agent").await;
    let team =
        app.post("/v1/teams", &owner.token, json!({"name": "fuzz team"})).await.body["id"].as_str().unwrap().to_owned();
    let known = vec![owner.user_id.clone(), agent_id, team];
    let doc = app.req(Method::GET, "/openapi.json", None, None).await.body;
    let mut rng = StdRng::seed_from_u64(0x5eed_0d1a1);
    let mut sent = 0;
    for (path, ops) in doc["paths"].as_object().unwrap().clone() {
        for (method, op) in ops.as_object().unwrap().clone() {
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            // Streams (Server-Sent Events) never end by design.
            if op["responses"]["200"]["content"].get("text/event-stream").is_some() {
                continue;
            }
            for i in 0..25 {
                let url = fill_path(&path, &mut rng, &known);
                let body = op["requestBody"]["content"]["application/json"]["schema"]
                    .as_object()
                    .map(|_| generate(&doc, &op["requestBody"]["content"]["application/json"]["schema"], &mut rng, 0));
                let token = if i % 5 == 4 { None } else { Some(owner.token.as_str()) };
                // Never lock ourselves out mid-run: skip bodies that would change the owner's password.
                if path == "/v1/auth/password" {
                    continue;
                }
                let r = app.req(m.clone(), &url, token, body.clone()).await;
                sent += 1;
                assert!(r.status.as_u16() < 500, "{method} {url} with {body:?} -> {} {}", r.status, r.body);
                if r.status.is_client_error() {
                    assert!(
                        r.body["code"].is_string() && r.body["detail"].is_string(),
                        "{method} {url}: error body {}",
                        r.body
                    );
                }
            }
        }
    }
    assert!(sent > 500, "{sent} requests");
    app.stop().await;
}
