//! Traces: with an in-memory exporter behind the same layer `serve` installs, one
//! request makes one trace that continues the caller's W3C `traceparent`: the `http`
//! span, its `graphql_operation`, the `loader_batch` spans, and under each batch the
//! `vendor_call` spans, whose context reaches the vendor as `traceparent`.

use std::{collections::HashMap, time::Duration};

use opentelemetry::trace::{SpanId, TraceId};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use reqwest::Method;
use serde_json::{Value, json};
use tracing_subscriber::prelude::*;

use crate::helpers::spawn_app;

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN: &str = "00f067aa0ba902b7";

/// The names of `span`'s ancestors, nearest first.
fn ancestors<'a>(span: &'a SpanData, by_id: &'a HashMap<SpanId, &'a SpanData>) -> Vec<&'a str> {
    let mut names = Vec::new();
    let mut parent = span.parent_span_id;
    while let Some(p) = by_id.get(&parent) {
        names.push(p.name.as_ref());
        parent = p.parent_span_id;
    }
    names
}

#[tokio::test]
async fn a_vendor_call_span_sits_under_its_loader_batch_in_the_callers_trace() {
    // The tests' runtime has one thread: this subscriber sees the server's spans too.
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let _default = tracing::subscriber::set_default(
        tracing_subscriber::registry().with(switchboard::telemetry::otel_layer(&provider)),
    );
    switchboard::telemetry::install_propagator();

    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("authorization", app.bearer())
        .header("traceparent", format!("00-{TRACE_ID}-{CALLER_SPAN}-01"))
        .json(
            &json!({ "query": "query Wallboard { teams(first: 2) { nodes { name
            members(first: 3) { nodes { displayName } } } } }" }),
        )
        .send()
        .await
        .unwrap();
    let request_id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(!request_id.is_empty());
    let body: Value = response.json().await.unwrap();
    assert!(body.get("errors").is_none(), "{body}");

    // The `http` span ends once the answer is sent.
    let mut spans = Vec::new();
    for _ in 0..100 {
        spans = exporter.get_finished_spans().unwrap();
        if spans.iter().any(|s| s.name == "http") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let trace_id = TraceId::from_hex(TRACE_ID).unwrap();
    let ours: Vec<&SpanData> = spans
        .iter()
        .filter(|s| s.span_context.trace_id() == trace_id)
        .collect();
    let by_id: HashMap<SpanId, &SpanData> = ours.iter().map(|s| (s.span_context.span_id(), *s)).collect();

    let http = ours
        .iter()
        .find(|s| s.name == "http")
        .expect("an http span in the caller's trace");
    assert_eq!(http.parent_span_id, SpanId::from_hex(CALLER_SPAN).unwrap());
    assert!(http.parent_span_is_remote);
    let attribute = |span: &SpanData, key: &str| {
        span.attributes
            .iter()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| kv.value.to_string())
    };
    assert_eq!(
        attribute(http, "request_id").as_deref(),
        Some(request_id.as_str())
    );
    assert_eq!(attribute(http, "tenant").as_deref(), Some(crate::helpers::TENANT));

    let operation = ours
        .iter()
        .find(|s| s.name == "graphql_operation")
        .expect("an operation span");
    assert_eq!(attribute(operation, "operation").as_deref(), Some("Wallboard"));
    assert!(ancestors(operation, &by_id).contains(&"http"));

    // Every vendor call of the request sits under a loader batch, under the operation,
    // under the request.
    let calls: Vec<&&SpanData> = ours.iter().filter(|s| s.name == "vendor_call").collect();
    assert!(
        calls.len() >= 2,
        "{:?}",
        ours.iter().map(|s| &s.name).collect::<Vec<_>>()
    );
    for call in &calls {
        let chain = ancestors(call, &by_id);
        let at = |name: &str| chain.iter().position(|n| *n == name);
        let (Some(batch), Some(op), Some(request)) =
            (at("loader_batch"), at("graphql_operation"), at("http"))
        else {
            panic!("vendor_call ancestors: {chain:?}");
        };
        assert!(batch < op && op < request, "{chain:?}");
        assert_eq!(
            chain[0], "loader_batch",
            "the call's own parent is its batch: {chain:?}"
        );
    }
    let batches: Vec<String> = ours
        .iter()
        .filter(|s| s.name == "loader_batch")
        .filter_map(|s| attribute(s, "loader"))
        .collect();
    assert!(batches.iter().any(|l| l == "AllTeams"), "{batches:?}");
    assert!(batches.iter().any(|l| l == "MembersOf"), "{batches:?}");

    // The vendor got each call's context as `traceparent`.
    let journal = app.sim(Method::GET, "dixa", "/requests", None).await;
    let sent: Vec<&str> = journal
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["traceparent"].as_str())
        .collect();
    assert_eq!(sent.len(), calls.len(), "{journal}");
    for call in &calls {
        let expected = format!("00-{TRACE_ID}-{}-01", call.span_context.span_id());
        assert!(sent.contains(&expected.as_str()), "{expected} not in {sent:?}");
    }
}

/// A stand-in OTLP/HTTP collector on port 0: what `POST /v1/traces` received (content
/// type, body size).
async fn collector() -> (String, std::sync::Arc<std::sync::Mutex<Vec<(String, usize)>>>) {
    use axum::{Router, body::Bytes, http::HeaderMap, routing::post};
    let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = received.clone();
    let app = Router::new().route(
        "/v1/traces",
        post(move |headers: HeaderMap, body: Bytes| {
            let sink = sink.clone();
            async move {
                let content_type = headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                sink.lock().unwrap().push((content_type, body.len()));
                ""
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

#[tokio::test]
async fn serve_exports_over_otlp_and_its_json_logs_carry_trace_request_and_tenant() {
    use crate::helpers::{start_server, switchboard};
    let (collector_url, received) = collector().await;
    let sims = switchboard::sim::RunningSimulators::start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let log = std::env::temp_dir().join(format!("switchboard-otel-{}.log", uuid::Uuid::new_v4()));
    let env = vec![
        ("SWITCHBOARD_LISTEN", "127.0.0.1:0".to_owned()),
        ("SWITCHBOARD_LOG_FORMAT", "json".to_owned()),
        ("SWITCHBOARD_OTEL__ENDPOINT", collector_url),
        ("SWITCHBOARD_OTEL__SERVICE_NAME", "switchboard-test".to_owned()),
        // Export batches every 50 ms instead of 5 s.
        ("OTEL_BSP_SCHEDULE_DELAY", "50".to_owned()),
        (
            "SWITCHBOARD_TENANTS__OTELCO__API_KEYS",
            "[\"otel-key-123\"]".to_owned(),
        ),
        (
            "SWITCHBOARD_TENANTS__OTELCO__DIXA__BASE_URL",
            sims.url("dixa/v1").to_string(),
        ),
        (
            "SWITCHBOARD_TENANTS__OTELCO__DIXA__API_TOKEN",
            switchboard::sim::dixa::DEMO_TOKEN.to_owned(),
        ),
    ];
    let mut command = switchboard(&["serve"], &env);
    command.env("RUST_LOG", "info");
    command.stderr(std::fs::File::create(&log).unwrap());
    let (child, url, _) = start_server(command);
    let response = reqwest::Client::new()
        .post(format!("{url}/graphql"))
        .header("authorization", "Bearer otel-key-123")
        .header("x-request-id", "req-4711")
        .json(&json!({ "query": "{ teams { totalCount } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "req-4711");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["teams"]["totalCount"], 3, "{body}");

    for _ in 0..100 {
        if !received.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(child);
    let exported = received.lock().unwrap().clone();
    assert!(!exported.is_empty(), "nothing reached the collector");
    assert!(
        exported
            .iter()
            .all(|(ct, len)| ct == "application/x-protobuf" && *len > 0),
        "{exported:?}"
    );

    // The vendor call's log line carries the request's ids and tenant, in JSON.
    let text = std::fs::read_to_string(&log).unwrap();
    let _ = std::fs::remove_file(&log);
    let line = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|l| l["fields"]["message"] == "vendor call")
        .unwrap_or_else(|| panic!("no vendor call logged as JSON: {text}"));
    let http = line["spans"]
        .as_array()
        .and_then(|spans| spans.iter().find(|s| s["name"] == "http"))
        .unwrap_or_else(|| panic!("no http span on {line}"));
    assert_eq!(http["request_id"], "req-4711", "{line}");
    assert_eq!(http["tenant"], "otelco", "{line}");
    let trace_id = http["trace_id"].as_str().unwrap_or_default();
    assert_eq!(trace_id.len(), 32, "{line}");
    assert!(trace_id.bytes().all(|b| b.is_ascii_hexdigit()), "{line}");
    assert!(!text.contains("otel-key-123") && !text.contains(switchboard::sim::dixa::DEMO_TOKEN));
}

#[tokio::test]
async fn a_request_id_is_kept_when_plain_and_replaced_otherwise() {
    let app = spawn_app().await;
    let id_for = |sent: Option<&'static str>| {
        let mut request = app.client.get(app.url("/healthz"));
        if let Some(sent) = sent {
            request = request.header("x-request-id", sent);
        }
        async move {
            let response = request.send().await.unwrap();
            response.headers()["x-request-id"].to_str().unwrap().to_owned()
        }
    };
    assert_eq!(id_for(Some("req-42.a:b_c")).await, "req-42.a:b_c");
    for sent in [None, Some("has space"), Some("{\"json\":1}")] {
        let id = id_for(sent).await;
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "{sent:?} -> {id}");
    }
    let long: &'static str = Box::leak("x".repeat(129).into_boxed_str());
    assert_ne!(id_for(Some(long)).await, long);
}
