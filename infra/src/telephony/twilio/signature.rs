//! `X-Twilio-Signature`: base64 HMAC-SHA1 over the full URL followed by every form parameter
//! name and value in sorted order (twilio-python `RequestValidator`). Twilio may sign the URL
//! with or without the default port, so both forms are tried. JSON bodies are covered by a
//! `bodySHA256` query parameter instead.

use base64::Engine;
use ring::hmac;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// The signature Twilio sends for `url` and these form parameters.
pub fn compute(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, auth_token.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(hmac::sign(&key, string_to_sign(url, params).as_bytes()))
}

fn string_to_sign(url: &str, params: &[(String, String)]) -> String {
    let mut sorted: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (k, v) in params {
        sorted.entry(k).or_default().insert(v);
    }
    let mut s = url.to_owned();
    for (k, values) in sorted {
        for v in values {
            s.push_str(k);
            s.push_str(v);
        }
    }
    s
}

/// Checks a request: `url` is the full URL Twilio requested, `params` the form body (empty for
/// JSON), `body` the raw body (needed when the URL carries `bodySHA256`).
pub fn verify(auth_token: &str, url: &str, params: &[(String, String)], body: &[u8], signature: &str) -> bool {
    let Ok(expected) = base64::engine::general_purpose::STANDARD.decode(signature.trim()) else {
        return false;
    };
    if query_value(url, "bodySHA256").is_some_and(|hash| !hash.eq_ignore_ascii_case(&hex::encode(Sha256::digest(body))))
    {
        return false;
    }
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, auth_token.as_bytes());
    [without_port(url), with_default_port(url)]
        .iter()
        .any(|candidate| hmac::verify(&key, string_to_sign(candidate, params).as_bytes(), &expected).is_ok())
}

fn query_value<'a>(url: &'a str, name: &str) -> Option<&'a str> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
}

/// Splits `scheme://authority/rest` into its parts.
fn split(url: &str) -> Option<(&str, &str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    Some((scheme, &rest[..end], &rest[end..]))
}

fn host_and_port(authority: &str) -> (&str, Option<&str>) {
    match authority.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => (host, Some(port)),
        _ => (authority, None),
    }
}

fn without_port(url: &str) -> String {
    match split(url) {
        Some((scheme, authority, rest)) => format!("{scheme}://{}{rest}", host_and_port(authority).0),
        None => url.to_owned(),
    }
}

fn with_default_port(url: &str) -> String {
    let Some((scheme, authority, rest)) = split(url) else { return url.to_owned() };
    let (host, port) = host_and_port(authority);
    if port.is_some() {
        return url.to_owned();
    }
    let port = if scheme.eq_ignore_ascii_case("https") { 443 } else { 80 };
    format!("{scheme}://{host}:{port}{rest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_variants() {
        assert_eq!(without_port("https://a.com:443/x?y=1"), "https://a.com/x?y=1");
        assert_eq!(with_default_port("https://a.com/x?y=1"), "https://a.com:443/x?y=1");
        assert_eq!(with_default_port("http://a.com?y=1"), "http://a.com:80?y=1");
        assert_eq!(with_default_port("http://a.com:1234/x"), "http://a.com:1234/x");
    }
}
