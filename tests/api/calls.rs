//! Vendor calls per query: three named queries, each on a cold cache, make exactly the
//! calls their vendors' endpoints require, derived beside each test. The counters are
//! compared whole (every route with its count), so a renamed route or a stray call
//! fails the test, and a zero cannot pass for a route that was never counted.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

/// Every route `vendor`'s simulator counted, then the counters reset.
async fn take_calls(app: &TestApp, vendor: &str) -> Value {
    let calls = app.sim(Method::GET, vendor, "/calls", None).await;
    app.sim(Method::DELETE, vendor, "/calls", None).await;
    calls
}

/// Webex's emails live only in the per-location lists (both licence kinds): the
/// locations list, then two lists per location.
fn webex_people(locations: u64) -> Value {
    json!({
        "GET /locations": 1,
        "GET /telephony/config/locations/{locationId}/cxEssentials/agents/availableAgents": 2 * locations,
        "GET /telephony/config/supervisors/availableAgents": 1,
    })
}

/// How many Webex locations and supervisors the seed has, read from another app (same
/// seed) so the app under test starts cold.
async fn webex_seed() -> (u64, u64) {
    let source = spawn_app().await;
    let data = source
        .data(
            "{ webexLocations { totalCount } supervisors(filter: { vendors: [WEBEX] }) { totalCount } }",
            json!({}),
        )
        .await;
    let count = |v: &Value| v["totalCount"].as_u64().unwrap();
    (count(&data["webexLocations"]), count(&data["supervisors"]))
}

#[tokio::test]
async fn a_wallboard_makes_the_fewest_calls() {
    let (locations, _) = webex_seed().await;
    let app = spawn_app().await;
    let wallboard = "{ teams(first: 10) { nodes { name
        members(first: 20) { nodes { id displayName presence { availability }
            linkedAgents { vendor displayName } } }
        presence(first: 20) { nodes { agentId availability } } } } }";
    let data = app.data(wallboard, json!({})).await;
    let teams = data["teams"]["nodes"].as_array().unwrap();
    // A team's presence is its members', in their order.
    for team in teams {
        let availability = |list: &Value, of: &str| -> Vec<Value> {
            list["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n[of].clone())
                .collect()
        };
        let members: Vec<Value> = team["members"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["presence"]["availability"].clone())
            .collect();
        assert!(!members.is_empty(), "{team}");
        assert_eq!(availability(&team["presence"], "availability"), members, "{team}");
    }
    let teams = teams.len() as u64;
    assert_eq!(teams, 3);
    // Dixa: the teams (1); each team's members (no bulk membership endpoint: 1 per
    // team); every member's presence, and so every team's, at once (`GET
    // /agents/presence`, 1); the agent list for linked accounts on Dixa itself (1).
    assert_eq!(
        take_calls(&app, "dixa").await,
        json!({ "GET /teams": 1, "GET /teams/{teamId}/agents": teams, "GET /agents/presence": 1, "GET /agents": 1 })
    );
    // Linked accounts need every other vendor's people once: Webex's agents with their
    // emails (see `webex_people`), AICC's one page of accounts and its token, Vonage's
    // user list and its token.
    assert_eq!(take_calls(&app, "webex").await, webex_people(locations));
    assert_eq!(
        take_calls(&app, "huawei").await,
        json!({ "POST /apigovernance/api/oauth/tokenByAkSk": 1, "POST /agentAccount/query": 1 })
    );
    assert_eq!(
        take_calls(&app, "vonage").await,
        json!({ "POST /Auth/connect/token": 1, "GET /users": 1 })
    );
}

#[tokio::test]
async fn a_directory_page_makes_the_fewest_calls() {
    let (locations, supervisors) = webex_seed().await;
    let app = spawn_app().await;
    let directory = "{ agents(first: 50) { nodes { vendor displayName presence { availability }
        supervisors { displayName } linkedAgents { vendor displayName } } } }";
    let data = app.data(directory, json!({})).await;
    let on_page = |vendor: &str| {
        data["agents"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["vendor"] == vendor)
            .count() as u64
    };
    assert!(on_page("VONAGE") > 0 && on_page("WEBEX") > 0);
    // Dixa: the agent list (1) and every agent's presence at once (1).
    assert_eq!(
        take_calls(&app, "dixa").await,
        json!({ "GET /agents": 1, "GET /agents/presence": 1 })
    );
    // Webex: its people with emails (see `webex_people`); the supervisors (1) and each
    // one's agents (Webex has no "supervisors of an agent" call: 1 per supervisor).
    let mut webex = webex_people(locations);
    webex["GET /telephony/config/supervisors"] = json!(1);
    webex["GET /telephony/config/supervisors/{supervisorId}"] = json!(supervisors);
    assert_eq!(take_calls(&app, "webex").await, webex);
    // AICC: its token and one page of accounts.
    assert_eq!(
        take_calls(&app, "huawei").await,
        json!({ "POST /apigovernance/api/oauth/tokenByAkSk": 1, "POST /agentAccount/query": 1 })
    );
    // Vonage: its token, the user list (1), and the presence of each Vonage agent on the
    // page (Vonage has no call for several agents' presence: 1 each).
    assert_eq!(
        take_calls(&app, "vonage").await,
        json!({ "POST /Auth/connect/token": 1, "GET /users": 1, "GET /agents/{userId}/presence": on_page("VONAGE") })
    );
}

#[tokio::test]
async fn a_node_batch_of_fifty_mixed_ids_makes_the_fewest_calls() {
    // The ids come from another app (same seed), so this one starts cold.
    let source = spawn_app().await;
    let listed = source
        .data("{ agents(first: 50) { nodes { id vendor } } }", json!({}))
        .await;
    let nodes = listed["agents"]["nodes"].as_array().unwrap().clone();
    let ids: Vec<Value> = nodes.iter().map(|n| n["id"].clone()).collect();
    assert_eq!(ids.len(), 50);
    let vendors: Vec<&str> = nodes.iter().map(|n| n["vendor"].as_str().unwrap()).collect();
    assert!(
        ["WEBEX", "HUAWEI_AICC", "DIXA", "VONAGE"]
            .iter()
            .all(|v| vendors.contains(v))
    );

    let app = spawn_app().await;
    let answer = app
        .data(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Agent { displayName } } }",
            json!({ "ids": ids }),
        )
        .await;
    let found = answer["nodes"].as_array().unwrap();
    assert!(found.iter().all(|n| !n.is_null()), "{answer}");
    // One list per vendor instead of one call per id: Dixa's agents (1), Webex's
    // org-wide agents (its only way to find an agent, 1), AICC's page of accounts with
    // its token (1 + 1), Vonage's users with its token (1 + 1).
    assert_eq!(take_calls(&app, "dixa").await, json!({ "GET /agents": 1 }));
    assert_eq!(
        take_calls(&app, "webex").await,
        json!({ "GET /telephony/config/supervisors/availableAgents": 1 })
    );
    assert_eq!(
        take_calls(&app, "huawei").await,
        json!({ "POST /apigovernance/api/oauth/tokenByAkSk": 1, "POST /agentAccount/query": 1 })
    );
    assert_eq!(
        take_calls(&app, "vonage").await,
        json!({ "POST /Auth/connect/token": 1, "GET /users": 1 })
    );
}

/// What a wallboard reads that depends on no team (every agent's presence, every
/// vendor's people for linked accounts) leaves with the teams' read, not after it: with
/// the teams' read failing (late, so the early reads had time to arrive), they were
/// made all the same, and no member list was.
#[tokio::test]
async fn a_wallboard_reads_what_depends_on_no_team_beside_the_teams() {
    let app = spawn_app().await;
    app.fault(
        "dixa",
        json!({ "route": "GET /teams", "status": 400, "latencyMs": 300 }),
    )
    .await;
    let wallboard = "{ teams(first: 10) { nodes { name
        members(first: 20) { nodes { displayName presence { availability }
            linkedAgents { vendor displayName } } }
        presence(first: 20) { nodes { availability } } } } }";
    let answer = app.graphql(wallboard, json!({})).await;
    assert!(answer["errors"].is_array(), "{answer}");
    assert_eq!(
        take_calls(&app, "dixa").await,
        json!({ "GET /teams": 1, "GET /agents/presence": 1, "GET /agents": 1 })
    );
    // One team's presence is its own call: nothing is read early for it (the fault
    // stays).
    let one = "{ teams(first: 1) { nodes { presence { nodes { availability } } } } }";
    let answer = app.graphql(one, json!({})).await;
    assert!(answer["errors"].is_array(), "{answer}");
    assert_eq!(take_calls(&app, "dixa").await, json!({ "GET /teams": 1 }));
}

#[tokio::test]
async fn a_presence_asked_after_the_teams_joins_their_one_presence_read() {
    let source = spawn_app().await;
    let first = "{ agents(first: 1, filter: { vendors: [DIXA] }) { nodes { id } } }";
    let id = source.data(first, json!({})).await["agents"]["nodes"][0]["id"].clone();
    let app = spawn_app().await;
    // The agent itself is read late (within the second a read of every agent's presence
    // serves a loader), so its presence is asked alone, after the teams' presence (every
    // agent's, in one call) was asked for.
    app.fault(
        "dixa",
        json!({ "route": "GET /agents/{agentId}", "latencyMs": 500 }),
    )
    .await;
    let query = "query ($id: ID!) {
        teams(first: 10) { nodes { presence(first: 20) { nodes { availability } } } }
        node(id: $id) { ... on Agent { presence { availability } } } }";
    let data = app.data(query, json!({ "id": id })).await;
    assert!(data["node"]["presence"]["availability"].is_string(), "{data}");
    // No `GET /agents/{agentId}/presence` of its own.
    assert_eq!(
        take_calls(&app, "dixa").await,
        json!({ "GET /teams": 1, "GET /teams/{teamId}/agents": 3, "GET /agents/presence": 1, "GET /agents/{agentId}": 1 })
    );
}

/// The benchmark's vendor latency (`respondAtMs`) counts from the call's arrival, so a
/// wait before the simulator's work is inside it, not added to it (as `latencyMs` is).
#[tokio::test]
async fn a_simulated_latency_can_hold_the_simulators_own_work() {
    // Vendor calls may take longer than the tests' 1.5 s.
    let app = spawn_app_with(|s| s.http.request_timeout_ms = 10_000).await;
    let teams = "{ teams(first: 1) { nodes { name } } }";
    app.fault(
        "dixa",
        json!({ "route": "GET /teams", "latencyMs": 1_000, "respondAtMs": 1_200 }),
    )
    .await;
    let started = std::time::Instant::now();
    app.data(teams, json!({})).await;
    let took = started.elapsed();
    // 1.2 s after arrival: not before, and not 1 + 1.2 s.
    assert!(
        took >= std::time::Duration::from_millis(1_200) && took < std::time::Duration::from_millis(2_000),
        "{took:?}"
    );
}
