//! Real federation tooling from npm (`tests/federation/`): Switchboard's `_service { sdl }`
//! composed with a small CRM subgraph that extends `Agent` with `openTickets`
//! (`@apollo/composition`, failing on any error or warning hint), the supergraph served
//! by Hive Gateway offline, and queries that cross both subgraphs each way: Switchboard's
//! `agents` with the CRM's field, and the CRM's `escalations` with Switchboard's fields
//! on agents the CRM knows by id only and on a requester it knows by email only
//! (answered by Switchboard's `_entities`, `Agent` by id and `Person` by email).
//! `./scripts/test.sh` installs the npm folder and sets `REQUIRE_BROWSER=1` (Node tools
//! required); a bare `cargo test` without them skips, saying so.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::{
    browser::{node_tools_available_in, run_node_script_in},
    helpers::{TENANT, spawn_app_with},
};

fn federation_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/federation")
}

/// The CRM's `openTickets` for an agent id (as `federation.js` derives it).
fn open_tickets(id: &str) -> u64 {
    id.bytes().map(u64::from).sum::<u64>() % 10
}

#[tokio::test]
async fn a_gateway_composes_switchboard_with_a_crm_and_crosses_both() {
    let dir = federation_dir();
    if !node_tools_available_in(&dir, "@graphql-hive/gateway", None)
        || !node_tools_available_in(&dir, "@apollo/composition", None)
    {
        return;
    }
    // The gateway calls the subgraph without a key: an anonymous tenant.
    let app = spawn_app_with(|s| s.anonymous_tenant = Some(TENANT.to_owned())).await;
    let direct = app
        .data(
            "{ agents(first: 5) { totalCount nodes { id vendor displayName } } }",
            json!({}),
        )
        .await;
    let agents = direct["agents"]["nodes"].as_array().unwrap();
    assert_eq!(agents.len(), 5);
    let assigned: Vec<String> = agents[2..]
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();

    // The requester the CRM knows by email only (any case, a plus tag), and the accounts
    // Switchboard has for her.
    let requester = "Ava.Thompson+crm@Example.com";
    let person = app
        .data(
            "{ agents(filter: { email: \"ava.thompson@example.com\" }, first: 10) { nodes { id vendor } } }",
            json!({}),
        )
        .await;
    let accounts = person["agents"]["nodes"].clone();
    assert!(accounts.as_array().unwrap().len() >= 2, "{person}");

    let mut args = vec![app.url("/graphql"), requester.to_owned()];
    args.extend(assigned.iter().cloned());
    let report = run_node_script_in(dir, "federation.js", args).await;

    assert_eq!(report["compositionErrors"], json!([]), "{report}");
    let warnings: Vec<&Value> = report["hints"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["level"] == "WARN")
        .collect();
    assert!(warnings.is_empty(), "composition warnings: {warnings:?}");

    // Switchboard's root, with the CRM's field on each agent.
    let through = &report["agents"];
    assert_eq!(through["status"], 200, "{through}");
    assert!(through["body"].get("errors").is_none(), "{through}");
    let nodes = through["body"]["data"]["agents"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), agents.len(), "{through}");
    for (node, agent) in nodes.iter().zip(agents) {
        let id = agent["id"].as_str().unwrap();
        let expected = json!({
            "id": id,
            "vendor": agent["vendor"],
            "displayName": agent["displayName"],
            "openTickets": open_tickets(id),
        });
        assert_eq!(node, &expected);
    }
    assert_eq!(
        through["body"]["data"]["agents"]["totalCount"],
        direct["agents"]["totalCount"]
    );
    // The gateway asked the CRM for all five agents in one `_entities` call.
    assert_eq!(report["crmEntityCalls"], json!([5]), "{report}");

    // The CRM's root, with Switchboard's fields on agents the CRM knows by id only.
    let escalations = &report["escalations"];
    assert_eq!(escalations["status"], 200, "{escalations}");
    assert!(escalations["body"].get("errors").is_none(), "{escalations}");
    let tickets = escalations["body"]["data"]["escalations"].as_array().unwrap();
    assert_eq!(tickets.len(), assigned.len());
    for (ticket, agent) in tickets.iter().zip(&agents[2..]) {
        let id = agent["id"].as_str().unwrap();
        assert_eq!(
            ticket["assignee"],
            json!({
                "id": id,
                "displayName": agent["displayName"],
                "vendor": agent["vendor"],
                "openTickets": open_tickets(id),
            }),
            "{escalations}"
        );
        assert_eq!(
            ticket["requester"],
            json!({ "email": requester, "agents": accounts }),
            "{escalations}"
        );
    }
}
