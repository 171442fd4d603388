//! Browsable API docs at `/docs`: a self-contained page (no CDN) that reads `/openapi.json`.

use axum::response::Html;

pub async fn docs_page() -> Html<&'static str> {
    Html(include_str!("docs.html"))
}
