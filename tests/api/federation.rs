//! Switchboard as an Apollo Federation v2 subgraph: `_service { sdl }` carries `@link`
//! and the entity keys (`id`, and `email` for `Person`), `switchboard schema --federation` prints the same SDL, and
//! `_entities` goes through the request's loaders: 500 `Agent` representations make
//! exactly the vendor calls `nodes` makes for the same ids.

use reqwest::Method;
use serde_json::{Value, json};
use switchboard::{
    graphql::id::{GlobalId, NodeType},
    vendors::Vendor,
};

use crate::helpers::{TestApp, first_code, spawn_app, spawn_app_beside, spawn_app_with, switchboard};

/// A UUID no simulator seeds.
const NO_SUCH_UUID: &str = "0dead000-0000-4000-8000-00000000dead";

/// Every route each simulator counted, then the counters reset.
async fn take_all_calls(app: &TestApp) -> Value {
    let mut all = serde_json::Map::new();
    for vendor in ["dixa", "webex", "huawei", "vonage"] {
        let calls = app.sim(Method::GET, vendor, "/calls", None).await;
        app.sim(Method::DELETE, vendor, "/calls", None).await;
        all.insert(vendor.to_owned(), calls);
    }
    Value::Object(all)
}

const ENTITIES: &str = "query($representations: [_Any!]!) {
    _entities(representations: $representations) { __typename ... on Agent { id vendor displayName } } }";

#[tokio::test]
async fn the_subgraph_sdl_links_federation_and_keys_the_entities() {
    let app = spawn_app().await;
    let data = app.data("{ _service { sdl } }", json!({})).await;
    let sdl = data["_service"]["sdl"].as_str().unwrap();
    assert!(
        sdl.contains("url: \"https://specs.apollo.dev/federation/v2"),
        "{sdl}"
    );
    for ty in ["Agent", "Supervisor", "Team", "User"] {
        assert!(
            sdl.contains(&format!("type {ty} implements Node @key(fields: \"id\")")),
            "{ty} has no key in {sdl}"
        );
    }
    assert!(sdl.contains("type Person @key(fields: \"email\")"), "{sdl}");
    assert!(!sdl.contains("SkillQueue implements Node @key"), "{sdl}");
    // The command prints what the server answers; the committed SDL stays plain.
    let printed = switchboard(&["schema", "--federation"], &[]).output().unwrap();
    assert!(printed.status.success());
    assert_eq!(String::from_utf8(printed.stdout).unwrap(), sdl);
    assert!(!switchboard::graphql::sdl().contains("@key"));
}

#[tokio::test]
async fn entities_resolve_each_type_and_null_for_what_does_not_exist() {
    let app = spawn_app().await;
    let data = app
        .data(
            "{ teams(first: 1) { nodes { id name } }
               users(first: 1) { nodes { id username } }
               supervisors(first: 1) { nodes { id displayName } }
               agents(first: 1) { nodes { id displayName } } }",
            json!({}),
        )
        .await;
    let first = |root: &str| data[root]["nodes"][0].clone();
    let (team, user, supervisor, agent) = (
        first("teams"),
        first("users"),
        first("supervisors"),
        first("agents"),
    );
    let missing_team = GlobalId::new(NodeType::Team, Vendor::Dixa, NO_SUCH_UUID)
        .encode()
        .to_string();
    let representations = json!([
        { "__typename": "Team", "id": team["id"] },
        { "__typename": "User", "id": user["id"] },
        { "__typename": "Supervisor", "id": supervisor["id"] },
        { "__typename": "Agent", "id": agent["id"] },
        { "__typename": "Team", "id": missing_team },
    ]);
    let query = "query($representations: [_Any!]!) { _entities(representations: $representations) {
        __typename ... on Team { id name } ... on User { id username }
        ... on Supervisor { id displayName } ... on Agent { id displayName } } }";
    let data = app
        .data(query, json!({ "representations": representations }))
        .await;
    // What `nodes` answers for the same ids, and null for the missing one.
    let ids: Vec<&Value> = [&team, &user, &supervisor, &agent]
        .iter()
        .map(|o| &o["id"])
        .collect();
    let nodes = app
        .data(
            "query($ids: [ID!]!) { nodes(ids: $ids) {
                __typename ... on Team { id name } ... on User { id username }
                ... on Supervisor { id displayName } ... on Agent { id displayName } } }",
            json!({ "ids": ids }),
        )
        .await;
    let mut expected = nodes["nodes"].as_array().unwrap().clone();
    assert!(expected.iter().all(|n| n["id"].is_string()), "{expected:?}");
    assert_eq!(expected[3]["displayName"], agent["displayName"]);
    expected.push(Value::Null);
    assert_eq!(data["_entities"], Value::Array(expected));

    // The id of another type, or a made-up id, is refused naming the id.
    for id in [missing_team.as_str(), "not-an-id"] {
        let body = app
            .graphql(
                ENTITIES,
                json!({ "representations": [{ "__typename": "Agent", "id": id }] }),
            )
            .await;
        assert_eq!(first_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "id", "{body}");
    }
}

/// The global ids of the first 500 agents across every vendor, with Dixa seeded to 25
/// teams of 20 agents so there are that many.
async fn five_hundred_agents(app: &TestApp) -> Vec<String> {
    app.seed_dixa(25, 20).await;
    let data = app
        .data("{ agents(first: 500) { nodes { id vendor } } }", json!({}))
        .await;
    let nodes = data["agents"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 500);
    // Every vendor is among them, so every vendor's loader is exercised.
    for vendor in ["WEBEX", "HUAWEI_AICC", "DIXA", "VONAGE"] {
        assert!(nodes.iter().any(|n| n["vendor"] == vendor), "no {vendor} agent");
    }
    nodes
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Dixa's agent list in pages of 500 (its largest), so the 500 agents take few calls
/// under Dixa's call budget.
fn big_pages(settings: &mut switchboard::config::Settings) {
    for tenant in settings.tenants.values_mut() {
        if let Some(dixa) = &mut tenant.dixa {
            dixa.page_limit = 500;
        }
    }
}

#[tokio::test]
async fn five_hundred_entities_make_the_calls_nodes_makes() {
    let source = spawn_app_with(big_pages).await;
    let ids = five_hundred_agents(&source).await;
    take_all_calls(&source).await;

    // Two more replicas over the same simulators, each with its own cold in-process
    // cache: one asks `_entities`, the other `nodes` (at most 100 ids a call: five
    // aliases in one operation, so one batch).
    let entities_app = spawn_app_beside(&source, big_pages).await;
    let representations: Vec<Value> = ids
        .iter()
        .map(|id| json!({ "__typename": "Agent", "id": id }))
        .collect();
    let entities = entities_app
        .data(ENTITIES, json!({ "representations": representations }))
        .await;
    let entity_calls = take_all_calls(&source).await;

    let nodes_app = spawn_app_beside(&source, big_pages).await;
    let chunks: Vec<&[String]> = ids.chunks(100).collect();
    assert_eq!(chunks.len(), 5);
    let nodes_query = "query($a: [ID!]!, $b: [ID!]!, $c: [ID!]!, $d: [ID!]!, $e: [ID!]!) {
        a: nodes(ids: $a) { ...A } b: nodes(ids: $b) { ...A } c: nodes(ids: $c) { ...A }
        d: nodes(ids: $d) { ...A } e: nodes(ids: $e) { ...A } }
        fragment A on Agent { __typename id vendor displayName }";
    let nodes = nodes_app
        .data(
            nodes_query,
            json!({ "a": chunks[0], "b": chunks[1], "c": chunks[2], "d": chunks[3], "e": chunks[4] }),
        )
        .await;
    let node_calls = take_all_calls(&source).await;

    // The same objects, in order.
    let by_nodes: Vec<Value> = ["a", "b", "c", "d", "e"]
        .iter()
        .flat_map(|k| nodes[k].as_array().unwrap().clone())
        .collect();
    assert_eq!(entities["_entities"].as_array().unwrap(), &by_nodes);
    assert!(by_nodes.iter().all(|n| n["__typename"] == "Agent"));

    // The same vendor calls, route by route; and batched: far fewer than one a
    // representation, with Dixa's agents read in one batch.
    assert_eq!(entity_calls, node_calls);
    let total: u64 = entity_calls
        .as_object()
        .unwrap()
        .values()
        .flat_map(|calls| calls.as_object().unwrap().values())
        .filter_map(Value::as_u64)
        .sum();
    assert!(total > 0 && total < 50, "{entity_calls}");
    assert!(
        entity_calls["dixa"].as_object().is_some_and(|c| !c.is_empty()),
        "{entity_calls}"
    );
}

#[tokio::test]
async fn a_vendor_failing_is_an_error_naming_it_as_in_nodes() {
    let app = spawn_app().await;
    let data = app
        .data(
            "{ teams(first: 1) { nodes { members(first: 1) { nodes { id } } } } }",
            json!({}),
        )
        .await;
    let id = data["teams"]["nodes"][0]["members"]["nodes"][0]["id"].clone();
    app.fault("dixa", json!({ "route": "GET /agents/{agentId}", "status": 500 }))
        .await;
    // A replica beside it, whose cache has not seen the agent.
    let cold = spawn_app_beside(&app, |_| {}).await;
    let body = cold
        .graphql(
            ENTITIES,
            json!({ "representations": [{ "__typename": "Agent", "id": id }] }),
        )
        .await;
    assert_eq!(first_code(&body), "VENDOR_UNAVAILABLE", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["vendor"], "DIXA", "{body}");
    assert!(app.calls("dixa", "GET /agents/{agentId}").await >= 1);
}

#[tokio::test]
async fn a_person_known_by_email_alone_joins_their_accounts_on_every_vendor() {
    let app = spawn_app().await;
    let direct = app
        .data(
            "{ agents(filter: { email: \"ava.thompson@example.com\" }, first: 10) { nodes { id vendor } } }",
            json!({}),
        )
        .await;
    let accounts = direct["agents"]["nodes"].as_array().unwrap();
    // On several vendors (her Vonage user is no agent), so the join is worth checking.
    assert!(accounts.len() >= 3, "{direct}");

    let query = "query($representations: [_Any!]!) { _entities(representations: $representations) {
        ... on Person { email agents { id vendor } user { username } } } }";
    let representations = json!([
        // Any case, a plus tag: the same person.
        { "__typename": "Person", "email": " Ava.Thompson+crm@Example.com" },
        { "__typename": "Person", "email": "nobody@example.com" },
    ]);
    let data = app
        .data(query, json!({ "representations": representations }))
        .await;
    assert_eq!(
        data["_entities"],
        json!([
            { "email": " Ava.Thompson+crm@Example.com", "agents": accounts, "user": { "username": "ava.thompson" } },
            { "email": "nobody@example.com", "agents": [], "user": null },
        ])
    );

    let body = app
        .graphql(
            query,
            json!({ "representations": [{ "__typename": "Person", "email": "  " }] }),
        )
        .await;
    assert_eq!(first_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "email", "{body}");
}
