//! Conformance checks against the carriers' own OpenAPI subsets in `shared/specs/`.
//!
//! Our Twilio and Telnyx simulators are only as faithful as our idea of the wire format, so
//! the integration tests hold every outgoing carrier request and every simulated webhook up to
//! the vendor's spec (PROVIDERS.md §4) instead of up to our own expectations:
//!
//! * Twilio: form bodies against the operation's `application/x-www-form-urlencoded` schema:
//!   known keys only, required keys present, enums, repeated keys only for arrays, and each
//!   value parsed as its declared type before the schema checks below.
//! * Telnyx: JSON bodies against the operation's `application/json` schema, and webhooks
//!   against the `webhooks` schema whose `data.event_type` enum names the event.
//!
//! The JSON Schema subset is what these files use: `$ref`, `type` (also lists with `"null"`,
//! and 3.0 `nullable`), `properties`, `required`, `additionalProperties`, `enum`, `const`,
//! `items`, `min/maxItems`, `min/maxLength`, `minimum/maximum`, `pattern` (the small regex
//! dialect they use), `allOf`, `anyOf`, `oneOf` with `discriminator.mapping`, and `format`
//! `uri`/`url`, `date-time` and `uuid`, checked lightly. `oneOf` is read as `anyOf`: Telnyx's
//! branches overlap (the Google and "A" transcription configs differ only in their tag).
//!
//! One rule goes beyond the letter of the specs: no unknown parameters, even where a schema
//! leaves `additionalProperties` open. A property counts as known when the schema, an `allOf`
//! part or the chosen `oneOf`/`anyOf` branch declares it. A few rules that PROVIDERS.md
//! documents but the specs cannot express are in `TWILIO_DOC_ENUMS`, `DOC_GROUPS` and
//! `WEBHOOK_ENVELOPE`. Path parameters are not checked (tests use short fake SIDs).
#![allow(dead_code)] // each test module uses only some of these helpers

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::{Map, Value, json};

type Object = Map<String, Value>;

const TWILIO_FILE: &str = "twilio_api_v2010_voice_messaging_subset.json";
const TELNYX_FILE: &str = "telnyx_callcontrol_messaging_subset.json";

/// Values PROVIDERS.md §1 documents for `CreateCall` parameters the spec types as bare strings.
const TWILIO_DOC_ENUMS: &[(&str, &str, &[&str])] = &[
    ("CreateCall", "MachineDetection", &["Enable", "DetectMessageEnd"]),
    ("CreateCall", "StatusCallbackEvent", &["initiated", "ringing", "answered", "completed"]),
    ("CreateCall", "AsyncAmd", &["true", "false"]),
];

/// PROVIDERS.md §1 and §2c: (operationId, fields, exactly one?) where at least one is required.
const DOC_GROUPS: &[(&str, &[&str], bool)] = &[
    ("CreateCall", &["Url", "Twiml", "ApplicationSid"], true),
    ("CreateMessage", &["From", "MessagingServiceSid"], false),
    ("CreateMessage", &["Body", "MediaUrl", "ContentSid"], false),
    ("SendMessage", &["from", "messaging_profile_id"], false),
    ("StartCallPlayback", &["audio_url", "media_name", "playback_content"], true),
];

/// The Telnyx envelope fields every event carries (PROVIDERS.md §2c); the spec requires none.
const WEBHOOK_ENVELOPE: &[&str] = &["record_type", "event_type", "id", "occurred_at", "payload"];

/// Both carrier specs, parsed once.
pub struct Specs {
    twilio: Value,
    telnyx: Value,
}

/// `$SPECS_DIR`, else the first `shared/specs` above this crate (CI keeps `shared/` beside the checkout).
pub fn default_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SPECS_DIR") {
        return dir.into();
    }
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .map(|dir| dir.join("shared/specs"))
        .find(|dir| dir.is_dir())
        .unwrap_or_else(|| panic!("no shared/specs in any parent of {}; set SPECS_DIR", here.display()))
}

/// The specs from [`default_dir`], loaded on first use and shared by all tests.
pub fn shared() -> &'static Specs {
    static SPECS: OnceLock<Specs> = OnceLock::new();
    SPECS.get_or_init(|| Specs::load(&default_dir()))
}

impl Specs {
    /// Loads both subsets from `dir`; panics naming the file if one is missing or not JSON.
    pub fn load(dir: &Path) -> Specs {
        let read = |file: &str| -> Value {
            let path = dir.join(file);
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
                panic!("carrier spec {} unreadable ({e}); it lives in shared/specs beside the project", path.display())
            });
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("carrier spec {} is not JSON: {e}", path.display()))
        };
        Specs { twilio: read(TWILIO_FILE), telnyx: read(TELNYX_FILE) }
    }

    /// Checks a Twilio request: `path` is concrete (`/2010-04-01/Accounts/AC1/Calls.json`), `pairs`
    /// the form body in order (repeated keys are arrays), or the query for a body-less operation.
    pub fn check_twilio_form(&self, method: &str, path: &str, pairs: &[(String, String)]) -> Result<(), Vec<String>> {
        let op = find_operation(&self.twilio, "Twilio", method, path)?;
        let v = Validator { root: &self.twilio };
        let (fields, required) = v.form_fields(op.value);
        let mut grouped: Vec<(&str, Vec<&str>)> = Vec::new();
        for (key, value) in pairs {
            match grouped.iter_mut().find(|(k, _)| k == key) {
                Some((_, values)) => values.push(value),
                None => grouped.push((key, vec![value])),
            }
        }
        let name = op.id;
        let mut errs = Vec::new();
        for (key, values) in &grouped {
            let Some(&schema) = fields.get(key) else {
                errs.push(format!("{name}: unknown parameter `{key}`"));
                continue;
            };
            let schema = v.resolve(schema);
            let is_array = schema["type"] == "array";
            if !is_array && values.len() > 1 {
                errs.push(format!("{name}: `{key}` given {} times but is not an array", values.len()));
            }
            let item = if is_array { v.resolve(&schema["items"]) } else { schema };
            let documented = TWILIO_DOC_ENUMS.iter().find(|(o, k, _)| *o == name && k == key);
            for raw in values {
                match form_value(item, raw) {
                    Ok(value) => {
                        errs.extend(v.check(item, &value, key, Some(&[])).into_iter().map(|e| format!("{name}: {e}")))
                    }
                    Err(e) => errs.push(format!("{name}: {key}: {e}")),
                }
                if let Some((_, _, allowed)) = documented
                    && !allowed.contains(raw)
                {
                    errs.push(format!("{name}: {key}: {}", not_in(&json!(raw), allowed.iter().map(|a| json!(a)))));
                }
            }
        }
        for field in required.iter().filter(|r| !grouped.iter().any(|(k, _)| k == *r)) {
            errs.push(format!("{name}: missing required parameter `{field}`"));
        }
        errs.extend(doc_groups(name, |f| grouped.iter().any(|(k, _)| *k == f)).map(|e| format!("{name}: {e}")));
        done(errs)
    }

    /// Checks a Telnyx request: `path` is concrete (`/v2/calls/v3:abc/actions/bridge`), `body` the
    /// JSON body (`Value::Null` for none).
    pub fn check_telnyx_json(&self, method: &str, path: &str, body: &Value) -> Result<(), Vec<String>> {
        let op = find_operation(&self.telnyx, "Telnyx", method, path)?;
        let v = Validator { root: &self.telnyx };
        let ctx = &op.label;
        let mut errs = Vec::new();
        match op.value.pointer("/requestBody/content/application~1json/schema") {
            None if body.is_null() || *body == json!({}) => {}
            None => errs.push(format!("{ctx}: the operation takes no request body")),
            Some(schema) => {
                errs.extend(v.check(schema, body, "", Some(&[])).into_iter().map(|e| format!("{ctx}: {e}")));
                errs.extend(doc_groups(op.id, |f| body.get(f).is_some()).map(|e| format!("{ctx}: {e}")));
            }
        }
        done(errs)
    }

    /// Checks a Telnyx webhook body against the `webhooks` schema for its `data.event_type`.
    /// A `meta` envelope (`attempt`, `delivered_to`) is allowed where the schema omits it.
    pub fn check_telnyx_webhook(&self, body: &Value) -> Result<(), Vec<String>> {
        let Some(event) = body.pointer("/data/event_type").and_then(Value::as_str) else {
            return Err(vec!["webhook: data.event_type missing or not a string".into()]);
        };
        let v = Validator { root: &self.telnyx };
        let schemas = self.telnyx["webhooks"].as_object().into_iter().flat_map(|hooks| hooks.values());
        let Some(schema) = schemas
            .filter_map(|hook| hook.pointer("/post/requestBody/content/application~1json/schema"))
            .find(|schema| {
                let data = v.resolve(&v.resolve(schema)["properties"]["data"]);
                let tag = v.resolve(&data["properties"]["event_type"]);
                tag["enum"].as_array().is_some_and(|e| e.contains(&json!(event))) || tag["const"] == event
            })
        else {
            return Err(vec![format!("{event}: no such event type in the Telnyx webhooks")]);
        };
        let mut errs: Vec<String> = WEBHOOK_ENVELOPE
            .iter()
            .filter(|f| body["data"].get(**f).is_none())
            .map(|f| format!("missing envelope field `data.{f}`"))
            .collect();
        let mut extra = Vec::new();
        if let Some(meta) = body.get("meta")
            && v.resolve(schema)["properties"].get("meta").is_none()
        {
            // As the spec's own OutboundMessageEvent and telnyx-node's `Meta` define it.
            let meta_schema = json!({"type": "object", "properties": {
                "attempt": {"type": "integer"}, "delivered_to": {"type": "string", "format": "url"}}});
            errs.extend(v.check(&meta_schema, meta, "meta", Some(&[])));
            extra.push("meta");
        }
        errs.extend(v.check(schema, body, "", Some(&extra)));
        done(errs.into_iter().map(|e| format!("{event}: {e}")).collect())
    }
}

fn done(errs: Vec<String>) -> Result<(), Vec<String>> {
    if errs.is_empty() { Ok(()) } else { Err(errs) }
}

fn doc_groups<'a>(op: &'a str, present: impl Fn(&str) -> bool + 'a) -> impl Iterator<Item = String> + 'a {
    DOC_GROUPS.iter().filter(move |(o, ..)| *o == op).filter_map(move |(_, fields, exactly_one)| {
        let n = fields.iter().filter(|f| present(f)).count();
        let ok = if *exactly_one { n == 1 } else { n >= 1 };
        let which = if *exactly_one { "exactly one" } else { "at least one" };
        (!ok).then(|| format!("{which} of `{}` is required (got {n})", fields.join("`, `")))
    })
}

/// A form string as the JSON value its schema declares, so one validator serves both carriers.
fn form_value(schema: &Value, raw: &str) -> Result<Value, String> {
    let declared = match &schema["type"] {
        Value::Array(types) => types.iter().find(|t| *t != "null").and_then(Value::as_str),
        other => other.as_str(),
    };
    match declared {
        Some("integer") => raw.parse::<i64>().map(Value::from).map_err(|_| format!("`{raw}` is not an integer")),
        Some("number") => raw
            .parse::<f64>()
            .ok()
            .and_then(|n| serde_json::Number::from_f64(n).map(Value::Number))
            .ok_or_else(|| format!("`{raw}` is not a number")),
        Some("boolean") => match raw {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(format!("`{raw}` is not a boolean (true or false)")),
        },
        _ => Ok(Value::String(raw.to_owned())),
    }
}

struct Operation<'a> {
    id: &'a str,
    /// `/v2/calls/{call_control_id}/actions/bridge`: names the operation in Telnyx errors.
    label: String,
    value: &'a Value,
}

/// Matches a concrete request path (optionally a full URL) to the spec's templated path and method.
fn find_operation<'a>(spec: &'a Value, carrier: &str, method: &str, path: &str) -> Result<Operation<'a>, Vec<String>> {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let path = match path.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => path,
    };
    let server = spec["servers"][0]["url"].as_str().unwrap_or_default();
    let base = server.split_once("://").and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..])).unwrap_or("");
    let base = base.trim_end_matches('/');
    let Some(relative) = path.strip_prefix(base).filter(|r| r.starts_with('/')) else {
        return Err(vec![format!("{method} {path}: not under the {carrier} server base `{base}`")]);
    };
    let paths = spec["paths"].as_object().into_iter().flatten();
    let Some((template, item)) = paths.into_iter().find(|(template, _)| template_matches(template, relative)) else {
        return Err(vec![format!("{method} {path}: no such path in the {carrier} spec")]);
    };
    let Some(value) = item.get(method.to_ascii_lowercase()) else {
        return Err(vec![format!("{method} {path}: method not in the {carrier} spec for `{template}`")]);
    };
    let label = format!("{base}{template}");
    Ok(Operation { id: value["operationId"].as_str().unwrap_or(template), label, value })
}

fn template_matches(template: &str, path: &str) -> bool {
    let (template, path): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    template.len() == path.len()
        && template.iter().zip(&path).all(|(t, p)| match (t.find('{'), t.find('}')) {
            (Some(open), Some(close)) if open < close => {
                let (prefix, suffix) = (&t[..open], &t[close + 1..]);
                p.len() > prefix.len() + suffix.len() && p.starts_with(prefix) && p.ends_with(suffix)
            }
            _ => t == p,
        })
}

/// A JSON Schema validator over one spec document, which `$ref`s resolve against.
struct Validator<'a> {
    root: &'a Value,
}

impl<'a> Validator<'a> {
    fn resolve<'b>(&self, mut schema: &'b Value) -> &'b Value
    where
        'a: 'b,
    {
        while let Some(target) = schema.get("$ref").and_then(Value::as_str) {
            schema = target
                .strip_prefix('#')
                .and_then(|pointer| self.root.pointer(pointer))
                .unwrap_or_else(|| panic!("spec has an unresolvable $ref `{target}`"));
        }
        schema
    }

    /// A Twilio operation's form fields (or query parameters when it has no body) and required names.
    fn form_fields(&self, op: &'a Value) -> (BTreeMap<&'a str, &'a Value>, Vec<&'a str>) {
        let names = |list: &'a Value| list.as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        if let Some(schema) = op.pointer("/requestBody/content/application~1x-www-form-urlencoded/schema") {
            let schema = self.resolve(schema);
            let fields = schema["properties"].as_object().into_iter().flatten();
            return (fields.map(|(k, s)| (k.as_str(), s)).collect(), names(&schema["required"]));
        }
        let params = op["parameters"].as_array().into_iter().flatten().map(|p| self.resolve(p));
        let query: Vec<&Value> = params.filter(|p| p["in"] == "query").collect();
        let fields = query.iter().filter_map(|p| Some((p["name"].as_str()?, &p["schema"]))).collect();
        (fields, query.iter().filter(|p| p["required"] == true).filter_map(|p| p["name"].as_str()).collect())
    }

    /// Errors as `path: message`. `known` is `None` for an `allOf` part, whose siblings declare
    /// the rest of the object, else the names a parent declared around this `oneOf` branch.
    fn check(&self, schema: &Value, value: &Value, path: &str, known: Option<&[&str]>) -> Vec<String> {
        let schema = self.resolve(schema);
        let Some(s) = schema.as_object() else {
            return if *schema == Value::Bool(false) { vec![at(path, "not allowed")] } else { Vec::new() };
        };
        let types: Vec<&str> = match s.get("type") {
            Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).collect(),
            Some(Value::String(one)) => vec![one],
            _ => Vec::new(),
        };
        if value.is_null() && (types.contains(&"null") || s.get("nullable") == Some(&Value::Bool(true))) {
            return Vec::new();
        }
        if !types.is_empty() && !types.iter().any(|t| has_type(value, t)) {
            return vec![at(path, &format!("expected {}, got {}", types.join(" or "), kind(value)))];
        }
        let mut errs = Vec::new();
        if let Some(allowed) = s.get("enum").and_then(Value::as_array)
            && !allowed.contains(value)
        {
            errs.push(at(path, &not_in(value, allowed.iter().cloned())));
        }
        if let Some(expected) = s.get("const")
            && expected != value
        {
            errs.push(at(path, &format!("{} is not {}", show(value), show(expected))));
        }
        // `Some("min 1, max 5")` when `n` is outside the schema's bounds.
        let outside = |n: usize, min: &str, max: &str| {
            let (min, max) = (s.get(min).and_then(Value::as_f64), s.get(max).and_then(Value::as_f64));
            let n = n as f64;
            (min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m)).then(|| {
                let bounds = [min.map(|m| format!("min {m}")), max.map(|m| format!("max {m}"))];
                bounds.into_iter().flatten().collect::<Vec<_>>().join(", ")
            })
        };
        match value {
            Value::String(text) => {
                if let Some(bounds) = outside(text.chars().count(), "minLength", "maxLength") {
                    errs.push(at(path, &format!("{} has {} characters ({bounds})", show(value), text.chars().count())));
                }
                if let Some(pattern) = s.get("pattern").and_then(Value::as_str)
                    && pattern_matches(pattern, text) == Some(false)
                {
                    errs.push(at(path, &format!("{} does not match `{pattern}`", show(value))));
                }
                let format = s.get("format").and_then(Value::as_str).unwrap_or_default();
                let ok = match format {
                    "uri" | "url" => looks_like_url(text),
                    "date-time" => looks_like_date_time(text),
                    "uuid" => looks_like_uuid(text),
                    _ => true,
                };
                if !ok {
                    errs.push(at(path, &format!("{} is not a valid {format}", show(value))));
                }
            }
            Value::Number(n) => {
                let (low, high) = (s.get("minimum").and_then(Value::as_f64), s.get("maximum").and_then(Value::as_f64));
                let x = n.as_f64().unwrap_or_default();
                if low.is_some_and(|m| x < m) || high.is_some_and(|m| x > m) {
                    let [low, high] = [low, high].map(|b| b.map_or(String::from("…"), |b| b.to_string()));
                    errs.push(at(path, &format!("{n} is outside {low}..={high}")));
                }
            }
            Value::Array(items) => {
                if let Some(bounds) = outside(items.len(), "minItems", "maxItems") {
                    errs.push(at(path, &format!("{} items ({bounds})", items.len())));
                }
                if let Some(item_schema) = s.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        errs.extend(self.check(item_schema, item, &format!("{path}[{i}]"), Some(&[])));
                    }
                }
            }
            Value::Object(map) => errs.extend(self.check_object(s, map, path, known)),
            _ => {}
        }
        for part in s.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            errs.extend(self.check(part, value, path, None));
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(branches) = s.get(key).and_then(Value::as_array) {
                errs.extend(self.check_branches(s, branches, value, path, known));
            }
        }
        errs
    }

    fn check_object(&self, s: &Object, map: &Object, path: &str, known: Option<&[&str]>) -> Vec<String> {
        let required = s.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str);
        let mut errs: Vec<String> = required
            .filter(|r| !map.contains_key(*r))
            .map(|r| at(path, &format!("missing required property `{r}`")))
            .collect();
        let declared = self.declared(s);
        // Where oneOf/anyOf branches declare properties, the branches report unknown ones.
        let branches = ["oneOf", "anyOf"].into_iter().filter_map(|k| s.get(k).and_then(Value::as_array)).flatten();
        let deferred =
            branches.into_iter().any(|b| self.resolve(b).as_object().is_some_and(|b| !self.declared(b).is_empty()));
        let strict = known.filter(|_| s.contains_key("properties") && !deferred);
        for (key, item) in map {
            let item_path = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
            let unknown = || at(path, &format!("unknown property `{key}`"));
            if let Some(property) = s.get("properties").and_then(|p| p.get(key)) {
                errs.extend(self.check(property, item, &item_path, Some(&[])));
            } else if declared.contains(&key.as_str()) || known.is_some_and(|k| k.contains(&key.as_str())) {
                // declared by an allOf part, which checks it, or around this branch by its parent
            } else {
                match s.get("additionalProperties") {
                    Some(Value::Bool(true)) => {}
                    Some(Value::Bool(false)) => errs.push(unknown()),
                    Some(other) => errs.extend(self.check(other, item, &item_path, Some(&[]))),
                    None if strict.is_some() => errs.push(unknown()),
                    None => {}
                }
            }
        }
        errs
    }

    /// Passes when one branch does (the discriminator's, if it names one); else reports the closest.
    fn check_branches(
        &self,
        s: &Object,
        branches: &[Value],
        value: &Value,
        path: &str,
        known: Option<&[&str]>,
    ) -> Vec<String> {
        let mut around = self.declared(s);
        around.extend(known.unwrap_or_default());
        let known = known.map(|_| around.as_slice());
        let discriminator = s.get("discriminator");
        let tag_name = discriminator.and_then(|d| d["propertyName"].as_str()).unwrap_or_default();
        let chosen: Vec<Value> = match value.get(tag_name).and_then(Value::as_str).zip(discriminator) {
            Some((tag, d)) => match d["mapping"].get(tag).and_then(Value::as_str) {
                Some(target) => vec![json!({ "$ref": target })],
                None => {
                    let tags = d["mapping"].as_object().into_iter().flatten().map(|(k, _)| json!(k));
                    return vec![at(path, &format!("{tag_name}: {}", not_in(&json!(tag), tags)))];
                }
            },
            None => branches.to_vec(),
        };
        let results: Vec<Vec<String>> = chosen.iter().map(|b| self.check(b, value, path, known)).collect();
        if results.iter().any(Vec::is_empty) {
            return Vec::new();
        }
        let count = results.len();
        let closest = results.into_iter().min_by_key(Vec::len).unwrap_or_default();
        if count == 1 {
            return closest;
        }
        let prefix = format!("{path}: ");
        let closest: Vec<&str> = closest.iter().map(|e| e.strip_prefix(&prefix).unwrap_or(e)).collect();
        vec![at(path, &format!("matches none of {count} alternatives; closest: {}", closest.join("; ")))]
    }

    /// Property names the schema and its `allOf` parts declare.
    fn declared<'b>(&self, s: &'b Object) -> Vec<&'b str>
    where
        'a: 'b,
    {
        let mut names: Vec<&str> =
            s.get("properties").and_then(Value::as_object).into_iter().flatten().map(|(k, _)| k.as_str()).collect();
        for part in s.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            if let Some(part) = self.resolve(part).as_object() {
                names.extend(self.declared(part));
            }
        }
        names
    }
}

/// `ty` as JSON Schema means it: an integer is also a number, and so is `1.0` an integer.
fn has_type(value: &Value, ty: &str) -> bool {
    ty == kind(value)
        || (ty == "number" && value.is_number())
        || (ty == "integer" && value.as_f64().is_some_and(|f| f.fract() == 0.0))
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn at(path: &str, message: &str) -> String {
    if path.is_empty() { message.to_owned() } else { format!("{path}: {message}") }
}

/// `` `x` `` for a string `x`, else the JSON in backticks.
fn show(value: &Value) -> String {
    match value {
        Value::String(text) => format!("`{text}`"),
        other => format!("`{other}`"),
    }
}

fn not_in(value: &Value, allowed: impl IntoIterator<Item = Value>) -> String {
    let allowed: Vec<String> =
        allowed.into_iter().map(|a| a.as_str().map_or_else(|| a.to_string(), str::to_owned)).collect();
    let shown = allowed.iter().take(12).cloned().collect::<Vec<_>>().join(", ");
    let more = if allowed.len() > 12 { format!(", … {} more", allowed.len() - 12) } else { String::new() };
    format!("{} not in [{shown}{more}]", show(value))
}

/// An absolute URL with a host; `ws(s)` too, as Twilio Streams and Telnyx stream URLs use it.
fn looks_like_url(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once("://") else { return false };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    ["http", "https", "ws", "wss"].iter().any(|s| scheme.eq_ignore_ascii_case(s))
        && !host.is_empty()
        && !text.contains(char::is_whitespace)
}

/// RFC 3339: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
fn looks_like_date_time(text: &str) -> bool {
    let shape = |text: &str, shape: &str| {
        text.len() == shape.len()
            && text
                .bytes()
                .zip(shape.bytes())
                .all(|(c, s)| if s == b'0' { c.is_ascii_digit() } else { c.eq_ignore_ascii_case(&s) })
    };
    let Some((head, mut rest)) = text.split_at_checked(19) else { return false };
    if !shape(head, "0000-00-00T00:00:00") {
        return false;
    }
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        rest = &fraction[digits..];
    }
    shape(rest, "Z") || shape(rest, "+00:00") || shape(rest, "-00:00")
}

fn looks_like_uuid(text: &str) -> bool {
    text.len() == 36
        && text
            .bytes()
            .enumerate()
            .all(|(i, c)| if [8, 13, 18, 23].contains(&i) { c == b'-' } else { c.is_ascii_hexdigit() })
}

/// `Some(matched)` for the regex dialect the specs use: anchored at `^`, literals, `[a-zA-Z]`
/// classes, `(AB|CD)` literal groups, and `? * + {n} {n,m}`. `None` for anything else, which
/// then goes unchecked rather than failing a test.
fn pattern_matches(pattern: &str, text: &str) -> Option<bool> {
    let body = pattern.strip_prefix('^')?;
    let (body, to_end) = body.strip_suffix('$').map_or((body, false), |b| (b, true));
    let mut chars = body.chars().peekable();
    let mut pieces = Vec::new();
    while let Some(c) = chars.next() {
        // Every atom becomes the literal strings it can match.
        let options: Vec<String> = match c {
            '[' => {
                let class: Vec<char> = chars.by_ref().take_while(|&c| c != ']').collect();
                if class.first() == Some(&'^') || class.contains(&'\\') {
                    return None;
                }
                let mut options = Vec::new();
                let mut rest = class.as_slice();
                loop {
                    rest = match rest {
                        [low, '-', high, tail @ ..] => {
                            options.extend((*low..=*high).map(String::from));
                            tail
                        }
                        [one, tail @ ..] => {
                            options.push(one.to_string());
                            tail
                        }
                        [] => break options,
                    };
                }
            }
            '(' => {
                let group: String = chars.by_ref().take_while(|&c| c != ')').collect();
                if group.contains(|c| "()[]{}.*+?\\^$".contains(c)) {
                    return None;
                }
                group.split('|').map(str::to_owned).collect()
            }
            c if "\\.|)]{}*+?^$".contains(c) => return None,
            c => vec![c.to_string()],
        };
        let (min, max) = match chars.next_if(|c| "?*+{".contains(*c)) {
            Some('?') => (0, 1),
            Some('*') => (0, usize::MAX),
            Some('+') => (1, usize::MAX),
            Some(_) => {
                let counts: String = chars.by_ref().take_while(|&c| c != '}').collect();
                let (low, high) = counts.split_once(',').unwrap_or((&counts, &counts));
                (low.parse().ok()?, if high.is_empty() { usize::MAX } else { high.parse().ok()? })
            }
            None => (1, 1),
        };
        pieces.push((options, min, max));
    }
    Some(match_from(&pieces, 0, text, to_end))
}

/// Backtracking over `(options, min, max)` pieces; `count` is how often the first one matched.
fn match_from(pieces: &[(Vec<String>, usize, usize)], count: usize, text: &str, to_end: bool) -> bool {
    let Some(((options, min, max), rest)) = pieces.split_first() else { return !to_end || text.is_empty() };
    let again = |o: &String| {
        !o.is_empty() && text.strip_prefix(o.as_str()).is_some_and(|t| match_from(pieces, count + 1, t, to_end))
    };
    (count < *max && options.iter().any(again)) || (count >= *min && match_from(rest, 0, text, to_end))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CALLS: &str = "/2010-04-01/Accounts/AC123/Calls.json";

    fn twilio(method: &str, path: &str, pairs: &[(&str, &str)]) -> Result<(), Vec<String>> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        shared().check_twilio_form(method, path, &pairs)
    }

    fn telnyx(method: &str, path: &str, body: Value) -> Result<(), Vec<String>> {
        shared().check_telnyx_json(method, path, &body)
    }

    /// Fails unless the result is an error and one of its messages contains every needle.
    #[track_caller]
    fn assert_rejected(result: Result<(), Vec<String>>, needles: &[&str]) {
        let errs = result.expect_err("expected a conformance error");
        assert!(errs.iter().any(|e| needles.iter().all(|n| e.contains(n))), "no error with {needles:?} in {errs:#?}");
    }

    fn create_call(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        let mut pairs = vec![
            ("To", "+15558675310"),
            ("From", "+15017122661"),
            ("Url", "https://sim.example/twiml/attempt_1"),
            ("StatusCallback", "https://sim.example/hooks/twilio/status"),
            ("StatusCallbackEvent", "initiated"),
            ("StatusCallbackEvent", "ringing"),
            ("MachineDetection", "DetectMessageEnd"),
            ("AsyncAmd", "true"),
            ("AsyncAmdStatusCallback", "https://sim.example/hooks/twilio/amd"),
            ("Timeout", "30"),
        ];
        pairs.extend_from_slice(extra);
        pairs
    }

    #[test]
    fn twilio_create_call_with_async_amd_conforms() {
        assert_eq!(twilio("POST", CALLS, &create_call(&[])), Ok(()));
        let full_url = format!("https://api.twilio.com{CALLS}");
        assert_eq!(twilio("POST", &full_url, &create_call(&[])), Ok(()));
    }

    #[test]
    fn twilio_create_call_rejects_unknown_missing_and_bad_values() {
        assert_rejected(twilio("POST", CALLS, &create_call(&[("Foo", "1")])), &["CreateCall: unknown parameter `Foo`"]);
        let without_to: Vec<_> = create_call(&[]).into_iter().filter(|(k, _)| *k != "To").collect();
        assert_rejected(twilio("POST", CALLS, &without_to), &["CreateCall: missing required parameter `To`"]);
        let mut pairs = create_call(&[]);
        pairs.retain(|(k, _)| *k != "MachineDetection");
        pairs.push(("MachineDetection", "Sometimes"));
        assert_rejected(
            twilio("POST", CALLS, &pairs),
            &["MachineDetection: `Sometimes` not in [Enable, DetectMessageEnd]"],
        );
        let bad_event = create_call(&[("StatusCallbackEvent", "bridged")]);
        assert_rejected(twilio("POST", CALLS, &bad_event), &["StatusCallbackEvent: `bridged` not in"]);
        assert_rejected(
            twilio("POST", CALLS, &create_call(&[("Timeout", "soon")])),
            &["Timeout: `soon` is not an integer"],
        );
        assert_rejected(twilio("POST", CALLS, &create_call(&[("Record", "yes")])), &["Record: `yes` is not a boolean"]);
        assert_rejected(
            twilio("POST", CALLS, &create_call(&[("FallbackUrl", "/relative")])),
            &["FallbackUrl", "not a valid uri"],
        );
        assert_rejected(
            twilio("POST", CALLS, &create_call(&[("Method", "PUT")])),
            &["Method: `PUT` not in [GET, POST]"],
        );
        assert_rejected(twilio("POST", CALLS, &create_call(&[("Byoc", "BY123")])), &["Byoc", "does not match"]);
        assert_rejected(twilio("POST", CALLS, &create_call(&[("To", "+15550000000")])), &["`To` given 2 times"]);
        assert_rejected(twilio("POST", CALLS, &create_call(&[("Twiml", "<Response/>")])), &["exactly one of `Url`"]);
    }

    #[test]
    fn twilio_messages_updates_and_reads_conform() {
        let message = [("To", "+15558675310"), ("From", "+15017122661"), ("Body", "Reply STOP to opt out")];
        assert_eq!(twilio("POST", "/2010-04-01/Accounts/AC123/Messages.json", &message), Ok(()));
        let no_content = [("To", "+15558675310"), ("From", "+15017122661")];
        assert_rejected(
            twilio("POST", "/2010-04-01/Accounts/AC123/Messages.json", &no_content),
            &["at least one of `Body`"],
        );
        let call = "/2010-04-01/Accounts/AC123/Calls/CA456.json";
        assert_eq!(twilio("POST", call, &[("Status", "completed")]), Ok(()));
        assert_rejected(
            twilio("POST", call, &[("Status", "hungup")]),
            &["UpdateCall: Status: `hungup` not in [canceled, completed]"],
        );
        assert_eq!(twilio("GET", call, &[]), Ok(()));
        assert_eq!(twilio("DELETE", call, &[]), Ok(()));
        assert_eq!(twilio("GET", CALLS, &[("Status", "completed"), ("PageSize", "50")]), Ok(()));
        assert_rejected(twilio("GET", CALLS, &[("Colour", "red")]), &["ListCall: unknown parameter `Colour`"]);
        let stream = "/2010-04-01/Accounts/AC123/Calls/CA456/Streams.json";
        assert_eq!(twilio("POST", stream, &[("Url", "wss://sim.example/media"), ("Track", "both_tracks")]), Ok(()));
    }

    #[test]
    fn twilio_unknown_paths_and_methods_are_errors() {
        assert_rejected(twilio("POST", "/2010-04-01/Accounts/AC123/Conferences.json", &[]), &["no such path"]);
        assert_rejected(twilio("PUT", CALLS, &[]), &["method not in the Twilio spec"]);
    }

    fn dial(extra: Value) -> Value {
        let mut body = json!({
            "connection_id": "1494404757140276705",
            "to": "+15558675310",
            "from": "+15017122661",
            "answering_machine_detection": "detect_beep",
            "client_state": "YXR0ZW1wdF8x",
            "command_id": "attempt_1:dial",
            "webhook_url": "https://sim.example/hooks/telnyx",
            "timeout_secs": 30
        });
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    }

    #[test]
    fn telnyx_dial_conforms_and_catches_mistakes() {
        assert_eq!(telnyx("POST", "/v2/calls", dial(json!({}))), Ok(()));
        assert_eq!(telnyx("POST", "/v2/calls", dial(json!({"to": ["+15558675310", "sip:a@b.example"]}))), Ok(()));
        let config = json!({"answering_machine_detection_config": {"total_analysis_time_millis": 3500}});
        assert_eq!(telnyx("POST", "/v2/calls", dial(config)), Ok(()));
        assert_rejected(
            telnyx("POST", "/v2/calls", dial(json!({"answering_machine_detection": "bogus"}))),
            &["/v2/calls: answering_machine_detection: `bogus` not in [premium, detect, detect_beep"],
        );
        assert_rejected(
            telnyx("POST", "/v2/calls", dial(json!({"ring_timeout": 5}))),
            &["/v2/calls: unknown property `ring_timeout`"],
        );
        let nested = json!({"answering_machine_detection_config": {"beep_millis": 1}});
        assert_rejected(
            telnyx("POST", "/v2/calls", dial(nested)),
            &["answering_machine_detection_config: unknown property `beep_millis`"],
        );
        let mut missing = dial(json!({}));
        missing.as_object_mut().unwrap().remove("connection_id");
        assert_rejected(telnyx("POST", "/v2/calls", missing), &["missing required property `connection_id`"]);
        assert_rejected(telnyx("POST", "/v2/calls", dial(json!({"to": 15558675310u64}))), &["to: matches none of 2"]);
        assert_rejected(
            telnyx("POST", "/v2/calls", dial(json!({"timeout_secs": "30"}))),
            &["timeout_secs: expected integer, got string"],
        );
        assert_rejected(
            telnyx("POST", "/v2/calls", dial(json!({"time_limit_secs": 5}))),
            &["time_limit_secs: 5 is outside 30..=14400"],
        );
        assert_rejected(
            telnyx("POST", "/v2/calls", dial(json!({"webhook_urls": {"call.answered": "nope"}}))),
            &["not a valid uri"],
        );
        assert_rejected(telnyx("POST", "/calls", dial(json!({}))), &["not under the Telnyx server base `/v2`"]);
    }

    #[test]
    fn telnyx_call_actions_conform() {
        let action = |name: &str| format!("/v2/calls/v3:abc-123_XY/actions/{name}");
        let common = json!({"client_state": "YXR0ZW1wdF8x", "command_id": "attempt_1:step"});
        let with = |extra: Value| {
            let mut body = common.clone();
            body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            body
        };
        assert_eq!(telnyx("POST", &action("bridge"), with(json!({"call_control_id": "v3:other"}))), Ok(()));
        assert_eq!(telnyx("POST", &action("hangup"), common.clone()), Ok(()));
        assert_eq!(telnyx("POST", &action("hangup"), json!({})), Ok(()));
        assert_eq!(telnyx("POST", &action("answer"), common.clone()), Ok(()));
        assert_eq!(
            telnyx("POST", &action("playback_start"), with(json!({"audio_url": "https://sim.example/vm.mp3"}))),
            Ok(())
        );
        let speak = with(json!({"payload": "Hello", "voice": "female", "language": "en-US", "payload_type": "text"}));
        assert_eq!(telnyx("POST", &action("speak"), speak), Ok(()));
        let tuned = with(
            json!({"payload": "Hi", "voice": "Telnyx.KokoroTTS.af", "voice_settings": {"type": "telnyx", "voice_speed": 1.2}}),
        );
        assert_eq!(telnyx("POST", &action("speak"), tuned), Ok(()));
        assert_eq!(telnyx("POST", &action("record_start"), with(json!({"format": "mp3", "channels": "dual"}))), Ok(()));
        assert_rejected(
            telnyx("POST", &action("record_start"), with(json!({"format": "mp3"}))),
            &["missing required property `channels`"],
        );
        assert_rejected(
            telnyx("POST", &action("bridge"), common.clone()),
            &["/v2/calls/{call_control_id}/actions/bridge: missing"],
        );
        let bad_speak = with(json!({"payload": "Hi", "voice": "female", "payload_type": "markdown"}));
        assert_rejected(telnyx("POST", &action("speak"), bad_speak), &["payload_type: `markdown` not in [text, ssml]"]);
        let wrong_voice =
            with(json!({"payload": "Hi", "voice": "x", "voice_settings": {"type": "aws", "voice_speed": 1.2}}));
        assert_rejected(
            telnyx("POST", &action("speak"), wrong_voice),
            &["voice_settings: unknown property `voice_speed`"],
        );
        assert_rejected(telnyx("POST", &action("playback_start"), common.clone()), &["exactly one of `audio_url`"]);
        assert_rejected(telnyx("POST", &action("teleport"), common.clone()), &["no such path"]);
        assert_rejected(telnyx("GET", &action("hangup"), common), &["method not in the Telnyx spec"]);
        assert_eq!(telnyx("GET", "/v2/calls/v3:abc", Value::Null), Ok(()));
    }

    #[test]
    fn telnyx_messages_conform() {
        let sms = json!({"from": "+15017122661", "to": "+15558675310", "text": "Reply STOP to opt out"});
        assert_eq!(telnyx("POST", "/v2/messages", sms), Ok(()));
        assert_rejected(
            telnyx("POST", "/v2/messages", json!({"to": "+15558675310", "text": "hi"})),
            &["at least one of `from`"],
        );
        assert_rejected(
            telnyx("POST", "/v2/messages", json!({"from": "+1", "to": ["+1"], "text": "hi"})),
            &["to: expected string"],
        );
    }

    fn event(event_type: &str, payload: Value) -> Value {
        json!({
            "data": {
                "record_type": "event",
                "event_type": event_type,
                "id": "0ccc7b54-4df3-4bca-a65a-3da1ecc777f0",
                "occurred_at": "2026-05-01T14:03:07.123456Z",
                "payload": payload
            },
            "meta": {"attempt": 1, "delivered_to": "https://outdial.example/hooks/telnyx"}
        })
    }

    fn call_ids() -> Value {
        json!({
            "call_control_id": "v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg",
            "call_leg_id": "428c31b6-7af4-4bcb-b7f5-5013ef9657c1",
            "call_session_id": "428c31b6-7af4-4bcb-b7f5-5013ef9657c1",
            "client_state": "YXR0ZW1wdF8x",
            "connection_id": "1494404757140276705",
            "from": "+15017122661",
            "to": "+15558675310"
        })
    }

    fn call_event(event_type: &str, extra: Value) -> Value {
        let mut payload = call_ids();
        payload.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        event(event_type, payload)
    }

    #[test]
    fn telnyx_signing_vector_body_is_a_valid_call_initiated() {
        let path = default_dir().join("webhook_signing_vectors.json");
        let vectors: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let raw = vectors["telnyx"][0]["raw_body"].as_str().unwrap();
        let mut body: Value = serde_json::from_str(raw).unwrap();
        assert_eq!(shared().check_telnyx_webhook(&body), Ok(()));
        body["data"]["payload"]["direction"] = json!("sideways");
        assert_rejected(
            shared().check_telnyx_webhook(&body),
            &["call.initiated: data.payload.direction: `sideways` not in [incoming, outgoing]"],
        );
    }

    #[test]
    fn telnyx_call_and_amd_events_conform() {
        let hangup = json!({"hangup_cause": "normal_clearing", "hangup_source": "callee", "sip_hangup_cause": "200",
            "start_time": "2026-05-01T14:02:00Z", "state": "hangup"});
        for body in [
            call_event("call.hangup", hangup),
            call_event("call.answered", json!({"state": "answered", "start_time": "2026-05-01T14:02:00+02:00"})),
            call_event("call.machine.detection.ended", json!({"result": "human"})),
            call_event("call.machine.greeting.ended", json!({"result": "beep_detected"})),
            call_event("call.machine.premium.detection.ended", json!({"result": "human_business"})),
        ] {
            assert_eq!(shared().check_telnyx_webhook(&body), Ok(()), "{body}");
        }
        let checks = [
            (
                call_event("call.machine.detection.ended", json!({"result": "robot"})),
                "data.payload.result: `robot` not in",
            ),
            (call_event("call.hangup", json!({"hangup_cause": "boredom"})), "call.hangup: data.payload.hangup_cause"),
            (
                call_event("call.answered", json!({"answered_by": "human"})),
                "data.payload: unknown property `answered_by`",
            ),
            (call_event("call.answered", json!({"start_time": "yesterday"})), "`yesterday` is not a valid date-time"),
            (call_event("call.teleported", json!({})), "call.teleported: no such event type"),
        ];
        for (body, needle) in checks {
            assert_rejected(shared().check_telnyx_webhook(&body), &[needle]);
        }
        let mut body = call_event("call.answered", json!({}));
        body["meta"]["retry_in"] = json!(5);
        body["data"]["id"] = json!("not-a-uuid");
        body["data"].as_object_mut().unwrap().remove("payload");
        let errs = shared().check_telnyx_webhook(&body).unwrap_err();
        for needle in
            ["meta: unknown property `retry_in`", "data.id: `not-a-uuid` is not a valid uuid", "`data.payload`"]
        {
            assert!(errs.iter().any(|e| e.contains(needle)), "{needle} not in {errs:#?}");
        }
    }

    #[test]
    fn telnyx_message_finalized_conforms() {
        let payload = json!({
            "id": "40385f64-5717-4562-b3fc-2c963f66afa6",
            "record_type": "message",
            "direction": "outbound",
            "type": "SMS",
            "from": {"phone_number": "+15017122661", "carrier": "Telnyx", "line_type": "VoIP"},
            "to": [{"phone_number": "+15558675310", "status": "delivered", "carrier": "T-Mobile USA", "line_type": "Wireless"}],
            "text": "Reply STOP to opt out",
            "parts": 1,
            "cost": null,
            "errors": [],
            "sent_at": "2026-05-01T14:03:06Z",
            "completed_at": "2026-05-01T14:03:07Z"
        });
        let body = event("message.finalized", payload);
        assert_eq!(shared().check_telnyx_webhook(&body), Ok(()));
        let mut undelivered = body.clone();
        undelivered["data"]["payload"]["to"][0]["status"] = json!("lost");
        assert_rejected(shared().check_telnyx_webhook(&undelivered), &["data.payload.to[0].status: `lost` not in"]);
    }

    #[test]
    fn pattern_dialect() {
        let sid = "^AC[0-9a-fA-F]{32}$";
        assert_eq!(pattern_matches(sid, &format!("AC{}", "a1".repeat(16))), Some(true));
        assert_eq!(pattern_matches(sid, "AC123"), Some(false));
        assert_eq!(pattern_matches("^(SM|MM)[0-9a-fA-F]{32}$", &format!("MM{}", "0".repeat(32))), Some(true));
        assert_eq!(pattern_matches("^wss?://", "ws://x"), Some(true));
        assert_eq!(pattern_matches("^wss?://", "https://x"), Some(false));
        assert_eq!(pattern_matches("^a(?=b)", "ab"), None);
        assert_eq!(pattern_matches("^[a-c]+-\\d{2,}$", "abc-12"), None);
        assert_eq!(pattern_matches("^[a-c]+x?-[0-9]{2,}$", "abc-123"), Some(true));
        assert_eq!(pattern_matches("^[a-c]+x?-[0-9]{2,}$", "abd-123"), Some(false));
        assert!(looks_like_date_time("2018-02-02T22:25:27.521992Z") && !looks_like_date_time("2018-02-02 22:25"));
    }
}
