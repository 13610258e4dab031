//! The Webex client against Cisco's OpenAPI documents (the call-queue and
//! customer-assist splits): every request it sends is one Webex documents, with `orgId`
//! and a Bearer token, and it reads every documented example response.

use std::collections::BTreeSet;

use serde_json::json;
use switchboard::{
    graphql::id::{GlobalId, NodeType},
    sim::webex::{location_id, person_id},
    vendors::{
        Vendor,
        webex::wire::{AgentList, AgentStatusList, SupervisorDetail, SupervisorList},
    },
};

use crate::{
    helpers::{TENANT, spawn_app_with},
    openapi,
};

const CALL_QUEUE: &str = "webex/webex-features-call-queue-api-openapi.yml";
const CUSTOMER_ASSIST: &str = "webex/webex-features-customer-assist-api-openapi.yml";

fn agent(i: usize) -> String {
    GlobalId::new(NodeType::Agent, Vendor::Webex, person_id(i))
        .encode()
        .to_string()
}

fn supervisor(i: usize) -> String {
    GlobalId::new(NodeType::Supervisor, Vendor::Webex, person_id(i))
        .encode()
        .to_string()
}

#[tokio::test]
async fn every_request_the_client_sends_is_documented() {
    let (Some(queues), Some(assist)) = (openapi::load(CALL_QUEUE), openapi::load(CUSTOMER_ASSIST)) else {
        return;
    };
    let app = spawn_app_with(|s| {
        s.tenants
            .get_mut(TENANT)
            .unwrap()
            .webex
            .as_mut()
            .unwrap()
            .page_size = 2;
    })
    .await;

    // Reads: the lists with every filter, paged; one supervisor; a location's agents.
    app.data(
        r#"query($l: ID!) {
             supervisors(filter: { vendors: [WEBEX], webex: { name: "a", phoneNumber: "+12165550101", hasCxEssentials: true } }) { totalCount }
             all: supervisors(filter: { vendors: [WEBEX] }) { edges { node { agents { totalCount } } } }
             agents(filter: { vendors: [WEBEX], search: "a" }) { totalCount }
             availableSupervisors(filter: { hasCxEssentials: false }, order: LAST_NAME_DESC) { totalCount }
             named: agents(filter: { vendors: [WEBEX], webex: { name: "o", phoneNumber: "+12165550101", hasCxEssentials: true } }) { totalCount }
             locationAgents(locationId: $l, hasCxEssentials: true) { totalCount }
             webexLocations { edges { node { agents { totalCount } } } }
           }"#,
        json!({ "l": location_id(0) }),
    )
    .await;
    app.data(
        "query($s: ID!) { supervisor(id: $s, hasCxEssentials: true) { id } }",
        json!({ "s": supervisor(0) }),
    )
    .await;

    // Writes: create, assign, unassign, delete one, delete several.
    app.data(
        "mutation($p: ID!, $a: [ID!]!) { createSupervisor(input: { personId: $p, agentIds: $a, hasCxEssentials: true }) { complete } }",
        json!({ "p": agent(5), "a": [agent(13), agent(14)] }),
    )
    .await;
    for op in ["assignSupervisorAgents", "unassignSupervisorAgents"] {
        app.data(
            &format!("mutation($s: ID!, $a: [ID!]!) {{ {op}(input: {{ supervisorId: $s, agentIds: $a }}) {{ complete }} }}"),
            json!({ "s": supervisor(5), "a": [agent(11)] }),
        )
        .await;
    }
    let delete = "mutation($ids: [ID!]!) { deleteSupervisors(input: { supervisorIds: $ids }) { deletedSupervisorIds } }";
    app.data(delete, json!({ "ids": [supervisor(5)] })).await;
    app.data(delete, json!({ "ids": [supervisor(6), supervisor(9)] }))
        .await;

    let requests = app.sims.sims.webex.control.requests();
    let mut problems = Vec::new();
    let mut covered = BTreeSet::new();
    for request in &requests {
        let api_path = request.path.strip_prefix("/v1").unwrap_or(&request.path);
        if api_path == "/locations" {
            // Webex's Locations API, which these two splits do not cover.
            covered.insert(request.route.clone());
            continue;
        }
        let spec = if api_path.starts_with("/telephony/config/locations/") {
            &assist
        } else {
            &queues
        };
        problems.extend(spec.check(request, api_path));
        // Neither split declares `security`; Webex requires a Bearer token on every call.
        if !request.authorized {
            problems.push(format!("{}: no Authorization header", request.route));
        }
        if !request.query.as_deref().is_some_and(|q| q.contains("orgId=")) {
            problems.push(format!("{}: no orgId", request.route));
        }
        covered.insert(request.route.clone());
    }
    assert!(
        problems.is_empty(),
        "requests Webex does not document:\n{}",
        problems.join("\n")
    );
    for route in [
        "GET /telephony/config/supervisors",
        "POST /telephony/config/supervisors",
        "DELETE /telephony/config/supervisors",
        "GET /telephony/config/supervisors/{supervisorId}",
        "PUT /telephony/config/supervisors/{supervisorId}",
        "DELETE /telephony/config/supervisors/{supervisorId}",
        "GET /telephony/config/supervisors/availableSupervisors",
        "GET /telephony/config/supervisors/availableAgents",
        "GET /telephony/config/locations/{locationId}/cxEssentials/agents/availableAgents",
    ] {
        assert!(
            covered.contains(route),
            "{route} was not exercised; covered: {covered:?}"
        );
    }
    assert!(
        requests
            .iter()
            .any(|r| r.query.as_deref().is_some_and(|q| q.contains("start=2"))),
        "a follow-up page was requested"
    );
}

#[test]
fn the_client_reads_every_documented_example() {
    let (Some(queues), Some(assist)) = (openapi::load(CALL_QUEUE), openapi::load(CUSTOMER_ASSIST)) else {
        return;
    };
    // Every wire type defaults its fields, so each example must also yield entries.
    let listed = openapi::parses::<SupervisorList>(&queues, "GET", "/telephony/config/supervisors", "200");
    assert!(
        listed.supervisors.iter().any(|s| !s.id.is_empty()),
        "supervisors read"
    );
    let one = openapi::parses::<SupervisorDetail>(
        &queues,
        "GET",
        "/telephony/config/supervisors/{supervisorId}",
        "200",
    );
    assert!(!one.agents.is_empty(), "a supervisor's agents read");
    let available = openapi::parses::<SupervisorList>(
        &queues,
        "GET",
        "/telephony/config/supervisors/availableSupervisors",
        "200",
    );
    assert!(!available.supervisors.is_empty(), "available supervisors read");
    let agents = openapi::parses::<AgentList>(
        &queues,
        "GET",
        "/telephony/config/supervisors/availableAgents",
        "200",
    );
    assert!(!agents.agents.is_empty(), "available agents read");
    for method in ["POST", "PUT"] {
        let path = if method == "POST" {
            "/telephony/config/supervisors"
        } else {
            "/telephony/config/supervisors/{supervisorId}"
        };
        let outcome = openapi::parses::<AgentStatusList>(&queues, method, path, "206");
        assert!(
            outcome
                .supervisor_agent_status
                .iter()
                .any(|a| !a.status.is_empty()),
            "{method} 206 outcomes read"
        );
    }
    let location = openapi::parses::<AgentList>(
        &assist,
        "GET",
        "/telephony/config/locations/{locationId}/cxEssentials/agents/availableAgents",
        "200",
    );
    assert!(!location.agents.is_empty(), "location agents read");
    // The location example writes `phoneNumber` as a list; the numbers must come through.
    let example = assist
        .example(
            "GET",
            "/telephony/config/locations/{locationId}/cxEssentials/agents/availableAgents",
            "200",
        )
        .unwrap();
    let list: AgentList = serde_json::from_value(example.clone()).unwrap();
    assert_eq!(
        list.agents[0].numbers()[0].external.as_deref(),
        Some("+12165553518")
    );
    // The spec's schema makes `phoneNumbers` one object.
    let spec_shape: AgentList = serde_json::from_value(json!({ "agents": [{ "id": "x", "type": "PLACE",
        "phoneNumbers": { "external": "+12143456103", "extension": "23234" } }] }))
    .unwrap();
    assert_eq!(
        spec_shape.agents[0].numbers()[0].extension.as_deref(),
        Some("23234")
    );
}

#[test]
fn the_check_catches_what_webex_does_not_document() {
    use switchboard::sim::control::RecordedRequest;
    let Some(spec) = openapi::load(CALL_QUEUE) else {
        return;
    };
    let request =
        |method: &str, path: &str, query: Option<&str>, body: Option<serde_json::Value>| RecordedRequest {
            route: String::new(),
            method: method.into(),
            path: path.into(),
            query: query.map(Into::into),
            content_type: body.as_ref().map(|_| "application/json".into()),
            accept: None,
            authorized: true,
            traceparent: None,
            body,
        };
    let one = format!("/telephony/config/supervisors/{}", person_id(0));
    let cases = [
        (
            request("GET", "/telephony/config/supervisors", Some("limit=5"), None),
            "undocumented query parameter `limit`",
        ),
        (
            request("GET", "/telephony/config/supervisors", Some("max=ten"), None),
            "not a number",
        ),
        (
            request(
                "PUT",
                &one,
                None,
                Some(json!({ "agents": [{ "id": person_id(1), "action": "MOVE" }] })),
            ),
            "not one of",
        ),
        (
            request(
                "POST",
                "/telephony/config/supervisors",
                None,
                Some(json!({ "agents": [{ "id": person_id(1) }] })),
            ),
            "required property `id`",
        ),
        (
            request(
                "DELETE",
                "/telephony/config/supervisors",
                None,
                Some(json!({ "supervisorsIds": [person_id(1)] })),
            ),
            "undocumented property `supervisorsIds`",
        ),
        (request("PATCH", &one, None, None), "no such operation"),
    ];
    for (req, expected) in cases {
        let problems = spec.check(&req, &req.path);
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "{} {} should report `{expected}`, got {problems:?}",
            req.method,
            req.path
        );
    }
}
