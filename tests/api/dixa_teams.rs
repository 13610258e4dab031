//! Dixa teams end to end: the seeded organisation, the team mutations, presence paging,
//! input validation before any vendor call, and one vendor call per resource.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, first_code, spawn_app, spawn_app_with};

const ALL_TEAMS: &str = r#"{
  teams {
    totalCount
    edges { node {
      id name vendor
      members { totalCount edges { node { id displayName email vendor } } }
      presence { totalCount edges { node { availability online working channels agent { displayName } } } }
    } }
  }
}"#;

fn team_named<'a>(data: &'a Value, name: &str) -> Option<&'a Value> {
    data["teams"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .find(|n| n["name"] == name)
}

async fn agent_ids(app: &TestApp, names: &[&str]) -> Vec<Value> {
    // Every seeded agent is in some team; collect ids by display name.
    let data = app.data(ALL_TEAMS, json!({})).await;
    let mut ids = Vec::new();
    for name in names {
        let id = data["teams"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|t| t["node"]["members"]["edges"].as_array().unwrap())
            .find(|m| m["node"]["displayName"] == *name)
            .unwrap_or_else(|| panic!("no agent {name}"))["node"]["id"]
            .clone();
        ids.push(id);
    }
    ids
}

#[tokio::test]
async fn all_teams_with_members_and_presence_return_the_seeded_data() {
    let app = spawn_app().await;
    let data = app.data(ALL_TEAMS, json!({})).await;
    assert_eq!(data["teams"]["totalCount"], 3);
    let tier1 = team_named(&data, "Tier 1 Support").expect("seeded team");
    assert_eq!(tier1["vendor"], "DIXA");
    assert_eq!(tier1["members"]["totalCount"], 6);
    assert_eq!(
        tier1["members"]["edges"][0]["node"]["displayName"],
        "Ava Thompson"
    );
    assert_eq!(
        tier1["members"]["edges"][0]["node"]["email"],
        "ava.thompson@example.com"
    );
    assert_eq!(tier1["presence"]["totalCount"], 6);
    let first = &tier1["presence"]["edges"][0]["node"];
    assert_eq!(first["availability"], "AVAILABLE");
    assert_eq!(first["channels"], json!(["Email", "WidgetChat"]));
    assert_eq!(first["agent"]["displayName"], "Ava Thompson");
    let availabilities: Vec<&str> = tier1["presence"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["availability"].as_str().unwrap())
        .collect();
    assert!(availabilities.contains(&"AWAY") && availabilities.contains(&"OFFLINE"));
}

#[tokio::test]
async fn create_add_remove_and_delete_a_team() {
    let app = spawn_app().await;
    let created = app
        .data(
            "mutation($name: String!) { createTeam(input: { name: $name }) { team { id name members { totalCount } } } }",
            json!({ "name": "  Night Shift  " }),
        )
        .await;
    let team = &created["createTeam"]["team"];
    assert_eq!(team["name"], "Night Shift", "the name is trimmed");
    assert_eq!(team["members"]["totalCount"], 0);
    let team_id = team["id"].clone();

    let agents = agent_ids(&app, &["Noah Kim", "Hiro Tanaka"]).await;
    let added = app
        .data(
            "mutation($t: ID!, $a: [ID!]!) { addTeamMembers(input: { teamId: $t, agentIds: $a }) {
                team { name members { totalCount edges { node { displayName } } } presence { totalCount } } } }",
            json!({ "t": team_id, "a": agents }),
        )
        .await;
    let members = &added["addTeamMembers"]["team"]["members"];
    assert_eq!(members["totalCount"], 2);
    assert_eq!(members["edges"][1]["node"]["displayName"], "Hiro Tanaka");
    assert_eq!(added["addTeamMembers"]["team"]["presence"]["totalCount"], 2);

    // The same query as before now shows the change (the cache was invalidated).
    let data = app.data(ALL_TEAMS, json!({})).await;
    assert_eq!(data["teams"]["totalCount"], 4);
    let night = team_named(&data, "Night Shift").expect("new team listed");
    assert_eq!(night["members"]["totalCount"], 2);

    let removed = app
        .data(
            "mutation($t: ID!, $a: [ID!]!) { removeTeamMembers(input: { teamId: $t, agentIds: $a }) { team { members { totalCount } } } }",
            json!({ "t": team_id, "a": [agents[0]] }),
        )
        .await;
    assert_eq!(removed["removeTeamMembers"]["team"]["members"]["totalCount"], 1);

    let deleted = app
        .data(
            "mutation($t: ID!) { deleteTeam(input: { teamId: $t }) { deletedTeamId } }",
            json!({ "t": team_id }),
        )
        .await;
    assert_eq!(deleted["deleteTeam"]["deletedTeamId"], team_id);
    let data = app.data(ALL_TEAMS, json!({})).await;
    assert_eq!(data["teams"]["totalCount"], 3);
    assert!(team_named(&data, "Night Shift").is_none());
    // A deleted team is missing: null, without an error.
    let gone = app
        .data(
            "query($t: ID!) { team(id: $t) { name } }",
            json!({ "t": team_id }),
        )
        .await;
    assert_eq!(gone["team"], Value::Null);
}

#[tokio::test]
async fn presence_is_read_across_several_pages() {
    let app = spawn_app_with(|s| {
        let dixa = s
            .tenants
            .get_mut(crate::helpers::TENANT)
            .unwrap()
            .dixa
            .as_mut()
            .unwrap();
        dixa.page_limit = 2;
    })
    .await;
    let data = app
        .data(
            r#"{ teams(first: 1) { edges { node { name presence(first: 10) { totalCount edges { node { agentId } } } } } } }"#,
            json!({}),
        )
        .await;
    let presence = &data["teams"]["edges"][0]["node"]["presence"];
    assert_eq!(presence["totalCount"], 6);
    let ids: std::collections::HashSet<&str> = presence["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["agentId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 6, "every page's entries, none twice");
    assert_eq!(
        app.calls("dixa", "GET /teams/{teamId}/presence").await,
        3,
        "6 entries, 2 a page"
    );
}

#[tokio::test]
async fn members_show_the_whole_agent_record_read_once_for_all_members() {
    let app = spawn_app().await;
    // The member lists carry id, name, email and phone; these fields need the agent's
    // record, which every member's read shares: one `GET /agents`, no call per member.
    let query = r#"{ teams { nodes { members { nodes { id displayName firstName lastName
        details { ... on DixaAgentDetails { roles createdAt } } } } } } }"#;
    let data = app.data(query, json!({})).await;
    let members: Vec<&Value> = data["teams"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["members"]["nodes"].as_array().unwrap())
        .collect();
    assert!(members.len() > 8, "{} members", members.len());
    for member in &members {
        let first = member["firstName"].as_str().expect("a first name");
        let last = member["lastName"].as_str().expect("a last name");
        assert_eq!(member["displayName"], format!("{first} {last}"), "{member}");
        assert!(member["details"]["createdAt"].is_string(), "{member}");
        assert!(
            !member["details"]["roles"].as_array().unwrap().is_empty(),
            "{member}"
        );
    }
    assert_eq!(app.calls("dixa", "GET /agents").await, 1);
    assert_eq!(app.calls("dixa", "GET /agents/{agentId}").await, 0);
    // A team's members without those fields read no agent record at all.
    let app = spawn_app().await;
    app.data(
        "{ teams { nodes { members { nodes { id displayName email } } } } }",
        json!({}),
    )
    .await;
    assert_eq!(app.calls("dixa", "GET /agents").await, 0);
    assert_eq!(app.calls("dixa", "GET /agents/{agentId}").await, 0);
}

#[tokio::test]
async fn a_presence_change_in_the_vendor_shows_up() {
    let app = spawn_app_with(|s| s.cache.presence_ttl_secs = 0).await;
    let query = r#"{ teams(first: 1) { edges { node { presence(first: 1) { edges { node { availability channels agent { vendorId } } } } } } } }"#;
    let before = app.data(query, json!({})).await;
    let node = &before["teams"]["edges"][0]["node"]["presence"]["edges"][0]["node"];
    assert_eq!(node["availability"], "AVAILABLE");
    let agent = node["agent"]["vendorId"].as_str().unwrap().to_owned();
    app.sim(
        Method::PUT,
        "dixa",
        &format!("/presence/{agent}"),
        Some(json!({ "presenceStatus": "Away", "activeChannels": [] })),
    )
    .await;
    let after = app.data(query, json!({})).await;
    assert_eq!(
        after["teams"]["edges"][0]["node"]["presence"]["edges"][0]["node"]["availability"],
        "AWAY"
    );
}

#[tokio::test]
async fn one_query_makes_each_vendor_call_once_and_the_next_is_cached() {
    let app = spawn_app().await;
    let query = r#"{
      a: teams { edges { node { name members { edges { node { displayName } } } } } }
      b: teams { edges { node { name members { edges { node { email } } } } } }
    }"#;
    app.data(query, json!({})).await;
    assert_eq!(app.calls("dixa", "GET /teams").await, 1);
    assert_eq!(
        app.calls("dixa", "GET /teams/{teamId}/agents").await,
        3,
        "once per team"
    );
    let first_total = app.total_calls("dixa").await;
    app.data(query, json!({})).await;
    assert_eq!(
        app.total_calls("dixa").await,
        first_total,
        "served from the cache"
    );
}

#[tokio::test]
async fn invalid_mutation_input_is_refused_before_any_vendor_call() {
    let app = spawn_app().await;
    let data = app
        .data(
            "{ teams(first: 1) { edges { node { id members(first: 1) { edges { node { id } } } } } } }",
            json!({}),
        )
        .await;
    let team = data["teams"]["edges"][0]["node"]["id"].clone();
    let agent = data["teams"]["edges"][0]["node"]["members"]["edges"][0]["node"]["id"].clone();
    app.sim(Method::DELETE, "dixa", "/calls", None).await;

    let create = "mutation($n: String!) { createTeam(input: { name: $n }) { team { id } } }";
    let members = "mutation($t: ID!, $a: [ID!]!) { addTeamMembers(input: { teamId: $t, agentIds: $a }) { team { id } } }";
    let remove = "mutation($t: ID!, $a: [ID!]!) { removeTeamMembers(input: { teamId: $t, agentIds: $a }) { team { id } } }";
    let delete = "mutation($t: ID!) { deleteTeam(input: { teamId: $t }) { deletedTeamId } }";
    let cases = [
        (create, json!({ "n": "   " }), "input.name"),
        (create, json!({ "n": "x".repeat(101) }), "input.name"),
        (create, json!({ "n": "tab\there" }), "input.name"),
        (members, json!({ "t": team, "a": [] }), "input.agentIds"),
        (members, json!({ "t": "nonsense", "a": [agent] }), "input.teamId"),
        (members, json!({ "t": agent, "a": [agent] }), "input.teamId"),
        (
            members,
            json!({ "t": team, "a": [agent, team] }),
            "input.agentIds[1]",
        ),
        (
            members,
            json!({ "t": team, "a": vec![agent.clone(); 101] }),
            "input.agentIds",
        ),
        (remove, json!({ "t": team, "a": ["x"] }), "input.agentIds[0]"),
        (delete, json!({ "t": "dGFtcGVyZWQ" }), "input.teamId"),
    ];
    for (query, variables, field) in cases {
        let body = app.graphql(query, variables.clone()).await;
        assert_eq!(first_code(&body), "BAD_USER_INPUT", "{variables}: {body}");
        assert_eq!(
            body["errors"][0]["extensions"]["field"], field,
            "{variables}: {body}"
        );
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.starts_with(field),
            "the message names the field: {message}"
        );
    }
    assert_eq!(app.total_calls("dixa").await, 0, "no call reached Dixa");
}

#[tokio::test]
async fn a_bigger_organisation_can_be_seeded_and_the_demo_one_put_back() {
    let app = spawn_app_with(|s| s.cache.directory_ttl_secs = 0).await;
    app.seed_dixa(10, 20).await;
    let query = r#"{ teams(first: 50) { totalCount nodes {
      name
      members(first: 50) { totalCount nodes { id email presence { availability } } }
      presence(first: 50) { totalCount }
    } } }"#;
    let data = app.data(query, json!({})).await;
    assert_eq!(data["teams"]["totalCount"], 10);
    let teams = data["teams"]["nodes"].as_array().unwrap();
    assert_eq!(teams[0]["name"], "Team 01");
    let mut emails = std::collections::HashSet::new();
    for team in teams {
        assert_eq!(team["members"]["totalCount"], 20, "{team}");
        assert_eq!(team["presence"]["totalCount"], 20, "{team}");
        for member in team["members"]["nodes"].as_array().unwrap() {
            assert_ne!(member["presence"]["availability"], "UNKNOWN", "{member}");
            emails.insert(member["email"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(
        emails.len(),
        200,
        "every agent in one team, under an email of its own"
    );
    assert!(emails.contains("ava.thompson@example.com"), "the roster first");
    assert!(
        emails.contains("ava.thompson.1@example.com"),
        "then numbered copies"
    );

    for refused in [
        json!({ "teams": 0, "membersPerTeam": 20 }),
        json!({ "teams": 1000, "membersPerTeam": 1000 }),
        json!({ "teams": 1 }),
    ] {
        let status = app
            .client
            .post(format!("http://{}/dixa/_sim/seed", app.sims.addr))
            .json(&refused)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, reqwest::StatusCode::BAD_REQUEST, "{refused}");
    }

    app.sim(Method::POST, "dixa", "/reset", None).await;
    let data = app.data("{ teams { totalCount } }", json!({})).await;
    assert_eq!(data["teams"]["totalCount"], 3, "the demo organisation again");
}

/// `teams(filter: {search})`: a case-insensitive substring of the name, counted and paged
/// over the teams that pass; the one list read serves every filter; a blank search is
/// refused, naming its field, before any call.
#[tokio::test]
async fn teams_are_filtered_by_a_search_on_the_name() {
    let app = spawn_app().await;
    let query = "query($f: TeamFilter, $n: Int, $a: String) {
        teams(filter: $f, first: $n, after: $a) { totalCount pageInfo { hasNextPage endCursor } nodes { name } } }";
    let names = |data: &Value| -> Vec<String> {
        data["teams"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = app.data(query, json!({})).await;
    assert_eq!(names(&all), ["Tier 1 Support", "Billing", "VIP Care"]);

    let some = app.data(query, json!({ "f": { "search": " i " } })).await;
    // " i " is trimmed to "i": Tier 1 Support, Billing and VIP Care all hold one.
    assert_eq!(some["teams"]["totalCount"], 3);
    let care = app.data(query, json!({ "f": { "search": "CARE" } })).await;
    assert_eq!(names(&care), ["VIP Care"]);
    assert_eq!(care["teams"]["totalCount"], 1);
    let none = app
        .data(query, json!({ "f": { "search": "nobody's team" } }))
        .await;
    assert_eq!(none["teams"]["totalCount"], 0);
    assert_eq!(names(&none), Vec::<String>::new());

    // Counted and paged over the teams that pass, not over all three.
    let f = json!({ "search": "Li" });
    let first = app.data(query, json!({ "f": f, "n": 1 })).await;
    assert_eq!(names(&first), ["Billing"]);
    assert_eq!(first["teams"]["totalCount"], 1);
    assert_eq!(first["teams"]["pageInfo"]["hasNextPage"], false);
    let p = json!({ "search": "p" });
    let first = app.data(query, json!({ "f": p, "n": 1 })).await;
    assert_eq!(names(&first), ["Tier 1 Support"]);
    assert_eq!(first["teams"]["totalCount"], 2);
    assert_eq!(first["teams"]["pageInfo"]["hasNextPage"], true);
    let after = first["teams"]["pageInfo"]["endCursor"].clone();
    let second = app.data(query, json!({ "f": p, "n": 1, "a": after })).await;
    assert_eq!(names(&second), ["VIP Care"]);
    assert_eq!(second["teams"]["pageInfo"]["hasNextPage"], false);
    assert_eq!(app.calls("dixa", "GET /teams").await, 1, "one list read for all");

    let body = app.graphql(query, json!({ "f": { "search": "   " } })).await;
    assert_eq!(first_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "filter.search");
    assert_eq!(app.calls("dixa", "GET /teams").await, 1);
}
