//! Holding vendor credentials safely: a vendor's redirect is never followed (it would
//! carry a token, an AK/SK or a password to wherever it points), and a vendor URL must be
//! https unless it is loopback or explicitly allowed.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use axum::{Router, http::StatusCode, response::IntoResponse};
use reqwest::Method;
use serde_json::json;
use switchboard::config::{DixaSettings, Settings};

use crate::helpers::{TENANT, TestApp, first_code, spawn_app, spawn_app_with};

/// Serves `router` on 127.0.0.1:0; its address.
async fn serve(router: Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

#[tokio::test]
async fn a_vendor_redirect_is_never_followed() {
    // Where a hostile redirect points: it must receive nothing.
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let elsewhere = serve(Router::new().fallback(move || {
        counted.fetch_add(1, Ordering::SeqCst);
        async { (StatusCode::OK, "{\"data\":[]}") }
    }))
    .await;
    // The "vendor" answers every call, the token-carrying ones too, with a 307.
    let vendor = serve(Router::new().fallback(move || async move {
        (
            StatusCode::TEMPORARY_REDIRECT,
            [("location", format!("http://{elsewhere}/stolen"))],
        )
            .into_response()
    }))
    .await;
    let app = spawn_app_with(move |s| {
        let tenant = s.tenants.get_mut(TENANT).unwrap();
        let dixa = tenant.dixa.as_mut().unwrap();
        dixa.base_url = format!("http://{vendor}/dixa/v1").parse().unwrap();
    })
    .await;
    let body = app.graphql("{ teams { totalCount } }", json!({})).await;
    assert_eq!(body["errors"][0]["extensions"]["vendor"], "DIXA", "{body}");
    assert_ne!(first_code(&body), "<none>");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the redirect's target received nothing"
    );
}

#[test]
fn vendor_urls_must_be_https_unless_loopback_or_allowed() {
    let tenant = |url: &str| switchboard::config::TenantSettings {
        dixa: Some(DixaSettings::new(url.parse().unwrap(), "t")),
        ..Default::default()
    };
    let settings = |url: &str| Settings::for_default_run("127.0.0.1:0".parse().unwrap(), "t", tenant(url));
    assert!(settings("https://dev.dixa.io/v1").validate().is_ok());
    assert!(settings("http://127.0.0.1:9/dixa/v1").validate().is_ok());
    assert!(settings("http://localhost:9/dixa/v1").validate().is_ok());
    let refused = settings("http://dev.dixa.io/v1")
        .validate()
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("tenants.t.dixa.base_url") && refused.contains("https://"),
        "{refused}"
    );
    let mut allowed = settings("http://sim:8090/dixa/v1");
    allowed.http.plain_http_hosts = vec!["sim".into()];
    assert!(allowed.validate().is_ok());
}

/// Every `GET /teams/{teamId}/agents` call answered after `latency_ms`.
fn slow_members(latency_ms: u64) -> serde_json::Value {
    json!({ "route": "GET /teams/{teamId}/agents", "latencyMs": latency_ms })
}

/// The most Dixa calls in flight at once while 8 teams' member lists, each answered
/// 100 ms late, are read (the simulator's own limit off).
async fn peak_concurrency(app: &TestApp) -> u64 {
    app.seed_dixa(8, 2).await;
    app.lift_dixa_limit().await;
    app.fault("dixa", slow_members(100)).await;
    let data = app
        .data(
            "{ teams(first: 8) { nodes { members { totalCount } } } }",
            json!({}),
        )
        .await;
    let teams = data["teams"]["nodes"].as_array().unwrap();
    assert_eq!(teams.len(), 8);
    assert!(teams.iter().all(|t| t["members"]["totalCount"] == 2), "{data}");
    let concurrency = app.sim(Method::GET, "dixa", "/concurrency", None).await;
    concurrency["peak"].as_u64().unwrap()
}

#[tokio::test]
async fn calls_to_one_vendor_never_exceed_the_concurrency_cap() {
    // The call budget is off here, so only the concurrency cap spaces the calls.
    let app = spawn_app_with(|s| {
        s.http.max_concurrent_calls = 2;
        s.http.budgets.dixa = None;
    })
    .await;
    assert_eq!(peak_concurrency(&app).await, 2, "8 member lists, 2 at a time");

    // The default cap lets them run together (so the figure above is the cap's doing).
    let wide = spawn_app_with(|s| s.http.budgets.dixa = None).await;
    assert!(peak_concurrency(&wide).await > 2);
}

#[tokio::test]
async fn an_oversized_vendor_answer_fails_cleanly_without_being_buffered() {
    // A "vendor" whose answer never ends: buffering it whole would never finish.
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    let vendor = serve(Router::new().fallback(move || {
        let counter = counter.clone();
        async move {
            let chunks = futures::stream::repeat_with(move || {
                counter.fetch_add(64 * 1024, Ordering::SeqCst);
                Ok::<_, std::io::Error>(bytes::Bytes::from(vec![b' '; 64 * 1024]))
            });
            (
                [("content-type", "application/json")],
                axum::body::Body::from_stream(chunks),
            )
        }
    }))
    .await;
    let app = spawn_app_with(move |s| {
        s.http.max_response_bytes = 256 * 1024;
        s.http.request_timeout_ms = 30_000;
        let tenant = s.tenants.get_mut(TENANT).unwrap();
        let dixa = tenant.dixa.as_mut().unwrap();
        dixa.base_url = format!("http://{vendor}/dixa/v1").parse().unwrap();
    })
    .await;
    let started = std::time::Instant::now();
    let body = app
        .graphql(
            "{ teams { totalCount } users(first: 1) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(first_code(&body), "VENDOR_UNAVAILABLE", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["vendor"], "DIXA");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("larger than 262144 bytes"),
        "{body}"
    );
    assert!(
        body["data"]["users"]["totalCount"].as_u64().unwrap() > 0,
        "Vonage answered"
    );
    // It stopped reading at the cap: it did not read for the whole 30 s call timeout.
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[tokio::test]
async fn a_hanging_vendor_ends_at_the_request_deadline_and_the_rest_arrives() {
    let app = spawn_app_with(|s| {
        s.http.request_deadline_ms = 1_000;
        s.http.request_timeout_ms = 30_000;
    })
    .await;
    app.fault("dixa", json!({ "route": "GET /teams", "latencyMs": 20_000 }))
        .await;
    let started = std::time::Instant::now();
    let body = app
        .graphql(
            "{ teams { totalCount } agents(filter: { vendors: [VONAGE, HUAWEI_AICC] }) { totalCount } }",
            json!({}),
        )
        .await;
    let took = started.elapsed();
    assert!(
        took < std::time::Duration::from_secs(8),
        "cut off at the deadline, took {took:?}"
    );
    assert_eq!(body["data"]["teams"], serde_json::Value::Null, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["vendor"], "DIXA", "{body}");
    assert_eq!(first_code(&body), "VENDOR_UNAVAILABLE");
    assert!(
        body["data"]["agents"]["totalCount"].as_u64().unwrap() > 0,
        "{body}"
    );
}

#[tokio::test]
async fn a_list_walk_stops_at_the_page_cap() {
    // One agent per page; the seed has more agents than the cap has pages.
    let query = "{ agents(filter: { vendors: [DIXA] }) { totalCount } }";
    let one_per_page = |max_pages: usize| {
        spawn_app_with(move |s| {
            s.http.max_pages = max_pages;
            s.tenants
                .get_mut(TENANT)
                .unwrap()
                .dixa
                .as_mut()
                .unwrap()
                .page_limit = 1;
        })
    };
    let app = one_per_page(2).await;
    let body = app.graphql(query, json!({})).await;
    assert_eq!(first_code(&body), "VENDOR_UNAVAILABLE", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("did not end within 2 pages"),
        "{body}"
    );
    assert_eq!(app.calls("dixa", "GET /agents").await, 2, "no page past the cap");

    // With room for every page the same walk succeeds.
    let app = one_per_page(50).await;
    let data = app.data(query, json!({})).await;
    let agents = data["agents"]["totalCount"].as_u64().unwrap();
    assert!(agents > 2, "{data}");
    assert_eq!(
        app.calls("dixa", "GET /agents").await,
        agents,
        "one page per agent"
    );
}

#[tokio::test]
async fn a_failing_vendor_opens_its_breaker_which_probes_and_closes() {
    let app = spawn_app_with(|s| {
        s.http.breaker_failures = 3;
        s.http.breaker_cool_down_ms = 400;
        s.http.max_retries = 0;
    })
    .await;
    let members = "GET /teams/{teamId}/agents";
    app.fault("dixa", json!({ "route": members, "status": 503 }))
        .await;
    let query = "{ teams { nodes { members { totalCount } } } users(first: 1) { totalCount } }";
    // Three teams: their three member lists fail, and the breaker opens.
    let body = app.graphql(query, json!({})).await;
    assert_eq!(first_code(&body), "VENDOR_UNAVAILABLE", "{body}");
    assert_eq!(app.calls("dixa", members).await, 3);
    let (_, ready) = app.readyz().await;
    let dixa = ready["vendors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["vendor"] == "DIXA")
        .unwrap()
        .clone();
    assert_eq!(dixa["breaker"], "open", "{ready}");

    // While open: answered at once, the vendor is not called (its counter stays flat),
    // and the other vendors are unaffected.
    for _ in 0..5 {
        let body = app.graphql(query, json!({})).await;
        let paused = body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["message"].as_str().unwrap().contains("circuit breaker open"));
        assert!(paused, "{body}");
        assert_eq!(body["errors"][0]["extensions"]["vendor"], "DIXA");
        assert_eq!(body["errors"][0]["extensions"]["retryAfter"], 1, "{body}");
        assert!(
            body["data"]["users"]["totalCount"].as_u64().unwrap() > 0,
            "{body}"
        );
    }
    assert_eq!(app.calls("dixa", members).await, 3, "no call while open");

    // The vendor recovers; after the cool-down one call goes through as the probe (the
    // others of that moment are still refused) and closes the breaker.
    app.sim(Method::DELETE, "dixa", "/faults", None).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let body = app.graphql(query, json!({})).await;
    let answered = body["data"]["teams"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| !t.is_null())
        .count();
    assert!(answered >= 1, "the probe's team: {body}");
    assert_eq!(app.calls("dixa", members).await, 4, "one probe");
    let data = app.data(query, json!({})).await;
    assert!(
        data["teams"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["members"]["totalCount"].as_u64().unwrap() > 0)
    );
    let (_, ready) = app.readyz().await;
    let states: Vec<&serde_json::Value> = ready["vendors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v["breaker"])
        .collect();
    assert!(states.iter().all(|s| *s == "closed"), "{ready}");
}

#[tokio::test]
async fn a_hundred_concurrent_queries_stay_within_dixas_limit() {
    let app = spawn_app().await;
    // The simulator enforces Dixa's documented limit (10 requests/s, bursts of 4) and
    // counts the 429s it sends.
    let limits = app.sim(Method::GET, "dixa", "/limits", None).await;
    assert_eq!(
        (limits["perSecond"].as_f64(), limits["burst"].as_f64()),
        (Some(10.0), Some(4.0))
    );
    app.seed_dixa(24, 1).await;
    app.sim(Method::DELETE, "dixa", "/calls", None).await;
    let query = "{ teams(first: 50) { nodes { members { totalCount } } } }";
    let answers = futures::future::join_all((0..100).map(|_| app.graphql(query, json!({})))).await;
    for body in &answers {
        assert!(body.get("errors").is_none(), "{body}");
        assert_eq!(body["data"]["teams"]["nodes"].as_array().unwrap().len(), 24);
    }
    // 1 list and 24 member lists, queued by the budget instead of refused by Dixa.
    let calls = app.sim(Method::GET, "dixa", "/calls", None).await;
    assert!(calls["GET /teams"].as_u64().unwrap() <= 2, "{calls}");
    // (A call slowed past the tests' 1.5 s call timeout on a loaded machine is retried.)
    let members = calls["GET /teams/{teamId}/agents"].as_u64().unwrap();
    assert!((24..=27).contains(&members), "{calls}");
    let limits = app.sim(Method::GET, "dixa", "/limits", None).await;
    assert_eq!(limits["limited"], 0, "no 429 from Dixa");

    // Without the budget the same load trips Dixa's limit (so the figure above is the
    // budget's doing).
    let unbudgeted = spawn_app_with(|s| s.http.budgets.dixa = None).await;
    unbudgeted.seed_dixa(24, 1).await;
    let _ = futures::future::join_all((0..100).map(|_| unbudgeted.graphql(query, json!({})))).await;
    let limits = unbudgeted.sim(Method::GET, "dixa", "/limits", None).await;
    assert!(limits["limited"].as_u64().unwrap() > 0, "{limits}");
}
