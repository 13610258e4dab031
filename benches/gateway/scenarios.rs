//! The scenarios of issue 10: what each one asks, how its answer is checked, the fewest
//! vendor calls and the shortest chain of dependent vendor round trips the vendors'
//! endpoints allow for it (derived in the comments, counted from the answer), and the
//! runs that measure it against each cache.
//!
//! The minimums count what the seeded vendors hold ([`Facts`], read once through a
//! gateway before the scenarios run), and follow the same derivations as the call-count
//! tests (`tests/api/calls.rs`), at this larger scale.

use std::time::Duration;

use anyhow::{Context as _, bail, ensure};
use serde_json::{Value, json};

use crate::{
    Options,
    cluster::{self, CacheMode, Calls, Gateway, Memory, Sims, WARM_TENANT, bearer, cold_tenant},
    load::{self, Client, Request, Run, Stats},
};

/// A wallboard: every team with its members, their presence and their accounts on the
/// other vendors, and the team's presence.
pub const WALLBOARD: &str = r#"query Wallboard {
  teams(first: 10) {
    nodes {
      name
      members(first: 20) {
        nodes { displayName email presence { availability } linkedAgents { vendor displayName } }
      }
      presence(first: 20) { nodes { availability } }
    }
  }
}"#;

/// A directory page: the first 200 agents of every vendor, in the one vendor-neutral
/// order, with their presence, their supervisors and their accounts elsewhere.
pub const DIRECTORY: &str = r#"query Directory {
  agents(first: 200) {
    totalCount
    nodes {
      id vendor displayName email
      presence { availability }
      supervisors { displayName }
      linkedAgents { vendor displayName }
    }
  }
}"#;

/// Federation's entity fetch: a gateway asking Switchboard for the fields it owns of
/// [`ENTITY_AGENTS`] agents another subgraph returned (`$representations`).
pub const ENTITIES: &str = r#"query Entities($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Agent { id vendor displayName email } }
}"#;

/// Representations in the entities scenario.
pub const ENTITY_AGENTS: usize = 500;
/// Dixa is seeded with this many teams of [`MEMBERS_PER_TEAM`] for it, so it has
/// [`ENTITY_AGENTS`] agents.
pub const ENTITY_TEAMS: usize = ENTITY_AGENTS / MEMBERS_PER_TEAM;

/// The largest `pageLimit` Dixa takes on its list endpoints.
const DIXA_MAX_PAGE: u64 = 500;

/// The write of the write-then-read scenario (and `removeTeamMembers` to undo it).
pub const ADD_MEMBER: &str = r#"mutation Add($team: ID!, $agent: ID!) {
  addTeamMembers(input: { teamId: $team, agentIds: [$agent] }) { team { id } }
}"#;

/// Undoes [`ADD_MEMBER`].
pub const REMOVE_MEMBER: &str = r#"mutation Remove($team: ID!, $agent: ID!) {
  removeTeamMembers(input: { teamId: $team, agentIds: [$agent] }) { team { id } }
}"#;

/// The read of the write-then-read scenario: what a team page shows.
pub const READ_TEAM: &str = r#"query Team($team: ID!) {
  team(id: $team) { name members(first: 50) { totalCount nodes { id displayName } } }
}"#;

/// Ids the write-then-read scenario works with.
const IDS: &str = r#"{ teams(first: 2) { nodes { id members(first: 1) { nodes { id } } } } }"#;

/// Teams and members the Dixa simulator is seeded with for the wallboard.
pub const TEAMS: usize = 10;
/// Members per team.
pub const MEMBERS_PER_TEAM: usize = 20;

/// The fewest vendor calls one query needs, and its critical path.
#[derive(Debug, Clone)]
pub struct Minimum {
    /// Vendor calls (tokens cached, as they are for an hour).
    pub calls: u64,
    /// How `calls` was counted, for the report.
    pub calls_how: String,
    /// Dependent vendor round trips: the shortest chain, with everything independent
    /// running beside it.
    pub round_trips: u32,
    /// Which chain, for the report.
    pub round_trips_how: String,
    /// What the answer held, for the report.
    pub shape: String,
}

/// A read scenario.
pub struct Scenario {
    /// Its name in the report.
    pub name: &'static str,
    /// The query.
    pub query: &'static str,
    /// Its variables.
    pub variables: Value,
    /// Checks an answer's `data` and derives the minimum from it and the seed.
    pub minimum: fn(&Value, &Facts) -> anyhow::Result<Minimum>,
}

/// The read scenarios, in report order.
pub fn scenarios() -> [Scenario; 2] {
    [
        Scenario {
            name: "Wallboard",
            query: WALLBOARD,
            variables: json!({}),
            minimum: wallboard_minimum,
        },
        Scenario {
            name: "Directory",
            query: DIRECTORY,
            variables: json!({}),
            minimum: directory_minimum,
        },
    ]
}

/// The entities scenario over every agent of Dixa's organisation (seed it with
/// [`ENTITY_TEAMS`] teams first): their global ids, read from the simulator itself.
pub async fn entities_scenario(sims: &Sims) -> anyhow::Result<Scenario> {
    use switchboard::{
        graphql::id::{GlobalId, NodeType},
        vendors::Vendor,
    };
    let ids = sims.dixa_agent_ids().await?;
    ensure!(
        ids.len() == ENTITY_AGENTS,
        "Dixa has {} agents, not {ENTITY_AGENTS}",
        ids.len()
    );
    let representations: Vec<Value> = ids
        .iter()
        .map(|id| {
            let id = GlobalId::new(NodeType::Agent, Vendor::Dixa, id.as_str()).encode();
            json!({ "__typename": "Agent", "id": id.as_str() })
        })
        .collect();
    Ok(Scenario {
        name: "Entities",
        query: ENTITIES,
        variables: json!({ "representations": representations }),
        minimum: entities_minimum,
    })
}

/// What the seeded vendors hold, as far as the minimums need it.
#[derive(Debug, Clone, Copy)]
pub struct Facts {
    /// Dixa's agents.
    pub dixa_agents: u64,
    /// Webex's agents (the org-wide available agents).
    pub webex_agents: u64,
    /// Webex's locations.
    pub webex_locations: u64,
    /// Webex's supervisors.
    pub webex_supervisors: u64,
    /// AICC's agent accounts.
    pub aicc_agents: u64,
    /// Vonage's active users.
    pub vonage_users: u64,
}

/// Reads [`Facts`] through a gateway of its own, with its cache off.
pub async fn facts(sims: &Sims, options: &Options) -> anyhow::Result<Facts> {
    let http = reqwest::Client::new();
    let gateway = Gateway::start(sims, CacheMode::Off, 0, &options.log_dir.join("facts.log"))?;
    gateway.ready(&http).await?;
    let client = Client::new(http, &gateway.url);
    const QUERY: &str = r#"{
      dixa: agents(filter: { vendors: [DIXA] }) { totalCount }
      webex: agents(filter: { vendors: [WEBEX] }) { totalCount }
      aicc: agents(filter: { vendors: [HUAWEI_AICC] }) { totalCount }
      webexLocations { totalCount }
      supervisors(filter: { vendors: [WEBEX] }) { totalCount }
      users { totalCount }
    }"#;
    let request = Request::new(QUERY, json!({}), bearer(WARM_TENANT));
    let (data, _) = client.data(&request).await.context("reading the seed's facts")?;
    let count = |field: &str| {
        data[field]["totalCount"]
            .as_u64()
            .with_context(|| format!("no {field} count: {data}"))
    };
    let facts = Facts {
        dixa_agents: count("dixa")?,
        webex_agents: count("webex")?,
        webex_locations: count("webexLocations")?,
        webex_supervisors: count("supervisors")?,
        aicc_agents: count("aicc")?,
        vonage_users: count("users")?,
    };
    // Every Webex list fits one page of Switchboard's default `page_size` (100): the
    // minimums below count one call per list.
    ensure!(
        facts.webex_agents <= 100 && facts.webex_locations <= 100 && facts.webex_supervisors <= 100,
        "Webex's seed outgrew one page per list: {facts:?}"
    );
    Ok(facts)
}

/// Calls that read every vendor's people once, as `linkedAgents` needs them (tokens
/// cached):
///
/// - Dixa `GET /agents`: pages of up to 500 (`pageLimit`'s largest).
/// - Webex: the org-wide `GET …/supervisors/availableAgents` (1 page), and the emails,
///   which only the per-location lists carry: `GET /locations` (1) and, per location,
///   `GET …/cxEssentials/agents/availableAgents` once per licence kind (2).
/// - AICC `agentAccount/query`: `pageSize` ≤ 100, a page shorter than that ends the
///   list: ⌊n / 100⌋ + 1.
/// - Vonage `GET /useradmin/users`: `limit` ≤ 5,000: ⌈n / 5000⌉, at least 1.
///
/// Two dependent round trips (Webex's locations, then their lists); the rest one.
fn people_calls(facts: &Facts) -> (u64, String) {
    let dixa = facts.dixa_agents.div_ceil(DIXA_MAX_PAGE).max(1);
    let webex = 1 + 1 + 2 * facts.webex_locations;
    let aicc = facts.aicc_agents / 100 + 1;
    let vonage = facts.vonage_users.div_ceil(5000).max(1);
    (
        dixa + webex + aicc + vonage,
        format!(
            "Dixa `GET /agents` {dixa} + Webex {webex} (org-wide available agents 1, `GET /locations` 1, \
             {l} locations × 2 licence kinds, where the emails are) + AICC `agentAccount/query` {aicc} + \
             Vonage `GET /users` {vonage}",
            l = facts.webex_locations
        ),
    )
}

fn nodes<'a>(value: &'a Value, what: &str) -> anyhow::Result<&'a Vec<Value>> {
    value["nodes"]
        .as_array()
        .with_context(|| format!("{what} has no nodes: {value}"))
}

/// The wallboard's minimum:
///
/// - Dixa `GET /teams`: 1 call, every team (unpaged).
/// - Dixa `GET /teams/{id}/agents`: 1 per team; each member comes with `id`, `name` and
///   `email`, all the query shows of an agent (unpaged).
/// - Dixa `GET /agents/presence`: 1 call, every agent's presence as a bare array; it
///   serves both the members' `presence` and each `Team.presence` (a team's presence is
///   its members'), so no `GET /agents/{id}/presence` or `GET /teams/{id}/presence` is
///   needed.
/// - `linkedAgents`: every vendor's people once (see [`people_calls`]).
///
/// Critical path: `GET /teams`, then the member lists (all at once): 2 round trips;
/// Webex's locations and then their lists take 2 beside them, everything else 1.
fn wallboard_minimum(data: &Value, facts: &Facts) -> anyhow::Result<Minimum> {
    let teams = nodes(&data["teams"], "teams")?;
    ensure!(teams.len() == TEAMS, "{} teams, not {TEAMS}", teams.len());
    let mut linked = 0;
    for team in teams {
        let members = nodes(&team["members"], "members")?;
        let presence = nodes(&team["presence"], "presence")?;
        ensure!(
            members.len() == MEMBERS_PER_TEAM && presence.len() == MEMBERS_PER_TEAM,
            "team {} has {} members and {} presences, not {MEMBERS_PER_TEAM}",
            team["name"],
            members.len(),
            presence.len()
        );
        ensure!(
            members.iter().all(|m| m["email"].is_string()
                && m["presence"]["availability"].is_string()
                && m["linkedAgents"].is_array()),
            "a member without email, presence or linked agents in {team}"
        );
        linked += members
            .iter()
            .filter(|m| m["linkedAgents"].as_array().is_some_and(|l| !l.is_empty()))
            .count();
    }
    let n = teams.len() as u64;
    let (people, people_how) = people_calls(facts);
    Ok(Minimum {
        calls: 1 + n + 1 + people,
        calls_how: format!(
            "`GET /teams` 1 + `GET /teams/{{id}}/agents` {n} (they carry name and email) + \
             `GET /agents/presence` 1 (every agent's presence; serves members' and teams' presence) + \
             every vendor's people for `linkedAgents`: {people_how}"
        ),
        round_trips: 2,
        round_trips_how: "`GET /teams` → member lists; Webex's locations → their lists beside them; \
                          the rest, one each, beside them too"
            .into(),
        shape: format!(
            "{n} teams × {MEMBERS_PER_TEAM} members, {} agents with presence and linked agents \
             ({linked} of them with accounts elsewhere)",
            n as usize * MEMBERS_PER_TEAM
        ),
    })
}

/// The directory's minimum:
///
/// - Every vendor's people once (see [`people_calls`]): the page comes from the same
///   lists `linkedAgents` matches against, so they serve both.
/// - Presence: Dixa's agents on the page all at once (`GET /agents/presence`, 1, when
///   any is there); Vonage's one by one (`GET /agents/{id}/presence`, Vonage has no bulk
///   read: 1 per Vonage agent on the page); Webex and AICC report none.
/// - An agent's supervisors: Webex has no "supervisors of an agent" call, so its
///   supervisor list (1) and each supervisor's agents (1 per supervisor); the other
///   vendors do not say.
///
/// Critical path: 2 round trips (Vonage's users, then their presence; Webex's
/// locations, then their lists; Webex's supervisors, then each one's agents).
fn directory_minimum(data: &Value, facts: &Facts) -> anyhow::Result<Minimum> {
    let page = nodes(&data["agents"], "agents")?;
    let on_page = |vendor: &str| page.iter().filter(|n| n["vendor"] == vendor).count() as u64;
    let total = data["agents"]["totalCount"].as_u64().context("no totalCount")?;
    ensure!(
        page.len() == 200.min(total as usize),
        "{} agents on the page of {total}",
        page.len()
    );
    for vendor in ["DIXA", "WEBEX", "HUAWEI_AICC", "VONAGE"] {
        ensure!(on_page(vendor) > 0, "no {vendor} agent on the page: {data}");
    }
    ensure!(
        page.iter()
            .filter(|n| n["vendor"] == "DIXA" || n["vendor"] == "VONAGE")
            .all(|n| n["presence"]["availability"].is_string()),
        "a Dixa or Vonage agent without presence: {data}"
    );
    let supervised = page
        .iter()
        .filter(|n| n["supervisors"].as_array().is_some_and(|s| !s.is_empty()))
        .count();
    let linked = page
        .iter()
        .filter(|n| n["linkedAgents"].as_array().is_some_and(|l| !l.is_empty()))
        .count();
    let (people, people_how) = people_calls(facts);
    let vonage = on_page("VONAGE");
    let supervisors = 1 + facts.webex_supervisors;
    Ok(Minimum {
        calls: people + 1 + vonage + supervisors,
        calls_how: format!(
            "every vendor's people: {people_how} + Dixa `GET /agents/presence` 1 + Vonage presence \
             {vonage} (one per Vonage agent on the page, no bulk read) + Webex supervisors 1 and \
             each one's agents {s}",
            s = facts.webex_supervisors
        ),
        round_trips: 2,
        round_trips_how: "Vonage users → their presence; Webex locations → their lists; Webex \
                          supervisors → their agents; all beside each other"
            .into(),
        shape: format!(
            "{} of {total} agents (Dixa {}, Webex {}, AICC {}, Vonage {}); {supervised} with \
             supervisors, {linked} with accounts elsewhere",
            page.len(),
            on_page("DIXA"),
            on_page("WEBEX"),
            on_page("HUAWEI_AICC"),
            vonage
        ),
    })
}

/// The entities scenario's minimum, from Dixa's endpoints: the query shows what Dixa's
/// agent list carries (`id`, `name`, `email`), so the agents come from `GET /agents`,
/// one page of up to 500 (`pageLimit`'s largest): ⌈agents / 500⌉ calls, one after the
/// other (each page's key comes with the one before). `GET /agents/{id}` would take one
/// call per representation.
fn entities_minimum(data: &Value, _facts: &Facts) -> anyhow::Result<Minimum> {
    let entities = data["_entities"]
        .as_array()
        .with_context(|| format!("no _entities: {data}"))?;
    ensure!(
        entities.len() == ENTITY_AGENTS,
        "{} entities, not {ENTITY_AGENTS}",
        entities.len()
    );
    ensure!(
        entities
            .iter()
            .all(|e| e["vendor"] == "DIXA" && e["displayName"].is_string() && e["email"].is_string()),
        "an entity missing or without its fields: {data}"
    );
    let pages = (entities.len() as u64).div_ceil(DIXA_MAX_PAGE);
    Ok(Minimum {
        calls: pages,
        calls_how: format!(
            "Dixa `GET /agents` {pages} (pages of up to {DIXA_MAX_PAGE}; each agent comes with name and email)"
        ),
        round_trips: pages as u32,
        round_trips_how: "the agent list's pages, one after the other".into(),
        shape: format!("{} Dixa agent representations", entities.len()),
    })
}

/// What one read scenario measured against one cache.
#[derive(Debug, Clone)]
pub struct CacheRun {
    /// Which cache.
    pub cache: &'static str,
    /// One query at a time with an empty cache (a fresh tenant each; with the cache
    /// off, every query).
    pub cold: Stats,
    /// Vendor calls over the cold queries.
    pub cold_calls: Calls,
    /// Closed loop with `clients` clients: the peak throughput.
    pub peak: Run,
    /// Requests sent during the peak run, warm-up included (what `peak_calls` and
    /// `peak_cpu` divide by).
    pub peak_requests: usize,
    /// Vendor calls during the peak run.
    pub peak_calls: Calls,
    /// The peak run's wall time, warm-up included (what the CPU times divide by).
    pub peak_wall: Duration,
    /// The gateway's CPU time during the peak run.
    pub peak_cpu: Duration,
    /// This process's CPU time (load generator and simulators) during the peak run.
    pub client_cpu: Duration,
    /// Paced at half the peak throughput (not with the cache off).
    pub half: Option<Run>,
    /// Tenants the cold samples' gateway served.
    pub cold_tenants: usize,
    /// The cold samples' gateway's resident memory before its first query.
    pub cold_idle: Memory,
    /// The cold samples' gateway's resident memory after them.
    pub cold_memory: Memory,
    /// The load runs' gateway (one tenant) before its first query.
    pub idle: Memory,
    /// The load runs' gateway after all of them.
    pub memory: Memory,
    /// Times the gateways logged their cache store failing (a Redis call over
    /// `cache.redis_timeout_ms`, say), after which they served from the vendors.
    pub store_failures: usize,
}

/// A read scenario measured against every cache.
#[derive(Debug, Clone)]
pub struct ScenarioResult {
    /// The scenario's name.
    pub name: &'static str,
    /// Its query.
    pub query: &'static str,
    /// The minimum, derived from its answer.
    pub minimum: Minimum,
    /// One per cache.
    pub runs: Vec<CacheRun>,
}

/// A fresh Redis namespace.
pub fn redis_cache(options: &Options) -> CacheMode {
    CacheMode::Redis {
        url: options.redis_url.clone(),
        namespace: format!("bench-{}", uuid::Uuid::new_v4()),
    }
}

fn progress(line: &str) {
    eprintln!("[bench] {line}");
}

/// Runs `scenario` against each cache: its cold samples on one fresh gateway, its load
/// runs on another.
pub async fn run_scenario(
    scenario: &Scenario,
    facts: &Facts,
    sims: &Sims,
    options: &Options,
    namespaces: &mut Vec<String>,
) -> anyhow::Result<ScenarioResult> {
    let http = reqwest::Client::new();
    let mut minimum = None;
    let mut runs = Vec::new();
    for cache in [CacheMode::Memory, redis_cache(options), CacheMode::Off] {
        if let CacheMode::Redis { namespace, .. } = &cache {
            namespaces.push(namespace.clone());
        }
        let label = cache.label();
        let log = |phase: &str| {
            options.log_dir.join(format!(
                "{}-{}-{phase}.log",
                scenario.name.to_lowercase(),
                cache.slug()
            ))
        };
        let off = matches!(cache, CacheMode::Off);

        // The cold samples get a gateway of their own: each tenant costs the gateway some
        // memory of its own, which the load runs' gateway (one tenant) should not carry.
        // One tenant more than the samples: the process's first query, not sampled.
        let cold_tenants = if off { 0 } else { options.cold_samples + 1 };
        let gateway = Gateway::start(sims, cache.clone(), cold_tenants, &log("cold"))?;
        gateway.ready(&http).await?;
        let cold_idle = gateway.memory()?;
        let client = Client::new(http.clone(), &gateway.url);
        // A fresh process's first query also pays what only a first query does (its
        // first allocations, pages of code and data touched for the first time): run on
        // a tenant of its own, not sampled, as production serves it once per process.
        let first = if off {
            WARM_TENANT.to_owned()
        } else {
            cold_tenant(options.cold_samples)
        };
        client
            .data(&Request::new(
                scenario.query,
                scenario.variables.clone(),
                bearer(&first),
            ))
            .await
            .with_context(|| format!("{} first query", scenario.name))?;

        // Cold, at light load: one query at a time, each finding its cache empty.
        progress(&format!(
            "{}: {label}: {} cold queries",
            scenario.name, options.cold_samples
        ));
        sims.reset_calls().await?;
        let mut cold = Vec::with_capacity(options.cold_samples);
        for i in 0..options.cold_samples {
            let tenant = if off {
                WARM_TENANT.to_owned()
            } else {
                cold_tenant(i)
            };
            let request = Request::new(scenario.query, scenario.variables.clone(), bearer(&tenant));
            let (data, latency) = client
                .data(&request)
                .await
                .with_context(|| format!("{} cold query", scenario.name))?;
            if minimum.is_none() {
                minimum = Some((scenario.minimum)(&data, facts)?);
            }
            cold.push(latency);
        }
        let cold_calls = sims.calls().await?;
        let cold_memory = gateway.memory()?;
        let mut store_failures = count_in(&log("cold"), "cache store failing");
        drop(gateway);

        // Warm: a gateway serving one tenant, its cache filled by one query, then as fast
        // as it goes.
        let gateway = Gateway::start(sims, cache.clone(), 0, &log("warm"))?;
        gateway.ready(&http).await?;
        let idle = gateway.memory()?;
        let client = Client::new(http.clone(), &gateway.url);
        let request = Request::new(scenario.query, scenario.variables.clone(), bearer(WARM_TENANT));
        client.data(&request).await?;
        progress(&format!(
            "{}: {label}: closed loop, {} clients, {:?}",
            scenario.name, options.clients, options.window
        ));
        sims.reset_calls().await?;
        let (cpu_before, self_before) = (gateway.cpu_time()?, cluster::cpu_time_of("/proc/self/stat")?);
        let bounds = options.bounds();
        let wall = std::time::Instant::now();
        let peak = load::closed_loop(&client, &request, options.clients, bounds).await;
        let peak_wall = wall.elapsed();
        let peak_cpu = gateway.cpu_time()?.saturating_sub(cpu_before);
        let client_cpu = cluster::cpu_time_of("/proc/self/stat")?.saturating_sub(self_before);
        let peak_calls = sims.calls().await?;
        let peak_requests = peak.sent;
        if let Some(failure) = &peak.first_failure {
            progress(&format!(
                "{}: {label}: failures, the first: {failure}",
                scenario.name
            ));
        }

        let half = if off {
            None
        } else {
            let rate = peak.throughput() / 2.0;
            progress(&format!("{}: {label}: paced at {rate:.0}/s", scenario.name));
            Some(load::paced(&client, &request, rate, options.clients, bounds).await)
        };
        store_failures += count_in(&log("warm"), "cache store failing");
        runs.push(CacheRun {
            cache: label,
            cold: Stats::of(&cold),
            cold_calls,
            cold_tenants: cold_tenants + 1,
            cold_idle,
            cold_memory,
            peak,
            peak_requests,
            peak_calls,
            peak_wall,
            peak_cpu,
            client_cpu,
            half,
            idle,
            memory: gateway.memory()?,
            store_failures,
        });
    }
    Ok(ScenarioResult {
        name: scenario.name,
        query: scenario.query,
        minimum: minimum.context("no cold query ran")?,
        runs,
    })
}

/// How many lines of the file at `path` hold `needle`.
fn count_in(path: &std::path::Path, needle: &str) -> usize {
    std::fs::read_to_string(path).map_or(0, |text| text.lines().filter(|l| l.contains(needle)).count())
}

/// What the write-then-read scenario measured.
#[derive(Debug, Clone)]
pub struct WriteRead {
    /// Writes made (alternately adding and removing one member).
    pub iterations: usize,
    /// The mutation on gateway A.
    pub write: Stats,
    /// The read on gateway B right after it.
    pub read: Stats,
    /// From the start of the write to the end of the read.
    pub visible: Stats,
    /// Reads that did not show the write.
    pub stale: usize,
    /// Vendor calls over every write and read.
    pub calls: Calls,
    /// Both gateways' resident memory afterwards.
    pub memory: [Memory; 2],
}

/// Two gateways sharing one Redis namespace: one writes, the other reads.
pub async fn write_then_read(
    sims: &Sims,
    options: &Options,
    namespaces: &mut Vec<String>,
) -> anyhow::Result<WriteRead> {
    let http = reqwest::Client::new();
    let cache = redis_cache(options);
    if let CacheMode::Redis { namespace, .. } = &cache {
        namespaces.push(namespace.clone());
    }
    let a = Gateway::start(sims, cache.clone(), 0, &options.log_dir.join("write-read-a.log"))?;
    let b = Gateway::start(sims, cache, 0, &options.log_dir.join("write-read-b.log"))?;
    a.ready(&http).await?;
    b.ready(&http).await?;
    let (writer, reader) = (
        Client::new(http.clone(), &a.url),
        Client::new(http.clone(), &b.url),
    );
    let auth = bearer(WARM_TENANT);

    let (ids, _) = writer.data(&Request::new(IDS, json!({}), auth.clone())).await?;
    let teams = nodes(&ids["teams"], "teams")?;
    ensure!(teams.len() == 2, "two teams needed: {ids}");
    let team = teams[0]["id"].clone();
    let agent = nodes(&teams[1]["members"], "members")?
        .first()
        .map(|m| m["id"].clone())
        .context("a member of the second team")?;
    let variables = json!({ "team": team, "agent": agent });
    let read = Request::new(READ_TEAM, variables.clone(), auth.clone());
    let add = Request::new(ADD_MEMBER, variables.clone(), auth.clone());
    let remove = Request::new(REMOVE_MEMBER, variables, auth);
    let shows_agent = |data: &Value| -> anyhow::Result<bool> {
        Ok(nodes(&data["team"]["members"], "members")?
            .iter()
            .any(|m| m["id"] == agent))
    };
    // Both replicas have read the team, so the read after a write is a cache miss only
    // if the write cleared the shared entry.
    let (before, _) = reader.data(&read).await?;
    ensure!(!shows_agent(&before)?, "the agent is already a member");
    writer.data(&read).await?;

    progress(&format!("write then read: {} writes", options.writes));
    sims.reset_calls().await?;
    let (mut writes, mut reads, mut visible, mut stale) = (Vec::new(), Vec::new(), Vec::new(), 0);
    for i in 0..options.writes {
        let adding = i % 2 == 0;
        let started = std::time::Instant::now();
        let (_, write) = writer.data(if adding { &add } else { &remove }).await?;
        let (data, latency) = reader.data(&read).await?;
        visible.push(started.elapsed());
        writes.push(write);
        reads.push(latency);
        if shows_agent(&data)? != adding {
            stale += 1;
        }
    }
    let calls = sims.calls().await?;
    if options.writes % 2 == 1 {
        writer.data(&remove).await?;
    }
    Ok(WriteRead {
        iterations: options.writes,
        write: Stats::of(&writes),
        read: Stats::of(&reads),
        visible: Stats::of(&visible),
        stale,
        calls,
        memory: [a.memory()?, b.memory()?],
    })
}

/// Deletes every key under the namespaces the runs used (`SCAN`, never `KEYS`: the
/// Redis may be shared).
pub async fn clean_redis(url: &str, namespaces: &[String]) -> anyhow::Result<usize> {
    let client = redis::Client::open(url)?;
    let mut connection = client.get_multiplexed_async_connection().await?;
    let mut deleted = 0;
    for namespace in namespaces {
        let mut cursor: u64 = 0;
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(format!("{namespace}:*"))
                .arg("COUNT")
                .arg(1000)
                .query_async(&mut connection)
                .await?;
            if !keys.is_empty() {
                let n: usize = redis::cmd("DEL").arg(&keys).query_async(&mut connection).await?;
                deleted += n;
            }
            if next == 0 {
                break;
            }
            cursor = next;
        }
    }
    Ok(deleted)
}

/// Fails unless Redis answers at `url`.
pub async fn check_redis(url: &str) -> anyhow::Result<()> {
    let client = redis::Client::open(url)?;
    let connect = client.get_multiplexed_async_connection();
    let Ok(connection) = tokio::time::timeout(Duration::from_secs(2), connect).await else {
        bail!("Redis at {url} does not answer (./scripts/test.sh starts one; or set BENCH_REDIS_URL)");
    };
    let mut connection = connection.with_context(|| format!("connecting to Redis at {url}"))?;
    let _: String = redis::cmd("PING").query_async(&mut connection).await?;
    Ok(())
}
