//! GraphQL over Server-Sent Events, graphql-sse's "distinct connections" mode: a
//! `POST /graphql` with `Accept: text/event-stream` runs one operation (any kind; a
//! subscription streams) and answers a stream of `next` events, each a GraphQL
//! response, closed by a `complete` event. It passes every check a POST passes (body
//! size, CSRF, `application/json`, the API key in `Authorization`); comments keep the
//! stream alive every `live.keepalive_secs`; it ends when the server stops.

use std::{convert::Infallible, sync::Arc, time::Duration};

use axum::{
    http::{HeaderMap, StatusCode, header},
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
};
use futures::StreamExt;

use super::{AppState, graphql::response_json};
use crate::{graphql::context::RequestContext, tenant::Tenant};

/// Whether `headers` ask for an event stream (and not for JSON first).
pub fn wants_event_stream(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.split(';').next().unwrap_or("").trim())
        .next()
        .is_some_and(|first| first.eq_ignore_ascii_case("text/event-stream"))
}

/// Streams `request`'s results as `next` events, then `complete`.
pub fn stream(state: &AppState, tenant: Arc<Tenant>, request: async_graphql::Request) -> Response {
    let live = state.live.clone();
    let Some(slot) = live.connect() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({ "errors": [{
                "message": "too many open streams: the server's limit (live.max_connections) is reached",
                "extensions": { "code": "LIMIT_EXCEEDED", "limit": "max_connections" } }] })),
        )
            .into_response();
    };
    let context = RequestContext::new(tenant, &state.cache);
    let results = state
        .schema
        .execute_stream(request.data(context).data(live.clone()));
    // Counted as an open connection and subscription while the stream lives.
    let open = (
        state.metrics.connection_opened("sse"),
        state.metrics.subscription_opened(),
    );
    let mut closing = live.closing();
    let stopped = async move { crate::live::Live::closed(&mut closing).await };
    let events = results
        .take_until(stopped)
        .map(|response| {
            let (_, body) = response_json(response);
            Ok::<_, Infallible>(Event::default().event("next").data(body.to_string()))
        })
        .chain(futures::stream::once(async move {
            drop(slot);
            drop(open);
            Ok(Event::default().event("complete").data(""))
        }));
    let keepalive = Duration::from_secs(live.settings().keepalive_secs);
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(keepalive))
        .into_response()
}
