//! Idempotent mutations: a key makes a write happen once, whatever the repeats; a write
//! whose answer was lost is reported as such and never made twice.

use futures::future::join_all;
use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, first_code, spawn_app, spawn_app_beside, spawn_app_with},
    redis::{shared_redis, with_redis},
};

const CREATE_TEAM: &str = "mutation($name: String!, $key: IdempotencyKey) {
  createTeam(input: { name: $name }, idempotencyKey: $key) { team { id name } }
}";

const TEAMS: &str = "{ teams(first: 500) { nodes { id name } } }";

/// The ids of the teams named `name`, as the graph lists them.
async fn teams_named(app: &TestApp, name: &str) -> Vec<String> {
    let data = app.data(TEAMS, json!({})).await;
    data["teams"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["name"] == name)
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect()
}

/// A fault holding the answer to `route` for `ms` after the simulator made the change.
fn late_answer(route: &str, ms: u64) -> Value {
    json!({ "route": route, "latencyAfterMs": ms, "times": 1 })
}

#[tokio::test]
async fn a_create_repeated_twenty_times_at_once_with_one_key_creates_once() {
    let app = spawn_app().await;
    let key = uuid::Uuid::new_v4().to_string();
    let vars = json!({ "name": "Night shift", "key": key });
    let answers = join_all((0..20).map(|_| app.graphql(CREATE_TEAM, vars.clone()))).await;
    let ids: Vec<&str> = answers
        .iter()
        .map(|a| {
            assert!(a.get("errors").is_none(), "{a:#}");
            a["data"]["createTeam"]["team"]["id"].as_str().unwrap()
        })
        .collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "every repeat got the first outcome: {ids:?}"
    );
    assert_eq!(
        app.calls("dixa", "POST /teams").await,
        1,
        "one create reached Dixa"
    );
    assert_eq!(teams_named(&app, "Night shift").await, vec![ids[0].to_owned()]);

    // Later repeats are answered from the record, without a vendor call.
    let before = app.total_calls("dixa").await;
    let again = app.data(CREATE_TEAM, vars).await;
    assert_eq!(again["createTeam"]["team"]["id"], ids[0]);
    assert_eq!(app.total_calls("dixa").await, before, "a replay calls no vendor");

    // Another key is another change.
    let other = app
        .data(
            CREATE_TEAM,
            json!({ "name": "Night shift", "key": uuid::Uuid::new_v4().to_string() }),
        )
        .await;
    assert_ne!(other["createTeam"]["team"]["id"], ids[0]);
    assert_eq!(app.calls("dixa", "POST /teams").await, 2);
}

#[tokio::test]
async fn two_replicas_sharing_redis_create_once_for_one_key() {
    let Some(url) = shared_redis() else { return };
    let a = spawn_app_with(with_redis(&url)).await;
    let b = spawn_app_beside(&a, with_redis(&url)).await;
    let vars = json!({ "name": "Shared key", "key": uuid::Uuid::new_v4().to_string() });
    let answers = join_all((0..20).map(|i| {
        let app = if i % 2 == 0 { &a } else { &b };
        app.graphql(CREATE_TEAM, vars.clone())
    }))
    .await;
    let ids: Vec<&Value> = answers
        .iter()
        .map(|a| &a["data"]["createTeam"]["team"]["id"])
        .collect();
    assert!(ids[0].is_string(), "{:#}", answers[0]);
    assert!(ids.iter().all(|id| *id == ids[0]), "{answers:#?}");
    assert_eq!(
        a.calls("dixa", "POST /teams").await,
        1,
        "one create for both replicas"
    );
}

#[tokio::test]
async fn a_key_reused_for_other_input_is_refused_and_a_malformed_key_is_named() {
    let app = spawn_app().await;
    let key = uuid::Uuid::new_v4().to_string();
    app.data(CREATE_TEAM, json!({ "name": "Alpha", "key": key }))
        .await;
    let reused = app
        .graphql(CREATE_TEAM, json!({ "name": "Beta", "key": key }))
        .await;
    assert_eq!(first_code(&reused), "BAD_USER_INPUT", "{reused:#}");
    assert_eq!(reused["errors"][0]["extensions"]["field"], "idempotencyKey");
    assert_eq!(
        app.calls("dixa", "POST /teams").await,
        1,
        "nothing sent for the reuse"
    );

    let bad = app
        .graphql(CREATE_TEAM, json!({ "name": "Gamma", "key": "has spaces" }))
        .await;
    let message = bad["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("IdempotencyKey") && message.contains("visible ASCII"),
        "{bad:#}"
    );
    assert_eq!(app.calls("dixa", "POST /teams").await, 1);
}

#[tokio::test]
async fn a_refused_write_frees_its_key_for_another_try() {
    let app = spawn_app().await;
    let key = uuid::Uuid::new_v4().to_string();
    app.fault(
        "dixa",
        json!({ "route": "POST /teams", "status": 400, "times": 1 }),
    )
    .await;
    let refused = app
        .graphql(CREATE_TEAM, json!({ "name": "Delta", "key": key }))
        .await;
    assert_eq!(first_code(&refused), "VENDOR_REJECTED", "{refused:#}");
    let created = app
        .data(CREATE_TEAM, json!({ "name": "Delta", "key": key }))
        .await;
    assert_eq!(created["createTeam"]["team"]["name"], "Delta");
    assert_eq!(app.calls("dixa", "POST /teams").await, 2);
}

#[tokio::test]
async fn a_create_whose_answer_was_lost_is_reported_and_found_on_retry_not_made_again() {
    let app = spawn_app_with(|s| s.http.request_deadline_ms = 1_000).await;
    app.fault("dixa", late_answer("POST /teams", 2_500)).await;
    let key = uuid::Uuid::new_v4().to_string();
    let vars = json!({ "name": "Lost answer", "key": key });

    let lost = app.graphql(CREATE_TEAM, vars.clone()).await;
    assert_eq!(first_code(&lost), "VENDOR_OUTCOME_UNKNOWN", "{lost:#}");
    assert_eq!(lost["errors"][0]["extensions"]["vendor"], "DIXA");
    assert_eq!(lost["data"]["createTeam"], Value::Null);
    let made = teams_named(&app, "Lost answer").await;
    assert_eq!(made.len(), 1, "the simulator made the team all the same");

    let retried = app.data(CREATE_TEAM, vars.clone()).await;
    assert_eq!(
        retried["createTeam"]["team"]["id"],
        made[0].as_str(),
        "the team found"
    );
    assert_eq!(app.calls("dixa", "POST /teams").await, 1, "never created twice");
    assert_eq!(teams_named(&app, "Lost answer").await, made);

    // Found, the outcome is kept like any other.
    let before = app.total_calls("dixa").await;
    app.data(CREATE_TEAM, vars).await;
    assert_eq!(app.total_calls("dixa").await, before);
}

#[tokio::test]
async fn without_a_key_a_lost_answer_is_reported_and_never_resent() {
    let app = spawn_app_with(|s| s.http.request_deadline_ms = 1_000).await;
    app.fault("dixa", late_answer("POST /teams", 2_500)).await;
    let lost = app
        .graphql(CREATE_TEAM, json!({ "name": "No key", "key": null }))
        .await;
    assert_eq!(first_code(&lost), "VENDOR_OUTCOME_UNKNOWN", "{lost:#}");
    let message = lost["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("may or may not"), "{message}");
    assert_eq!(
        app.calls("dixa", "POST /teams").await,
        1,
        "sent once, never again"
    );
}

#[tokio::test]
async fn an_aicc_account_whose_create_answer_was_lost_is_found_on_retry() {
    let app = spawn_app_with(|s| s.http.request_deadline_ms = 1_000).await;
    let create = "mutation($input: CreateAgentAccountInput!, $key: IdempotencyKey) {
      createAgentAccount(input: $input, idempotencyKey: $key) { workNo agent { vendorId displayName } }
    }";
    let input = json!({
        "account": "lost.answer",
        "name": "Lost Answer",
        "password": "Te$t1234",
        "email": "lost.answer@example.com",
        "agentType": "AUDIO",
        "role": "AGENT",
        "skills": [],
    });
    let vars = json!({ "input": input, "key": uuid::Uuid::new_v4().to_string() });
    app.fault("huawei", late_answer("POST /agentAccount/create", 2_500))
        .await;
    let lost = app.graphql(create, vars.clone()).await;
    assert_eq!(first_code(&lost), "VENDOR_OUTCOME_UNKNOWN", "{lost:#}");
    let retried = app.data(create, vars).await;
    assert_eq!(retried["createAgentAccount"]["agent"]["vendorId"], "lost.answer");
    assert!(retried["createAgentAccount"]["workNo"].is_i64(), "{retried:#}");
    assert_eq!(app.calls("huawei", "POST /agentAccount/create").await, 1);
}

#[tokio::test]
async fn a_delete_whose_answer_was_lost_counts_as_done_on_retry() {
    let app = spawn_app_with(|s| s.http.request_deadline_ms = 1_000).await;
    let created = app
        .data(CREATE_TEAM, json!({ "name": "Short lived", "key": null }))
        .await;
    let id = created["createTeam"]["team"]["id"].clone();
    let delete = "mutation($id: ID!, $key: IdempotencyKey) {
      deleteTeam(input: { teamId: $id }, idempotencyKey: $key) { deletedTeamId }
    }";
    let vars = json!({ "id": id, "key": uuid::Uuid::new_v4().to_string() });
    app.fault("dixa", late_answer("DELETE /teams/{teamId}", 2_500))
        .await;
    let lost = app.graphql(delete, vars.clone()).await;
    assert_eq!(first_code(&lost), "VENDOR_OUTCOME_UNKNOWN", "{lost:#}");
    let retried = app.data(delete, vars).await;
    assert_eq!(retried["deleteTeam"]["deletedTeamId"], id);
    assert!(teams_named(&app, "Short lived").await.is_empty());
}

#[tokio::test]
async fn a_vonage_user_whose_create_answer_was_lost_is_found_by_username_on_retry() {
    let app = spawn_app_with(|s| s.http.request_deadline_ms = 1_000).await;
    let create = "mutation($input: CreateUserInput!, $key: IdempotencyKey) {
      createUser(input: $input, idempotencyKey: $key) { user { id username } }
    }";
    let vars = json!({
        "input": crate::vonage::minimal_example(),
        "key": uuid::Uuid::new_v4().to_string(),
    });
    app.fault("vonage", late_answer("POST /users", 2_500)).await;
    let lost = app.graphql(create, vars.clone()).await;
    assert_eq!(first_code(&lost), "VENDOR_OUTCOME_UNKNOWN", "{lost:#}");
    let retried = app.data(create, vars).await;
    assert_eq!(retried["createUser"]["user"]["username"], "AgentName");
    assert_eq!(app.calls("vonage", "POST /users").await, 1, "never created twice");
}

#[tokio::test]
async fn a_webex_supervisor_whose_create_answer_was_lost_is_found_on_retry() {
    use crate::webex::agent;
    let app = spawn_app_with(|s| s.http.request_deadline_ms = 1_000).await;
    let create = "mutation($p: ID!, $a: [ID!]!, $key: IdempotencyKey) {
      createSupervisor(input: { personId: $p, agentIds: $a }, idempotencyKey: $key) {
        supervisor { id } outcomes { agentId status succeeded } complete
      }
    }";
    let vars = json!({ "p": agent(5), "a": [agent(13), agent(14)], "key": uuid::Uuid::new_v4().to_string() });
    let route = "POST /telephony/config/supervisors";
    app.fault("webex", late_answer(route, 2_500)).await;
    let lost = app.graphql(create, vars.clone()).await;
    assert_eq!(first_code(&lost), "VENDOR_OUTCOME_UNKNOWN", "{lost:#}");
    let retried = app.data(create, vars).await;
    let payload = &retried["createSupervisor"];
    assert!(payload["supervisor"]["id"].is_string(), "{retried:#}");
    let outcomes = payload["outcomes"].as_array().unwrap();
    assert_eq!(outcomes.len(), 2);
    assert!(outcomes.iter().all(|o| o["succeeded"] == true), "{retried:#}");
    assert_eq!(app.calls("webex", route).await, 1, "never created twice");
}
