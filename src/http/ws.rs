//! GraphQL over WebSocket on `GET /graphql` (a request asking to upgrade): the
//! `graphql-transport-ws` protocol (graphql-ws) and the legacy `graphql-ws` one
//! (subscriptions-transport-ws), chosen by `Sec-WebSocket-Protocol`
//! (`graphql-transport-ws` when none is offered).
//!
//! The API key comes in `connection_init`'s payload (`{"Authorization": "Bearer <key>"}`,
//! or `apiKey`), or in the upgrade request's own `Authorization` header; tenants, keys and
//! the loopback rule of the anonymous tenant are those of HTTP (`auth`). A page from an
//! origin other than this server's or `server.cors_origins` may not open a socket (403).
//! Refusals close the socket with the protocol's codes: 4400 a message that is not one
//! of the protocol's, 4401 a subscription before the connection was acknowledged, 4403
//! a refused key, 4408 no `connection_init` within `live.init_timeout_ms`, 4409 an id
//! already in use, 4429 a second `connection_init` or `live.max_connections` reached;
//! the legacy protocol sends `connection_error` first. A subscription past
//! `live.max_subscriptions_per_connection` gets an `error` naming the limit. The server
//! pings every `live.keepalive_secs` (`ka` for the legacy protocol), drops a client
//! that takes nothing for two of them, and closes with 1001 when it stops.

use std::{pin::Pin, sync::Arc};

use axum::{
    extract::{
        FromRequestParts,
        ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade},
    },
    http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
};
use futures::{Stream, StreamExt};
use serde_json::{Value, json};
use tokio_stream::StreamMap;

use super::{AppState, cors};
use crate::{
    graphql::{context::RequestContext, error::ErrorCode},
    live::{ConnectionSlot, Live},
    tenant::Tenant,
};

/// The largest message a client may send.
const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// `graphql-transport-ws` (graphql-ws).
pub const TRANSPORT_WS: &str = "graphql-transport-ws";
/// `graphql-ws` (the legacy subscriptions-transport-ws).
pub const LEGACY_WS: &str = "graphql-ws";

/// Which protocol a socket speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    TransportWs,
    Legacy,
}

/// Whether `headers` ask to upgrade to a WebSocket.
pub fn wants_upgrade(headers: &HeaderMap) -> bool {
    headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// Whether a browser page at `Origin` may open a socket: the same origin as the
/// request's `Host`, or one of `server.cors_origins`.
fn origin_allowed(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true; // not a browser page
    };
    let Ok(origin) = origin.to_str() else { return false };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let same = origin
        .split_once("://")
        .is_some_and(|(_, rest)| !host.is_empty() && rest.eq_ignore_ascii_case(host));
    same || cors::allows(&state.server, origin)
}

/// Upgrades `GET /graphql` to a GraphQL socket.
pub async fn upgrade(state: AppState, mut parts: Parts) -> Response {
    if !origin_allowed(&state, &parts.headers) {
        return (
            StatusCode::FORBIDDEN,
            axum::Json(
                json!({ "errors": [{ "message": "this origin may not open a socket (server.cors_origins)",
                "extensions": { "code": ErrorCode::Forbidden.as_str() } }] }),
            ),
        )
            .into_response();
    }
    let offered = |name: &str| {
        parts
            .headers
            .get_all(header::SEC_WEBSOCKET_PROTOCOL)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|p| p.trim() == name)
    };
    let protocol = if !offered(TRANSPORT_WS) && offered(LEGACY_WS) {
        Protocol::Legacy
    } else {
        Protocol::TransportWs
    };
    let ws = match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(ws) => ws,
        Err(rejection) => return rejection.into_response(),
    };
    // What authentication needs from the upgrade request: where it was sent, and a key
    // sent as a header by a client that can. Copied, not cloned: a value hyper parsed
    // shares the connection's whole read buffer (16 KB), which a clone would keep alive
    // for as long as the socket stays open.
    let mut headers = HeaderMap::new();
    for name in [header::HOST, header::AUTHORIZATION] {
        if let Some(v) = parts.headers.get(&name)
            && let Ok(mut copy) = HeaderValue::from_bytes(v.as_bytes())
        {
            copy.set_sensitive(v.is_sensitive());
            headers.insert(name, copy);
        }
    }
    let slot = state.live.connect();
    ws.protocols([TRANSPORT_WS, LEGACY_WS])
        .read_buffer_size(1024)
        .write_buffer_size(0)
        .max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        // Not an `async move` block: its captures would stay in the socket's task beside
        // the `Connection` they are moved into, doubling it for the socket's whole life.
        .on_upgrade(move |socket| {
            Connection {
                socket,
                protocol,
                state,
                headers,
                tenant: None,
                access: None,
                init_received: false,
            }
            .serve(slot)
        })
}

/// A subscription's results, then `None` when it ends.
type Results = Pin<Box<dyn Stream<Item = Option<async_graphql::Response>> + Send>>;

struct Connection {
    socket: WebSocket,
    protocol: Protocol,
    state: AppState,
    /// What authentication needs from the upgrade request, until `connection_init` takes it.
    headers: HeaderMap,
    tenant: Option<Arc<Tenant>>,
    /// What the authenticated caller may do (checked on every operation it starts).
    access: Option<crate::graphql::access::Access>,
    init_received: bool,
}

/// What to do after a client message.
enum Flow {
    Continue,
    Close(u16, String),
    Stop,
}

impl Connection {
    /// Serves the socket until it closes, or refuses it when the process has no slot
    /// left.
    async fn serve(mut self, slot: Option<ConnectionSlot>) {
        match slot {
            Some(slot) => {
                let _open = self.state.metrics.connection_opened("websocket");
                self.run(slot).await
            }
            None => {
                self.refuse(
                    4429,
                    "Too many connections: the server's limit (live.max_connections) is reached",
                )
                .await
            }
        }
    }

    async fn run(&mut self, _slot: ConnectionSlot) {
        let live = self.state.live.clone();
        let settings = live.settings().clone();
        let mut closing = live.closing();
        let mut streams: StreamMap<String, Results> = StreamMap::new();
        let init_deadline =
            tokio::time::Instant::now() + std::time::Duration::from_millis(settings.init_timeout_ms);
        let period = std::time::Duration::from_secs(settings.keepalive_secs);
        let mut keepalive = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        keepalive.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let flow = tokio::select! {
                message = self.socket.recv() => match message {
                    // Boxed: a task is sized for its largest state and lives as long as
                    // the socket, and a client message's handling (authentication,
                    // starting an operation) is by far the largest, yet rare.
                    Some(Ok(Message::Text(text))) => {
                        Box::pin(self.on_message(text.as_str(), &mut streams, settings.max_subscriptions_per_connection)).await
                    }
                    Some(Ok(Message::Binary(_))) => Flow::Close(4400, "Invalid message received: binary frames are not accepted".into()),
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => Flow::Stop,
                    Some(Ok(_)) => Flow::Continue, // ping/pong frames are answered by the socket
                },
                Some((id, response)) = streams.next(), if !streams.is_empty() => {
                    // Boxed too: an idle socket's task keeps none of an event's state.
                    Box::pin(self.on_result(&id, response, &mut streams)).await
                }
                () = tokio::time::sleep_until(init_deadline), if !self.init_received => {
                    Flow::Close(4408, "Connection initialisation timeout".into())
                }
                _ = keepalive.tick() => {
                    let ping = match self.protocol {
                        Protocol::TransportWs => json!({ "type": "ping" }),
                        Protocol::Legacy => json!({ "type": "ka" }),
                    };
                    self.send(&ping).await
                }
                () = Live::closed(&mut closing) => Flow::Close(1001, "the server is shutting down".into()),
            };
            match flow {
                Flow::Continue => {}
                Flow::Stop => return,
                Flow::Close(code, reason) => {
                    self.refuse(code, &reason).await;
                    return;
                }
            }
        }
    }

    /// Sends `message`; a client that takes none of it for two keep-alive intervals is
    /// gone (or stalled for good), and its socket is dropped.
    async fn send(&mut self, message: &Value) -> Flow {
        let patience = std::time::Duration::from_secs(2 * self.state.live.settings().keepalive_secs);
        let sent = self.socket.send(Message::Text(message.to_string().into()));
        match tokio::time::timeout(patience, sent).await {
            Ok(Ok(())) => Flow::Continue,
            Ok(Err(_)) => Flow::Stop,
            Err(_) => {
                tracing::info!(
                    "graphql socket dropped: the client took nothing for two keep-alive intervals"
                );
                Flow::Stop
            }
        }
    }

    /// Closes with `code` (after `connection_error` in the legacy protocol, whose clients
    /// read that instead).
    async fn refuse(&mut self, code: u16, reason: &str) {
        if self.protocol == Protocol::Legacy && code >= 4000 {
            let _ = self
                .send(&json!({ "type": "connection_error", "payload": { "message": reason } }))
                .await;
        }
        // A close reason is at most 123 bytes.
        let mut end = reason.len().min(123);
        while !reason.is_char_boundary(end) {
            end -= 1;
        }
        let frame = CloseFrame {
            code,
            reason: reason[..end].into(),
        };
        let closing = self.socket.send(Message::Close(Some(frame)));
        let _ = tokio::time::timeout(std::time::Duration::from_secs(1), closing).await;
    }

    async fn on_message(
        &mut self,
        text: &str,
        streams: &mut StreamMap<String, Results>,
        max_subscriptions: usize,
    ) -> Flow {
        let Ok(Value::Object(message)) = serde_json::from_str::<Value>(text) else {
            return Flow::Close(4400, "Invalid message received: not a JSON object".into());
        };
        let kind = message.get("type").and_then(Value::as_str).unwrap_or("");
        let id = message.get("id").and_then(Value::as_str).map(str::to_owned);
        let payload = message.get("payload").cloned();
        match (self.protocol, kind) {
            (_, "connection_init") => self.on_init(payload).await,
            (Protocol::TransportWs, "ping") => self.send(&json!({ "type": "pong" })).await,
            (Protocol::TransportWs, "pong") => Flow::Continue,
            (Protocol::TransportWs, "subscribe") | (Protocol::Legacy, "start") => {
                let Some(id) = id.filter(|i| !i.is_empty()) else {
                    return Flow::Close(4400, format!("Invalid message received: `{kind}` needs an `id`"));
                };
                self.on_subscribe(id, payload, streams, max_subscriptions).await
            }
            (Protocol::TransportWs, "complete") | (Protocol::Legacy, "stop") => {
                let Some(id) = id else {
                    return Flow::Close(4400, format!("Invalid message received: `{kind}` needs an `id`"));
                };
                if streams.remove(&id).is_some() && self.protocol == Protocol::Legacy {
                    return self.send(&json!({ "type": "complete", "id": id })).await;
                }
                Flow::Continue
            }
            (Protocol::Legacy, "connection_terminate") => Flow::Close(1000, "terminated".into()),
            (_, other) => Flow::Close(4400, format!("Invalid message received: unknown type `{other}`")),
        }
    }

    async fn on_init(&mut self, payload: Option<Value>) -> Flow {
        if self.init_received {
            return Flow::Close(4429, "Too many initialisation requests".into());
        }
        self.init_received = true;
        // Needed only now: an idle socket keeps none of its upgrade request.
        let mut headers = std::mem::take(&mut self.headers);
        if let Some(key) = payload.as_ref().and_then(presented_key) {
            let value = if key.len() > 7 && key[..7].eq_ignore_ascii_case("bearer ") {
                key
            } else {
                format!("Bearer {key}")
            };
            match HeaderValue::from_str(&value) {
                Ok(v) => {
                    headers.insert(header::AUTHORIZATION, v);
                }
                Err(_) => return Flow::Close(4403, "Forbidden: the API key is malformed".into()),
            }
        }
        match self.state.auth.principal(&headers).await {
            Ok(principal) if !principal.access.read => Flow::Close(
                4403,
                format!(
                    "Forbidden: subscriptions need the `{}` scope",
                    principal.access.read_scope
                ),
            ),
            Ok(principal) => {
                let tenant = principal.tenant;
                tracing::info!(tenant = %tenant.id, "graphql socket acknowledged");
                self.tenant = Some(tenant);
                self.access = Some(principal.access);
                let flow = self.send(&json!({ "type": "connection_ack" })).await;
                if self.protocol == Protocol::Legacy && matches!(flow, Flow::Continue) {
                    return self.send(&json!({ "type": "ka" })).await;
                }
                flow
            }
            Err(e) => Flow::Close(4403, format!("Forbidden: {e}")),
        }
    }

    async fn on_subscribe(
        &mut self,
        id: String,
        payload: Option<Value>,
        streams: &mut StreamMap<String, Results>,
        max_subscriptions: usize,
    ) -> Flow {
        let Some(tenant) = self.tenant.clone() else {
            return Flow::Close(4401, "Unauthorized: send connection_init first".into());
        };
        if streams.contains_key(&id) {
            return Flow::Close(4409, format!("Subscriber for {id} already exists"));
        }
        if streams.len() >= max_subscriptions {
            let error = json!({ "message": format!(
                    "at most {max_subscriptions} subscriptions may be open on one connection (live.max_subscriptions_per_connection)"),
                "extensions": { "code": ErrorCode::LimitExceeded.as_str(),
                    "limit": "max_subscriptions_per_connection", "max": max_subscriptions } });
            return self.send_error(&id, vec![error]).await;
        }
        let request = match read_request(payload) {
            Ok(r) => r,
            Err(message) => {
                // A malformed payload is a protocol error in graphql-transport-ws.
                if self.protocol == Protocol::TransportWs {
                    return Flow::Close(4400, format!("Invalid message received: {message}"));
                }
                let error =
                    json!({ "message": message, "extensions": { "code": ErrorCode::BadRequest.as_str() } });
                return self.send_error(&id, vec![error]).await;
            }
        };
        let context = RequestContext::new(tenant, &self.state.cache);
        let mut request = request.data(context).data(self.state.live.clone());
        if let Some(access) = self.access.clone() {
            request = request.data(access);
        }
        let stream = self.state.schema.execute_stream(request);
        // Counted in `switchboard_graphql_subscriptions` while the stream lives.
        let open = self.state.metrics.subscription_opened();
        let stream = stream.map(move |response| {
            let _ = &open;
            Some(response)
        });
        streams.insert(id, Box::pin(stream.chain(futures::stream::once(async { None }))));
        Flow::Continue
    }

    async fn send_error(&mut self, id: &str, errors: Vec<Value>) -> Flow {
        let message = match self.protocol {
            Protocol::TransportWs => json!({ "type": "error", "id": id, "payload": errors }),
            Protocol::Legacy => json!({ "type": "error", "id": id, "payload": { "errors": errors } }),
        };
        self.send(&message).await
    }

    async fn on_result(
        &mut self,
        id: &str,
        response: Option<async_graphql::Response>,
        streams: &mut StreamMap<String, Results>,
    ) -> Flow {
        let Some(response) = response else {
            streams.remove(id);
            return self.send(&json!({ "type": "complete", "id": id })).await;
        };
        let (request_error, body) = super::graphql::response_json(response);
        if request_error {
            // Refused before it ran (parse, validation, limits): an `error`, no `complete`.
            streams.remove(id);
            let errors = body["errors"].as_array().cloned().unwrap_or_default();
            return self.send_error(id, errors).await;
        }
        let kind = match self.protocol {
            Protocol::TransportWs => "next",
            Protocol::Legacy => "data",
        };
        self.send(&json!({ "type": kind, "id": id, "payload": body }))
            .await
    }
}

/// The key in a `connection_init` payload: `Authorization` (any case, or under
/// `headers`), or `apiKey`.
fn presented_key(payload: &Value) -> Option<String> {
    let object = payload.as_object()?;
    let find = |o: &serde_json::Map<String, Value>| {
        o.iter()
            .find(|(k, _)| {
                ["authorization", "apikey", "api_key", "x-api-key"].contains(&k.to_ascii_lowercase().as_str())
            })
            .and_then(|(_, v)| v.as_str().map(str::to_owned))
    };
    find(object).or_else(|| object.get("headers").and_then(Value::as_object).and_then(find))
}

/// A subscribe payload (`query`, `variables`, `operationName`, `extensions`) as a request.
fn read_request(payload: Option<Value>) -> Result<async_graphql::Request, String> {
    let Some(Value::Object(payload)) = payload else {
        return Err("the payload must be an object with a `query`".into());
    };
    let Some(query) = payload.get("query").and_then(Value::as_str) else {
        return Err("the payload needs a `query` string".into());
    };
    let mut request = async_graphql::Request::new(query);
    match payload.get("operationName") {
        None | Some(Value::Null) => {}
        Some(Value::String(name)) => request = request.operation_name(name.clone()),
        Some(_) => return Err("`operationName` must be a string".into()),
    }
    match payload.get("variables") {
        None | Some(Value::Null) => {}
        Some(v @ Value::Object(_)) => {
            request = request.variables(async_graphql::Variables::from_json(v.clone()))
        }
        Some(_) => return Err("`variables` must be an object".into()),
    }
    Ok(request)
}
