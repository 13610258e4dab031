//! Huawei Cloud AICC end to end: the seeded agents and skill queues, the AK/SK token
//! (one fetch for many requests, renewal near expiry and after a 401), the agent
//! account mutations, input validation before any vendor call, `resultCode "1"` as
//! `VENDOR_REJECTED`, and a log that never shows a credential.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use switchboard::{
    graphql::id::{GlobalId, NodeType},
    sim::huawei::{DEMO_APP_KEY, DEMO_APP_SECRET},
    vendors::Vendor,
};

use crate::helpers::{TENANT, TestApp, captured_log, first_code, spawn_app, spawn_app_with};

const TOKEN_ROUTE: &str = "POST /apigovernance/api/oauth/tokenByAkSk";
const QUERY_ROUTE: &str = "POST /agentAccount/query";
const CREATE_ROUTE: &str = "POST /agentAccount/create";

const AGENT_FIELDS: &str = r#"
  id vendor vendorId displayName email phoneNumbers { number primary }
  details { ... on AiccAgentDetails {
    account workNo agentType role sipAccount
    skills { skillQueueId agentWeight skillWeight queue { id name mediaType } }
  } }
"#;

fn agent_query() -> String {
    format!("query($account: String!) {{ aiccAgent(account: $account) {{ {AGENT_FIELDS} }} }}")
}

fn create_mutation() -> String {
    format!(
        "mutation($input: CreateAgentAccountInput!) {{ createAgentAccount(input: $input) {{ workNo agent {{ {AGENT_FIELDS} }} }} }}"
    )
}

fn update_mutation() -> String {
    format!(
        "mutation($input: UpdateAgentAccountInput!) {{ updateAgentAccount(input: $input) {{ agent {{ {AGENT_FIELDS} }} }} }}"
    )
}

const DELETE_MUTATION: &str = "mutation($input: DeleteAgentAccountInput!) { deleteAgentAccount(input: $input) { deletedAgentId account } }";

fn queue_id(skill_id: i64) -> String {
    GlobalId::new(NodeType::SkillQueue, Vendor::HuaweiAicc, skill_id.to_string())
        .encode()
        .to_string()
}

/// A valid `createAgentAccount` input: an audio agent in two audio queues.
fn new_agent(account: &str, password: &str) -> Value {
    json!({
        "account": account,
        "name": "Test Agent",
        "password": password,
        "email": "test.agent@example.com",
        "agentType": "AUDIO",
        "role": "AGENT",
        "phone": "+12165550199",
        "skills": [
            { "skillQueueId": queue_id(1), "agentWeight": 3, "skillWeight": 1 },
            { "skillQueueId": queue_id(2), "agentWeight": 1, "skillWeight": 2 },
        ],
    })
}

async fn huawei_calls(app: &TestApp, route: &str) -> u64 {
    app.calls("huawei", route).await
}

#[tokio::test]
async fn the_seeded_agents_and_skill_queues_are_served() {
    let app = spawn_app().await;
    let data = app
        .data(
            &format!(
                "{{ agents(filter: {{ vendors: [HUAWEI_AICC] }}, first: 20) {{ totalCount pageInfo {{ hasNextPage }} edges {{ node {{ {AGENT_FIELDS} }} }} }}
                   skillQueues {{ totalCount edges {{ node {{ id vendor vendorId name mediaType mediaTypeId }} }} }} }}"
            ),
            json!({}),
        )
        .await;
    assert_eq!(data["agents"]["totalCount"], 12);
    assert_eq!(data["agents"]["pageInfo"]["hasNextPage"], false);
    let ava = data["agents"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .find(|n| n["displayName"] == "Ava Thompson")
        .expect("Ava's account");
    assert_eq!(ava["vendor"], "HUAWEI_AICC");
    assert_eq!(ava["displayName"], "Ava Thompson");
    assert_eq!(ava["email"], "ava.thompson@example.com");
    assert_eq!(ava["details"]["account"], "ava.thompson");
    assert_eq!(ava["details"]["workNo"], 1001);
    assert_eq!(ava["details"]["agentType"], "AUDIO");
    assert_eq!(ava["details"]["role"], "INSPECTOR");
    assert_eq!(ava["details"]["skills"][0]["queue"]["name"], "General Voice");
    assert_eq!(ava["details"]["skills"][0]["queue"]["mediaType"], "AUDIO");

    assert_eq!(data["skillQueues"]["totalCount"], 7);
    let first = &data["skillQueues"]["edges"][0]["node"];
    assert_eq!(first["vendor"], "HUAWEI_AICC");
    assert_eq!(first["name"], "General Voice");
    assert_eq!(first["mediaTypeId"], 4);

    // Every agent's skill queues were resolved with one batched querySkills call.
    assert_eq!(huawei_calls(&app, "POST /skill/querySkills").await, 2);

    // Both are nodes.
    let nodes = app
        .data(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Agent { displayName } ... on SkillQueue { name } } }",
            json!({ "ids": [ava["id"], first["id"]] }),
        )
        .await;
    assert_eq!(nodes["nodes"][0]["displayName"], "Ava Thompson");
    assert_eq!(nodes["nodes"][1]["name"], "General Voice");
}

/// AICC's part of `agents`: pages of the graph's own (by name) come from one read of
/// AICC's largest page (`pageNum` 0, `pageSize` 100, which holds the seed's 12), and the
/// `aicc.agentTypes` filter goes to AICC as `agentType`.
#[tokio::test]
async fn aicc_agents_page_in_the_documented_order_from_aiccs_largest_pages() {
    let app = spawn_app().await;
    let query = "query($after: String, $f: AgentFilter) {
        agents(first: 5, after: $after, filter: $f) {
          totalCount pageInfo { hasNextPage endCursor }
          edges { node { displayName details { ... on AiccAgentDetails { account agentType } } } }
        } }";
    let aicc = json!({ "vendors": ["HUAWEI_AICC"] });
    let mut after = Value::Null;
    let (mut accounts, mut names) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        let data = app.data(query, json!({ "after": after, "f": aicc })).await;
        let page = &data["agents"];
        assert_eq!(page["totalCount"], 12);
        for e in page["edges"].as_array().unwrap() {
            accounts.push(e["node"]["details"]["account"].as_str().unwrap().to_owned());
            names.push(e["node"]["displayName"].as_str().unwrap().to_lowercase());
        }
        after = page["pageInfo"]["endCursor"].clone();
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
    }
    assert_eq!(accounts.len(), 12);
    let unique: std::collections::BTreeSet<&String> = accounts.iter().collect();
    assert_eq!(unique.len(), 12, "every account once: {accounts:?}");
    assert!(names.is_sorted(), "by display name: {names:?}");
    let pages = |requests: &Value| -> Vec<(u64, u64, Value)> {
        requests
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["route"] == QUERY_ROUTE)
            .map(|r| {
                (
                    r["body"]["pageNum"].as_u64().unwrap(),
                    r["body"]["pageSize"].as_u64().unwrap(),
                    r["body"]["agentType"].clone(),
                )
            })
            .collect()
    };
    let requests = app.sim(Method::GET, "huawei", "/requests", None).await;
    assert_eq!(
        pages(&requests),
        vec![(0, 100, Value::Null)],
        "one read served the three pages"
    );

    let video = app
        .data(
            query,
            json!({ "f": { "vendors": ["HUAWEI_AICC"], "aicc": { "agentTypes": ["VIDEO"] } } }),
        )
        .await;
    assert_eq!(video["agents"]["totalCount"], 2);
    assert!(
        video["agents"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["node"]["details"]["agentType"] == "VIDEO")
    );
    let requests = app.sim(Method::GET, "huawei", "/requests", None).await;
    assert_eq!(
        pages(&requests)[1..],
        [(0, 100, json!([11]))],
        "the type filter went to AICC"
    );
}

#[tokio::test]
async fn one_token_is_fetched_for_many_concurrent_requests() {
    let app = spawn_app().await;
    // A slow token exchange, so every request is waiting while the one fetch runs.
    app.fault("huawei", json!({ "route": TOKEN_ROUTE, "latencyMs": 300 }))
        .await;
    let query = agent_query();
    let accounts: Vec<String> = (0..10).map(switchboard::sim::huawei::account_of).collect();
    let answers =
        futures::future::join_all(accounts.iter().map(|a| app.data(&query, json!({ "account": a })))).await;
    for (answer, account) in answers.iter().zip(&accounts) {
        assert_eq!(answer["aiccAgent"]["details"]["account"], account.as_str());
    }
    assert_eq!(huawei_calls(&app, TOKEN_ROUTE).await, 1);
    assert_eq!(huawei_calls(&app, QUERY_ROUTE).await, 10);
    assert_eq!(app.sims.sims.huawei.issued_tokens().len(), 1);
}

#[tokio::test]
async fn the_token_is_renewed_before_it_expires() {
    let app = spawn_app_with(|s| {
        let h = s.tenants.get_mut(TENANT).unwrap().huawei.as_mut().unwrap();
        h.token_lifetime_secs = 3;
        h.token_renew_margin_secs = 1;
    })
    .await;
    let query = agent_query();
    app.data(&query, json!({ "account": "ava.thompson" })).await;
    app.data(&query, json!({ "account": "liam.patel" })).await;
    assert_eq!(huawei_calls(&app, TOKEN_ROUTE).await, 1, "fresh: reused");
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    app.data(&query, json!({ "account": "noah.kim" })).await;
    assert_eq!(huawei_calls(&app, TOKEN_ROUTE).await, 2, "near expiry: renewed");
    // Renewed ahead of time: no call was refused and repeated.
    assert_eq!(huawei_calls(&app, QUERY_ROUTE).await, 3);
    let requests = app.sim(Method::GET, "huawei", "/requests", None).await;
    let token_bodies: Vec<&Value> = requests
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["route"] == TOKEN_ROUTE)
        .map(|r| &r["body"])
        .collect();
    assert_eq!(token_bodies.len(), 2);
    assert_eq!(token_bodies[0]["app_key"], "[REDACTED]");
    assert_eq!(token_bodies[0]["app_secret"], "[REDACTED]");
}

#[tokio::test]
async fn a_refused_token_is_renewed_and_the_call_repeated_once() {
    let app = spawn_app().await;
    let query = agent_query();
    app.data(&query, json!({ "account": "ava.thompson" })).await;
    app.sim(Method::POST, "huawei", "/tokens/expire", None).await;
    let data = app.data(&query, json!({ "account": "liam.patel" })).await;
    assert_eq!(data["aiccAgent"]["displayName"], "Liam Patel");
    assert_eq!(huawei_calls(&app, TOKEN_ROUTE).await, 2);
    assert_eq!(huawei_calls(&app, QUERY_ROUTE).await, 3, "one 401, one repeat");

    // A token refused twice in a row is not renewed forever.
    app.fault(
        "huawei",
        json!({ "route": QUERY_ROUTE, "status": 401, "times": 2 }),
    )
    .await;
    let body = app.graphql(&query, json!({ "account": "sofia.garcia" })).await;
    assert_eq!(first_code(&body), "VENDOR_UNAVAILABLE", "{body:#}");
    assert_eq!(body["errors"][0]["extensions"]["vendor"], "HUAWEI_AICC");
    assert_eq!(huawei_calls(&app, TOKEN_ROUTE).await, 3);
    assert_eq!(huawei_calls(&app, QUERY_ROUTE).await, 5);
}

#[tokio::test]
async fn a_created_account_is_queried_with_its_work_number_and_skills() {
    let app = spawn_app().await;
    // Prime the cached list, so the create must invalidate it.
    let count = "{ agents(filter: { vendors: [HUAWEI_AICC] }) { totalCount } }";
    assert_eq!(app.data(count, json!({})).await["agents"]["totalCount"], 12);

    let created = app
        .data(
            &create_mutation(),
            json!({ "input": new_agent("new.agent_01", "Welcome#2026") }),
        )
        .await;
    let payload = &created["createAgentAccount"];
    assert_eq!(payload["workNo"], 1013);
    assert_eq!(payload["agent"]["details"]["workNo"], 1013);
    assert_eq!(
        payload["agent"]["details"]["skills"][0]["queue"]["name"],
        "General Voice"
    );

    let data = app
        .data(&agent_query(), json!({ "account": "new.agent_01" }))
        .await;
    let agent = &data["aiccAgent"];
    assert_eq!(agent["displayName"], "Test Agent");
    assert_eq!(agent["email"], "test.agent@example.com");
    assert_eq!(agent["phoneNumbers"][0]["number"], "+12165550199");
    let details = &agent["details"];
    assert_eq!(details["workNo"], 1013);
    assert_eq!(details["agentType"], "AUDIO");
    assert_eq!(details["role"], "AGENT");
    assert_eq!(details["skills"][0]["agentWeight"], 3);
    assert_eq!(details["skills"][0]["queue"]["name"], "General Voice");
    assert_eq!(details["skills"][1]["skillWeight"], 2);
    assert_eq!(details["skills"][1]["queue"]["name"], "Billing Voice");
    assert_eq!(app.data(count, json!({})).await["agents"]["totalCount"], 13);

    // The documented body went out (flat, as the worked examples send it) with a
    // bearer token, and the journal holds no password.
    let requests = app.sim(Method::GET, "huawei", "/requests", None).await;
    let create = requests
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["route"] == CREATE_ROUTE)
        .expect("a create call");
    assert_eq!(create["authorized"], true);
    assert_eq!(
        create["path"],
        "/apiaccess/rest/cc-management/v1/agentAccount/create"
    );
    let body = &create["body"];
    assert_eq!(body["userAccount"], "new.agent_01");
    assert_eq!(body["userName"], "Test Agent");
    assert_eq!(body["agentType"], 4);
    assert_eq!(body["ccRoleId"], 2);
    assert_eq!(
        body["skills"],
        json!([
            { "skillId": 1, "agentWeight": 3, "skillWeight": 1 },
            { "skillId": 2, "agentWeight": 1, "skillWeight": 2 },
        ])
    );
    assert_eq!(body["password"], "[REDACTED]");
    assert!(!requests.to_string().contains("Welcome#2026"));
}

#[tokio::test]
async fn an_account_is_updated_and_deleted() {
    let app = spawn_app().await;
    app.data(
        &create_mutation(),
        json!({ "input": new_agent("change.me", "Welcome#2026") }),
    )
    .await;
    let updated = app
        .data(
            &update_mutation(),
            json!({ "input": {
                "account": "change.me",
                "name": "Changed Name",
                "agentType": "VIDEO",
                "role": "OUTBOUND_CALL_AGENT",
                "skills": [{ "skillQueueId": queue_id(3), "agentWeight": 2 }],
                "oldPassword": "Welcome#2026",
                "newPassword": "Changed#2027",
            } }),
        )
        .await;
    let agent = &updated["updateAgentAccount"]["agent"];
    assert_eq!(agent["displayName"], "Changed Name");
    assert_eq!(agent["details"]["agentType"], "VIDEO");
    assert_eq!(agent["details"]["role"], "OUTBOUND_CALL_AGENT");
    assert_eq!(agent["details"]["skills"][0]["queue"]["name"], "Video Support");
    assert_eq!(agent["details"]["skills"][0]["agentWeight"], 2);
    assert_eq!(agent["details"]["skills"][0]["skillWeight"], 1);

    let deleted = app
        .data(DELETE_MUTATION, json!({ "input": { "account": "change.me" } }))
        .await;
    assert_eq!(deleted["deleteAgentAccount"]["account"], "change.me");
    assert_eq!(deleted["deleteAgentAccount"]["deletedAgentId"], agent["id"]);
    let gone = app.data(&agent_query(), json!({ "account": "change.me" })).await;
    assert_eq!(gone["aiccAgent"], Value::Null);

    let again = app
        .graphql(DELETE_MUTATION, json!({ "input": { "account": "change.me" } }))
        .await;
    assert_eq!(first_code(&again), "VENDOR_REJECTED");
    assert!(
        again["errors"][0]["extensions"]["vendorMessage"]
            .as_str()
            .unwrap()
            .contains("does not exist")
    );
}

#[tokio::test]
async fn every_input_rule_rejects_naming_the_field_before_any_call() {
    let app = spawn_app().await;
    let password = "Welcome#2026";
    let long_domain = vec!["abcdefghi"; 26].join(".");
    let cases: Vec<(&str, Value, &str)> = vec![
        ("account", json!("short"), "input.account"),
        ("account", json!("a".repeat(51)), "input.account"),
        ("account", json!("bad account"), "input.account"),
        ("account", json!("bad#account"), "input.account"),
        ("name", json!("x".repeat(21)), "input.name"),
        ("name", json!("Bad <Name>"), "input.name"),
        ("name", json!("O'Brien"), "input.name"),
        ("name", json!("  "), "input.name"),
        ("password", json!("Sh0rt#"), "input.password"),
        ("password", json!("lowercase#2026"), "input.password"),
        ("password", json!("UPPERCASE#2026"), "input.password"),
        ("password", json!("NoDigits#here"), "input.password"),
        ("password", json!("NoSpecial2026"), "input.password"),
        ("password", json!("With space#2026"), "input.password"),
        ("email", json!("no-at-sign"), "input.email"),
        (
            "email",
            json!(format!("{}@example.com", "a".repeat(65))),
            "input.email",
        ),
        ("email", json!(format!("a@{}.com", "b".repeat(64))), "input.email"),
        ("email", json!(format!("a@{long_domain}")), "input.email"),
        ("email", json!("a@exa_mple.com"), "input.email"),
        ("phone", json!("1".repeat(26)), "input.phone"),
        (
            "skills",
            json!([{ "skillQueueId": queue_id(1), "agentWeight": 0 }]),
            "input.skills[0].agentWeight",
        ),
        (
            "skills",
            json!([{ "skillQueueId": queue_id(1), "skillWeight": 0 }]),
            "input.skills[0].skillWeight",
        ),
        (
            "skills",
            json!([{ "skillQueueId": queue_id(1) }, { "skillQueueId": "bm90LWFuLWlk" }]),
            "input.skills[1].skillQueueId",
        ),
        (
            "skills",
            json!([{ "skillQueueId": queue_id(1) }, { "skillQueueId": queue_id(1) }]),
            "input.skills[1].skillQueueId",
        ),
    ];
    for (key, value, field) in cases {
        let mut input = new_agent("valid.account", password);
        input[key] = value.clone();
        let body = app.graphql(&create_mutation(), json!({ "input": input })).await;
        assert_eq!(first_code(&body), "BAD_USER_INPUT", "{key}={value}: {body:#}");
        assert_eq!(
            body["errors"][0]["extensions"]["field"], field,
            "{key}={value}: {body:#}"
        );
        if key == "password" {
            let shown = value.as_str().unwrap();
            assert!(!body.to_string().contains(shown), "password echoed: {body:#}");
        }
    }

    let updates: Vec<(Value, &str)> = vec![
        (json!({ "account": "ava.thompson" }), "input"),
        (json!({ "account": "ava", "name": "New" }), "input.account"),
        (
            json!({ "account": "ava.thompson", "oldPassword": password }),
            "input.newPassword",
        ),
        (
            json!({ "account": "ava.thompson", "newPassword": password }),
            "input.oldPassword",
        ),
        (
            json!({ "account": "ava.thompson", "oldPassword": password, "newPassword": "weakpass" }),
            "input.newPassword",
        ),
        (
            json!({ "account": "ava.thompson", "email": "bad@" }),
            "input.email",
        ),
        (
            json!({ "account": "ava.thompson", "phone": "2".repeat(30) }),
            "input.phone",
        ),
        (
            json!({ "account": "ava.thompson", "skills": [{ "skillQueueId": queue_id(1), "agentWeight": -1 }] }),
            "input.skills[0].agentWeight",
        ),
    ];
    for (input, field) in updates {
        let body = app.graphql(&update_mutation(), json!({ "input": input })).await;
        assert_eq!(first_code(&body), "BAD_USER_INPUT", "{input}: {body:#}");
        assert_eq!(
            body["errors"][0]["extensions"]["field"], field,
            "{input}: {body:#}"
        );
        assert!(!body.to_string().contains("weakpass"));
    }
    let body = app
        .graphql(DELETE_MUTATION, json!({ "input": { "account": "x y" } }))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.account");
    let body = app.graphql(&agent_query(), json!({ "account": "abc" })).await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "account");
    let body = app
        .graphql("{ skillQueues(first: 101) { totalCount } }", json!({}))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "first");

    assert_eq!(app.total_calls("huawei").await, 0, "no vendor call for bad input");
}

#[tokio::test]
async fn a_vendor_result_code_1_is_vendor_rejected_with_its_message() {
    let app = spawn_app().await;
    // A duplicate account.
    let body = app
        .graphql(
            &create_mutation(),
            json!({ "input": new_agent("ava.thompson", "Welcome#2026") }),
        )
        .await;
    assert_eq!(first_code(&body), "VENDOR_REJECTED", "{body:#}");
    let ext = &body["errors"][0]["extensions"];
    assert_eq!(ext["vendor"], "HUAWEI_AICC");
    assert_eq!(
        ext["vendorMessage"],
        "The agent account ava.thompson already exists"
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("already exists")
    );

    // A skill queue whose media type is not the agent's.
    let mut input = new_agent("video.mismatch", "Welcome#2026");
    input["skills"] = json!([{ "skillQueueId": queue_id(3) }]);
    let body = app.graphql(&create_mutation(), json!({ "input": input })).await;
    assert_eq!(first_code(&body), "VENDOR_REJECTED", "{body:#}");
    assert!(
        body["errors"][0]["extensions"]["vendorMessage"]
            .as_str()
            .unwrap()
            .contains("is not the same as the agent type")
    );
    // Creates are never repeated.
    assert_eq!(huawei_calls(&app, CREATE_ROUTE).await, 2);

    // A wrong old password on update.
    let body = app
        .graphql(
            &update_mutation(),
            json!({ "input": { "account": "liam.patel", "oldPassword": "Wrong#Pass1", "newPassword": "Fresh#Pass2" } }),
        )
        .await;
    assert_eq!(first_code(&body), "VENDOR_REJECTED", "{body:#}");
    assert_eq!(
        body["errors"][0]["extensions"]["vendorMessage"],
        "The old password is incorrect"
    );
    assert!(!body.to_string().contains("Wrong#Pass1") && !body.to_string().contains("Fresh#Pass2"));
}

/// Posts `body` to the simulator's `path` (below `/huawei`) with `token`.
async fn sim_post(app: &TestApp, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
    let url = format!("http://{}/huawei{path}", app.sims.addr);
    let mut request = app.client.post(url).json(&body);
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_simulator_reads_flat_and_wrapped_bodies_and_enforces_the_rules() {
    let app = spawn_app().await;
    let create = "/apiaccess/rest/cc-management/v1/agentAccount/create";
    let (status, _) = sim_post(&app, create, None, json!({})).await;
    assert_eq!(status, 401);
    let (status, _) = sim_post(
        &app,
        "/apigovernance/api/oauth/tokenByAkSk",
        None,
        json!({ "app_key": DEMO_APP_KEY, "app_secret": "wrong" }),
    )
    .await;
    assert_eq!(status, 401);
    let (status, token) = sim_post(
        &app,
        "/apigovernance/api/oauth/tokenByAkSk",
        None,
        json!({ "app_key": DEMO_APP_KEY, "app_secret": DEMO_APP_SECRET }),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(token["ApplyType"], "Bearer");
    assert_eq!(token["Expires"], "600");
    let token = token["AccessToken"].as_str().unwrap().to_owned();

    let agent = |account: &str, password: &str| {
        json!({ "userAccount": account, "userName": "Sim Agent", "password": password,
                "email": "sim@example.com", "agentType": 5, "ccRoleId": 2,
                "skills": [{ "skillId": 4, "agentWeight": 1, "skillWeight": 1 }] })
    };
    let (_, bad) = sim_post(
        &app,
        create,
        Some(&token),
        json!({ "requestParam": agent("sim.agent1", "weakpassword") }),
    )
    .await;
    assert_eq!(bad["resultCode"], "1");
    assert!(bad["resultMessage"].as_str().unwrap().contains("password"));
    let (_, wrapped) = sim_post(
        &app,
        create,
        Some(&token),
        json!({ "requestParams": agent("sim.agent1", "Str0ng#pass") }),
    )
    .await;
    assert_eq!(wrapped["resultCode"], "0", "{wrapped}");
    let (_, flat) = sim_post(&app, create, Some(&token), agent("sim.agent2", "Str0ng#pass")).await;
    assert_eq!(flat["resultCode"], "0", "{flat}");
    assert_eq!(
        flat["workNo"].as_i64().unwrap(),
        wrapped["workNo"].as_i64().unwrap() + 1,
        "work numbers are handed out in order"
    );
    let (_, skills) = sim_post(
        &app,
        "/apiaccess/rest/cc-management/v1/skill/querySkills",
        Some(&token),
        json!({ "mediaTypeId": 5, "limit": 10, "offset": 0 }),
    )
    .await;
    assert_eq!(skills["returnCode"], "0");
    assert_eq!(skills["data"].as_array().unwrap().len(), 2);

    let journal = app
        .sim(Method::GET, "huawei", "/requests", None)
        .await
        .to_string();
    for secret in [DEMO_APP_SECRET, "Str0ng#pass", "weakpassword"] {
        assert!(!journal.contains(secret), "the journal holds {secret}");
    }
}

#[tokio::test]
async fn the_log_never_shows_a_credential() {
    let app = spawn_app().await;
    let password = "Log#Secret2026";
    let new_password = "Log#Rotated2027";
    let bad_password = "badpass-no-upper";
    // Token fetch, a create with a password, an update changing it, and failures:
    // a validation error, a vendor rejection and a refused token.
    app.data(
        &create_mutation(),
        json!({ "input": new_agent("log.checker", password) }),
    )
    .await;
    app.data(
        &update_mutation(),
        json!({ "input": { "account": "log.checker", "oldPassword": password, "newPassword": new_password } }),
    )
    .await;
    let body = app
        .graphql(
            &create_mutation(),
            json!({ "input": new_agent("log.checker2", bad_password) }),
        )
        .await;
    assert_eq!(first_code(&body), "BAD_USER_INPUT");
    let body = app
        .graphql(
            &create_mutation(),
            json!({ "input": new_agent("log.checker", password) }),
        )
        .await;
    assert_eq!(first_code(&body), "VENDOR_REJECTED");
    app.sim(Method::POST, "huawei", "/tokens/expire", None).await;
    app.data(&agent_query(), json!({ "account": "log.checker" }))
        .await;
    let body = app
        .graphql(
            &update_mutation(),
            json!({ "input": { "account": "log.checker", "oldPassword": "Wrong#Old1", "newPassword": new_password } }),
        )
        .await;
    assert_eq!(first_code(&body), "VENDOR_REJECTED");

    let tokens = app.sims.sims.huawei.issued_tokens();
    assert_eq!(tokens.len(), 2);
    let log = captured_log();
    // The capture works: it holds this test's vendor calls, at debug and trace levels.
    assert!(log.contains("/agentAccount/create"), "nothing captured");
    assert!(log.contains("tokenByAkSk"));
    assert!(log.contains("token refused; renewing once"));
    assert!(log.contains("issued a new access token"));
    let mut secrets = vec![
        DEMO_APP_KEY.to_owned(),
        DEMO_APP_SECRET.to_owned(),
        password.to_owned(),
        new_password.to_owned(),
        bad_password.to_owned(),
        "Wrong#Old1".to_owned(),
    ];
    secrets.extend(tokens);
    for secret in &secrets {
        assert!(!log.contains(secret.as_str()), "the log shows a credential");
    }
}

#[tokio::test]
async fn creates_are_never_repeated_but_reads_are() {
    let app = spawn_app().await;
    app.fault(
        "huawei",
        json!({ "route": CREATE_ROUTE, "status": 503, "times": 1 }),
    )
    .await;
    let body = app
        .graphql(
            &create_mutation(),
            json!({ "input": new_agent("once.only", "Welcome#2026") }),
        )
        .await;
    assert_eq!(first_code(&body), "VENDOR_UNAVAILABLE", "{body:#}");
    assert_eq!(body["errors"][0]["extensions"]["vendorStatus"], 503);
    assert_eq!(huawei_calls(&app, CREATE_ROUTE).await, 1);

    app.fault(
        "huawei",
        json!({ "route": QUERY_ROUTE, "status": 503, "times": 1 }),
    )
    .await;
    let data = app
        .data(&agent_query(), json!({ "account": "ava.thompson" }))
        .await;
    assert_eq!(data["aiccAgent"]["displayName"], "Ava Thompson");
    assert_eq!(huawei_calls(&app, QUERY_ROUTE).await, 2);
}

#[tokio::test]
async fn readyz_probes_huawei_aicc() {
    let app = spawn_app().await;
    let body = app.readyz().await.1;
    let huawei = body["vendors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["vendor"] == "HUAWEI_AICC")
        .expect("Huawei AICC is probed");
    assert_eq!(huawei["ok"], true, "{body:#}");
}
