//! `/metrics`: after a known set of queries, the vendor call counters equal what the
//! simulators themselves counted (route by route), requests are counted by operation
//! name and outcome, cache reads by resource, and no label carries an id or an email.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

/// The samples of `/metrics` whose name is `name`: labels (as written) → value.
pub(crate) fn samples(text: &str, name: &str) -> Vec<(BTreeMap<String, String>, f64)> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (metric, labels) = match series.split_once('{') {
                Some((m, rest)) => (m, rest.strip_suffix('}')?),
                None => (series, ""),
            };
            if metric != name {
                return None;
            }
            let labels = labels
                .split("\",")
                .filter(|p| !p.is_empty())
                .filter_map(|p| {
                    let (k, v) = p.split_once("=\"")?;
                    Some((k.to_owned(), v.trim_end_matches('"').to_owned()))
                })
                .collect();
            Some((labels, value.parse().ok()?))
        })
        .collect()
}

pub(crate) async fn metrics_text(app: &TestApp) -> String {
    let response = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    response.text().await.unwrap()
}

/// `vendor`'s calls per route as `/metrics` counts them (every status), named as its
/// simulator names them: the Vonage simulator serves the user admin API under its
/// `/useradmin` mount and names those routes below it.
fn vendor_calls(text: &str, vendor: &str) -> Value {
    let mut routes = BTreeMap::<String, u64>::new();
    for (labels, value) in samples(text, "switchboard_vendor_calls_total") {
        if labels["vendor"] == vendor {
            let route = labels["route"].replacen(" /useradmin/", " /", 1);
            *routes.entry(route).or_default() += value as u64;
        }
    }
    json!(routes)
}

#[tokio::test]
async fn metrics_count_requests_vendor_calls_and_cache_reads() {
    let app = spawn_app().await;
    let wallboard = "query Wallboard { teams(first: 10) { nodes { name members(first: 20) { nodes {
        displayName presence { availability } linkedAgents { vendor } } } } } }";
    app.data(wallboard, json!({})).await;
    app.data(wallboard, json!({})).await; // from the cache this time
    app.data(
        "{ supervisors(first: 5) { nodes { displayName } } users(first: 5) { nodes { username } } }",
        json!({}),
    )
    .await;
    // A failing lookup beside data (partial), a refused one (error), a client's name
    // that is no GraphQL name (counted as `other`).
    let partial = app
        .graphql(
            "query Lookup { node(id: \"bogus\") { id } teams(first: 1) { totalCount } }",
            json!({}),
        )
        .await;
    assert!(partial["errors"].is_array(), "{partial}");
    let refused = app
        .graphql("query Broken { teams(first: 1) { nope } }", json!({}))
        .await;
    assert!(refused["data"].is_null(), "{refused}");
    let odd = json!({ "query": "{ __typename }", "operationName": "ava@example.com" });
    let odd = app
        .client
        .post(app.url("/graphql"))
        .header("authorization", app.bearer())
        .json(&odd)
        .send()
        .await
        .unwrap();
    assert_eq!(odd.status(), 200);

    // Refused at the edge, before the schema: no key.
    let (status, _) = app
        .graphql_with_auth(None, "{ teams { totalCount } }", json!({}))
        .await;
    assert_eq!(status, 401);

    let text = metrics_text(&app).await;
    let refusals: Vec<(String, f64)> = samples(&text, "switchboard_graphql_refusals_total")
        .into_iter()
        .map(|(l, v)| (l["code"].clone(), v))
        .collect();
    assert_eq!(refusals, vec![("UNAUTHENTICATED".to_owned(), 1.0)], "{text}");

    // Vendor calls: exactly what each simulator received, route by route.
    for (sim, vendor) in [
        ("dixa", "DIXA"),
        ("webex", "WEBEX"),
        ("huawei", "HUAWEI_AICC"),
        ("vonage", "VONAGE"),
    ] {
        let received = app.sim(Method::GET, sim, "/calls", None).await;
        assert!(
            received.as_object().is_some_and(|c| !c.is_empty()),
            "{sim} got no call: the comparison would prove nothing"
        );
        assert_eq!(vendor_calls(&text, vendor), received, "{vendor}");
    }
    assert!(
        samples(&text, "switchboard_vendor_calls_total")
            .iter()
            .all(|(labels, _)| labels["status"] == "200")
    );
    assert!(
        text.contains("switchboard_vendor_call_duration_seconds_bucket{"),
        "{text}"
    );

    // Requests by operation and outcome.
    let requests: BTreeMap<(String, String), f64> = samples(&text, "switchboard_graphql_requests_total")
        .into_iter()
        .map(|(l, v)| ((l["operation"].clone(), l["outcome"].clone()), v))
        .collect();
    let key = |op: &str, outcome: &str| (op.to_owned(), outcome.to_owned());
    assert_eq!(
        requests,
        BTreeMap::from([
            (key("Wallboard", "ok"), 2.0),
            (key("anonymous", "ok"), 1.0),
            (key("Lookup", "partial"), 1.0),
            (key("Broken", "error"), 1.0),
            (key("other", "error"), 1.0),
        ]),
        "{text}"
    );
    let wallboard_timings = samples(&text, "switchboard_graphql_request_duration_seconds_count");
    assert!(
        wallboard_timings
            .iter()
            .any(|(l, v)| l["operation"] == "Wallboard" && *v == 2.0),
        "{text}"
    );

    // The second wallboard read Dixa's teams from the cache.
    let cache = samples(&text, "switchboard_cache_lookups_total");
    let count = |resource_prefix: &str, result: &str| -> f64 {
        cache
            .iter()
            .filter(|(l, _)| l["resource"].starts_with(resource_prefix) && l["result"] == result)
            .map(|(_, v)| v)
            .sum()
    };
    assert_eq!(count("DIXA:teams", "miss"), 1.0, "{text}");
    assert!(count("DIXA:teams", "hit") >= 1.0, "{text}");

    // No label value is an id, an email or a tenant's key.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        assert!(!line.contains('@'), "{line}");
        assert!(!line.contains(&app.api_key), "{line}");
        let uuid_like = line
            .split(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
            .any(|w| w.len() == 36 && w.matches('-').count() == 4);
        assert!(!uuid_like, "{line}");
    }
    // No subscription is open (families without a sample, like the breaker states
    // here, are left out of the text).
    assert!(text.contains("\nswitchboard_graphql_subscriptions 0\n"), "{text}");
}

#[tokio::test]
async fn a_retried_vendor_call_is_counted_with_its_status_and_retry() {
    let app = spawn_app().await;
    app.fault(
        "dixa",
        json!({ "route": "GET /teams", "status": 503, "times": 1 }),
    )
    .await;
    app.data("{ teams(first: 1) { totalCount } }", json!({})).await;
    let text = metrics_text(&app).await;
    let calls: BTreeMap<String, f64> = samples(&text, "switchboard_vendor_calls_total")
        .into_iter()
        .filter(|(l, _)| l["route"] == "GET /teams")
        .map(|(l, v)| (l["status"].clone(), v))
        .collect();
    assert_eq!(
        calls,
        BTreeMap::from([("503".to_owned(), 1.0), ("200".to_owned(), 1.0)])
    );
    let retries: Vec<f64> = samples(&text, "switchboard_vendor_retries_total")
        .into_iter()
        .filter(|(l, _)| l["vendor"] == "DIXA" && l["route"] == "GET /teams")
        .map(|(_, v)| v)
        .collect();
    assert_eq!(retries, vec![1.0]);
    assert_eq!(app.calls("dixa", "GET /teams").await, 2);
}

#[tokio::test]
async fn an_open_breaker_shows_in_its_gauge() {
    let app = crate::helpers::spawn_app_with(|s| {
        s.http.breaker_failures = 3;
        s.http.breaker_cool_down_ms = 60_000;
        s.http.max_retries = 0;
    })
    .await;
    let gauge = |text: &str, vendor: &str| -> Option<f64> {
        samples(text, "switchboard_vendor_breaker_state")
            .into_iter()
            .find(|(l, _)| l["tenant"] == crate::helpers::TENANT && l["vendor"] == vendor)
            .map(|(_, v)| v)
    };
    let text = metrics_text(&app).await;
    assert_eq!(gauge(&text, "DIXA"), Some(0.0), "closed: {text}");
    app.fault(
        "dixa",
        json!({ "route": "GET /teams/{teamId}/agents", "status": 503 }),
    )
    .await;
    let body = app
        .graphql("{ teams { nodes { members { totalCount } } } }", json!({}))
        .await;
    assert!(body["errors"].is_array(), "{body}");
    let text = metrics_text(&app).await;
    assert_eq!(gauge(&text, "DIXA"), Some(2.0), "open: {text}");
    assert_eq!(gauge(&text, "VONAGE"), Some(0.0), "{text}");
}
