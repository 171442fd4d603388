//! The browser app: the built files of `web/` served at `/`, with `index.html` answering the
//! app's own client-side routes (`/cockpit`, `/reset-password?token=...`). The API, webhook,
//! sandbox, docs and ops paths are never shadowed: an unknown path under them keeps the API's
//! JSON 404.

use axum::{
    extract::Request,
    response::{Html, IntoResponse, Response},
};
use std::path::{Path, PathBuf};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// Path prefixes that belong to the server, not to the browser app.
const RESERVED: &[&str] =
    &["/v1", "/webhooks", "/sandbox", "/docs", "/openapi.json", "/healthz", "/readyz", "/metrics"];

/// Where the built app is: the configured directory, or `web/dist` when the process runs from
/// a checkout that has built it.
pub fn web_dir(configured: Option<&Path>) -> Option<PathBuf> {
    if let Some(dir) = configured {
        if !dir.join("index.html").is_file() {
            tracing::warn!(dir = %dir.display(), "OUTDIAL_WEB_DIR has no index.html; run `npm ci && npm run build` in web/");
        }
        return Some(dir.to_owned());
    }
    let default = PathBuf::from("web/dist");
    default.join("index.html").is_file().then_some(default)
}

/// The router's fallback: the app's files when there is a built app, else a short page at `/`.
#[derive(Clone)]
pub struct WebApp {
    files: Option<(ServeDir, ServeDir<ServeFile>)>,
}

impl WebApp {
    pub fn new(dir: Option<PathBuf>) -> WebApp {
        let files = dir.map(|d| (ServeDir::new(&d), ServeDir::new(&d).fallback(ServeFile::new(d.join("index.html")))));
        WebApp { files }
    }

    pub async fn handle(self, req: Request) -> Response {
        let path = req.uri().path();
        let reserved = RESERVED.iter().any(|p| path == *p || path.strip_prefix(p).is_some_and(|r| r.starts_with('/')));
        if reserved {
            return crate::not_found().await.into_response();
        }
        match self.files {
            // A missing hashed asset is a stale page, not a client-side route: no index.html.
            Some((plain, _)) if path.starts_with("/assets/") => match plain.oneshot(req).await {
                Ok(res) => res.into_response(),
                Err(never) => match never {},
            },
            Some((_, with_index)) => match with_index.oneshot(req).await {
                Ok(res) => res.into_response(),
                Err(never) => match never {},
            },
            None if path == "/" => home().into_response(),
            None => crate::not_found().await.into_response(),
        }
    }
}

fn home() -> Html<&'static str> {
    Html(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Outdial</title></head><body>\
<h1>Outdial</h1><p>The API is running. Reference: <a href=\"/docs\">/docs</a> and <a href=\"/openapi.json\">/openapi.json</a>.</p></body></html>",
    )
}
