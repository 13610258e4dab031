//! Vendor failures become the right `extensions.code`, and only the fields that vendor
//! serves are nulled: the rest of the answer arrives.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{first_code, spawn_app};

const NAMES_AND_PRESENCE: &str = "{ teams { edges { node { name presence { totalCount } } } } }";

/// The call that serves several teams' presence at once (every agent's presence).
const ALL_PRESENCE: &str = "GET /agents/presence";

fn names(data: &Value) -> Vec<&str> {
    data["teams"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_vendor_500_nulls_only_its_fields() {
    let app = spawn_app().await;
    app.fault(
        "dixa",
        json!({ "route": ALL_PRESENCE, "status": 500, "message": "presence store down" }),
    )
    .await;
    let body = app.graphql(NAMES_AND_PRESENCE, json!({})).await;
    assert_eq!(names(&body["data"]), ["Tier 1 Support", "Billing", "VIP Care"]);
    assert!(body["data"]["teams"]["edges"][0]["node"]["presence"].is_null());
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["code"], "VENDOR_UNAVAILABLE");
    assert_eq!(error["extensions"]["vendor"], "DIXA");
    assert_eq!(error["extensions"]["vendorStatus"], 500);
    assert_eq!(error["extensions"]["vendorMessage"], "presence store down");
    assert_eq!(error["path"][0], "teams");
    let text = body.to_string();
    assert!(
        !text.contains(&app.sims.addr.to_string()),
        "no upstream URL leaks: {text}"
    );
    assert!(!text.contains("sim-dixa-token"), "no credential leaks");
}

#[tokio::test]
async fn a_429_is_retried_after_retry_after() {
    let app = spawn_app().await;
    app.fault(
        "dixa",
        json!({ "route": "GET /teams", "status": 429, "retryAfterSecs": 1, "times": 1 }),
    )
    .await;
    let started = Instant::now();
    let data = app.data("{ teams { totalCount } }", json!({})).await;
    assert_eq!(data["teams"]["totalCount"], 3);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(app.calls("dixa", "GET /teams").await, 2);
}

#[tokio::test]
async fn a_lasting_429_becomes_vendor_rate_limited() {
    let app = spawn_app().await;
    app.fault(
        "dixa",
        json!({ "route": ALL_PRESENCE, "status": 429, "retryAfterSecs": 1 }),
    )
    .await;
    let body = app.graphql(NAMES_AND_PRESENCE, json!({})).await;
    assert_eq!(names(&body["data"]), ["Tier 1 Support", "Billing", "VIP Care"]);
    assert!(body["data"]["teams"]["edges"][0]["node"]["presence"].is_null());
    assert_eq!(first_code(&body), "VENDOR_RATE_LIMITED");
    assert_eq!(body["errors"][0]["extensions"]["retryAfter"], 1);
    assert_eq!(body["errors"][0]["extensions"]["vendor"], "DIXA");
    assert_eq!(
        app.calls("dixa", ALL_PRESENCE).await,
        3,
        "one call for the three teams: the first try and two retries"
    );
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_is_not_waited_for() {
    let app = spawn_app().await;
    app.fault(
        "dixa",
        json!({ "route": "GET /teams", "status": 429, "retryAfterSecs": 120 }),
    )
    .await;
    let started = Instant::now();
    let body = app.graphql("{ teams { totalCount } }", json!({})).await;
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(first_code(&body), "VENDOR_RATE_LIMITED");
    assert_eq!(body["errors"][0]["extensions"]["retryAfter"], 120);
    assert_eq!(app.calls("dixa", "GET /teams").await, 1);
}

#[tokio::test]
async fn a_timeout_nulls_only_its_fields() {
    let app = spawn_app().await;
    app.fault("dixa", json!({ "route": ALL_PRESENCE, "latencyMs": 4000 }))
        .await;
    let started = Instant::now();
    let body = app.graphql(NAMES_AND_PRESENCE, json!({})).await;
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "the timeout cut the wait"
    );
    assert_eq!(names(&body["data"]), ["Tier 1 Support", "Billing", "VIP Care"]);
    assert!(body["data"]["teams"]["edges"][1]["node"]["presence"].is_null());
    assert_eq!(first_code(&body), "VENDOR_UNAVAILABLE");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("did not answer in time")
    );
}

#[tokio::test]
async fn a_create_is_never_retried() {
    let app = spawn_app().await;
    app.fault(
        "dixa",
        json!({ "route": "POST /teams", "status": 503, "times": 1 }),
    )
    .await;
    let body = app
        .graphql(
            "mutation { createTeam(input: { name: \"Once\" }) { team { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(first_code(&body), "VENDOR_UNAVAILABLE");
    assert_eq!(app.calls("dixa", "POST /teams").await, 1);
    let data = app.data("{ teams { totalCount } }", json!({})).await;
    assert_eq!(
        data["teams"]["totalCount"], 3,
        "nothing was created behind the error"
    );
}

#[tokio::test]
async fn a_vendor_400_is_vendor_rejected_with_its_message() {
    let app = spawn_app().await;
    app.fault(
        "dixa",
        json!({ "route": "POST /teams", "status": 400, "message": "Invalid value for: body" }),
    )
    .await;
    let body = app
        .graphql(
            "mutation { createTeam(input: { name: \"Dup\" }) { team { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(first_code(&body), "VENDOR_REJECTED");
    assert_eq!(
        body["errors"][0]["extensions"]["vendorMessage"],
        "Invalid value for: body"
    );
    assert_eq!(body["errors"][0]["extensions"]["vendorStatus"], 400);
}

#[tokio::test]
async fn malformed_requests_are_bad_user_input() {
    let app = spawn_app().await;
    for query in [
        "{ teams { nope } }",
        "{ teams(first: -1) { totalCount } }",
        "{ teams(after: \"zzz\") { totalCount } }",
        "{",
    ] {
        let body = app.graphql(query, json!({})).await;
        assert_eq!(first_code(&body), "BAD_USER_INPUT", "{query}: {body}");
    }
}

#[tokio::test]
async fn one_teams_failing_members_null_only_that_teams_members() {
    const TEAMS_AND_MEMBERS: &str = "{ teams { edges { node { vendorId name members { totalCount edges { node { id displayName } } } } } } }";
    // What the seeded teams' members are when nothing fails.
    let baseline = spawn_app().await.data(TEAMS_AND_MEMBERS, json!({})).await;
    let app = spawn_app().await;
    let edges = baseline["teams"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 3);
    let billing = edges[1]["node"]["vendorId"].as_str().unwrap();
    app.fault(
        "dixa",
        json!({ "route": "GET /teams/{teamId}/agents", "path": format!("/teams/{billing}/agents"),
            "status": 503, "message": "members store down" }),
    )
    .await;

    let body = app.graphql(TEAMS_AND_MEMBERS, json!({})).await;
    assert_eq!(names(&body["data"]), ["Tier 1 Support", "Billing", "VIP Care"]);
    let got = body["data"]["teams"]["edges"].as_array().unwrap();
    for i in [0, 2] {
        let members = &got[i]["node"]["members"];
        assert!(members["totalCount"].as_u64().unwrap() > 0, "{members}");
        assert_eq!(members, &edges[i]["node"]["members"], "team {i} arrives intact");
    }
    assert!(got[1]["node"]["members"].is_null(), "{body:#}");
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{body:#}");
    assert_eq!(errors[0]["path"], json!(["teams", "edges", 1, "node", "members"]));
    assert_eq!(errors[0]["extensions"]["vendor"], "DIXA");
    assert_eq!(errors[0]["extensions"]["code"], "VENDOR_UNAVAILABLE");
    assert_eq!(errors[0]["extensions"]["vendorMessage"], "members store down");
    // The fault hit only Billing's path: each team's members were asked for, Billing's
    // with retries.
    assert_eq!(app.calls("dixa", "GET /teams/{teamId}/agents").await, 2 + 3);
}
