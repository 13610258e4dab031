//! `Subscription.presenceChanged` over graphql-transport-ws, the legacy graphql-ws
//! protocol and SSE: changes made in the simulators reach every transport with the
//! previous and the new state, snapshots, the Vonage webhook feeding the same stream,
//! pollers running only while someone subscribes, the close codes, and shutdown (1001).

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async,
    tungstenite::{Message, client::IntoClientRequest, http::HeaderValue},
};

use crate::helpers::{TestApp, spawn_app_with};

pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Polling fast enough for tests.
const POLL_MS: u64 = 200;

async fn live_app() -> TestApp {
    spawn_app_with(|s| {
        s.live.dixa_poll_ms = POLL_MS;
        s.live.vonage_poll_ms = POLL_MS;
        s.live.init_timeout_ms = 400;
    })
    .await
}

const SUBSCRIPTION: &str = "subscription ($filter: PresenceFilter, $snapshot: Boolean) {
  presenceChanged(filter: $filter, includeSnapshot: $snapshot) {
    kind agentId vendor changedAt
    presence { availability rawStatus category }
    previous { availability rawStatus category }
    agent { displayName }
  }
}";

/// Opens a socket speaking `protocol`.
async fn open(app: &TestApp, protocol: &str) -> Socket {
    open_at(&app.addr.to_string(), protocol).await
}

/// Opens a socket to the server at `addr` (`host:port`) speaking `protocol`.
async fn open_at(addr: &str, protocol: &str) -> Socket {
    let mut request = format!("ws://{addr}/graphql").into_client_request().unwrap();
    request
        .headers_mut()
        .insert("sec-websocket-protocol", HeaderValue::from_str(protocol).unwrap());
    let (socket, response) = connect_async(request).await.expect("the socket opens");
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        protocol,
        "the server speaks the protocol asked for"
    );
    socket
}

async fn send(socket: &mut Socket, message: Value) {
    socket.send(Message::text(message.to_string())).await.unwrap();
}

/// The next protocol message other than keep-alives; panics after 5 s.
async fn next_message(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("a message within 5 s")
            .expect("the socket is open")
            .expect("a frame");
        if let Message::Text(text) = message {
            let value: Value = serde_json::from_str(&text).unwrap();
            if value["type"] != "ka" && value["type"] != "ping" {
                return value;
            }
        } else if let Message::Close(frame) = message {
            panic!("closed: {frame:?}");
        }
    }
}

/// The close code the server ends with; panics after 5 s.
async fn close_code(socket: &mut Socket) -> (u16, String) {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("closed within 5 s");
        match message {
            Some(Ok(Message::Close(Some(frame)))) => return (frame.code.into(), frame.reason.to_string()),
            Some(Ok(_)) => {}
            other => panic!("no close frame: {other:?}"),
        }
    }
}

/// A socket acknowledged as the test tenant.
async fn connected(app: &TestApp, protocol: &str) -> Socket {
    connected_at(&app.addr.to_string(), &app.bearer(), protocol).await
}

/// A socket to `addr` acknowledged with `bearer`.
pub(crate) async fn connected_at(addr: &str, bearer: &str, protocol: &str) -> Socket {
    let mut socket = open_at(addr, protocol).await;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "Authorization": bearer } }),
    )
    .await;
    assert_eq!(next_message(&mut socket).await["type"], "connection_ack");
    socket
}

/// Subscribes on `socket` as `id`.
pub(crate) async fn subscribe(socket: &mut Socket, legacy: bool, id: &str, variables: Value) {
    let kind = if legacy { "start" } else { "subscribe" };
    send(
        socket,
        json!({ "type": kind, "id": id, "payload": { "query": SUBSCRIPTION, "variables": variables } }),
    )
    .await;
}

/// The next presence event on `socket`.
pub(crate) async fn next_event(socket: &mut Socket) -> Value {
    let message = next_message(socket).await;
    assert!(
        message["type"] == "next" || message["type"] == "data",
        "an event: {message}"
    );
    assert!(message["payload"].get("errors").is_none(), "{message}");
    message["payload"]["data"]["presenceChanged"].clone()
}

/// The first member of the first Dixa team: (global id, vendor id, availability).
async fn a_dixa_agent(app: &TestApp) -> (String, String, String) {
    let data = app
        .data(
            "{ teams(first: 1) { nodes { members(first: 1) { nodes { id vendorId presence { availability } } } } } }",
            json!({}),
        )
        .await;
    let m = &data["teams"]["nodes"][0]["members"]["nodes"][0];
    (
        m["id"].as_str().unwrap().to_owned(),
        m["vendorId"].as_str().unwrap().to_owned(),
        m["presence"]["availability"].as_str().unwrap().to_owned(),
    )
}

/// The simulator's body setting a Dixa agent's presence to `availability`.
fn dixa_presence(availability: &str) -> Value {
    match availability {
        "AVAILABLE" => json!({ "presenceStatus": "Working", "connectionStatus": "Online" }),
        "AWAY" => json!({ "presenceStatus": "Away", "connectionStatus": "Online" }),
        _ => json!({ "connectionStatus": "Offline" }),
    }
}

/// Sets a Dixa agent's presence in the simulator to `availability`.
async fn set_dixa(app: &TestApp, vendor_id: &str, availability: &str) {
    let body = dixa_presence(availability);
    app.sim(Method::PUT, "dixa", &format!("/presence/{vendor_id}"), Some(body))
        .await;
}

/// The same, on simulators a test started itself.
pub(crate) async fn set_dixa_at(
    client: &reqwest::Client,
    sims: &switchboard::sim::RunningSimulators,
    vendor_id: &str,
    availability: &str,
) {
    let response = client
        .put(format!("http://{}/dixa/_sim/presence/{vendor_id}", sims.addr))
        .json(&dixa_presence(availability))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
}

/// Reads SSE events (`event`, `data`) from a streaming response.
struct SseReader {
    body: reqwest::Response,
    buffer: String,
}

impl SseReader {
    async fn next(&mut self) -> (String, String) {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut event, mut data) = (String::new(), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if !event.is_empty() {
                    return (event, data);
                }
                continue; // a keep-alive comment
            }
            let chunk = tokio::time::timeout(Duration::from_secs(5), self.body.chunk())
                .await
                .expect("an SSE event within 5 s")
                .unwrap()
                .expect("the stream is open");
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    async fn next_event(&mut self) -> Value {
        let (event, data) = self.next().await;
        assert_eq!(event, "next", "{data}");
        let body: Value = serde_json::from_str(&data).unwrap();
        assert!(body.get("errors").is_none(), "{body}");
        body["data"]["presenceChanged"].clone()
    }
}

async fn sse_subscribe(app: &TestApp, variables: Value) -> SseReader {
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("authorization", app.bearer())
        .header("accept", "text/event-stream")
        .json(&json!({ "query": SUBSCRIPTION, "variables": variables }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    SseReader {
        body: response,
        buffer: String::new(),
    }
}

#[tokio::test]
async fn a_simulator_change_reaches_graphql_ws_legacy_and_sse_subscribers_with_both_states() {
    let app = live_app().await;
    let (agent, vendor_id, seeded) = a_dixa_agent(&app).await;
    let variables = json!({ "filter": { "agentIds": [agent] }, "snapshot": true });

    let mut modern = connected(&app, "graphql-transport-ws").await;
    subscribe(&mut modern, false, "m1", variables.clone()).await;
    let mut legacy = connected(&app, "graphql-ws").await;
    subscribe(&mut legacy, true, "l1", variables.clone()).await;
    let mut sse = sse_subscribe(&app, variables).await;

    // Each starts with the snapshot: exactly the one agent, as seeded.
    for snapshot in [
        next_event(&mut modern).await,
        next_event(&mut legacy).await,
        sse.next_event().await,
    ] {
        assert_eq!(snapshot["kind"], "SNAPSHOT", "{snapshot}");
        assert_eq!(snapshot["agentId"], agent.as_str());
        assert_eq!(snapshot["vendor"], "DIXA");
        assert_eq!(snapshot["presence"]["availability"], seeded.as_str());
        assert!(snapshot["previous"].is_null());
        assert!(snapshot["agent"]["displayName"].is_string(), "{snapshot}");
    }

    let target = if seeded == "AWAY" { "AVAILABLE" } else { "AWAY" };
    set_dixa(&app, &vendor_id, target).await;
    for change in [
        next_event(&mut modern).await,
        next_event(&mut legacy).await,
        sse.next_event().await,
    ] {
        assert_eq!(change["kind"], "CHANGE", "{change}");
        assert_eq!(change["agentId"], agent.as_str());
        assert_eq!(change["previous"]["availability"], seeded.as_str(), "{change}");
        assert_eq!(change["presence"]["availability"], target, "{change}");
        assert!(change["changedAt"].is_string());
    }

    // Unsubscribing: graphql-transport-ws says nothing more, the legacy protocol
    // confirms with `complete`.
    send(&mut modern, json!({ "type": "complete", "id": "m1" })).await;
    send(&mut legacy, json!({ "type": "stop", "id": "l1" })).await;
    assert_eq!(
        next_message(&mut legacy).await,
        json!({ "type": "complete", "id": "l1" })
    );
}

#[tokio::test]
async fn a_vonage_webhook_feeds_the_same_stream_and_filters_hold() {
    let app = live_app().await;
    let users = app
        .data(
            "{ agents(filter: { vendors: [VONAGE] }, first: 2) { nodes { id vendorId } } }",
            json!({}),
        )
        .await;
    let watched = &users["agents"]["nodes"][0];
    let other = &users["agents"]["nodes"][1];
    let mut socket = connected(&app, "graphql-transport-ws").await;
    subscribe(
        &mut socket,
        false,
        "v",
        json!({ "filter": { "agentIds": [watched["id"]], "vendors": ["VONAGE"] }, "snapshot": true }),
    )
    .await;
    let snapshot = next_event(&mut socket).await;
    assert_eq!(snapshot["kind"], "SNAPSHOT");
    assert_eq!(snapshot["agentId"], watched["id"]);
    let before = snapshot["presence"]["category"].as_str().unwrap().to_owned();
    let category = if before == "Away" { "LoggedOut" } else { "Away" };
    let event = |agent: &Value, category: &str| {
        json!({
            "type": "agent.presencechanged.v0",
            "timestamp": chrono::Utc::now().to_rfc3339(),
            "presence": { "category": { "categoryType": category }, "description": "Lunch" },
            "user": { "agentId": agent["vendorId"] }
        })
    };
    for agent in [other, watched] {
        let response = app
            .client
            .post(app.url(&format!("/webhooks/vonage/{}", crate::helpers::TENANT)))
            .header("x-webhook-secret", switchboard::sim::vonage::DEMO_WEBHOOK_SECRET)
            .json(&event(agent, category))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 202);
    }
    let change = next_event(&mut socket).await;
    assert_eq!(change["kind"], "CHANGE");
    assert_eq!(
        change["agentId"], watched["id"],
        "only the watched agent: {change}"
    );
    assert_eq!(change["presence"]["category"], category);
    assert_eq!(change["presence"]["rawStatus"], "Lunch");
    assert_eq!(change["previous"]["category"], before.as_str(), "{change}");
}

#[tokio::test]
async fn the_poller_runs_only_while_someone_subscribes() {
    let app = live_app().await;
    let route = "GET /agents/presence";
    tokio::time::sleep(Duration::from_millis(3 * POLL_MS)).await;
    assert_eq!(app.calls("dixa", route).await, 0, "nobody subscribes: no poll");

    let mut socket = connected(&app, "graphql-transport-ws").await;
    subscribe(
        &mut socket,
        false,
        "d",
        json!({ "filter": { "vendors": ["DIXA"] } }),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(5 * POLL_MS)).await;

    let polled = app.calls("dixa", route).await;
    assert!(
        (2..=7).contains(&polled),
        "one call per interval for the whole tenant: {polled}"
    );
    // A second subscriber, on other teams, shares the one poller.
    let mut second = connected(&app, "graphql-transport-ws").await;
    subscribe(
        &mut second,
        false,
        "d2",
        json!({ "filter": { "vendors": ["DIXA"] } }),
    )
    .await;
    let before = app.calls("dixa", route).await;
    tokio::time::sleep(Duration::from_millis(5 * POLL_MS)).await;
    let during = app.calls("dixa", route).await - before;
    assert!((2..=7).contains(&during), "still one poll per interval: {during}");

    drop(socket);
    drop(second);
    // Within one interval of the last unsubscribe the poller stops; then the counter
    // stays flat.
    tokio::time::sleep(Duration::from_millis(2 * POLL_MS)).await;
    let stopped = app.calls("dixa", route).await;
    tokio::time::sleep(Duration::from_millis(4 * POLL_MS)).await;
    assert_eq!(app.calls("dixa", route).await, stopped, "the poller stopped");
}

#[tokio::test]
async fn refusals_close_with_the_protocols_codes() {
    let app = live_app().await;
    // 4408: no connection_init in time.
    let mut s = open(&app, "graphql-transport-ws").await;
    assert_eq!(close_code(&mut s).await.0, 4408);
    // 4403: a wrong key; the reason never echoes it.
    let mut s = open(&app, "graphql-transport-ws").await;
    send(
        &mut s,
        json!({ "type": "connection_init", "payload": { "Authorization": "Bearer nope-123" } }),
    )
    .await;
    let (code, reason) = close_code(&mut s).await;
    assert_eq!(code, 4403);
    assert!(!reason.contains("nope-123"), "{reason}");
    // 4403 without any key either (no anonymous tenant here).
    let mut s = open(&app, "graphql-transport-ws").await;
    send(&mut s, json!({ "type": "connection_init" })).await;
    assert_eq!(close_code(&mut s).await.0, 4403);
    // 4401: subscribing before the acknowledgement.
    let mut s = open(&app, "graphql-transport-ws").await;
    subscribe(&mut s, false, "x", json!({})).await;
    assert_eq!(close_code(&mut s).await.0, 4401);
    // 4400: not a protocol message.
    let mut s = connected(&app, "graphql-transport-ws").await;
    send(&mut s, json!({ "type": "hello" })).await;
    assert_eq!(close_code(&mut s).await.0, 4400);
    // 4409: an id already in use.
    let mut s = connected(&app, "graphql-transport-ws").await;
    subscribe(&mut s, false, "same", json!({})).await;
    subscribe(&mut s, false, "same", json!({})).await;
    assert_eq!(close_code(&mut s).await.0, 4409);
    // 4429: a second connection_init.
    let mut s = connected(&app, "graphql-transport-ws").await;
    send(
        &mut s,
        json!({ "type": "connection_init", "payload": { "Authorization": app.bearer() } }),
    )
    .await;
    assert_eq!(close_code(&mut s).await.0, 4429);
    // The legacy protocol says why in connection_error, then closes.
    let mut s = open(&app, "graphql-ws").await;
    send(
        &mut s,
        json!({ "type": "connection_init", "payload": { "authorization": "Bearer bad" } }),
    )
    .await;
    let error = next_message(&mut s).await;
    assert_eq!(error["type"], "connection_error", "{error}");
    assert!(
        error["payload"]["message"]
            .as_str()
            .unwrap()
            .contains("not valid")
    );
    assert_eq!(close_code(&mut s).await.0, 4403);
    // A bad filter is an execution error naming the field, then the end of that
    // subscription; an invalid document is an `error` message.
    let mut s = connected(&app, "graphql-transport-ws").await;
    subscribe(
        &mut s,
        false,
        "bad",
        json!({ "filter": { "vendors": ["WEBEX"] } }),
    )
    .await;
    let error = next_message(&mut s).await;
    assert_eq!(error["type"], "next", "{error}");
    let first = &error["payload"]["errors"][0];
    assert_eq!(first["extensions"]["code"], "BAD_USER_INPUT", "{error}");
    assert_eq!(first["extensions"]["field"], "filter.vendors");
    assert_eq!(
        next_message(&mut s).await,
        json!({ "type": "complete", "id": "bad" })
    );
    send(
        &mut s,
        json!({ "type": "subscribe", "id": "typo",
        "payload": { "query": "subscription { presenceChange { kind } }" } }),
    )
    .await;
    let error = next_message(&mut s).await;
    assert_eq!(
        (error["type"].as_str(), error["id"].as_str()),
        (Some("error"), Some("typo")),
        "{error}"
    );
    assert!(
        error["payload"][0]["message"]
            .as_str()
            .unwrap()
            .contains("presenceChange"),
        "{error}"
    );
}

#[tokio::test]
async fn caps_on_subscriptions_per_socket_and_sockets_per_process() {
    let app = spawn_app_with(|s| {
        s.live.max_subscriptions_per_connection = 2;
        s.live.max_connections = 2;
        s.live.dixa_poll_ms = POLL_MS;
    })
    .await;
    let mut s = connected(&app, "graphql-transport-ws").await;
    subscribe(&mut s, false, "1", json!({})).await;
    subscribe(&mut s, false, "2", json!({})).await;
    subscribe(&mut s, false, "3", json!({})).await;
    let error = next_message(&mut s).await;
    assert_eq!(
        (error["type"].as_str(), error["id"].as_str()),
        (Some("error"), Some("3"))
    );
    assert_eq!(error["payload"][0]["extensions"]["code"], "LIMIT_EXCEEDED");
    let _second = connected(&app, "graphql-transport-ws").await;
    let mut third = open(&app, "graphql-transport-ws").await;
    assert_eq!(close_code(&mut third).await.0, 4429);
}

#[tokio::test]
async fn a_stopping_server_closes_sockets_with_1001_and_ends_sse_streams() {
    let app = live_app().await;
    let mut socket = connected(&app, "graphql-transport-ws").await;
    subscribe(&mut socket, false, "s", json!({ "snapshot": true })).await;
    let mut sse = sse_subscribe(&app, json!({ "filter": { "vendors": ["DIXA"] } })).await;
    assert_eq!(next_event(&mut socket).await["kind"], "SNAPSHOT");
    // Dropping the app is its shutdown signal.
    drop(app);
    let (code, _) = close_code(&mut socket).await;
    assert_eq!(code, 1001);
    let (event, _) = sse.next().await;
    assert_eq!(event, "complete");
}

#[tokio::test]
async fn a_page_from_another_origin_may_not_open_a_socket() {
    let app = live_app().await;
    let mut request = format!("ws://{}/graphql", app.addr)
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("origin", HeaderValue::from_static("https://evil.example.com"));
    let refused = connect_async(request).await.expect_err("refused");
    let tokio_tungstenite::tungstenite::Error::Http(response) = refused else {
        panic!("an HTTP refusal: {refused:?}");
    };
    assert_eq!(response.status(), 403);
    // The plain GET query path still works on the same route.
    let response = app
        .client
        .get(app.url("/graphql?query=%7B__typename%7D"))
        .header("authorization", app.bearer())
        .header("apollo-require-preflight", "1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_graphql_ws_client_from_npm_gets_the_snapshot_and_the_change() {
    if !crate::browser::node_tools_available("graphql-ws", None) {
        return;
    }
    let app = live_app().await;
    let (agent, vendor_id, seeded) = a_dixa_agent(&app).await;
    let (target, body) = if seeded == "AWAY" {
        (
            "AVAILABLE",
            json!({ "presenceStatus": "Working", "connectionStatus": "Online" }),
        )
    } else {
        (
            "AWAY",
            json!({ "presenceStatus": "Away", "connectionStatus": "Online" }),
        )
    };
    let report = crate::browser::run_node_script(
        "subscribe.js",
        vec![
            format!("ws://{}/graphql", app.addr),
            app.api_key.clone(),
            agent.clone(),
            format!("http://{}/dixa/_sim#{vendor_id}", app.sims.addr),
            body.to_string(),
        ],
    )
    .await;
    assert_eq!(report["snapshot"]["kind"], "SNAPSHOT", "{report}");
    assert_eq!(report["snapshot"]["presence"]["availability"], seeded.as_str());
    assert_eq!(report["change"]["kind"], "CHANGE", "{report}");
    assert_eq!(report["change"]["agentId"], agent.as_str());
    assert_eq!(report["change"]["previous"]["availability"], seeded.as_str());
    assert_eq!(report["change"]["presence"]["availability"], target);
}

#[tokio::test]
async fn the_wallboard_shows_a_change_live_in_a_real_browser() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let missing = (!std::path::Path::new(&chromium).exists()).then(|| format!("Chromium at {chromium}"));
    if !crate::browser::node_tools_available("playwright-core", missing) {
        return;
    }
    // Long enough that two intervals hold the browser's own delay on a loaded 2-core
    // machine (the whole suite runs beside it): at 500 ms a change once took 1,041 ms.
    const POLL: u64 = 1_000;
    // As in the default run: the page sends no API key.
    let app = spawn_app_with(|s| {
        s.anonymous_tenant = Some(crate::helpers::TENANT.to_owned());
        s.live.dixa_poll_ms = POLL;
    })
    .await;
    let report = crate::browser::run_node_script(
        "wallboard.js",
        vec![
            app.url("/wallboard"),
            format!("http://{}/dixa/_sim", app.sims.addr),
        ],
    )
    .await;
    assert_eq!(report["problems"], json!([]), "{report}");
    assert_eq!(report["after"], report["target"], "{report}");
    assert_eq!(report["reloaded"], false, "{report}");
    assert_eq!(
        report["stale"], 0,
        "every team showing the agent changed: {report}"
    );
    let word = if report["target"] == "AWAY" {
        "Away"
    } else {
        "Available"
    };
    assert_eq!(report["word"], word, "{report}");
    assert!(report["counts"].as_str().unwrap().contains(word), "{report}");
    let elapsed = report["elapsedMs"].as_u64().unwrap();
    assert!(
        elapsed < 2 * POLL,
        "shown within two poll intervals: {elapsed} ms"
    );
}

#[tokio::test]
async fn a_stalled_subscriber_does_not_hold_up_another() {
    let app = live_app().await;
    let (agent, vendor_id, _) = a_dixa_agent(&app).await;
    let variables = json!({ "filter": { "agentIds": [agent] }, "snapshot": true });
    // One client subscribes and then never reads its socket again.
    let mut stalled = connected(&app, "graphql-transport-ws").await;
    subscribe(&mut stalled, false, "s", variables.clone()).await;
    let mut reader = connected(&app, "graphql-transport-ws").await;
    subscribe(&mut reader, false, "r", variables).await;
    assert_eq!(next_event(&mut reader).await["kind"], "SNAPSHOT");
    let mut state = next_event(&mut stalled).await["presence"]["availability"]
        .as_str()
        .unwrap()
        .to_owned();
    for _ in 0..4 {
        let target = if state == "AWAY" { "AVAILABLE" } else { "AWAY" };
        set_dixa(&app, &vendor_id, target).await;
        let change = next_event(&mut reader).await;
        assert_eq!(change["presence"]["availability"], target, "{change}");
        state = target.to_owned();
    }
}

#[tokio::test]
async fn sigterm_closes_sockets_with_1001() {
    let sims = switchboard::sim::RunningSimulators::start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let env = vec![
        ("SWITCHBOARD_LISTEN", "127.0.0.1:0".to_owned()),
        ("SWITCHBOARD_TENANTS__T__API_KEYS", "[\"term-key\"]".to_owned()),
        (
            "SWITCHBOARD_TENANTS__T__DIXA__BASE_URL",
            sims.url("dixa/v1").to_string(),
        ),
        (
            "SWITCHBOARD_TENANTS__T__DIXA__API_TOKEN",
            switchboard::sim::dixa::DEMO_TOKEN.to_owned(),
        ),
        ("SWITCHBOARD_LIVE__DIXA_POLL_MS", "200".to_owned()),
    ];
    let (server, url, _) = crate::helpers::start_server(crate::helpers::switchboard(&["serve"], &env));
    let addr = url.trim_start_matches("http://");
    let mut socket = connected_at(addr, "Bearer term-key", "graphql-transport-ws").await;
    subscribe(&mut socket, false, "t", json!({ "snapshot": true })).await;
    assert_eq!(next_event(&mut socket).await["kind"], "SNAPSHOT");
    let status = std::process::Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(close_code(&mut socket).await.0, 1001);
}

#[tokio::test]
async fn idle_sockets_get_keep_alive_pings() {
    let app = spawn_app_with(|s| s.live.keepalive_secs = 1).await;
    let mut modern = connected(&app, "graphql-transport-ws").await;
    let mut legacy = open(&app, "graphql-ws").await;
    send(
        &mut legacy,
        json!({ "type": "connection_init", "payload": { "Authorization": app.bearer() } }),
    )
    .await;
    // The legacy protocol acknowledges, then keeps alive at once and every interval.
    let mut legacy_kinds = Vec::new();
    let mut modern_ping = false;
    let deadline = tokio::time::Instant::now() + Duration::from_millis(2_500);
    while tokio::time::Instant::now() < deadline && (legacy_kinds.len() < 3 || !modern_ping) {
        tokio::select! {
            Some(Ok(Message::Text(t))) = legacy.next() => {
                legacy_kinds.push(serde_json::from_str::<Value>(&t).unwrap()["type"].as_str().unwrap().to_owned());
            }
            Some(Ok(Message::Text(t))) = modern.next() => {
                modern_ping |= serde_json::from_str::<Value>(&t).unwrap()["type"] == "ping";
            }
            () = tokio::time::sleep_until(deadline) => {}
        }
    }
    assert!(modern_ping, "graphql-transport-ws: a ping within the interval");
    assert_eq!(
        legacy_kinds,
        ["connection_ack", "ka", "ka"],
        "legacy: ka after the ack and each interval"
    );
}

#[tokio::test]
async fn a_filter_without_live_presence_is_refused_naming_it() {
    let app = spawn_app_with(|s| {
        // A tenant without Dixa.
        for tenant in s.tenants.values_mut() {
            tenant.dixa = None;
        }
    })
    .await;
    let mut s = connected(&app, "graphql-transport-ws").await;
    subscribe(&mut s, false, "d", json!({ "filter": { "vendors": ["DIXA"] } })).await;
    let refused = next_message(&mut s).await;
    let error = &refused["payload"]["errors"][0];
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{refused}");
    assert_eq!(error["extensions"]["field"], "filter", "{refused}");
    // Vonage is configured: the same socket may follow it.
    subscribe(
        &mut s,
        false,
        "v",
        json!({ "filter": { "vendors": ["VONAGE"] }, "snapshot": true }),
    )
    .await;
    let mut seen = next_message(&mut s).await;
    if seen["type"] == "complete" {
        seen = next_message(&mut s).await;
    }
    assert_eq!(
        seen["payload"]["data"]["presenceChanged"]["vendor"], "VONAGE",
        "{seen}"
    );
}

/// The value of the sample `line_start` (`name{labels}`) in `/metrics`.
async fn metric(app: &TestApp, line_start: &str) -> Option<f64> {
    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(line_start)?.trim().parse().ok())
}

#[tokio::test]
async fn open_sockets_and_subscriptions_show_in_the_metrics() {
    let app = live_app().await;
    let subscriptions = "switchboard_graphql_subscriptions ";
    let sockets = "switchboard_connections{transport=\"websocket\"} ";
    let mut socket = connected(&app, "graphql-transport-ws").await;
    subscribe(
        &mut socket,
        false,
        "m",
        json!({ "filter": { "vendors": ["DIXA"] }, "snapshot": true }),
    )
    .await;
    next_event(&mut socket).await;
    assert_eq!(metric(&app, subscriptions).await, Some(1.0));
    assert_eq!(metric(&app, sockets).await, Some(1.0));
    drop(socket);
    let mut gone = None;
    for _ in 0..50 {
        gone = metric(&app, subscriptions).await;
        if gone == Some(0.0) && metric(&app, sockets).await == Some(0.0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(gone, Some(0.0), "closed: counted no more");
}
