//! Webex Calling supervisors end to end: paging through `Link` headers, creating with a
//! partly unavailable set of agents, DUPLICATE assignments, unassigning and deleting,
//! rate limits, Webex's trackingId, locations, and input checks before any call.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use switchboard::{
    graphql::id::{GlobalId, NodeType},
    sim::webex::{UNAVAILABLE_PERSON, location_id, person_id, person_uuid},
    vendors::Vendor,
};

use crate::helpers::{TENANT, TestApp, first_code, spawn_app, spawn_app_with};

const LIST: &str = "GET /telephony/config/supervisors";
const ONE: &str = "GET /telephony/config/supervisors/{supervisorId}";

pub(crate) fn agent(i: usize) -> String {
    GlobalId::new(NodeType::Agent, Vendor::Webex, person_id(i))
        .encode()
        .to_string()
}

fn supervisor(i: usize) -> String {
    GlobalId::new(NodeType::Supervisor, Vendor::Webex, person_id(i))
        .encode()
        .to_string()
}

const PAYLOAD: &str = "supervisor { id agents { totalCount edges { node { id displayName } } } }
    outcomes { agentId agent { id } vendorAgentId status message succeeded } complete";

fn agent_ids(supervisor: &Value) -> Vec<String> {
    supervisor["agents"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn supervisor_count(app: &TestApp) -> u64 {
    app.data(
        "{ supervisors(filter: { vendors: [WEBEX] }) { totalCount } }",
        json!({}),
    )
    .await["supervisors"]["totalCount"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn supervisors_and_their_agents_page_through_link_headers() {
    let app = spawn_app_with(|s| {
        s.tenants
            .get_mut(TENANT)
            .unwrap()
            .webex
            .as_mut()
            .unwrap()
            .page_size = 1;
    })
    .await;
    let data = app
        .data(
            r#"{ supervisors(filter: { vendors: [WEBEX] }) { totalCount edges { node { id vendor displayName
                  details { ... on WebexSupervisorDetails { agentCount hasCxEssentials esn } }
                  agents(first: 2) { totalCount pageInfo { hasNextPage }
                    edges { node { displayName details { ... on WebexAgentDetails { agentType } } } } } } } } }"#,
            json!({}),
        )
        .await;
    let edges = data["supervisors"]["edges"].as_array().unwrap();
    let names: Vec<&str> = edges
        .iter()
        .map(|e| e["node"]["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Ava Thompson", "Emma Schneider", "Ethan Cohen"]);
    assert_eq!(data["supervisors"]["totalCount"], 3);
    let ava = &edges[0]["node"];
    assert_eq!(ava["vendor"], "WEBEX");
    assert_eq!(ava["details"]["agentCount"], 4);
    assert_eq!(ava["details"]["hasCxEssentials"], true);
    assert_eq!(ava["agents"]["totalCount"], 4);
    assert_eq!(ava["agents"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(ava["agents"]["edges"][0]["node"]["displayName"], "Liam Patel");
    let emma_agents = &edges[1]["node"]["agents"];
    assert_eq!(emma_agents["totalCount"], 3);

    // One page per supervisor at max=1, and one per agent of each supervisor.
    assert_eq!(app.calls("webex", LIST).await, 3);
    assert_eq!(app.calls("webex", ONE).await, 4 + 3 + 3);
    let starts: Vec<String> = app
        .sims
        .sims
        .webex
        .control
        .requests()
        .into_iter()
        .filter(|r| r.route == LIST)
        .map(|r| r.query.unwrap_or_default())
        .collect();
    assert!(
        starts[1].contains("start=1") && starts[2].contains("start=2"),
        "{starts:?}"
    );

    // The graph's own paging over the list.
    let first = app
        .data(
            "{ supervisors(filter: { vendors: [WEBEX] }, first: 2) { edges { cursor } pageInfo { hasNextPage } } }",
            json!({}),
        )
        .await;
    assert_eq!(first["supervisors"]["pageInfo"]["hasNextPage"], true);
    let after = first["supervisors"]["edges"][1]["cursor"].clone();
    let rest = app
        .data(
            "query($a: String) { supervisors(filter: { vendors: [WEBEX] }, first: 2, after: $a) { edges { node { displayName } } } }",
            json!({ "a": after }),
        )
        .await;
    assert_eq!(
        rest["supervisors"]["edges"][0]["node"]["displayName"],
        "Ethan Cohen"
    );
}

#[tokio::test]
async fn filters_reach_webex() {
    let app = spawn_app().await;
    let data = app
        .data(
            r#"{ cx: supervisors(filter: { vendors: [WEBEX], webex: { hasCxEssentials: true } }) { edges { node { lastName } } }
                 named: supervisors(filter: { webex: { name: "emma" }, vendors: [WEBEX] }) { totalCount }
                 byExt: supervisors(filter: { webex: { phoneNumber: "5110" }, vendors: [WEBEX] }) { edges { node { firstName } } } }"#,
            json!({}),
        )
        .await;
    let last: Vec<&str> = data["cx"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["lastName"].as_str().unwrap())
        .collect();
    // In the vendor-neutral order (by display name): Ava Thompson, Ethan Cohen.
    assert_eq!(last, ["Thompson", "Cohen"]);
    let sent: Vec<String> = app
        .sims
        .sims
        .webex
        .control
        .requests()
        .into_iter()
        .filter(|r| r.route == LIST)
        .map(|r| r.query.unwrap_or_default())
        .collect();
    for param in ["hasCxEssentials=true", "name=emma", "phoneNumber=5110"] {
        assert!(sent.iter().any(|q| q.contains(param)), "{param} in {sent:?}");
    }
    assert_eq!(data["named"]["totalCount"], 1);
    assert_eq!(data["byExt"]["edges"][0]["node"]["firstName"], "Ethan");
}

#[tokio::test]
async fn create_with_an_unavailable_agent_reports_it_and_assigns_the_others() {
    let app = spawn_app().await;
    let mutation = format!(
        "mutation($p: ID!, $a: [ID!]!) {{ createSupervisor(input: {{ personId: $p, agentIds: $a }}) {{ {PAYLOAD} }} }}"
    );
    let data = app
        .data(
            &mutation,
            json!({ "p": agent(5), "a": [agent(13), agent(UNAVAILABLE_PERSON), agent(14)] }),
        )
        .await;
    let payload = &data["createSupervisor"];
    assert_eq!(payload["complete"], false);
    let outcomes = payload["outcomes"].as_array().unwrap();
    assert_eq!(outcomes.len(), 3);
    let failed: Vec<&Value> = outcomes.iter().filter(|o| o["succeeded"] == false).collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["status"], "NOT_AVAILABLE");
    // Webex reports the bare UUID; the outcome names the agent that was sent.
    assert_eq!(failed[0]["vendorAgentId"], person_uuid(UNAVAILABLE_PERSON));
    assert_eq!(failed[0]["agentId"], agent(UNAVAILABLE_PERSON));
    assert_eq!(failed[0]["agent"]["id"], agent(UNAVAILABLE_PERSON));
    assert!(
        failed[0]["message"]
            .as_str()
            .unwrap()
            .contains(&person_uuid(UNAVAILABLE_PERSON))
    );
    let assigned: Vec<&str> = outcomes
        .iter()
        .filter(|o| o["status"] == "SUCCESS")
        .map(|o| o["agentId"].as_str().unwrap())
        .collect();
    assert_eq!(assigned, [agent(13), agent(14)]);
    let sup = &payload["supervisor"];
    assert_eq!(sup["id"], supervisor(5));
    assert_eq!(agent_ids(sup), [agent(13), agent(14)]);
    assert_eq!(
        sup["agents"]["edges"][0]["node"]["displayName"],
        "Mateo Fernandez"
    );
    assert_eq!(app.calls("webex", "POST /telephony/config/supervisors").await, 1);
    // The new supervisor is listed (the cached list was invalidated).
    assert_eq!(supervisor_count(&app).await, 4);
}

#[tokio::test]
async fn assigning_an_assigned_agent_is_a_duplicate() {
    let app = spawn_app().await;
    let mutation = format!(
        "mutation($s: ID!, $a: [ID!]!) {{ assignSupervisorAgents(input: {{ supervisorId: $s, agentIds: $a, hasCxEssentials: true }}) {{ {PAYLOAD} }} }}"
    );
    let data = app
        .data(
            &mutation,
            json!({ "s": supervisor(0), "a": [agent(1), agent(5)] }),
        )
        .await;
    let payload = &data["assignSupervisorAgents"];
    let outcomes = payload["outcomes"].as_array().unwrap();
    assert_eq!(outcomes[0]["status"], "DUPLICATE");
    assert_eq!(outcomes[0]["agentId"], agent(1));
    assert_eq!(outcomes[0]["succeeded"], false);
    assert_eq!(outcomes[1]["status"], "SUCCESS");
    assert_eq!(outcomes[1]["agentId"], agent(5));
    assert_eq!(payload["supervisor"]["agents"]["totalCount"], 5);
    assert!(agent_ids(&payload["supervisor"]).contains(&agent(5)));
    let put = app
        .sims
        .sims
        .webex
        .control
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT")
        .unwrap();
    assert_eq!(
        put.body.unwrap()["agents"],
        json!([{ "id": person_id(1), "action": "ADD" }, { "id": person_id(5), "action": "ADD" }])
    );
}

#[tokio::test]
async fn unassign_then_delete_one_and_several() {
    let app = spawn_app().await;
    // Read first, so the cache holds what the writes must invalidate.
    assert_eq!(supervisor_count(&app).await, 3);
    let mutation = format!(
        "mutation($s: ID!, $a: [ID!]!) {{ unassignSupervisorAgents(input: {{ supervisorId: $s, agentIds: $a }}) {{ {PAYLOAD} }} }}"
    );
    let data = app
        .data(
            &mutation,
            json!({ "s": supervisor(0), "a": [agent(1), agent(2)] }),
        )
        .await;
    let payload = &data["unassignSupervisorAgents"];
    assert_eq!(payload["complete"], true);
    assert_eq!(agent_ids(&payload["supervisor"]), [agent(3), agent(4)]);
    let count = app
        .data(
            "query($id: ID!) { supervisor(id: $id) { agents { totalCount } } }",
            json!({ "id": supervisor(0) }),
        )
        .await;
    assert_eq!(count["supervisor"]["agents"]["totalCount"], 2);

    let delete = "mutation($ids: [ID!]!) { deleteSupervisors(input: { supervisorIds: $ids }) { deletedSupervisorIds } }";
    let one = app.data(delete, json!({ "ids": [supervisor(0)] })).await;
    assert_eq!(
        one["deleteSupervisors"]["deletedSupervisorIds"],
        json!([supervisor(0)])
    );
    assert_eq!(
        app.calls("webex", "DELETE /telephony/config/supervisors/{supervisorId}")
            .await,
        1
    );
    assert_eq!(supervisor_count(&app).await, 2);
    let gone = app
        .data(
            "query($id: ID!) { supervisor(id: $id) { id } node(id: $id) { id } }",
            json!({ "id": supervisor(0) }),
        )
        .await;
    assert!(gone["supervisor"].is_null() && gone["node"].is_null());

    app.data(delete, json!({ "ids": [supervisor(6), supervisor(9)] }))
        .await;
    assert_eq!(
        app.calls("webex", "DELETE /telephony/config/supervisors").await,
        1
    );
    assert_eq!(supervisor_count(&app).await, 0);
}

#[tokio::test]
async fn a_429_is_honoured_on_a_read_but_a_create_is_not_repeated() {
    let app = spawn_app().await;
    app.fault(
        "webex",
        json!({ "route": LIST, "status": 429, "retryAfterSecs": 1, "times": 1 }),
    )
    .await;
    let started = Instant::now();
    assert_eq!(supervisor_count(&app).await, 3);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(app.calls("webex", LIST).await, 2);

    let create = "POST /telephony/config/supervisors";
    app.fault(
        "webex",
        json!({ "route": create, "status": 429, "retryAfterSecs": 1, "times": 1 }),
    )
    .await;
    let body = app
        .graphql(
            "mutation($p: ID!, $a: [ID!]!) { createSupervisor(input: { personId: $p, agentIds: $a }) { complete } }",
            json!({ "p": agent(5), "a": [agent(13)] }),
        )
        .await;
    assert_eq!(first_code(&body), "VENDOR_RATE_LIMITED");
    assert_eq!(body["errors"][0]["extensions"]["retryAfter"], 1);
    assert_eq!(body["errors"][0]["extensions"]["vendor"], "WEBEX");
    assert_eq!(app.calls("webex", create).await, 1, "a create is sent once");
    assert_eq!(supervisor_count(&app).await, 3, "nothing was created");
}

#[tokio::test]
async fn a_423_is_retried_on_a_read() {
    let app = spawn_app().await;
    app.fault(
        "webex",
        json!({ "route": LIST, "status": 423, "retryAfterSecs": 0, "times": 1 }),
    )
    .await;
    assert_eq!(supervisor_count(&app).await, 3);
    assert_eq!(app.calls("webex", LIST).await, 2);
}

#[tokio::test]
async fn a_webex_tracking_id_reaches_extensions() {
    let app = spawn_app().await;
    // Ava is already a supervisor: Webex refuses with 409 and a trackingId.
    let body = app
        .graphql(
            "mutation($p: ID!, $a: [ID!]!) { createSupervisor(input: { personId: $p, agentIds: $a }) { complete } }",
            json!({ "p": agent(0), "a": [agent(13)] }),
        )
        .await;
    assert_eq!(first_code(&body), "VENDOR_REJECTED");
    let ext = &body["errors"][0]["extensions"];
    assert_eq!(ext["vendorStatus"], 409);
    let tracking = app.sims.sims.webex.last_tracking_id().unwrap();
    assert_eq!(ext["trackingId"], tracking.as_str());
    assert!(ext["vendorMessage"].as_str().unwrap().contains("already exists"));
    let text = body.to_string();
    assert!(!text.contains("sim-webex-token"), "no credential leaks");
    assert!(
        !text.contains(&app.sims.addr.to_string()),
        "no upstream URL leaks"
    );
}

#[tokio::test]
async fn inputs_are_checked_before_any_call() {
    let app = spawn_app().await;
    let dixa_agent = GlobalId::new(
        NodeType::Agent,
        Vendor::Dixa,
        "0d1a0000-5e7e-4c1d-9a5e-000000000000",
    )
    .encode()
    .to_string();
    let not_webex = GlobalId::new(NodeType::Agent, Vendor::Webex, "not-a-webex-id")
        .encode()
        .to_string();
    let place = GlobalId::new(
        NodeType::Agent,
        Vendor::Webex,
        "Y2lzY29zcGFyazovL3VzL1BMQUNFLzE3NzczMWRiLWE1YzEtNGI2MC05ZTMwLTNhM2MxMGFiM2IxMQ",
    )
    .encode()
    .to_string();
    let create = "mutation($p: ID!, $a: [ID!]!) { createSupervisor(input: { personId: $p, agentIds: $a }) { complete } }";
    let assign = "mutation($s: ID!, $a: [ID!]!) { assignSupervisorAgents(input: { supervisorId: $s, agentIds: $a }) { complete } }";
    let cases = [
        (create, json!({ "p": agent(5), "a": [] }), "input.agentIds"),
        (
            create,
            json!({ "p": agent(5), "a": [dixa_agent] }),
            "input.agentIds[0]",
        ),
        (
            create,
            json!({ "p": agent(5), "a": [agent(1), not_webex] }),
            "input.agentIds[1]",
        ),
        (create, json!({ "p": place, "a": [agent(1)] }), "input.personId"),
        (
            create,
            json!({ "p": agent(5), "a": [agent(5)] }),
            "input.agentIds[0]",
        ),
        (
            create,
            json!({ "p": "garbage", "a": [agent(1)] }),
            "input.personId",
        ),
        (
            assign,
            json!({ "s": agent(0), "a": [agent(1)] }),
            "input.supervisorId",
        ),
        (
            "query($l: ID!) { locationAgents(locationId: $l) { totalCount } }",
            json!({ "l": person_id(1) }),
            "locationId",
        ),
        (
            "{ supervisors(filter: { webex: { phoneNumber: \"12; DROP\" } }) { totalCount } }",
            json!({}),
            "filter.webex.phoneNumber",
        ),
        (
            "{ agents(filter: { vendors: [WEBEX], webex: { name: \"  \" } }) { totalCount } }",
            json!({}),
            "filter.webex.name",
        ),
        (
            "{ availableSupervisors(filter: { phoneNumber: \"call me\" }) { totalCount } }",
            json!({}),
            "filter.phoneNumber",
        ),
        (
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": GlobalId::new(NodeType::Supervisor, Vendor::Webex, "nope").encode() }),
            "id",
        ),
        (
            "query($id: ID!) { supervisor(id: $id) { id } }",
            json!({ "id": agent(0) }),
            "id",
        ),
    ];
    for (query, vars, field) in cases {
        let body = app.graphql(query, vars.clone()).await;
        assert_eq!(first_code(&body), "BAD_USER_INPUT", "{vars}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{vars}: {body}");
    }
    assert_eq!(app.total_calls("webex").await, 0, "no call reached Webex");
}

#[tokio::test]
async fn locations_available_agents_and_nodes() {
    let app = spawn_app().await;
    let data = app
        .data(
            r#"query($l: ID!) {
                 webexLocations { edges { node { id name
                   agents(hasCxEssentials: true) { totalCount edges { node { email phoneNumbers { number extension }
                     details { ... on WebexAgentDetails { agentType hasCxEssentials phoneNumbers { external extension } } } } } } } } }
                 basic: locationAgents(locationId: $l) { edges { node { displayName
                   details { ... on WebexAgentDetails { agentType hasCxEssentials } } } } }
                 availableSupervisors { totalCount }
                 agents(filter: { vendors: [WEBEX] }) { totalCount edges { node { id details { ... on WebexAgentDetails { agentType } } } } } }"#,
            json!({ "l": location_id(1) }),
        )
        .await;
    let locations = data["webexLocations"]["edges"].as_array().unwrap();
    assert_eq!(locations.len(), 2);
    assert_eq!(locations[0]["node"]["id"], location_id(0));
    // Location 0 answers in the seed's shape, location 1 in the spec's: both read.
    for loc in locations {
        let first = &loc["node"]["agents"]["edges"][0]["node"];
        assert_eq!(first["details"]["hasCxEssentials"], true);
        assert!(
            first["phoneNumbers"][0]["number"]
                .as_str()
                .unwrap()
                .starts_with("+1216")
        );
        assert!(first["details"]["phoneNumbers"][0]["extension"].is_string());
    }
    let basic = data["basic"]["edges"].as_array().unwrap();
    assert!(!basic.is_empty());
    assert!(
        basic
            .iter()
            .all(|e| e["node"]["details"]["hasCxEssentials"] == false)
    );
    // 16 people less the 3 supervisors and the one without a licence.
    assert_eq!(data["availableSupervisors"]["totalCount"], 12);
    let available = data["agents"]["edges"].as_array().unwrap();
    assert_eq!(data["agents"]["totalCount"], 18);
    let types: std::collections::BTreeSet<&str> = available
        .iter()
        .map(|e| e["node"]["details"]["agentType"].as_str().unwrap())
        .collect();
    assert_eq!(
        types.into_iter().collect::<Vec<_>>(),
        ["PEOPLE", "PLACE", "VIRTUAL_LINE"]
    );

    let nodes = app
        .data(
            "query($s: ID!, $a: ID!) { s: node(id: $s) { ... on Supervisor { agents { totalCount } } }
                                       a: node(id: $a) { ... on Agent { displayName vendor } } }",
            json!({ "s": supervisor(6), "a": agent(2) }),
        )
        .await;
    assert_eq!(nodes["s"]["agents"]["totalCount"], 3);
    assert_eq!(nodes["a"]["displayName"], "Sofia Garcia");
    assert_eq!(nodes["a"]["vendor"], "WEBEX");
    // The supervisor came from the single GET, not from the list.
    assert_eq!(app.calls("webex", LIST).await, 0);
    assert_eq!(app.calls("webex", ONE).await, 1);
}

/// `availableSupervisors` takes Webex's list filters as `filter` (the input object
/// `agents` takes under `webex`) and Webex's `order`, and sends both to Webex.
#[tokio::test]
async fn available_supervisors_are_filtered_and_ordered_by_webex() {
    let app = spawn_app().await;
    const ROUTE: &str = "GET /telephony/config/supervisors/availableSupervisors";
    let query = "query($f: WebexListFilter, $o: WebexListOrder) {
        availableSupervisors(filter: $f, order: $o, first: 500) { totalCount nodes { lastName } } }";
    let last_names = |data: &Value| -> Vec<String> {
        data["availableSupervisors"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["lastName"].as_str().unwrap().to_owned())
            .collect()
    };
    let everyone = app.data(query, json!({})).await;
    assert_eq!(everyone["availableSupervisors"]["totalCount"], 12);

    let descending = app.data(query, json!({ "o": "LAST_NAME_DESC" })).await;
    let names = last_names(&descending);
    let mut sorted = names.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(names.len(), 12);
    assert_eq!(names, sorted, "Webex's lastName-desc order is kept");

    let cx = app
        .data(
            query,
            json!({ "f": { "hasCxEssentials": true, "name": "a" }, "o": "FIRST_NAME" }),
        )
        .await;
    let cx_count = cx["availableSupervisors"]["totalCount"].as_u64().unwrap();
    assert!(cx_count > 0 && cx_count < 12, "the filter narrows: {cx}");
    let sent: Vec<String> = app
        .sims
        .sims
        .webex
        .control
        .requests()
        .into_iter()
        .filter(|r| r.route == ROUTE)
        .filter_map(|r| r.query)
        .collect();
    assert!(sent.iter().any(|q| q.contains("order=lastName-desc")), "{sent:?}");
    assert!(
        sent.iter().any(|q| q.contains("hasCxEssentials=true")
            && q.contains("name=a")
            && q.contains("order=firstName")),
        "{sent:?}"
    );
}

#[tokio::test]
async fn the_simulator_speaks_webex_auth_org_and_errors() {
    let app = spawn_app().await;
    let base = format!("http://{}/webex/v1/telephony/config/supervisors", app.sims.addr);
    let client = reqwest::Client::new();

    let response = client.get(&base).send().await.unwrap();
    assert_eq!(response.status(), 401);
    let tracking = response.headers()["trackingid"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["trackingId"], tracking.as_str());
    assert!(body["errors"][0]["description"].is_string());

    let auth = format!("Bearer {}", switchboard::sim::webex::DEMO_TOKEN);
    let other_org = switchboard::sim::webex::webex_id("ORGANIZATION", "00000000-0000-4000-8000-000000000000");
    let response = client
        .get(&base)
        .header("authorization", &auth)
        .query(&[("orgId", other_org.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);

    // The bulk delete also takes the `supervisorsIds` spelling one public client uses.
    let response = client
        .delete(&base)
        .header("authorization", &auth)
        .json(&json!({ "supervisorsIds": [person_id(0)] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(supervisor_count(&app).await, 2);

    let ready = app.readyz().await.1;
    assert!(
        ready["vendors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["vendor"] == "WEBEX" && v["ok"] == true),
        "{ready}"
    );
}

#[tokio::test]
async fn a_customer_assist_supervisor_is_read_and_changed_with_the_flag_webex_requires() {
    let app = spawn_app().await;
    let listed = app
        .data(
            "{ supervisors(filter: { vendors: [WEBEX], webex: { hasCxEssentials: true } }) { nodes { id vendorId } } }",
            json!({}),
        )
        .await;
    let cx = listed["supervisors"]["nodes"][0].clone();
    assert!(
        cx["id"].is_string(),
        "a seeded Customer Assist supervisor: {listed}"
    );

    // Webex itself refuses to show it without hasCxEssentials=true ...
    let path = format!(
        "/webex/v1/telephony/config/supervisors/{}",
        cx["vendorId"].as_str().unwrap()
    );
    let refused = app
        .client
        .get(app.sims.url("").join(&path[1..]).unwrap())
        .bearer_auth(switchboard::sim::webex::DEMO_TOKEN)
        .query(&[("orgId", switchboard::sim::webex::org_id())])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), reqwest::StatusCode::BAD_REQUEST);

    // ... while the graph, not told the licence, asks again with it.
    let via_node = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Supervisor { id agents { totalCount } } } }",
            json!({ "id": cx["id"] }),
        )
        .await;
    assert_eq!(via_node["node"]["id"], cx["id"], "{via_node}");
    assert!(via_node["node"]["agents"]["totalCount"].as_i64().unwrap() > 0);
    let requests = app.sim(reqwest::Method::GET, "webex", "/requests", None).await;
    let reads: Vec<&Value> = requests
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["route"] == "GET /telephony/config/supervisors/{supervisorId}")
        .collect();
    assert_eq!(reads.len(), 3, "the direct read, then the graph's two: {reads:?}");
    assert!(
        reads[2]["query"]
            .as_str()
            .unwrap()
            .contains("hasCxEssentials=true")
    );
}
