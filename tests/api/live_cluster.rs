//! Live presence across replicas sharing Redis: a webhook received by one replica
//! reaches subscribers of another, two server processes elect exactly one Dixa poller
//! between them, and killing the poller's process hands polling to the other within
//! the lease. Uses the machine's Redis with a namespace of each test's own (see
//! `redis.rs`).

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use switchboard::sim::RunningSimulators;

use crate::{
    helpers::{TENANT, spawn_app_beside, spawn_app_with, start_server, switchboard},
    live::{connected_at, next_event, set_dixa_at, subscribe},
    redis::{shared_redis, with_redis},
};

#[tokio::test]
async fn a_vonage_webhook_on_one_replica_reaches_a_subscriber_on_another() {
    let Some(url) = shared_redis() else { return };
    let a = spawn_app_with(with_redis(&url)).await;
    let b = spawn_app_beside(&a, |s| {
        with_redis(&url)(s);
        s.live.vonage_poll_ms = 300;
        s.live.dixa_poll_ms = 300;
        s.live.lease_ms = 1_000;
    })
    .await;
    let users = b
        .data(
            "{ agents(filter: { vendors: [VONAGE] }, first: 1) { nodes { id vendorId } } }",
            json!({}),
        )
        .await;
    let agent = &users["agents"]["nodes"][0];
    let mut on_b = connected_at(&b.addr.to_string(), &b.bearer(), "graphql-transport-ws").await;
    subscribe(
        &mut on_b,
        false,
        "b",
        json!({ "filter": { "agentIds": [agent["id"]] }, "snapshot": true }),
    )
    .await;
    let snapshot = next_event(&mut on_b).await;
    assert_eq!(snapshot["kind"], "SNAPSHOT");
    let before = snapshot["presence"]["category"].as_str().unwrap().to_owned();
    let category = if before == "Away" { "LoggedOut" } else { "Away" };
    let response = a
        .client
        .post(a.url(&format!("/webhooks/vonage/{TENANT}")))
        .header("x-webhook-secret", switchboard::sim::vonage::DEMO_WEBHOOK_SECRET)
        .json(&json!({
            "type": "agent.presencechanged.v0",
            "timestamp": chrono::Utc::now().to_rfc3339(),
            "presence": { "category": { "categoryType": category }, "description": "Break" },
            "user": { "agentId": agent["vendorId"] }
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202, "received by A");
    let change = next_event(&mut on_b).await;
    assert_eq!(change["kind"], "CHANGE", "{change}");
    assert_eq!(change["agentId"], agent["id"]);
    assert_eq!(change["previous"]["category"], before.as_str());
    assert_eq!(change["presence"]["category"], category);
}

/// `GET /agents/presence` calls the Dixa simulator received.
async fn polls(client: &reqwest::Client, sims: &RunningSimulators) -> u64 {
    let calls: Value = client
        .get(format!("http://{}/dixa/_sim/calls", sims.addr))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    calls["GET /agents/presence"].as_u64().unwrap_or(0)
}

#[tokio::test]
async fn two_processes_share_one_poller_and_the_survivor_takes_over_within_the_lease() {
    let Some(redis) = shared_redis() else { return };
    let sims = RunningSimulators::start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    const POLL_MS: u64 = 200;
    const LEASE_MS: u64 = 1_000;
    let env = vec![
        ("SWITCHBOARD_LISTEN", "127.0.0.1:0".to_owned()),
        ("SWITCHBOARD_TENANTS__T__API_KEYS", "[\"cluster-key\"]".to_owned()),
        (
            "SWITCHBOARD_TENANTS__T__DIXA__BASE_URL",
            sims.url("dixa/v1").to_string(),
        ),
        (
            "SWITCHBOARD_TENANTS__T__DIXA__API_TOKEN",
            switchboard::sim::dixa::DEMO_TOKEN.to_owned(),
        ),
        ("SWITCHBOARD_CACHE__REDIS_URL", redis.clone()),
        (
            "SWITCHBOARD_CACHE__NAMESPACE",
            format!("sbtest-{}", uuid::Uuid::new_v4()),
        ),
        ("SWITCHBOARD_LIVE__DIXA_POLL_MS", POLL_MS.to_string()),
        ("SWITCHBOARD_LIVE__VONAGE_POLL_MS", POLL_MS.to_string()),
        ("SWITCHBOARD_LIVE__LEASE_MS", LEASE_MS.to_string()),
    ];
    let client = reqwest::Client::new();
    let bearer = "Bearer cluster-key";
    let (process_a, url_a, _) = start_server(switchboard(&["serve"], &env));
    let (_process_b, url_b, _) = start_server(switchboard(&["serve"], &env));
    let addr = |url: &str| url.trim_start_matches("http://").to_owned();
    let data: Value = client
        .post(format!("{url_a}/graphql"))
        .header("authorization", bearer)
        .json(&json!({ "query": "{ teams(first: 1) { nodes { members(first: 1) { nodes { id vendorId } } } } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let member = &data["data"]["teams"]["nodes"][0]["members"]["nodes"][0];
    let (agent, vendor_id) = (
        member["id"].as_str().unwrap(),
        member["vendorId"].as_str().unwrap(),
    );
    let variables = json!({ "filter": { "agentIds": [agent] }, "snapshot": true });

    // A subscriber on A (A takes the lease), then one on B (B starts from the state A
    // wrote).
    let mut on_a = connected_at(&addr(&url_a), bearer, "graphql-transport-ws").await;
    subscribe(&mut on_a, false, "a", variables.clone()).await;
    let seeded = next_event(&mut on_a).await;
    assert_eq!(seeded["kind"], "SNAPSHOT", "{seeded}");
    let mut on_b = connected_at(&addr(&url_b), bearer, "graphql-transport-ws").await;
    subscribe(&mut on_b, false, "b", variables).await;
    assert_eq!(next_event(&mut on_b).await, seeded, "the same snapshot on both");

    // Exactly one poller between them: one call per interval, not two.
    let before = polls(&client, &sims).await;
    tokio::time::sleep(Duration::from_millis(10 * POLL_MS)).await;
    let polled = polls(&client, &sims).await - before;
    // Two pollers would make about 20; a loaded machine only slows one down.
    assert!(
        (3..=12).contains(&polled),
        "one poller: {polled} polls in 10 intervals"
    );

    // A change reaches both.
    let mut state = seeded["presence"]["availability"].as_str().unwrap().to_owned();
    let flip = |s: &str| if s == "AWAY" { "AVAILABLE" } else { "AWAY" };
    set_dixa_at(&client, &sims, vendor_id, flip(&state)).await;
    for socket in [&mut on_a, &mut on_b] {
        let change = next_event(socket).await;
        assert_eq!(change["presence"]["availability"], flip(&state), "{change}");
        assert_eq!(change["previous"]["availability"], state.as_str(), "{change}");
    }
    state = flip(&state).to_owned();

    // The poller's process dies (SIGKILL: its lease is not released); B takes polling
    // over within the lease and its subscriber still gets changes.
    drop(on_a);
    drop(process_a);
    let killed = Instant::now();
    set_dixa_at(&client, &sims, vendor_id, flip(&state)).await;
    let change = next_event(&mut on_b).await;
    let waited = killed.elapsed();
    assert_eq!(change["presence"]["availability"], flip(&state), "{change}");
    assert!(
        waited < Duration::from_millis(LEASE_MS + 4 * POLL_MS),
        "taken over within the lease: {waited:?}"
    );
    let before = polls(&client, &sims).await;
    tokio::time::sleep(Duration::from_millis(5 * POLL_MS)).await;
    let polled = polls(&client, &sims).await - before;
    assert!((1..=7).contains(&polled), "B polls now, alone: {polled}");
}

#[tokio::test]
async fn after_a_pub_sub_reconnect_subscribers_get_a_fresh_snapshot() {
    if shared_redis().is_none() {
        return; // no redis-server here either
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _redis = crate::redis::OwnRedis::start(port);
    let url = format!("redis://127.0.0.1:{port}");
    let app = spawn_app_with(|s| {
        with_redis(&url)(s);
        s.live.dixa_poll_ms = 200;
        s.live.vonage_poll_ms = 200;
        s.live.lease_ms = 1_000;
    })
    .await;
    let mut socket = connected_at(&app.addr.to_string(), &app.bearer(), "graphql-transport-ws").await;
    subscribe(
        &mut socket,
        false,
        "r",
        json!({ "filter": { "vendors": ["DIXA"] }, "snapshot": true }),
    )
    .await;
    let first = next_event(&mut socket).await;
    assert_eq!(first["kind"], "SNAPSHOT");
    // Let the first snapshot finish, then cut the bus's connection.
    tokio::time::sleep(Duration::from_millis(300)).await;
    while let Ok(Some(_)) =
        tokio::time::timeout(Duration::from_millis(50), futures::StreamExt::next(&mut socket)).await
    {}
    let killed = std::process::Command::new("redis-cli")
        .args(["-p", &port.to_string(), "CLIENT", "KILL", "TYPE", "pubsub"])
        .output()
        .expect("redis-cli runs");
    assert!(
        String::from_utf8_lossy(&killed.stdout).trim() != "0",
        "a pub/sub client was cut"
    );
    let again = next_event(&mut socket).await;
    assert_eq!(
        again["kind"], "SNAPSHOT",
        "a fresh snapshot, not a silent gap: {again}"
    );
}
