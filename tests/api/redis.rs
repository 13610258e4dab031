//! The Redis cache against a real Redis: two replicas sharing it read each other's
//! writes, a read in flight during a write never stores its stale answer, tenants stay
//! apart, concurrent misses share one vendor call (and its failure), and Redis going
//! away costs no client an error. The machine's Redis (127.0.0.1:6379, or `REDIS_URL`)
//! is used with a cache namespace of each test's own; the test that kills Redis starts
//! its own `redis-server` on a free port. `./scripts/test.sh` installs and starts Redis
//! and sets `REQUIRE_REDIS=1`, which makes its absence a failure.

use std::{
    net::{SocketAddr, TcpListener, TcpStream},
    process::{Child, Command, Stdio},
    time::Duration,
};

use reqwest::Method;
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_beside, spawn_app_with};

/// The shared Redis, or `None` (the test then skips, unless `REQUIRE_REDIS=1`).
pub fn shared_redis() -> Option<String> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let addr: SocketAddr = url
        .trim_start_matches("redis://")
        .split('/')
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| "127.0.0.1:6379".parse().unwrap());
    if TcpStream::connect_timeout(&addr, Duration::from_millis(300)).is_ok() {
        return Some(url);
    }
    let required = std::env::var("REQUIRE_REDIS").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "Redis is required at {url}; ./scripts/test.sh starts it"
    );
    eprintln!("NOTICE: skipping a Redis test, no Redis at {url}");
    None
}

pub fn with_redis(url: &str) -> impl FnOnce(&mut switchboard::config::Settings) + use<> {
    let url = url.to_owned();
    move |s| {
        s.cache.redis_url = Some(SecretString::from(url));
        s.cache.redis_timeout_ms = 200;
    }
}

const TEAMS: &str = "{ teams(first: 50) { totalCount nodes { id name members(first: 50) { totalCount } } } }";

fn team_names(data: &Value) -> Vec<String> {
    data["teams"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn replicas_share_the_cache_and_read_each_others_writes() {
    let Some(url) = shared_redis() else { return };
    let a = spawn_app_with(with_redis(&url)).await;
    let b = spawn_app_beside(&a, with_redis(&url)).await;

    // A's read fills Redis; B's is served from it.
    let first = a.data(TEAMS, json!({})).await;
    assert_eq!(first["teams"]["totalCount"], 3);
    assert_eq!(a.calls("dixa", "GET /teams").await, 1);
    assert_eq!(b.data(TEAMS, json!({})).await, first);
    assert_eq!(a.calls("dixa", "GET /teams").await, 1, "B read A's entry");

    // Dixa: a team created on B is listed on A.
    let created = b
        .data(
            r#"mutation { createTeam(input: { name: "Night shift" }) { team { id } } }"#,
            json!({}),
        )
        .await;
    let team = created["createTeam"]["team"]["id"].clone();
    let after = a.data(TEAMS, json!({})).await;
    assert!(team_names(&after).contains(&"Night shift".to_owned()), "{after}");

    // Dixa: members added on B show on A.
    let members = "query($t: ID!) { team(id: $t) { members(first: 50) { totalCount } } }";
    assert_eq!(
        a.data(members, json!({ "t": team })).await["team"]["members"]["totalCount"],
        0
    );
    let agent = first["teams"]["nodes"][0]["id"].clone();
    let some_member = a
        .data(
            "query($t: ID!) { team(id: $t) { members(first: 1) { nodes { id } } } }",
            json!({ "t": agent }),
        )
        .await["team"]["members"]["nodes"][0]["id"]
        .clone();
    b.data(
        "mutation($t: ID!, $a: [ID!]!) { addTeamMembers(input: { teamId: $t, agentIds: $a }) { team { id } } }",
        json!({ "t": team, "a": [some_member] }),
    )
    .await;
    assert_eq!(
        a.data(members, json!({ "t": team })).await["team"]["members"]["totalCount"],
        1
    );

    // Vonage: a user renamed on B is renamed on A.
    let users = "{ users(first: 100) { nodes { id name } } }";
    let listed = a.data(users, json!({})).await;
    let user = listed["users"]["nodes"][0]["id"].clone();
    b.data(
        "mutation($input: UpdateUserInput!) { updateUser(input: $input) { user { name } } }",
        json!({ "input": { "userId": user, "name": "Renamed Person" } }),
    )
    .await;
    let relisted = a.data(users, json!({})).await;
    assert!(relisted.to_string().contains("Renamed Person"), "{relisted}");

    // Huawei AICC: an account deleted on B is gone on A.
    let listed = a
        .data(
            "{ agents(filter: { vendors: [HUAWEI_AICC] }, first: 1) {
                 nodes { details { ... on AiccAgentDetails { account } } } } }",
            json!({}),
        )
        .await;
    let name = listed["agents"]["nodes"][0]["details"]["account"].clone();
    let account = "query($a: String!) { aiccAgent(account: $a) { displayName } }";
    assert!(!a.data(account, json!({ "a": name })).await["aiccAgent"].is_null());
    b.data(
        "mutation($a: String!) { deleteAgentAccount(input: { account: $a }) { account } }",
        json!({ "a": name }),
    )
    .await;
    assert!(a.data(account, json!({ "a": name })).await["aiccAgent"].is_null());
}

#[tokio::test]
async fn a_read_in_flight_during_a_write_does_not_store_its_stale_answer() {
    let Some(url) = shared_redis() else { return };
    let a = spawn_app_with(with_redis(&url)).await;
    let b = spawn_app_beside(&a, with_redis(&url)).await;
    // The list read is slow, once.
    a.fault(
        "dixa",
        json!({ "route": "GET /teams", "latencyMs": 600, "times": 1 }),
    )
    .await;
    let slow_read = tokio::spawn(post(a.client.clone(), a.url("/graphql"), a.bearer(), TEAMS));
    tokio::time::sleep(Duration::from_millis(200)).await;
    b.data(
        r#"mutation { createTeam(input: { name: "Mid-read team" }) { team { id } } }"#,
        json!({}),
    )
    .await;
    let stale = slow_read.await.unwrap();
    assert!(stale.get("errors").is_none(), "{stale}");
    // The slow read saw the vendor before the write; its answer must not be the cache's.
    let reread = a.data(TEAMS, json!({})).await;
    assert!(
        team_names(&reread).contains(&"Mid-read team".to_owned()),
        "{reread}"
    );
    assert_eq!(
        a.calls("dixa", "GET /teams").await,
        2,
        "the re-read went to the vendor"
    );
}

#[tokio::test]
async fn tenants_with_identical_vendor_ids_never_share_entries() {
    let Some(url) = shared_redis() else { return };
    let a = spawn_app_with(with_redis(&url)).await;
    // A second tenant on the same Redis and namespace, over other simulators whose ids
    // are the same (both are seeded alike), renamed so the difference shows.
    let other = spawn_app_with(|s| {
        with_redis(&url)(s);
        s.cache.namespace = a.namespace.clone();
        let tenant = s.tenants.remove(crate::helpers::TENANT).unwrap();
        s.tenants.insert("other".into(), tenant);
    })
    .await;
    other
        .data(
            r#"mutation { createTeam(input: { name: "Only on other" }) { team { id } } }"#,
            json!({}),
        )
        .await;
    let mine = a.data(TEAMS, json!({})).await;
    let theirs = other.data(TEAMS, json!({})).await;
    assert!(!team_names(&mine).contains(&"Only on other".to_owned()), "{mine}");
    assert!(
        team_names(&theirs).contains(&"Only on other".to_owned()),
        "{theirs}"
    );
    assert_eq!(
        a.calls("dixa", "GET /teams").await,
        1,
        "each tenant read its own vendor"
    );
}

/// Posts `query` with `auth` to `url`; the answer.
async fn post(client: reqwest::Client, url: String, auth: String, query: &'static str) -> Value {
    client
        .post(url)
        .header("authorization", auth)
        .json(&json!({ "query": query }))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()
}

async fn concurrent(app: &TestApp, n: usize, query: &'static str) -> Vec<Value> {
    let requests = (0..n).map(|_| post(app.client.clone(), app.url("/graphql"), app.bearer(), query));
    futures::future::join_all(requests).await
}

#[tokio::test]
async fn concurrent_cold_queries_share_one_vendor_call_and_its_failure() {
    let Some(url) = shared_redis() else { return };
    let app = spawn_app_with(with_redis(&url)).await;
    app.fault(
        "dixa",
        json!({ "route": "GET /teams", "latencyMs": 300, "times": 1 }),
    )
    .await;
    let answers = concurrent(&app, 100, "{ teams { totalCount } }").await;
    assert!(
        answers.iter().all(|a| a["data"]["teams"]["totalCount"] == 3),
        "{:?}",
        &answers[0]
    );
    assert_eq!(app.calls("dixa", "GET /teams").await, 1);

    // Failing (a 500 is not retried): one call, and every waiter gets the failure.
    app.sim(Method::DELETE, "dixa", "/calls", None).await;
    app.data(
        "mutation { createTeam(input: { name: \"x\" }) { team { id } } }",
        json!({}),
    )
    .await;
    app.sim(Method::DELETE, "dixa", "/calls", None).await;
    app.fault(
        "dixa",
        json!({ "route": "GET /teams", "latencyMs": 300, "status": 500 }),
    )
    .await;
    let answers = concurrent(&app, 100, "{ teams { totalCount } }").await;
    assert!(
        answers
            .iter()
            .all(|a| a["errors"][0]["extensions"]["vendor"] == "DIXA"),
        "{:?}",
        &answers[0]
    );
    assert_eq!(app.calls("dixa", "GET /teams").await, 1, "one call, not 100");
}

/// A `redis-server` of the test's own on `port`, stopped when dropped.
pub struct OwnRedis(Child);

impl OwnRedis {
    pub fn start(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        let redis = Self(child);
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        for _ in 0..100 {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_ok() {
                return redis;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("redis-server did not start on {port}");
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn until_cache_ok(app: &TestApp, ok: bool) -> Value {
    let mut body = Value::Null;
    for _ in 0..100 {
        body = app.readyz().await.1;
        if body["cache"]["ok"] == ok {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the cache never became ok={ok}: {body}");
}

#[tokio::test]
async fn redis_going_away_costs_no_client_an_error() {
    if shared_redis().is_none() {
        return; // no redis-server here either
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let redis = OwnRedis::start(port);
    let app = spawn_app_with(|s| {
        with_redis(&format!("redis://127.0.0.1:{port}"))(s);
        s.server.readiness_interval_secs = 1;
    })
    .await;
    until_cache_ok(&app, true).await;
    assert_eq!(
        app.data("{ teams { totalCount } }", json!({})).await["teams"]["totalCount"],
        3
    );

    drop(redis);
    for _ in 0..5 {
        assert_eq!(
            app.data("{ teams { totalCount } }", json!({})).await["teams"]["totalCount"],
            3
        );
    }
    let degraded = until_cache_ok(&app, false).await;
    assert_eq!(degraded["status"], "degraded", "{degraded}");
    assert_eq!(degraded["cache"]["backend"], "redis");

    let _redis = OwnRedis::start(port);
    let ready = until_cache_ok(&app, true).await;
    assert_eq!(ready["status"], "ready", "{ready}");
    // Cached again: two reads, one vendor call.
    let before = app.calls("dixa", "GET /teams").await;
    app.data("{ teams { totalCount } }", json!({})).await;
    app.data("{ teams { totalCount } }", json!({})).await;
    assert_eq!(app.calls("dixa", "GET /teams").await, before + 1);
}

#[tokio::test]
async fn two_instances_share_one_dixa_budget_through_redis() {
    let Some(url) = shared_redis() else { return };
    let a = spawn_app_with(with_redis(&url)).await;
    let b = spawn_app_beside(&a, with_redis(&url)).await;
    a.seed_dixa(16, 1).await;
    let ids: Vec<String> = a.data("{ teams(first: 50) { nodes { id } } }", json!({})).await["teams"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 16);
    // Each instance asks for other teams' members at the same moment: alone, each
    // would stay within its own budget, together they would be twice Dixa's limit.
    let query = "query($id: ID!) { team(id: $id) { members { totalCount } } }";
    let (half_a, half_b) = ids.split_at(8);
    let asks = half_a
        .iter()
        .map(|id| (&a, id))
        .chain(half_b.iter().map(|id| (&b, id)))
        .map(|(app, id)| app.graphql(query, json!({ "id": id })));
    for body in futures::future::join_all(asks).await {
        assert!(body.get("errors").is_none(), "{body}");
        assert_eq!(body["data"]["team"]["members"]["totalCount"], 1, "{body}");
    }
    let limits = a.sim(Method::GET, "dixa", "/limits", None).await;
    assert_eq!(limits["limited"], 0, "no 429 from Dixa: {limits}");
    assert!(a.total_calls("dixa").await >= 17);
}

/// `calls` of `command` in `INFO commandstats`.
fn command_calls(info: &str, command: &str) -> u64 {
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("cmdstat_{command}:calls=")))
        .and_then(|rest| rest.split(',').next()?.parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn a_loader_batch_is_one_mget_however_many_keys_it_holds() {
    if shared_redis().is_none() {
        return;
    }
    // A Redis of its own: the shared one's counters hold every other test's commands.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _redis = OwnRedis::start(port);
    let url = format!("redis://127.0.0.1:{port}");
    // Whole answers off: this counts what the loaders read.
    let app = spawn_app_with(|s| {
        with_redis(&url)(s);
        s.cache.answer_ttl_ms = 0;
    })
    .await;
    let query = "{ teams(first: 20) { nodes { members(first: 20) { nodes { displayName presence { availability } } } } } }";
    let redis = ::redis::Client::open(url.as_str()).unwrap();
    let mut connection = redis.get_connection().unwrap();
    for teams in [3, 9] {
        app.seed_dixa(teams, 3).await;
        let _: () = ::redis::cmd("FLUSHALL").query(&mut connection).unwrap();
        // Cold: fills the cache; then the same query warm.
        let cold = app.data(query, json!({})).await;
        assert_eq!(cold["teams"]["nodes"].as_array().unwrap().len(), teams);
        let _: () = ::redis::cmd("CONFIG")
            .arg("RESETSTAT")
            .query(&mut connection)
            .unwrap();
        let warm = app.data(query, json!({})).await;
        assert_eq!(warm, cold);
        let info: String = ::redis::cmd("INFO")
            .arg("commandstats")
            .query(&mut connection)
            .unwrap();
        // The team list, then one MGET for every team's members, one for the members'
        // presence (the member lists carry what the query shows of an agent): three
        // reads for 3 teams or 9 (27 members), and nothing written.
        let reads = command_calls(&info, "mget") + command_calls(&info, "get");
        assert_eq!(reads, 3, "{teams} teams:\n{info}");
        assert_eq!(
            command_calls(&info, "set") + command_calls(&info, "evalsha"),
            0,
            "{info}"
        );
    }
}

/// `data[field]["totalCount"]`.
fn total(data: &Value, field: &str) -> i64 {
    data[field]["totalCount"]
        .as_i64()
        .unwrap_or_else(|| panic!("no {field} count in {data}"))
}

#[tokio::test]
async fn every_other_write_is_read_back_on_the_other_replica() {
    // `replicas_share_the_cache_and_read_each_others_writes` covers a create, an add, an
    // update and a delete; here every other mutation: each read on A first (so A's
    // cache holds it), written on B, read again on A.
    let Some(url) = shared_redis() else { return };
    let a = spawn_app_with(with_redis(&url)).await;
    let b = spawn_app_beside(&a, with_redis(&url)).await;

    // Dixa: members removed, then the team deleted.
    let teams = a.data(TEAMS, json!({})).await;
    let team = &teams["teams"]["nodes"][0];
    let members = "query($t: ID!) { team(id: $t) { members(first: 50) { totalCount nodes { id } } } }";
    let before = a.data(members, json!({ "t": team["id"] })).await;
    let member = before["team"]["members"]["nodes"][0]["id"].clone();
    b.data(
        "mutation($t: ID!, $a: [ID!]!) { removeTeamMembers(input: { teamId: $t, agentIds: $a }) { team { id } } }",
        json!({ "t": team["id"], "a": [member] }),
    )
    .await;
    let after = a.data(members, json!({ "t": team["id"] })).await;
    assert_eq!(
        total(&after["team"], "members"),
        total(&before["team"], "members") - 1
    );
    b.data(
        "mutation($t: ID!) { deleteTeam(input: { teamId: $t }) { deletedTeamId } }",
        json!({ "t": team["id"] }),
    )
    .await;
    assert!(a.data(members, json!({ "t": team["id"] })).await["team"].is_null());
    assert_eq!(
        total(&a.data(TEAMS, json!({})).await, "teams"),
        total(&teams, "teams") - 1
    );

    // Vonage: a user created, archived (it leaves the active users), then deleted.
    let users = "{ users(first: 100) { totalCount } }";
    let active = total(&a.data(users, json!({})).await, "users");
    let created = b
        .data(
            "mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } } }",
            json!({ "input": crate::vonage::minimal_example() }),
        )
        .await;
    let user = created["createUser"]["user"]["id"].clone();
    assert_eq!(total(&a.data(users, json!({})).await, "users"), active + 1);
    let read_user = "query($u: ID!) { user(id: $u) { id active } }";
    assert_eq!(
        a.data(read_user, json!({ "u": user })).await["user"]["active"],
        true
    );
    b.data(
        "mutation($u: ID!) { archiveUser(input: { userId: $u }) { user { id } } }",
        json!({ "u": user }),
    )
    .await;
    assert_eq!(total(&a.data(users, json!({})).await, "users"), active);
    assert_eq!(
        a.data(read_user, json!({ "u": user })).await["user"]["active"],
        false
    );
    b.data(
        "mutation($u: ID!) { deleteUser(input: { userId: $u }) { deletedUserId } }",
        json!({ "u": user }),
    )
    .await;
    assert!(a.data(read_user, json!({ "u": user })).await["user"].is_null());

    // Huawei AICC: an account created (read as missing first), then renamed.
    let account = "query($a: String!) { aiccAgent(account: $a) { displayName } }";
    let name = json!({ "a": "replica.agent" });
    assert!(a.data(account, name.clone()).await["aiccAgent"].is_null());
    let input = json!({
        "account": "replica.agent", "name": "Replica Agent", "password": "Sw1tchb0ard!Pw",
        "email": "replica.agent@example.com", "agentType": "AUDIO", "role": "AGENT",
    });
    b.data(
        "mutation($input: CreateAgentAccountInput!) { createAgentAccount(input: $input) { workNo } }",
        json!({ "input": input }),
    )
    .await;
    assert_eq!(
        a.data(account, name.clone()).await["aiccAgent"]["displayName"],
        "Replica Agent"
    );
    b.data(
        "mutation($input: UpdateAgentAccountInput!) { updateAgentAccount(input: $input) { agent { displayName } } }",
        json!({ "input": { "account": "replica.agent", "name": "Renamed Agent" } }),
    )
    .await;
    assert_eq!(
        a.data(account, name).await["aiccAgent"]["displayName"],
        "Renamed Agent"
    );

    // Webex: a supervisor created, an agent assigned and unassigned, then deleted.
    let ids = a
        .data(
            "{ availableSupervisors(first: 1) { nodes { id } }
               agents(filter: { vendors: [WEBEX] }, first: 2) { nodes { id } } }",
            json!({}),
        )
        .await;
    let person = ids["availableSupervisors"]["nodes"][0]["id"].clone();
    let agents: Vec<Value> = ids["agents"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].clone())
        .collect();
    let supervisors = "{ supervisors(filter: { vendors: [WEBEX] }) { totalCount } }";
    let count = total(&a.data(supervisors, json!({})).await, "supervisors");
    let created = b
        .data(
            "mutation($p: ID!, $a: [ID!]!) { createSupervisor(input: { personId: $p, agentIds: $a }) { supervisor { id } complete } }",
            json!({ "p": person, "a": [agents[0]] }),
        )
        .await;
    assert_eq!(created["createSupervisor"]["complete"], true, "{created}");
    let supervisor = created["createSupervisor"]["supervisor"]["id"].clone();
    assert_eq!(
        total(&a.data(supervisors, json!({})).await, "supervisors"),
        count + 1
    );
    let held = "query($s: ID!) { supervisor(id: $s) { agents(first: 50) { totalCount } } }";
    // The supervisor's agents, as replica A reads them.
    let held_by_supervisor = || async {
        total(
            &a.data(held, json!({ "s": supervisor })).await["supervisor"],
            "agents",
        )
    };
    assert_eq!(held_by_supervisor().await, 1);
    let change = |verb: &str| {
        format!(
            "mutation($s: ID!, $a: [ID!]!) {{ {verb}(input: {{ supervisorId: $s, agentIds: $a }}) {{ complete }} }}"
        )
    };
    b.data(
        &change("assignSupervisorAgents"),
        json!({ "s": supervisor, "a": [agents[1]] }),
    )
    .await;
    assert_eq!(held_by_supervisor().await, 2);
    b.data(
        &change("unassignSupervisorAgents"),
        json!({ "s": supervisor, "a": [agents[1]] }),
    )
    .await;
    assert_eq!(held_by_supervisor().await, 1);
    b.data(
        "mutation($s: [ID!]!) { deleteSupervisors(input: { supervisorIds: $s }) { deletedSupervisorIds } }",
        json!({ "s": [supervisor] }),
    )
    .await;
    assert_eq!(total(&a.data(supervisors, json!({})).await, "supervisors"), count);
    assert!(a.data(held, json!({ "s": supervisor })).await["supervisor"].is_null());
}
