//! Client API keys: none, malformed or wrong is `UNAUTHENTICATED`; the default run
//! needs none.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{first_code, spawn_app, spawn_app_with};

const QUERY: &str = "{ teams { totalCount } }";

#[tokio::test]
async fn a_missing_or_wrong_key_is_unauthenticated() {
    let app = spawn_app().await;
    for auth in [None, Some("Bearer nope"), Some("Basic abc"), Some("Bearer ")] {
        let (status, body) = app.graphql_with_auth(auth, QUERY, json!({})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{auth:?}");
        assert_eq!(first_code(&body), "UNAUTHENTICATED", "{auth:?}: {body}");
        assert!(body.get("data").is_none());
    }
    assert_eq!(app.total_calls("dixa").await, 0, "no vendor call without a key");

    let ok = app.data(QUERY, json!({})).await;
    assert_eq!(ok["teams"]["totalCount"], 3);
}

#[tokio::test]
async fn the_anonymous_tenant_needs_no_key() {
    let app = spawn_app_with(|s| s.anonymous_tenant = Some(crate::helpers::TENANT.into())).await;
    let (status, body) = app.graphql_with_auth(None, QUERY, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["teams"]["totalCount"], 3);
}

#[tokio::test]
async fn health_and_readiness() {
    let app = spawn_app_with(|s| s.server.readiness_interval_secs = 1).await;
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);

    let (status, body) = app.readyz().await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ready", "{body}");
    assert_eq!(body["cache"]["ok"], true);
    assert!(
        body["vendors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["vendor"] == "DIXA" && v["ok"] == true)
    );

    // A failing vendor shows on the next background probe: degraded, still serving.
    app.fault("dixa", json!({ "status": 503, "route": "GET /teams" }))
        .await;
    let mut body = body;
    for _ in 0..60 {
        body = app.readyz().await.1;
        if body["status"] == "degraded" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(body["status"], "degraded", "{body}");
    let dixa = body["vendors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["vendor"] == "DIXA")
        .unwrap();
    assert_eq!(dixa["ok"], false);
    assert!(
        !body.to_string().contains(&app.sims.addr.to_string()),
        "no upstream URL: {body}"
    );
    // Without a key: the state only, no tenant, no vendor, no message.
    let anonymous: serde_json::Value = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(anonymous["status"], "degraded");
    let text = anonymous.to_string();
    assert!(
        anonymous.get("vendors").is_none() && !text.contains(crate::helpers::TENANT) && !text.contains("503"),
        "{text}"
    );
}

#[tokio::test]
async fn graphiql_is_served_with_its_own_assets() {
    let app = spawn_app().await;
    let page = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    let scripts: Vec<&str> = html
        .split("src=\"")
        .skip(1)
        .chain(html.split("href=\"").skip(1))
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    assert_eq!(scripts.len(), 5, "{scripts:?}");
    // Every asset comes from the gateway itself, with a type a browser will run.
    for src in scripts {
        assert!(src.starts_with("assets/graphiql/"), "{src} is not self-hosted");
        let asset = app.client.get(app.url(&format!("/{src}"))).send().await.unwrap();
        assert_eq!(asset.status(), StatusCode::OK, "{src}");
        let kind = asset.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(
            kind.starts_with("text/javascript") || kind.starts_with("text/css"),
            "{src}: {kind}"
        );
        assert!(asset.bytes().await.unwrap().len() > 100, "{src} is empty");
    }
    let missing = app
        .client
        .get(app.url("/assets/graphiql/nope.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn mutations_are_refused_over_get() {
    let app = spawn_app().await;
    let auth = format!("Bearer {}", app.api_key);
    let get = |query: &str| {
        app.client
            .get(app.url("/graphql"))
            .query(&[("query", query)])
            .header("authorization", &auth)
            .header("apollo-require-preflight", "true")
            .send()
    };
    let response = get("mutation { createTeam(input: { name: \"x\" }) { team { id } } }")
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()["allow"], "POST");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(first_code(&body), "BAD_REQUEST");
    assert_eq!(app.calls("dixa", "POST /teams").await, 0);

    let response = get("{ teams { totalCount } }").await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["data"]["teams"]["totalCount"], 3);
}
