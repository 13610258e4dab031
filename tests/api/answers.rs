//! Whole answers kept briefly (`cache.answer_ttl_ms`): a repeated query is answered
//! without resolving again, any write drops every kept answer (on every replica sharing
//! Redis), and answers with errors or from mutations are never kept.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::{
    helpers::{TestApp, spawn_app_beside, spawn_app_with},
    metrics::{metrics_text, samples},
    redis::{shared_redis, with_redis},
};

const TEAMS: &str = "{ teams(first: 50) { totalCount nodes { name members(first: 5) { totalCount } } } }";

/// Item cache reads so far (every resource, hits and misses).
async fn cache_reads(app: &TestApp) -> f64 {
    samples(&metrics_text(app).await, "switchboard_cache_lookups_total")
        .iter()
        .map(|(_, v)| v)
        .sum()
}

/// A long TTL, so that a slow machine cannot make a kept answer expire mid-test.
fn keep_answers(s: &mut switchboard::config::Settings) {
    s.cache.answer_ttl_ms = 60_000;
}

#[tokio::test]
async fn a_repeated_query_is_answered_without_resolving_it_again() {
    let app = spawn_app_with(keep_answers).await;
    let first = app.data(TEAMS, json!({})).await;
    let reads = cache_reads(&app).await;
    assert!(reads > 0.0, "the first answer was resolved through the cache");
    for _ in 0..3 {
        assert_eq!(app.data(TEAMS, json!({})).await, first);
    }
    assert_eq!(cache_reads(&app).await, reads, "no field was resolved again");
    // Other variables (here: another text) are another answer.
    app.data("{ teams(first: 1) { totalCount } }", json!({})).await;
    assert!(cache_reads(&app).await > reads);
}

#[tokio::test]
async fn a_write_on_one_replica_drops_the_answers_kept_on_both() {
    let Some(url) = shared_redis() else { return };
    let a = spawn_app_with(|s| {
        with_redis(&url)(s);
        keep_answers(s);
    })
    .await;
    let b = spawn_app_beside(&a, |s| {
        with_redis(&url)(s);
        keep_answers(s);
    })
    .await;
    let before = a.data(TEAMS, json!({})).await;
    assert_eq!(b.data(TEAMS, json!({})).await, before);
    b.data(
        r#"mutation { createTeam(input: { name: "Written on B" }) { team { id } } }"#,
        json!({}),
    )
    .await;
    for app in [&a, &b] {
        let after = app.data(TEAMS, json!({})).await;
        assert_eq!(
            after["teams"]["totalCount"],
            before["teams"]["totalCount"].as_i64().unwrap() + 1,
            "{after:#}"
        );
    }
}

#[tokio::test]
async fn an_answer_with_errors_is_never_kept() {
    let app = spawn_app_with(keep_answers).await;
    app.fault(
        "dixa",
        json!({ "route": "GET /teams", "status": 400, "times": 1 }),
    )
    .await;
    let failed = app.graphql(TEAMS, json!({})).await;
    assert!(failed.get("errors").is_some(), "{failed:#}");
    let answered = app.data(TEAMS, json!({})).await;
    assert_eq!(answered["teams"]["totalCount"], 3);
}

#[tokio::test]
async fn a_due_answer_is_served_while_the_next_is_computed_in_the_background() {
    due_answers_are_served_while_renewed(TEAMS).await;
}

/// A named operation sent without `operationName` (as most clients send a document of
/// one operation): its answer is kept where the HTTP edge looks for it, although
/// execution names the operation.
#[tokio::test]
async fn a_named_operation_sent_without_its_name_is_renewed_in_the_background_too() {
    due_answers_are_served_while_renewed(&format!("query Teams {TEAMS}")).await;
}

async fn due_answers_are_served_while_renewed(query: &str) {
    // Answers and teams both due after 3 s (a due answer is served for 3 s more); then
    // Dixa answers 0.5 s late.
    let app = spawn_app_with(|s| {
        s.cache.answer_ttl_ms = 3_000;
        s.cache.directory_ttl_secs = 3;
    })
    .await;
    let first = app.data(query, json!({})).await;
    tokio::time::sleep(Duration::from_millis(3_100)).await;
    app.fault("dixa", json!({ "latencyMs": 500 })).await;
    let calls = app.total_calls("dixa").await;

    // The first caller after the TTL, and the next, are served the due answer at once;
    // the first has the next one computed, through the slow vendor.
    for _ in 0..2 {
        let started = Instant::now();
        assert_eq!(app.data(query, json!({})).await, first);
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "{:?}",
            started.elapsed()
        );
    }
    // The renewal reads the teams, then their members (counted as they arrive, answered
    // 0.5 s later).
    let renewed = async {
        while app.total_calls("dixa").await < calls + 4 {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(3), renewed)
        .await
        .expect("the next answer was computed from the vendor");
    tokio::time::sleep(Duration::from_millis(800)).await;
    // Kept: served at once, without resolving.
    let reads = cache_reads(&app).await;
    let started = Instant::now();
    assert_eq!(app.data(query, json!({})).await, first);
    assert!(started.elapsed() < Duration::from_millis(500));
    assert_eq!(cache_reads(&app).await, reads);
}

#[tokio::test]
async fn identical_requests_arriving_together_are_executed_once() {
    // What one execution reads from the item cache, on an app of its own.
    let one = spawn_app_with(keep_answers).await;
    let expected = one.data(TEAMS, json!({})).await;
    let reads_of_one = cache_reads(&one).await;

    // Twenty at once, while the vendor is slow: one executes, the others wait for its
    // answer.
    let app = spawn_app_with(keep_answers).await;
    app.fault("dixa", json!({ "latencyMs": 300 })).await;
    let answers = futures::future::join_all((0..20).map(|_| app.data(TEAMS, json!({})))).await;
    assert!(answers.iter().all(|a| *a == expected));
    assert_eq!(cache_reads(&app).await, reads_of_one, "one execution's reads");
}

#[tokio::test]
async fn operations_beyond_the_cap_wait_their_turn_then_are_refused() {
    // One turn, a 1.5 s deadline, and a vendor answering 1 s late, so the query (teams,
    // then their members) runs until its deadline: of three sent together one runs, the
    // next waits for its turn, and the last waits past its deadline and is refused.
    let app = spawn_app_with(|s| {
        s.server.max_concurrent_operations = 1;
        s.http.request_deadline_ms = 1_500;
        s.cache.answer_ttl_ms = 0;
    })
    .await;
    app.fault("dixa", json!({ "latencyMs": 1_000 })).await;
    let auth = app.bearer();
    let slow = "{ teams { nodes { members { totalCount } } } }";
    let (a, b, c) = tokio::join!(
        app.graphql_with_auth(Some(&auth), slow, json!({})),
        app.graphql_with_auth(Some(&auth), slow, json!({})),
        app.graphql_with_auth(Some(&auth), slow, json!({})),
    );
    let answers = [&a, &b, &c];
    let refused: Vec<&(reqwest::StatusCode, serde_json::Value)> = answers
        .into_iter()
        .filter(|(status, _)| status.as_u16() == 503)
        .collect();
    assert!(!refused.is_empty() && refused.len() < 3, "{answers:?}");
    let body = &refused[0].1;
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["retryAfter"], 1, "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("server.max_concurrent_operations")
    );
    // With the turn free again, the next one runs.
    let (status, _) = app
        .graphql_with_auth(Some(&auth), "{ teams { totalCount } }", json!({}))
        .await;
    assert_eq!(status.as_u16(), 200);
}
