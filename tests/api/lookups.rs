//! One rule for what is missing, on every vendor: a single-object lookup (`node`,
//! `nodes`, `team`, `user`, `supervisor`, `aiccAgent`, and `locationAgents`) answers null
//! without an error for an object that does not exist; a malformed id is
//! `BAD_USER_INPUT` before any vendor call; a vendor failing is an error with
//! `extensions.vendor`, never a null.

use serde_json::{Value, json};
use switchboard::{
    graphql::id::{GlobalId, NodeType},
    sim::webex::{location_id, webex_id},
    vendors::Vendor,
};

use crate::helpers::{TestApp, first_code, spawn_app};

/// A UUID no simulator seeds.
const NO_SUCH_UUID: &str = "0dead000-0000-4000-8000-00000000dead";

fn global(node_type: NodeType, vendor: Vendor, vendor_id: &str) -> String {
    GlobalId::new(node_type, vendor, vendor_id).encode().to_string()
}

/// One lookup of one kind of object on one vendor.
struct Lookup {
    /// What is looked up, for messages.
    what: &'static str,
    /// The query; `$id` is the argument, the root field is `field`.
    query: &'static str,
    /// The root field.
    field: &'static str,
    /// The argument a malformed id is reported on.
    argument: &'static str,
    /// The simulator, and the route the lookup calls.
    vendor: &'static str,
    route: &'static str,
    /// An id of an object that exists.
    existing: String,
    /// A well-formed id of an object that does not exist.
    missing: String,
    /// Ids the vendor could never have given.
    malformed: Vec<String>,
}

const NODE: &str = "query($id: ID!) { node(id: $id) { __typename id } }";

/// The id at JSON pointer `pointer` in the answer to `query`.
async fn first_id(app: &TestApp, query: &str, pointer: &str) -> String {
    let data = app.data(query, json!({})).await;
    data.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{query}: no id at {pointer} in {data}"))
        .to_owned()
}

/// Every lookup on every vendor, with ids read from the seeded simulators.
async fn lookups(app: &TestApp) -> Vec<Lookup> {
    let team = first_id(app, "{ teams(first: 1) { nodes { id } } }", "/teams/nodes/0/id").await;
    let dixa_agent = first_id(
        app,
        "{ teams(first: 1) { nodes { members(first: 1) { nodes { id } } } } }",
        "/teams/nodes/0/members/nodes/0/id",
    )
    .await;
    let supervisor = first_id(
        app,
        "{ supervisors(first: 1) { nodes { id } } }",
        "/supervisors/nodes/0/id",
    )
    .await;
    let webex_agent = first_id(
        app,
        "{ agents(filter: { vendors: [WEBEX] }, first: 1) { nodes { id } } }",
        "/agents/nodes/0/id",
    )
    .await;
    let aicc = app
        .data(
            "{ agents(filter: { vendors: [HUAWEI_AICC] }, first: 1) {
                 nodes { id details { ... on AiccAgentDetails { account } } } } }",
            json!({}),
        )
        .await;
    let aicc_agent = aicc["agents"]["nodes"][0]["id"].as_str().unwrap().to_owned();
    let account = aicc["agents"]["nodes"][0]["details"]["account"]
        .as_str()
        .unwrap()
        .to_owned();
    let queue = first_id(
        app,
        "{ skillQueues(first: 1) { nodes { id } } }",
        "/skillQueues/nodes/0/id",
    )
    .await;
    let users = app
        .data(
            "{ users { nodes { id agent { id } supervisor { id } } } }",
            json!({}),
        )
        .await;
    let users = users["users"]["nodes"].as_array().unwrap();
    let user = users[0]["id"].as_str().unwrap().to_owned();
    let pick = |field: &str| -> String {
        users
            .iter()
            .find_map(|u| u[field]["id"].as_str())
            .unwrap_or_else(|| panic!("a Vonage user with a {field}"))
            .to_owned()
    };
    let (vonage_agent, vonage_supervisor) = (pick("agent"), pick("supervisor"));

    let missing_person = webex_id("PEOPLE", NO_SUCH_UUID);
    let place = webex_id("PLACE", NO_SUCH_UUID);
    let lookup = |what,
                  query,
                  field,
                  argument,
                  vendor,
                  route,
                  existing: &str,
                  missing: String,
                  malformed: Vec<String>| {
        Lookup {
            what,
            query,
            field,
            argument,
            vendor,
            route,
            existing: existing.to_owned(),
            missing,
            malformed,
        }
    };
    let dixa_bad = |t| vec![global(t, Vendor::Dixa, "not-a-uuid")];
    let vonage_bad = |t| vec![global(t, Vendor::Vonage, "not-a-uuid")];
    vec![
        // node(id), one kind of object and vendor at a time.
        lookup(
            "node: Dixa team",
            NODE,
            "node",
            "id",
            "dixa",
            "GET /teams/{teamId}",
            &team,
            global(NodeType::Team, Vendor::Dixa, NO_SUCH_UUID),
            dixa_bad(NodeType::Team),
        ),
        lookup(
            "node: Dixa agent",
            NODE,
            "node",
            "id",
            "dixa",
            "GET /agents/{agentId}",
            &dixa_agent,
            global(NodeType::Agent, Vendor::Dixa, NO_SUCH_UUID),
            dixa_bad(NodeType::Agent),
        ),
        lookup(
            "node: Webex supervisor",
            NODE,
            "node",
            "id",
            "webex",
            "GET /telephony/config/supervisors/{supervisorId}",
            &supervisor,
            global(NodeType::Supervisor, Vendor::Webex, &missing_person),
            vec![
                global(NodeType::Supervisor, Vendor::Webex, "not-a-webex-id"),
                global(NodeType::Supervisor, Vendor::Webex, &place),
            ],
        ),
        lookup(
            "node: Webex agent",
            NODE,
            "node",
            "id",
            "webex",
            "GET /telephony/config/supervisors/availableAgents",
            &webex_agent,
            global(NodeType::Agent, Vendor::Webex, &missing_person),
            vec![global(NodeType::Agent, Vendor::Webex, "not-a-webex-id")],
        ),
        lookup(
            "node: AICC agent",
            NODE,
            "node",
            "id",
            "huawei",
            "POST /agentAccount/query",
            &aicc_agent,
            global(NodeType::Agent, Vendor::HuaweiAicc, "nobody_here_01"),
            vec![global(NodeType::Agent, Vendor::HuaweiAicc, "no spaces!")],
        ),
        lookup(
            "node: AICC skill queue",
            NODE,
            "node",
            "id",
            "huawei",
            "POST /skill/querySkills",
            &queue,
            global(NodeType::SkillQueue, Vendor::HuaweiAicc, "987654321"),
            vec![global(NodeType::SkillQueue, Vendor::HuaweiAicc, "queue-one")],
        ),
        lookup(
            "node: Vonage user",
            NODE,
            "node",
            "id",
            "vonage",
            "GET /users/{userId}",
            &user,
            global(NodeType::User, Vendor::Vonage, NO_SUCH_UUID),
            vonage_bad(NodeType::User),
        ),
        lookup(
            "node: Vonage agent",
            NODE,
            "node",
            "id",
            "vonage",
            "GET /users/{userId}",
            &vonage_agent,
            global(NodeType::Agent, Vendor::Vonage, NO_SUCH_UUID),
            vonage_bad(NodeType::Agent),
        ),
        lookup(
            "node: Vonage supervisor",
            NODE,
            "node",
            "id",
            "vonage",
            "GET /users/{userId}",
            &vonage_supervisor,
            global(NodeType::Supervisor, Vendor::Vonage, NO_SUCH_UUID),
            vonage_bad(NodeType::Supervisor),
        ),
        // The roots' own lookups.
        lookup(
            "team",
            "query($id: ID!) { team(id: $id) { id } }",
            "team",
            "id",
            "dixa",
            "GET /teams/{teamId}",
            &team,
            global(NodeType::Team, Vendor::Dixa, NO_SUCH_UUID),
            dixa_bad(NodeType::Team),
        ),
        lookup(
            "supervisor",
            "query($id: ID!) { supervisor(id: $id) { id } }",
            "supervisor",
            "id",
            "webex",
            "GET /telephony/config/supervisors/{supervisorId}",
            &supervisor,
            global(NodeType::Supervisor, Vendor::Webex, &missing_person),
            vec![global(NodeType::Supervisor, Vendor::Webex, &place)],
        ),
        lookup(
            "aiccAgent",
            "query($id: String!) { aiccAgent(account: $id) { id } }",
            "aiccAgent",
            "account",
            "huawei",
            "POST /agentAccount/query",
            &account,
            "nobody_here_01".to_owned(),
            vec!["no spaces!".to_owned(), "abc".to_owned()],
        ),
        lookup(
            "user",
            "query($id: ID!) { user(id: $id) { id } }",
            "user",
            "id",
            "vonage",
            "GET /users/{userId}",
            &user,
            global(NodeType::User, Vendor::Vonage, NO_SUCH_UUID),
            vonage_bad(NodeType::User),
        ),
        lookup(
            "locationAgents",
            "query($id: ID!) { locationAgents(locationId: $id) { totalCount } }",
            "locationAgents",
            "locationId",
            "webex",
            "GET /telephony/config/locations/{locationId}/cxEssentials/agents/availableAgents",
            &location_id(0),
            location_id(7),
            vec![
                webex_id("LOCATION", "not-a-uuid"),
                webex_id("PEOPLE", NO_SUCH_UUID),
            ],
        ),
    ]
}

#[tokio::test]
async fn a_missing_object_is_null_without_an_error_on_every_lookup_and_vendor() {
    let app = spawn_app().await;
    for l in lookups(&app).await {
        let before = app.calls(l.vendor, l.route).await;
        let body = app.graphql(l.query, json!({ "id": l.missing })).await;
        assert!(body.get("errors").is_none(), "{}: {body:#}", l.what);
        assert_eq!(body["data"][l.field], Value::Null, "{}: {body:#}", l.what);
        // The null is the vendor's answer, not a lookup that never asked (a Webex agent
        // is looked for in the organisation's agent list, read once and cached).
        let after = app.calls(l.vendor, l.route).await;
        if l.route.ends_with("/availableAgents") && l.field == "node" {
            assert!(after > 0, "{}: {} was asked", l.what, l.route);
        } else {
            assert!(after > before, "{}: {} was asked", l.what, l.route);
        }
        // The same lookup finds what exists.
        let found = app.data(l.query, json!({ "id": l.existing })).await;
        assert!(!found[l.field].is_null(), "{}: {found:#}", l.what);
    }
}

#[tokio::test]
async fn a_malformed_id_is_bad_user_input_without_a_vendor_call_on_every_lookup_and_vendor() {
    let app = spawn_app().await;
    for l in lookups(&app).await {
        // Prove the route is one the counter knows: the existing object is read there.
        let found = app.data(l.query, json!({ "id": l.existing })).await;
        assert!(!found[l.field].is_null(), "{}: {found:#}", l.what);
        let counted = app.calls(l.vendor, l.route).await;
        assert!(counted > 0, "{}: {} is counted", l.what, l.route);
        let total = app.total_calls(l.vendor).await;
        for bad in &l.malformed {
            let body = app.graphql(l.query, json!({ "id": bad })).await;
            assert_eq!(first_code(&body), "BAD_USER_INPUT", "{} {bad}: {body:#}", l.what);
            assert_eq!(
                body["errors"][0]["extensions"]["field"], l.argument,
                "{}: {body:#}",
                l.what
            );
            assert_eq!(body["data"][l.field], Value::Null, "{}", l.what);
        }
        assert_eq!(
            app.total_calls(l.vendor).await,
            total,
            "{}: no vendor call",
            l.what
        );
    }
}

#[tokio::test]
async fn nodes_answers_null_for_each_missing_id_and_names_a_malformed_one() {
    let app = spawn_app().await;
    let all = lookups(&app).await;
    let node_lookups: Vec<&Lookup> = all.iter().filter(|l| l.field == "node").collect();
    // Existing and missing ids of every vendor, interleaved.
    let ids: Vec<&str> = node_lookups
        .iter()
        .flat_map(|l| [l.existing.as_str(), l.missing.as_str()])
        .collect();
    let data = app
        .data(
            "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }",
            json!({ "ids": ids }),
        )
        .await;
    let nodes = data["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), ids.len());
    for (i, l) in node_lookups.iter().enumerate() {
        assert_eq!(nodes[2 * i]["id"], l.existing, "{}", l.what);
        assert_eq!(nodes[2 * i + 1], Value::Null, "{}", l.what);
    }

    let bad = &node_lookups[0].malformed[0];
    let body = app
        .graphql(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": [node_lookups[0].existing, bad] }),
        )
        .await;
    assert_eq!(first_code(&body), "BAD_USER_INPUT", "{body:#}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "ids[1]");
}

#[tokio::test]
async fn a_global_id_of_a_type_a_vendor_does_not_serve_is_bad_user_input() {
    let app = spawn_app().await;
    let body = app
        .graphql(
            NODE,
            json!({ "id": global(NodeType::Team, Vendor::Webex, NO_SUCH_UUID) }),
        )
        .await;
    assert_eq!(first_code(&body), "BAD_USER_INPUT", "{body:#}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "id");
}

#[tokio::test]
async fn a_vendor_failure_on_a_lookup_is_an_error_not_a_null() {
    let cases = lookups(&spawn_app().await).await;
    // A fresh app, so nothing a lookup reads is cached yet.
    let app = spawn_app().await;
    for l in cases {
        app.fault(
            l.vendor,
            json!({ "route": l.route, "status": 503, "message": "down for maintenance" }),
        )
        .await;
        let body = app.graphql(l.query, json!({ "id": l.missing })).await;
        app.sim(reqwest::Method::DELETE, l.vendor, "/faults", None).await;
        assert!(
            app.calls(l.vendor, l.route).await > 0,
            "{}: the fault's route was called",
            l.what
        );
        assert_eq!(body["data"][l.field], Value::Null, "{}", l.what);
        let errors = body["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("{}: an error: {body:#}", l.what));
        assert_eq!(errors.len(), 1, "{}: {body:#}", l.what);
        let vendor = match l.vendor {
            "dixa" => "DIXA",
            "webex" => "WEBEX",
            "huawei" => "HUAWEI_AICC",
            _ => "VONAGE",
        };
        assert_eq!(errors[0]["extensions"]["vendor"], vendor, "{}: {body:#}", l.what);
        assert_eq!(
            errors[0]["extensions"]["code"], "VENDOR_UNAVAILABLE",
            "{}",
            l.what
        );
        assert_eq!(errors[0]["path"], json!([l.field]), "{}", l.what);
    }
}
