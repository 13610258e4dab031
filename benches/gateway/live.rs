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
    scenarios::MEMBERS_PER_TEAM,
};

/// Sockets, each with one subscription.
pub const SUBSCRIBERS: usize = 5_000;
/// Presence changes made in the simulator per second.
pub const CHANGES_PER_SEC: u64 = 50;
/// The gateway's Dixa poll interval.
pub const POLL_MS: u64 = 500;
/// Dixa teams seeded for the scenario, of [`MEMBERS_PER_TEAM`] agents each (500 agents,
/// as the full run leaves Dixa after its `_entities` scenario, so `--live-only` measures
/// the same thing).
pub const TEAMS: usize = 25;
/// Sockets opened at once while connecting.
const CONNECTING_AT_ONCE: usize = 100;

/// What the scenario measured.
#[derive(Debug, Clone, Default)]
pub struct LiveResult {
    /// Subscribers connected and subscribed.
    pub subscribers: usize,
    /// Teams their subscriptions spread over.
    pub teams: usize,
    /// Agents in those teams (the changes go round robin over them).
    pub agents: usize,
    /// How long changes were made.
    pub window: Duration,
    /// Changes made in the simulator (each one a change of the agent's availability).
    pub changes: usize,
    /// Deliveries expected: each change times the subscribers watching its agent.
    pub expected: usize,
    /// Changes delivered: the client read the state a change made (latencies below).
    pub delivered: usize,
    /// Of those, delivered in a snapshot (the server resynchronised the subscriber).
    pub by_snapshot: usize,
    /// Changes a client never saw because a later change of the same agent reached it
    /// first: coalesced by the subscriber's latest-state-per-agent queue, by design.
    pub coalesced: usize,
    /// Changes whose state, or a later one, never reached the client: lost.
    pub lost: usize,
    /// Events that matched no change the client was waiting for (a repeat).
    pub unmatched: usize,
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

    /// Whether the targets are met: (latency, delivery, memory).
    pub fn targets(&self) -> (bool, bool, bool) {
        (
            self.latency.p99 < Duration::from_millis(250 + POLL_MS) && self.latency.count > 0,
            self.lost == 0 && self.delivered > 0,
            self.per_subscriber() < 20_000,
        )
    }
}

/// Every change made, per agent (by index), in order: the availability it set and when.
type Changes = Arc<Mutex<Vec<Vec<(&'static str, Instant)>>>>;

/// What one subscriber read.
#[derive(Debug, Default)]
struct Tally {
    /// Per agent it covers (by index): how many of that agent's changes it has caught
    /// up with (the last one read, or a later one, tells it).
    seen: HashMap<usize, usize>,
    delivered: usize,
    by_snapshot: usize,
    coalesced: usize,
    unmatched: usize,
    latencies: Vec<Duration>,
}

impl Tally {
    /// Reads `availability` of `agent` (a change, or a snapshot entry when `snapshot`),
    /// received at `at`: the latest change of the agent the client had not caught up with
    /// that set this availability is the one delivered, and the ones before it were
    /// coalesced.
    fn read(
        &mut self,
        changes: &[(&'static str, Instant)],
        agent: usize,
        availability: &str,
        snapshot: bool,
        at: Instant,
    ) {
        let seen = self.seen.entry(agent).or_default();
        let Some(i) = (*seen..changes.len())
            .rev()
            .find(|&i| changes[i].0 == availability)
        else {
            self.unmatched += 1;
            return;
        };
        self.coalesced += i - *seen;
        *seen = i + 1;
        self.delivered += 1;
        if snapshot {
            self.by_snapshot += 1;
        }
        self.latencies.push(at.saturating_duration_since(changes[i].1));
    }
}

/// One subscriber: the agents (by index) its team covers, and what it read.
struct Reader {
    covers: Arc<Vec<usize>>,
    tally: Arc<Mutex<Tally>>,
    task: tokio::task::JoinHandle<()>,
}

/// Runs the scenario against `sims` (slowed by the caller; Dixa is seeded here).
pub async fn run(sims: &Sims, options: &Options) -> anyhow::Result<LiveResult> {
    sims.seed_dixa(TEAMS, MEMBERS_PER_TEAM).await?;
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
        .json(&json!({ "query": "{ teams(first: 50) { nodes { id members(first: 100) { nodes { id vendorId presence { availability } } } } } }" }))
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
    // Agents (global id, vendor id), the availability each has now, the agents (by
    // index) each team covers, and how many subscribers watch each agent.
    let mut agents: Vec<(String, String)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut now: Vec<String> = Vec::new();
    let mut covers: Vec<Arc<Vec<usize>>> = Vec::new();
    let mut watchers: Vec<usize> = Vec::new();
    for (t, team) in teams.iter().enumerate() {
        let subscribers_of_team = (0..SUBSCRIBERS).filter(|s| s % teams.len() == t).count();
        let mut members = Vec::new();
        for m in team["members"]["nodes"].as_array().into_iter().flatten() {
            let id = m["id"].as_str().unwrap_or_default().to_owned();
            let i = *index.entry(id.clone()).or_insert_with(|| {
                agents.push((id, m["vendorId"].as_str().unwrap_or_default().to_owned()));
                now.push(
                    m["presence"]["availability"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                );
                watchers.push(0);
                agents.len() - 1
            });
            watchers[i] += subscribers_of_team;
            members.push(i);
        }
        covers.push(Arc::new(members));
    }
    // A poll sees an agent's state, not each change: two changes of one agent within
    // a poll interval would be one (or none) by nature, not by the gateway's doing.
    let cycle = Duration::from_millis(agents.len() as u64 * 1_000 / CHANGES_PER_SEC);
    if cycle < Duration::from_millis(2 * POLL_MS) {
        bail!(
            "{} agents change every {cycle:?}: under two poll intervals, polls would merge changes",
            agents.len()
        );
    }
    let index = Arc::new(index);

    let rss_before = gateway.memory()?.current_bytes;
    let changes: Changes = Arc::new(Mutex::new(vec![Vec::new(); agents.len()]));
    let started = Instant::now();
    let addr = gateway.url.trim_start_matches("http://").to_owned();
    let team_ids: Vec<String> = teams
        .iter()
        .map(|t| t["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    let connected = futures::stream::iter(0..SUBSCRIBERS)
        .map(|i| {
            let t = i % team_ids.len();
            subscriber(
                &addr,
                &auth,
                &team_ids[t],
                covers[t].clone(),
                index.clone(),
                changes.clone(),
            )
        })
        .buffer_unordered(CONNECTING_AT_ONCE)
        .collect::<Vec<anyhow::Result<Reader>>>()
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
    let (mut made, mut expected) = (0, 0);
    let churn = Instant::now();
    while churn.elapsed() < window {
        tick.tick().await;
        let agent = made % agents.len();
        let vendor_id = &agents[agent].1;
        // Always a change of availability: away when available, else available.
        let (availability, body) = if now[agent] == "AVAILABLE" {
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
        availability.clone_into(&mut now[agent]);
        changes.lock().expect("changes lock")[agent].push((availability, Instant::now()));
        sims.control(
            reqwest::Method::PUT,
            "dixa",
            &format!("/presence/{vendor_id}"),
            Some(body),
        )
        .await?;
        made += 1;
        expected += watchers[agent];
    }
    // The last changes' deliveries: one poll interval and a margin.
    tokio::time::sleep(Duration::from_millis(POLL_MS + 1_000)).await;
    let cpu = gateway.cpu_time()?.saturating_sub(cpu_before);
    let harness = cpu_time_of("/proc/self/stat")?.saturating_sub(harness_before);
    let measured = window + Duration::from_millis(POLL_MS + 1_000);
    let changes = changes.lock().expect("changes lock").clone();
    let mut result = LiveResult {
        subscribers: SUBSCRIBERS,
        teams: teams.len(),
        agents: agents.len(),
        window,
        changes: made,
        expected,
        rss_before,
        rss_idle,
        cpu_cores: cpu.as_secs_f64() / measured.as_secs_f64(),
        harness_cores: harness.as_secs_f64() / measured.as_secs_f64(),
        connect,
        ..LiveResult::default()
    };
    let mut samples = Vec::new();
    for reader in readers {
        reader.task.abort();
        let tally = reader.tally.lock().expect("tally lock");
        result.delivered += tally.delivered;
        result.by_snapshot += tally.by_snapshot;
        result.coalesced += tally.coalesced;
        result.unmatched += tally.unmatched;
        result.lost += reader
            .covers
            .iter()
            .map(|&a| changes[a].len() - tally.seen.get(&a).copied().unwrap_or(0))
            .sum::<usize>();
        samples.extend_from_slice(&tally.latencies);
    }
    if result.delivered + result.coalesced + result.lost != result.expected {
        bail!(
            "the accounting does not add up: {} delivered + {} coalesced + {} lost != {} expected",
            result.delivered,
            result.coalesced,
            result.lost,
            result.expected
        );
    }
    result.latency = Stats::of(&samples);
    result.max = samples.iter().copied().max().unwrap_or_default();
    Ok(result)
}

/// Opens one socket, subscribes to `team` (whose agents are `covers`), and returns the
/// task reading its events.
async fn subscriber(
    addr: &str,
    auth: &str,
    team: &str,
    covers: Arc<Vec<usize>>,
    index: Arc<HashMap<String, usize>>,
    changes: Changes,
) -> anyhow::Result<Reader> {
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
        "query": "subscription ($t: [ID!]) { presenceChanged(filter: { teamIds: $t }) { kind agentId presence { availability } } }",
        "variables": { "t": [team] } } });
    socket.send(Message::text(subscribe.to_string())).await?;
    let tally: Arc<Mutex<Tally>> = Arc::default();
    let mine = tally.clone();
    let task = tokio::spawn(async move {
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
                event["agentId"].as_str().and_then(|id| index.get(id)),
                event["presence"]["availability"].as_str(),
            ) else {
                continue;
            };
            let snapshot = event["kind"] == "SNAPSHOT";
            let changes = changes.lock().expect("changes lock");
            mine.lock()
                .expect("tally lock")
                .read(&changes[*agent], *agent, availability, snapshot, received);
        }
    });
    Ok(Reader { covers, tally, task })
}

/// The scenario's section of the report; `provenance` says how it was run when that
/// differs from the report around it (a section written by `--live-only --in-report`).
pub fn render(w: &mut String, r: &LiveResult, provenance: Option<&str>) {
    let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
    let (latency_ok, delivery_ok, memory_ok) = r.targets();
    let mark = |ok: bool| if ok { "met" } else { "**missed**" };
    let _ = writeln!(w, "{HEADING}\n");
    if let Some(provenance) = provenance {
        let _ = writeln!(w, "{provenance}\n");
    }
    let _ = writeln!(
        w,
        "{} graphql-transport-ws subscribers on one gateway process (in-process cache), each subscribed to \
         `presenceChanged` for one of {} teams; the Dixa simulator's presence changed {} times a second for {:.0} s \
         ({} changes, each of an agent's availability, round robin over the agents), the gateway polling Dixa every {} ms. \
         Connecting and subscribing everyone took {:.1} s.\n",
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
        "| changes delivered / expected (each change × the subscribers watching its agent) | {} / {} ({} of them in a resync snapshot); \
         {} coalesced (a later state of the agent delivered instead, by design); {} lost; {} repeats | none lost: every client ends on every agent's latest state | {} |",
        r.delivered,
        r.expected,
        r.by_snapshot,
        r.coalesced,
        r.lost,
        r.unmatched,
        mark(delivery_ok)
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
         it includes up to one poll interval of waiting for the next poll. Every change flips an agent between \
         available and away (from whatever it was seeded with), so each one is a change the gateway must report; \
         each agent changes once every {:.0} s, far apart from its polls. A client that falls behind has its \
         queue keep only the latest state per agent: a change it never sees because a later one of the same agent \
         reached it first counts as coalesced, not lost; lost is a change neither it nor a later one reached the \
         client by the end ({} ms after the last change). The load generator's sockets share the machine's cores \
         with the gateway.\n",
        r.agents as f64 / CHANGES_PER_SEC as f64,
        POLL_MS + 1_000
    );
}

/// The heading of the scenario's section.
const HEADING: &str = "## Live presence (issue 11)";

/// Writes the scenario's report alone to `out` (`--live-only`).
pub fn write_alone(out: &Path, r: &LiveResult, command: &str) -> anyhow::Result<()> {
    let mut text = String::from("# Live presence benchmark\n\n");
    let _ = writeln!(text, "`{command}`, {}.\n", build());
    render(&mut text, r, None);
    std::fs::write(out, text).with_context(|| format!("writing {}", out.display()))
}

/// Replaces the scenario's section of the full report at `out` (`--live-only
/// --in-report`), leaving the rest as the last full run wrote it; the section says how
/// and when it was measured.
pub fn write_into_report(
    out: &Path,
    r: &LiveResult,
    command: &str,
    commit: &str,
    date: &str,
) -> anyhow::Result<()> {
    let report = std::fs::read_to_string(out).with_context(|| format!("reading {}", out.display()))?;
    let start = report
        .find(&format!("\n{HEADING}\n"))
        .map(|i| i + 1)
        .with_context(|| format!("{} has no `{HEADING}` section to replace", out.display()))?;
    let end = report[start + HEADING.len()..]
        .find("\n## ")
        .map_or(report.len(), |i| start + HEADING.len() + i + 1);
    let mut section = String::new();
    let provenance = format!(
        "Measured alone, after the run above: `{command}` at `{commit}`, {date}, {}; the rest of this file is \
         from the run above.",
        build()
    );
    render(&mut section, r, Some(&provenance));
    let text = format!("{}{section}{}", &report[..start], &report[end..]);
    std::fs::write(out, text).with_context(|| format!("writing {}", out.display()))
}

fn build() -> &'static str {
    if cfg!(debug_assertions) {
        "debug build (not comparable!)"
    } else {
        "release build"
    }
}
