//! The HTTP edge: GraphQL over HTTP (the graphql-http conformance audit), automatic
//! persisted queries, CORS, CSRF prevention, operation limits, readiness without vendor
//! calls, API keys, and `serve` versus the demo.

use reqwest::{Method, StatusCode};
use secrecy::SecretString;
use serde_json::{Value, json};
use switchboard::{config::Settings, sim::RunningSimulators, startup::Application};

use crate::{
    browser::{node_tools_available, run_node_script},
    helpers::{TENANT, TestApp, first_code, spawn_app, spawn_app_with, start_server, switchboard},
};

const VENDORS: [&str; 4] = ["dixa", "webex", "huawei", "vonage"];

/// Every call every simulator received.
async fn all_calls(app: &TestApp) -> u64 {
    let mut total = 0;
    for vendor in VENDORS {
        total += app.total_calls(vendor).await;
    }
    total
}

/// Nothing has created a team yet; `mutation` sent as it should be then creates one,
/// which proves the route `POST /teams` is counted.
async fn no_team_created_until(app: &TestApp, mutation: &str) {
    assert_eq!(app.calls("dixa", "POST /teams").await, 0);
    app.data(mutation, json!({})).await;
    assert_eq!(
        app.calls("dixa", "POST /teams").await,
        1,
        "the route `POST /teams` is counted"
    );
}

/// Proves the counters count: a real query moves `GET /teams` on Dixa.
async fn counters_work(app: &TestApp) {
    app.data("{ teams { totalCount } }", json!({})).await;
    assert!(
        app.calls("dixa", "GET /teams").await > 0,
        "the route `GET /teams` is counted"
    );
}

#[tokio::test]
async fn the_graphql_over_http_audit_passes_every_check() {
    if !node_tools_available("graphql-http", None) {
        return;
    }
    let app = spawn_app().await;
    let report = run_node_script("audit.js", vec![app.url("/graphql"), app.api_key.clone()]).await;
    assert_eq!(report["warn"], json!([]), "{report:#}");
    assert_eq!(report["error"], json!([]), "{report:#}");
    assert_eq!(report["notice"], json!([]), "{report:#}");
    assert_eq!(report["total"], 61, "{report:#}");
    assert_eq!(report["ok"], 61, "{report:#}");
}

#[tokio::test]
async fn an_automatic_persisted_query_misses_registers_and_hits_over_get() {
    let app = spawn_app().await;
    let query = "query Teams { teams { totalCount } }";
    let hash = switchboard::http::sha256_hex(query);
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } }).to_string();
    let get = |accept: &'static str| {
        app.client
            .get(app.url("/graphql"))
            .query(&[("extensions", extensions.as_str()), ("operationName", "Teams")])
            .header("authorization", app.bearer())
            .header("apollo-require-preflight", "true")
            .header("accept", accept)
            .send()
    };
    // A miss: the client is told to send the query.
    let miss = get("application/json").await.unwrap();
    assert_eq!(miss.status(), StatusCode::OK);
    let body: Value = miss.json().await.unwrap();
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");
    assert_eq!(first_code(&body), "PERSISTED_QUERY_NOT_FOUND");
    let miss = get("application/graphql-response+json").await.unwrap();
    assert_eq!(miss.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.total_calls("dixa").await, 0);

    // A wrong hash is refused; the right one registers and answers.
    let post = |query: &str| {
        app.client
            .post(app.url("/graphql"))
            .header("authorization", app.bearer())
            .json(&json!({ "query": query, "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } }))
            .send()
    };
    let wrong: Value = post("{ teams { totalCount } }")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(first_code(&wrong), "BAD_REQUEST", "{wrong}");
    let registered: Value = post(query).await.unwrap().json().await.unwrap();
    assert_eq!(registered["data"]["teams"]["totalCount"], 3, "{registered}");

    // From now on the hash alone works over GET, with the answer cacheable by URL.
    let hit = get("application/graphql-response+json").await.unwrap();
    assert_eq!(hit.status(), StatusCode::OK);
    assert!(
        hit.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/graphql-response+json")
    );
    let body: Value = hit.json().await.unwrap();
    assert_eq!(body["data"]["teams"]["totalCount"], 3, "{body}");
}

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    app.client
        .request(Method::OPTIONS, app.url("/graphql"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type,authorization")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn cors_answers_allowed_origins_and_no_other() {
    let app = spawn_app_with(|s| {
        s.server.cors_origins = vec!["https://console.example.com".into(), "http://localhost:*".into()];
    })
    .await;
    for origin in ["https://console.example.com", "http://localhost:5173"] {
        let response = preflight(&app, origin).await;
        assert!(response.status().is_success(), "{origin}: {}", response.status());
        let headers = response.headers();
        assert_eq!(headers["access-control-allow-origin"], origin);
        let allowed = headers["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase();
        assert!(
            allowed.contains("authorization") && allowed.contains("content-type"),
            "{allowed}"
        );
        assert!(
            headers["access-control-allow-methods"]
                .to_str()
                .unwrap()
                .contains("POST")
        );
        assert!(
            headers.get("access-control-allow-credentials").is_none(),
            "credentials are off by default"
        );
        // The actual call carries the header too.
        let call = app
            .client
            .post(app.url("/graphql"))
            .header("origin", origin)
            .header("authorization", app.bearer())
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .unwrap();
        assert_eq!(call.headers()["access-control-allow-origin"], origin);
    }
    for origin in [
        "https://evil.example.com",
        "https://console.example.com.evil.io",
        "https://localhost:5173",
    ] {
        let response = preflight(&app, origin).await;
        assert!(
            response.headers().get("access-control-allow-origin").is_none(),
            "{origin} must not be allowed"
        );
    }
}

#[tokio::test]
async fn every_csrf_vector_is_refused_without_a_vendor_call() {
    // An anonymous tenant, as in the demo: the case where a cross-site form could write.
    let app = spawn_app_with(|s| s.anonymous_tenant = Some(TENANT.into())).await;
    let mutation = r#"mutation { createTeam(input: { name: "csrf" }) { team { id } } }"#;
    let body = json!({ "query": mutation }).to_string();
    let url = app.url("/graphql");
    let vectors = [
        (
            "text/plain POST",
            app.client
                .post(&url)
                .header("content-type", "text/plain")
                .body(body.clone()),
        ),
        (
            "form POST",
            app.client
                .post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("query={}", urlencode(mutation))),
        ),
        (
            "multipart POST",
            app.client
                .post(&url)
                .header("content-type", "multipart/form-data; boundary=x")
                .body(format!(
                    "--x\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{body}\r\n--x--\r\n"
                )),
        ),
        (
            "POST without a content type",
            app.client.post(&url).body(body.clone()),
        ),
        (
            "GET",
            app.client
                .get(&url)
                .query(&[("query", "{ teams { totalCount } }")]),
        ),
    ];
    for (what, request) in vectors {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{what}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(first_code(&answer), "BAD_REQUEST", "{what}: {answer}");
        assert!(
            answer["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("cross-site"),
            "{what}: {answer}"
        );
    }
    assert_eq!(app.calls("dixa", "POST /teams").await, 0);
    assert_eq!(all_calls(&app).await, 0, "no vendor call at all");
    // With a preflight-forcing header a GET query runs, and a text/plain body is still
    // not GraphQL (415); only a JSON POST creates.
    let get = app
        .client
        .get(&url)
        .query(&[("query", "{ teams { totalCount } }")])
        .header("apollo-require-preflight", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), StatusCode::OK);
    let plain = app
        .client
        .post(&url)
        .header("content-type", "text/plain")
        .header("apollo-require-preflight", "true")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    no_team_created_until(&app, mutation).await;
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Posts `query`; returns the status and the answer.
async fn post_query(app: &TestApp, query: &str) -> (StatusCode, Value) {
    let auth = app.bearer();
    app.graphql_with_auth(Some(&auth), query, json!({})).await
}

#[tokio::test]
async fn each_limit_refuses_fast_naming_itself_with_no_vendor_call() {
    let app = spawn_app().await;
    let deep = format!("{}{}", "{ edges ".repeat(10_000), "}".repeat(10_000));
    let aliases: String = (0..1_000).map(|i| format!("echo_me_{i}: __typename ")).collect();
    let big_first = "{ teams(first: 100000) { totalCount } }".to_owned();
    let cases = [
        ("10,000-deep", deep, "max_nesting"),
        ("1,000 aliases", format!("{{ {aliases} }}"), "max_aliases"),
        ("first: 100000", big_first, "max_first"),
        (
            "a nested fan-out",
            "{ teams(first: 500) { nodes { members(first: 500) { nodes { teams { id } } } } } }".to_owned(),
            "max_cost",
        ),
    ];
    for (what, query, limit) in cases {
        let (status, body) = post_query(&app, &query).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{what}: a request error is a 200 under application/json"
        );
        assert_eq!(first_code(&body), "LIMIT_EXCEEDED", "{what}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["limit"], limit, "{what}: {body}");
        assert!(body["errors"][0]["extensions"]["max"].is_u64(), "{what}: {body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(limit), "{what}: {message}");
        assert!(body.get("data").is_none(), "{what}: {body}");
        assert!(
            !body.to_string().contains("echo_me") && !body.to_string().contains("edges { edges"),
            "{what} echoes the query"
        );
    }
    // A batch of 100 operations.
    let batch: Vec<Value> = (0..100)
        .map(|_| json!({ "query": "{ teams { totalCount } }" }))
        .collect();
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("authorization", app.bearer())
        .json(&batch)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["limit"], "max_batch", "{body}");
    // A 10 MB body, without any API key: refused on its size, before authentication.
    let huge = format!(
        "{{\"query\":\"{{ teams {{ totalCount }} }}\",\"pad\":\"{}\"}}",
        "x".repeat(10 * 1024 * 1024)
    );
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["limit"], "max_body_bytes",
        "{body}"
    );
    assert_eq!(all_calls(&app).await, 0, "no limit let a vendor call through");
    counters_work(&app).await;
}

#[tokio::test]
async fn limits_and_introspection_are_configurable() {
    let app = spawn_app_with(|s| {
        s.graphql.max_depth = 3;
        s.graphql.max_batch = 2;
        s.graphql.introspection = false;
    })
    .await;
    let (_, body) = post_query(&app, "{ teams { edges { node { name } } } }").await;
    assert_eq!(body["errors"][0]["extensions"]["limit"], "max_depth", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["max"], 3, "{body}");
    let (_, body) = post_query(&app, "{ __schema { types { name } } }").await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("introspection is disabled"),
        "{body}"
    );
    assert_eq!(first_code(&body), "FORBIDDEN", "{body}");
    let batch = json!([{ "query": "{ teams { totalCount } }" }, { "query": "{ __typename }" }]);
    let answers: Value = app
        .client
        .post(app.url("/graphql"))
        .header("authorization", app.bearer())
        .json(&batch)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answers[0]["data"]["teams"]["totalCount"], 3, "{answers}");
    assert_eq!(answers[1]["data"]["__typename"], "Query", "{answers}");
}

#[tokio::test]
async fn readyz_makes_no_vendor_call_per_hit() {
    let app = spawn_app_with(|s| s.server.readiness_interval_secs = 3600).await;
    let (status, body) = app.readyz().await;
    assert_eq!(
        (status, &body["status"]),
        (StatusCode::OK, &json!("ready")),
        "{body}"
    );
    // The first background probe was counted: the route exists.
    assert!(app.calls("dixa", "GET /teams").await >= 1);
    let before = all_calls(&app).await;
    for i in 0..100 {
        let mut request = app.client.get(app.url("/readyz"));
        if i % 2 == 0 {
            request = request.header("authorization", app.bearer());
        }
        assert_eq!(request.send().await.unwrap().status(), StatusCode::OK);
    }
    assert_eq!(all_calls(&app).await, before, "100 hits, no vendor call");
}

#[tokio::test]
async fn a_key_configured_twice_is_refused_at_start_up() {
    let sims = RunningSimulators::start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let key = "the-same-key-0123456789";
    let mut one = sims.tenant_settings();
    one.api_keys = vec![SecretString::from(key)];
    let mut settings = Settings::for_default_run("127.0.0.1:0".parse().unwrap(), "alpha", one.clone());
    settings.anonymous_tenant = None;
    settings.tenants.insert("beta".into(), one.clone());
    let error = Application::build(settings.clone())
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(error.contains("`alpha`") && error.contains("`beta`"), "{error}");
    assert!(!error.contains(key), "the key is never shown: {error}");
    // Twice under one tenant, too.
    settings.tenants.remove("beta");
    settings
        .tenants
        .get_mut("alpha")
        .unwrap()
        .api_keys
        .push(SecretString::from(key));
    let error = Application::build(settings)
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(error.contains("`alpha`") && !error.contains(key), "{error}");
}

#[tokio::test]
async fn serve_takes_tenants_from_the_environment_and_refuses_to_start_without_one() {
    let sims = RunningSimulators::start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let env = vec![
        ("SWITCHBOARD_LISTEN", "127.0.0.1:0".to_owned()),
        (
            "SWITCHBOARD_TENANTS__ENVCO__API_KEYS",
            "[\"env-key-123\"]".to_owned(),
        ),
        (
            "SWITCHBOARD_TENANTS__ENVCO__DIXA__BASE_URL",
            sims.url("dixa/v1").to_string(),
        ),
        (
            "SWITCHBOARD_TENANTS__ENVCO__DIXA__API_TOKEN",
            switchboard::sim::dixa::DEMO_TOKEN.to_owned(),
        ),
    ];
    let (_child, url, printed) = start_server(switchboard(&["serve"], &env));
    assert!(!printed.contains("DEMO"), "serve is no demo: {printed}");
    let client = reqwest::Client::new();
    let ask = |auth: Option<&'static str>| {
        let mut request = client
            .post(format!("{url}/graphql"))
            .json(&json!({ "query": "{ teams { totalCount } }" }));
        if let Some(a) = auth {
            request = request.header("authorization", a);
        }
        request.send()
    };
    let body: Value = ask(Some("Bearer env-key-123"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["teams"]["totalCount"], 3, "{body}");
    assert_eq!(
        ask(None).await.unwrap().status(),
        StatusCode::UNAUTHORIZED,
        "no anonymous tenant"
    );

    // Nothing configured: refused, saying why.
    let output = switchboard(&["serve"], &[("SWITCHBOARD_LISTEN", "127.0.0.1:0".to_owned())])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no tenant is configured"), "{stderr}");
}

#[tokio::test]
async fn the_demo_says_so_and_stays_on_loopback() {
    let (_child, url, printed) = start_server(switchboard(&["--listen", "127.0.0.1:0"], &[]));
    assert!(printed.contains("DEMO"), "{printed}");
    let page = reqwest::get(format!("{url}/")).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);

    let output = switchboard(&["--listen", "0.0.0.0:0"], &[]).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("anonymous_on_network"), "{stderr}");
}

#[tokio::test]
async fn answers_keep_the_order_the_query_asked_for() {
    let app = spawn_app().await;
    let text = app
        .client
        .post(app.url("/graphql"))
        .header("authorization", app.bearer())
        .json(&json!({ "query": "{ teams(first: 1) { nodes { vendor name id } } }" }))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = |key: &str| {
        text.find(&format!("\"{key}\""))
            .unwrap_or_else(|| panic!("{key} in {text}"))
    };
    assert!(at("vendor") < at("name") && at("name") < at("id"), "{text}");
}

#[tokio::test]
async fn head_is_a_get_and_never_runs_a_mutation() {
    let app = spawn_app().await;
    let mutation = r#"mutation { createTeam(input: { name: "head" }) { team { id } } }"#;
    let response = app
        .client
        .head(app.url("/graphql"))
        .query(&[("query", mutation)])
        .header("authorization", app.bearer())
        .header("apollo-require-preflight", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    no_team_created_until(&app, mutation).await;
}

#[tokio::test]
async fn the_anonymous_tenant_answers_only_loopback_host_names() {
    // A page whose DNS name was rebound to 127.0.0.1 sends its own name as Host.
    let app = spawn_app_with(|s| s.anonymous_tenant = Some(TENANT.into())).await;
    let ask = |host: &'static str| {
        app.client
            .post(app.url("/graphql"))
            .header("host", host)
            .json(&json!({ "query": "{ teams { totalCount } }" }))
            .send()
    };
    assert_eq!(
        ask("evil.example.com").await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(all_calls(&app).await, 0);
    for host in ["localhost:8080", "127.0.0.1"] {
        let body: Value = ask(host).await.unwrap().json().await.unwrap();
        assert_eq!(body["data"]["teams"]["totalCount"], 3, "{host}: {body}");
    }
}
