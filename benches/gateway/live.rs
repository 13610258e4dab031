//! The live presence scenario of issue 11: one `switchboard serve` process (in-process
//! cache, no Redis), `SUBSCRIBERS` graphql-transport-ws sockets each subscribed to
//! `presenceChanged` for one team (spread over the seeded teams, like one wallboard per
//! team), then the Dixa simulator's presence changed `CHANGES_PER_SEC` times a second,
//! round robin over the agents. It reports the delivery latency from the simulator
//! change to each client (p50, p99, max), the deliveries received against those
//! expected, the resident memory each idle subscriber costs, and the gateway's CPU.
//! Targets: p99 under 250 ms plus the poll interval; under 20 KB per idle subscriber.

use std::{
    collections::HashMap,
    fmt::Write as _,
    path::Path,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::{Context as _, bail};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest, http::HeaderValue};

use crate::{
    Options,
    cluster::{CacheMode, Gateway, Sims, WARM_TENANT, bearer, cpu_time_of},
    load::Stats,
};

/// Sockets, each with one subscription.
pub const SUBSCRIBERS: usize = 5_000;
/// Presence changes made in the simulator per second.
pub const CHANGES_PER_SEC: u64 = 50;
/// The gateway's Dixa poll interval.
pub const POLL_MS: u64 = 500;
/// Sockets opened at once while connecting.
const CONNECTING_AT_ONCE: usize = 100;

/// What the scenario measured.
#[derive(Debug, Clone, Default)]
pub struct LiveResult {
    /// Subscribers connected and subscribed.
    pub subscribers: usize,
    /// Teams their subscriptions spread over.
    pub teams: usize,
    /// How long changes were made.
    pub window: Duration,
    /// Changes made in the simulator.
    pub changes: usize,
    /// Deliveries expected: each change times the subscribers watching its agent.
    pub expected: usize,
    /// Delivery latencies, simulator change to client.
    pub latency: Stats,
    /// The slowest delivery.
    pub max: Duration,
    /// Resident memory before the first socket, and with every subscriber idle.
    pub rss_before: u64,
    /// With every subscriber connected and idle.
    pub rss_idle: u64,
    /// Gateway CPU time over the window, in cores.
    pub cpu_cores: f64,
    /// The benchmark process's (load generator and simulators) over the same time.
    pub harness_cores: f64,
    /// How long connecting and subscribing everyone took.
    pub connect: Duration,
}

impl LiveResult {
    /// Memory each idle subscriber costs.
    pub fn per_subscriber(&self) -> u64 {
        self.rss_idle.saturating_sub(self.rss_before) / self.subscribers.max(1) as u64
    }

    /// Whether the targets are met: (latency, memory).
    pub fn targets(&self) -> (bool, bool) {
        (
            self.latency.p99 < Duration::from_millis(250 + POLL_MS) && self.latency.count > 0,
            self.per_subscriber() < 20_000,
        )
    }
}

/// When each agent (global id) was last changed, to what.
type Sent = Arc<Mutex<HashMap<String, (String, Instant)>>>;

/// Runs the scenario against `sims` (seeded and slowed by the caller).
pub async fn run(sims: &Sims, options: &Options) -> anyhow::Result<LiveResult> {
    let log = options.log_dir.join("live.log");
    let env = [
        ("SWITCHBOARD_LIVE__DIXA_POLL_MS", POLL_MS.to_string()),
        ("SWITCHBOARD_LIVE__MAX_CONNECTIONS", (SUBSCRIBERS * 2).to_string()),
    ];
    let gateway = Gateway::start_with(sims, CacheMode::Memory, 0, &log, &env)?;
    let http = reqwest::Client::new();
    gateway.ready(&http).await?;
    let auth = bearer(WARM_TENANT);
    let body: Value = http
        .post(format!("{}/graphql", gateway.url))
        .header("authorization", &auth)
        .json(&json!({ "query": "{ teams(first: 50) { nodes { id members(first: 100) { nodes { id vendorId } } } } }" }))
        .send()
        .await?
        .json()
        .await?;
    let teams = body["data"]["teams"]["nodes"]
        .as_array()
        .context("the teams")?
        .clone();
    if teams.is_empty() {
        bail!("no teams to watch: {body}");
    }
    // Agents (global id, vendor id) and how many subscribers watch each.
    let mut agents: Vec<(String, String)> = Vec::new();
    let mut watchers: HashMap<String, usize> = HashMap::new();
    for (i, team) in teams.iter().enumerate() {
        let subscribers_of_team = (0..SUBSCRIBERS).filter(|s| s % teams.len() == i).count();
        for m in team["members"]["nodes"].as_array().into_iter().flatten() {
            let id = m["id"].as_str().unwrap_or_default().to_owned();
            if !watchers.contains_key(&id) {
                agents.push((id.clone(), m["vendorId"].as_str().unwrap_or_default().to_owned()));
            }
            *watchers.entry(id).or_default() += subscribers_of_team;
        }
    }

    let rss_before = gateway.memory()?.current_bytes;
    let sent: Sent = Arc::default();
    let latencies: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let started = Instant::now();
    let addr = gateway.url.trim_start_matches("http://").to_owned();
    let team_ids: Vec<String> = teams
        .iter()
        .map(|t| t["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    let connected = futures::stream::iter(0..SUBSCRIBERS)
        .map(|i| {
            subscriber(
                &addr,
                &auth,
                &team_ids[i % team_ids.len()],
                sent.clone(),
                latencies.clone(),
            )
        })
        .buffer_unordered(CONNECTING_AT_ONCE)
        .collect::<Vec<anyhow::Result<tokio::task::JoinHandle<()>>>>()
        .await;
    let readers = connected.into_iter().collect::<anyhow::Result<Vec<_>>>()?;
    let connect = started.elapsed();
    // Idle: everyone subscribed, nothing changing.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_idle = gateway.memory()?.current_bytes;

    let window = if options.quick {
        Duration::from_secs(3)
    } else {
        Duration::from_secs(10)
    };
    let cpu_before = gateway.cpu_time()?;
    let harness_before = cpu_time_of("/proc/self/stat")?;
    let mut tick = tokio::time::interval(Duration::from_millis(1_000 / CHANGES_PER_SEC));
    let mut state: HashMap<String, bool> = HashMap::new();
    let (mut changes, mut expected) = (0, 0);
    let churn = Instant::now();
    while churn.elapsed() < window {
        tick.tick().await;
        let (id, vendor_id) = &agents[changes % agents.len()];
        let away = state.entry(id.clone()).or_insert(false);
        *away = !*away;
        let (availability, body) = if *away {
            (
                "AWAY",
                json!({ "presenceStatus": "Away", "connectionStatus": "Online" }),
            )
        } else {
            (
                "AVAILABLE",
                json!({ "presenceStatus": "Working", "connectionStatus": "Online" }),
            )
        };
        sent.lock()
            .expect("sent lock")
            .insert(id.clone(), (availability.to_owned(), Instant::now()));
        sims.control(
            reqwest::Method::PUT,
            "dixa",
            &format!("/presence/{vendor_id}"),
            Some(body),
        )
        .await?;
        changes += 1;
        expected += watchers[id];
    }
    // The last changes' deliveries: one poll interval and a margin.
    tokio::time::sleep(Duration::from_millis(POLL_MS + 1_000)).await;
    let cpu = gateway.cpu_time()?.saturating_sub(cpu_before);
    let harness = cpu_time_of("/proc/self/stat")?.saturating_sub(harness_before);
    let measured = window + Duration::from_millis(POLL_MS + 1_000);
    for reader in readers {
        reader.abort();
    }
    let samples = latencies.lock().expect("latencies lock").clone();
    Ok(LiveResult {
        subscribers: SUBSCRIBERS,
        teams: teams.len(),
        window,
        changes,
        expected,
        latency: Stats::of(&samples),
        max: samples.iter().copied().max().unwrap_or_default(),
        rss_before,
        rss_idle,
        cpu_cores: cpu.as_secs_f64() / measured.as_secs_f64(),
        harness_cores: harness.as_secs_f64() / measured.as_secs_f64(),
        connect,
    })
}

/// Opens one socket, subscribes to `team`, and returns the task reading its events.
async fn subscriber(
    addr: &str,
    auth: &str,
    team: &str,
    sent: Sent,
    latencies: Arc<Mutex<Vec<Duration>>>,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let mut request = format!("ws://{addr}/graphql").into_client_request()?;
    request.headers_mut().insert(
        "sec-websocket-protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .context("opening a socket")?;
    let init = json!({ "type": "connection_init", "payload": { "Authorization": auth } });
    socket.send(Message::text(init.to_string())).await?;
    match socket.next().await {
        Some(Ok(Message::Text(t))) if t.contains("connection_ack") => {}
        other => bail!("no connection_ack: {other:?}"),
    }
    let subscribe = json!({ "type": "subscribe", "id": "1", "payload": {
        "query": "subscription ($t: [ID!]) { presenceChanged(filter: { teamIds: $t }) { agentId presence { availability } } }",
        "variables": { "t": [team] } } });
    socket.send(Message::text(subscribe.to_string())).await?;
    Ok(tokio::spawn(async move {
        while let Some(Ok(message)) = socket.next().await {
            let received = Instant::now();
            let Message::Text(text) = message else { continue };
            let Ok(value) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            if value["type"] == "ping" {
                let _ = socket.send(Message::text(r#"{"type":"pong"}"#)).await;
                continue;
            }
            let event = &value["payload"]["data"]["presenceChanged"];
            let (Some(agent), Some(availability)) = (
                event["agentId"].as_str(),
                event["presence"]["availability"].as_str(),
            ) else {
                continue;
            };
            let at = sent
                .lock()
                .expect("sent lock")
                .get(agent)
                .filter(|(state, _)| state == availability)
                .map(|(_, at)| *at);
            if let Some(at) = at {
                latencies
                    .lock()
                    .expect("latencies lock")
                    .push(received.saturating_duration_since(at));
            }
        }
    }))
}

/// The scenario's section of the report.
pub fn render(w: &mut String, r: &LiveResult) {
    let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
    let (latency_ok, memory_ok) = r.targets();
    let mark = |ok: bool| if ok { "met" } else { "**missed**" };
    let _ = writeln!(w, "## Live presence (issue 11)\n");
    let _ = writeln!(
        w,
        "{} graphql-transport-ws subscribers on one gateway process (in-process cache), each subscribed to \
         `presenceChanged` for one of {} teams; the Dixa simulator's presence changed {} times a second for {:.0} s \
         ({} changes), the gateway polling Dixa every {} ms. Connecting and subscribing everyone took {:.1} s.\n",
        r.subscribers,
        r.teams,
        CHANGES_PER_SEC,
        r.window.as_secs_f64(),
        r.changes,
        POLL_MS,
        r.connect.as_secs_f64()
    );
    let _ = writeln!(w, "| figure | measured | target | result |\n|---|---|---|---|");
    let _ = writeln!(
        w,
        "| delivery latency, simulator change to client | p50 {}, p99 {}, max {} | p99 under 250 ms + the poll interval ({} ms) | {} |",
        ms(r.latency.p50),
        ms(r.latency.p99),
        ms(r.max),
        250 + POLL_MS,
        mark(latency_ok)
    );
    let _ = writeln!(
        w,
        "| deliveries received / expected | {} / {} | all | {} |",
        r.latency.count,
        r.expected,
        mark(r.latency.count >= r.expected)
    );
    let _ = writeln!(
        w,
        "| resident memory per idle subscriber | {:.1} KB ({:.0} MB idle with everyone subscribed, {:.0} MB before) | under 20 KB | {} |",
        r.per_subscriber() as f64 / 1000.0,
        r.rss_idle as f64 / 1e6,
        r.rss_before as f64 / 1e6,
        mark(memory_ok)
    );
    let _ = writeln!(
        w,
        "| CPU while changing | gateway {:.2} cores; load generator and simulators {:.2} cores | — | — |\n",
        r.cpu_cores, r.harness_cores
    );
    let _ = writeln!(
        w,
        "A delivery's latency runs from just before the simulator's control call to the client reading the event, so \
         it includes up to one poll interval of waiting for the next poll. The load generator's sockets share the \
         machine's cores with the gateway.\n"
    );
}

/// Writes the scenario's report alone to `out` (`--live-only`).
pub fn write_alone(out: &Path, r: &LiveResult, command: &str) -> anyhow::Result<()> {
    let mut text = String::from("# Live presence benchmark\n\n");
    let _ = writeln!(
        text,
        "`{command}`, {}.\n",
        if cfg!(debug_assertions) {
            "debug build (not comparable!)"
        } else {
            "release build"
        }
    );
    render(&mut text, r);
    std::fs::write(out, text).with_context(|| format!("writing {}", out.display()))
}
