//! The Dixa client against Dixa's own OpenAPI document: every request it sends is one
//! Dixa documents, and it reads every documented example response.

use std::collections::BTreeSet;

use serde_json::json;
use switchboard::vendors::dixa::wire::{Agent, Data, Page, Team, TeamMember, TeamRef, UserPresence};

use crate::{
    helpers::{TENANT, spawn_app_with},
    openapi,
};

const SPEC: &str = "dixa/dixa-api.yaml";

#[tokio::test]
async fn every_request_the_client_sends_is_documented() {
    let Some(spec) = openapi::load(SPEC) else { return };
    let app = spawn_app_with(|s| {
        s.tenants
            .get_mut(TENANT)
            .unwrap()
            .dixa
            .as_mut()
            .unwrap()
            .page_limit = 2;
        // Presence uncached, so one agent's presence is read on its own below.
        s.cache.presence_ttl_secs = 0;
    })
    .await;

    // Reads: lists, members (their whole records batched into GET /agents), every
    // agent's presence at once (which also serves several teams' presence) and one
    // agent's alone, agents' teams, and one team by id with its presence (paged).
    let data = app
        .data(
            r#"{ teams { edges { node { id
                   members { edges { node { id displayName firstName presence { availability } teams { name } } } }
                   presence { totalCount } } } } }"#,
            json!({}),
        )
        .await;
    let team_id = data["teams"]["edges"][0]["node"]["id"].clone();
    let agent_id = data["teams"]["edges"][0]["node"]["members"]["edges"][0]["node"]["id"].clone();
    app.data(
        "query($id: ID!) { node(id: $id) { ... on Agent { email presence { availability } } } }",
        json!({ "id": agent_id }),
    )
    .await;
    app.data(
        "query($id: ID!) { team(id: $id) { name presence { totalCount } } }",
        json!({ "id": team_id }),
    )
    .await;

    // Writes.
    let created = app
        .data(
            "mutation { createTeam(input: { name: \"Spec check\" }) { team { id } } }",
            json!({}),
        )
        .await;
    let new_team = created["createTeam"]["team"]["id"].clone();
    let vars = json!({ "t": new_team, "a": [agent_id] });
    app.data(
        "mutation($t: ID!, $a: [ID!]!) { addTeamMembers(input: { teamId: $t, agentIds: $a }) { team { id } } }",
        vars.clone(),
    )
    .await;
    app.data(
        "mutation($t: ID!, $a: [ID!]!) { removeTeamMembers(input: { teamId: $t, agentIds: $a }) { team { id } } }",
        vars,
    )
    .await;
    app.data(
        "mutation($t: ID!) { deleteTeam(input: { teamId: $t }) { deletedTeamId } }",
        json!({ "t": new_team }),
    )
    .await;

    let requests = app.sims.sims.dixa.control.requests();
    let mut problems = Vec::new();
    let mut covered = BTreeSet::new();
    for request in &requests {
        // The client talks to /v1, which Dixa documents as identical to the spec's /beta.
        let api_path = request.path.replacen("/v1/", "/beta/", 1);
        problems.extend(spec.check(request, &api_path));
        covered.insert(request.route.clone());
    }
    assert!(
        problems.is_empty(),
        "requests Dixa does not document:\n{}",
        problems.join("\n")
    );
    let expected = [
        "GET /teams",
        "POST /teams",
        "GET /teams/{teamId}",
        "DELETE /teams/{teamId}",
        "GET /teams/{teamId}/agents",
        "PATCH /teams/{teamId}/agents",
        "DELETE /teams/{teamId}/agents",
        "GET /teams/{teamId}/presence",
        "GET /agents",
        "GET /agents/{agentId}",
        "GET /agents/{agentId}/presence",
        "GET /agents/presence",
        "GET /agents/{agentId}/teams",
    ];
    for route in expected {
        assert!(
            covered.contains(route),
            "{route} was not exercised; covered: {covered:?}"
        );
    }
    assert!(
        requests
            .iter()
            .any(|r| r.query.as_deref().is_some_and(|q| q.contains("pageKey="))),
        "a follow-up page was requested"
    );
}

#[test]
fn the_client_reads_every_documented_example() {
    let Some(spec) = openapi::load(SPEC) else { return };
    openapi::parses::<Page<Team>>(&spec, "GET", "/beta/teams", "200");
    openapi::parses::<Data<Team>>(&spec, "POST", "/beta/teams", "201");
    openapi::parses::<Data<Team>>(&spec, "GET", "/beta/teams/{teamId}", "200");
    openapi::parses::<Page<TeamMember>>(&spec, "GET", "/beta/teams/{teamId}/agents", "200");
    openapi::parses::<Page<UserPresence>>(&spec, "GET", "/beta/teams/{teamId}/presence", "200");
    openapi::parses::<Page<Agent>>(&spec, "GET", "/beta/agents", "200");
    openapi::parses::<Data<Agent>>(&spec, "GET", "/beta/agents/{agentId}", "200");
    openapi::parses::<Data<UserPresence>>(&spec, "GET", "/beta/agents/{agentId}/presence", "200");
    openapi::parses::<Page<TeamRef>>(&spec, "GET", "/beta/agents/{agentId}/teams", "200");
    openapi::parses::<Vec<UserPresence>>(&spec, "GET", "/beta/agents/presence", "200");
    for (method, template, status) in [
        ("GET", "/beta/teams/{teamId}", "404"),
        ("GET", "/beta/teams/{teamId}/presence", "400"),
        ("DELETE", "/beta/teams/{teamId}/agents", "500"),
    ] {
        openapi::parses::<switchboard::vendors::dixa::wire::ErrorBody>(&spec, method, template, status);
    }
}

#[test]
fn the_check_catches_what_dixa_does_not_document() {
    use switchboard::sim::control::RecordedRequest;
    let Some(spec) = openapi::load(SPEC) else { return };
    let request =
        |method: &str, path: &str, query: Option<&str>, body: Option<serde_json::Value>, authorized| {
            RecordedRequest {
                route: String::new(),
                method: method.into(),
                path: path.into(),
                query: query.map(Into::into),
                content_type: body.as_ref().map(|_| "application/json".into()),
                accept: None,
                authorized,
                traceparent: None,
                body,
            }
        };
    let team = "/beta/teams/005e7108-c85c-41d1-a945-4a8dc58c4399";
    let cases = [
        (
            request("GET", "/beta/teams", Some("limit=5"), None, true),
            "undocumented query parameter `limit`",
        ),
        (
            request(
                "GET",
                &format!("{team}/presence"),
                Some("pageLimit=ten"),
                None,
                true,
            ),
            "not an integer",
        ),
        (
            request("GET", "/beta/teams/not-a-uuid", None, None, true),
            "not a uuid",
        ),
        (
            request("POST", "/beta/teams", None, Some(json!({ "title": "x" })), true),
            "required property `name`",
        ),
        (
            request(
                "POST",
                "/beta/teams",
                None,
                Some(json!({ "name": "x", "x": 1 })),
                true,
            ),
            "undocumented property `x`",
        ),
        (
            request(
                "PATCH",
                &format!("{team}/agents"),
                None,
                Some(json!({ "agentIds": ["nope"] })),
                true,
            ),
            "not a uuid",
        ),
        (
            request("GET", "/beta/teams", None, None, false),
            "no Authorization",
        ),
        (
            request("PUT", "/beta/teams", None, None, true),
            "no such operation",
        ),
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
