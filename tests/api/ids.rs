//! Global ids are opaque and checked: a tampered id is `BAD_USER_INPUT`.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::json;

use crate::helpers::{first_code, spawn_app};

#[tokio::test]
async fn node_round_trips_and_tampering_is_refused() {
    let app = spawn_app().await;
    let data = app
        .data("{ teams(first: 1) { edges { node { id name } } } }", json!({}))
        .await;
    let id = data["teams"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let node = app
        .data(
            "query($id: ID!) { node(id: $id) { id ... on Team { name } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(node["node"]["name"], "Tier 1 Support");

    // Change the vendor id inside the opaque id, keeping it valid base64.
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(&id).unwrap()).unwrap();
    let forged = URL_SAFE_NO_PAD.encode(text.replacen("005e7108", "83cc3c21", 1));
    let calls_before = app.total_calls("dixa").await;
    for bad in [forged.as_str(), "garbage", "VGVhbTpESVhBOg"] {
        let body = app
            .graphql("query($id: ID!) { node(id: $id) { id } }", json!({ "id": bad }))
            .await;
        assert_eq!(first_code(&body), "BAD_USER_INPUT", "{bad}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "id");
    }
    let body = app
        .graphql(
            "query($id: ID!) { team(id: $id) { name } }",
            json!({ "id": forged }),
        )
        .await;
    assert_eq!(first_code(&body), "BAD_USER_INPUT");
    assert_eq!(
        app.total_calls("dixa").await,
        calls_before,
        "no vendor call for a bad id"
    );
}

#[tokio::test]
async fn nodes_resolves_several_kinds_in_order() {
    let app = spawn_app().await;
    let data = app
        .data("{ teams(first: 1) { edges { node { id members(first: 1) { edges { node { id displayName } } } } } } }", json!({}))
        .await;
    let team = &data["teams"]["edges"][0]["node"];
    let agent = &team["members"]["edges"][0]["node"];
    let nodes = app
        .data(
            "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }",
            json!({ "ids": [agent["id"], team["id"]] }),
        )
        .await;
    assert_eq!(nodes["nodes"][0]["__typename"], "Agent");
    assert_eq!(nodes["nodes"][1]["__typename"], "Team");
}
