//! Realtime events for the caller's agency over Server-Sent Events (import progress now; line
//! states, connects and callbacks as the dialer lands). Fanned out through Redis in
//! production, so any API replica can serve any subscriber.

use crate::{
    error::{ApiResult, ErrorBody},
    extract::Auth,
    state::AppState,
};
use axum::{
    extract::State,
    response::sse::{Event, KeepAlive, Sse},
};
use futures::Stream;
use std::convert::Infallible;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(stream_events))
}

/// A stream of the agency's events: each SSE message has the event kind as its `event` and a
/// JSON `data`. Reconnect on drop (browsers' EventSource does it by itself).
#[utoipa::path(get, path = "/v1/events", tag = "events", operation_id = "stream_events",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "text/event-stream", body = String, content_type = "text/event-stream"),
        (status = 401, description = "unauthenticated", body = ErrorBody),
    ))]
pub async fn stream_events(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let mut rx = state.events.subscribe();
    let tenant = auth.tenant.to_string();
    let stream = async_stream(move |tx| async move {
        loop {
            match rx.recv().await {
                Ok(ev) if ev.tenant_id == tenant => {
                    let event = Event::default().event(ev.kind).data(ev.data.to_string());
                    if tx.send(Ok(event)).await.is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                // A slow client missed some events; it keeps the stream and re-reads state.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    if tx.send(Ok(Event::default().event("lagged").data("{}"))).await.is_err() {
                        return;
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// A stream fed by a task through a small channel (no extra crate needed).
fn async_stream<F, Fut>(f: F) -> impl Stream<Item = Result<Event, Infallible>>
where
    F: FnOnce(tokio::sync::mpsc::Sender<Result<Event, Infallible>>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    tokio::spawn(f(tx));
    futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) })
}
