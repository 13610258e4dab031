//! What the benchmark runs against: the vendor simulators (in this process, driven only
//! through their HTTP control API) and gateways, each the real `switchboard serve`
//! binary in a child process configured by `SWITCHBOARD_*` variables alone, so its
//! memory and CPU can be read from `/proc/<pid>` apart from the load generator's.
//!
//! Every gateway serves the same tenants: `warm` (the one load runs use) and `cold0`,
//! `cold1`, … (each used for one cold sample: the cache keys carry the tenant, so a
//! tenant's first query finds its cache empty, whatever the backend). All of them point
//! at the same simulators with the demo credentials.

use std::{
    collections::BTreeMap,
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context as _, anyhow, bail};
use serde_json::{Value, json};
use switchboard::sim::{self, RunningSimulators};

/// The simulators' path prefixes, as their control API names them.
pub const VENDORS: [&str; 4] = ["dixa", "webex", "huawei", "vonage"];

/// The tenant load runs use.
pub const WARM_TENANT: &str = "warm";

/// The tenant of cold sample `i`.
pub fn cold_tenant(i: usize) -> String {
    format!("cold{i}")
}

/// `Authorization` for `tenant`.
pub fn bearer(tenant: &str) -> String {
    format!("Bearer bench-key-{tenant}")
}

/// Calls in flight at once to one vendor, as the gateways are configured.
pub const MAX_CONCURRENT_CALLS: usize = 16;

/// The vendor simulators, on 127.0.0.1 port 0 in this process.
pub struct Sims {
    running: RunningSimulators,
    http: reqwest::Client,
}

impl Sims {
    /// Starts freshly seeded simulators.
    pub async fn start() -> anyhow::Result<Self> {
        let running = RunningSimulators::start("127.0.0.1:0".parse()?)
            .await
            .context("starting the vendor simulators")?;
        Ok(Self {
            running,
            http: reqwest::Client::new(),
        })
    }

    /// `{method} /{vendor}/_sim{path}` with `body`; the answer's JSON (null when empty).
    pub async fn control(
        &self,
        method: reqwest::Method,
        vendor: &str,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let url = format!("http://{}/{vendor}/_sim{path}", self.running.addr);
        let mut request = self.http.request(method.clone(), &url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.with_context(|| format!("{method} {url}"))?;
        let status = response.status();
        let text = response.text().await?;
        if !status.is_success() {
            bail!("{method} {url}: {status} {text}");
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Every vendor answers every call `ms` after it arrived, its own work included (a
    /// fault rule without a route matches every route), replacing any earlier rule.
    pub async fn set_latency(&self, ms: u64) -> anyhow::Result<()> {
        for vendor in VENDORS {
            self.control(reqwest::Method::DELETE, vendor, "/faults", None)
                .await?;
            self.control(
                reqwest::Method::POST,
                vendor,
                "/faults",
                Some(json!({ "respondAtMs": ms })),
            )
            .await?;
        }
        Ok(())
    }

    /// Replaces Dixa's organisation with `teams` teams of `members` agents each, and
    /// turns its rate limit off (the load runs would otherwise measure Dixa's 10/s).
    pub async fn seed_dixa(&self, teams: usize, members: usize) -> anyhow::Result<()> {
        self.control(
            reqwest::Method::PUT,
            "dixa",
            "/limits",
            Some(json!({ "perSecond": null })),
        )
        .await?;
        self.control(
            reqwest::Method::POST,
            "dixa",
            "/seed",
            Some(json!({ "teams": teams, "membersPerTeam": members })),
        )
        .await
        .map(drop)
    }

    /// The ids of every agent of Dixa's organisation, read from its simulator's API
    /// (`GET /agents`, as a client would; counted like any call, so read before a reset).
    pub async fn dixa_agent_ids(&self) -> anyhow::Result<Vec<String>> {
        let mut ids = Vec::new();
        let mut page_key: Option<String> = None;
        loop {
            let mut request = self
                .http
                .get(self.running.url("dixa/v1/agents"))
                .header("authorization", sim::dixa::DEMO_TOKEN)
                .query(&[("pageLimit", "500")]);
            if let Some(key) = &page_key {
                request = request.query(&[("pageKey", key)]);
            }
            let page: Value = request.send().await?.error_for_status()?.json().await?;
            for agent in page["data"].as_array().context("Dixa's agent list has no data")? {
                ids.push(agent["id"].as_str().context("an agent without id")?.to_owned());
            }
            let next = page["meta"]["next"].as_str().and_then(|next| {
                url::Url::parse(next)
                    .ok()?
                    .query_pairs()
                    .find(|(k, _)| k == "pageKey")
                    .map(|(_, v)| v.into_owned())
            });
            match next {
                Some(key) => page_key = Some(key),
                None => return Ok(ids),
            }
        }
    }

    /// Calls received since the last reset, by `"{vendor} {route}"`.
    pub async fn calls(&self) -> anyhow::Result<Calls> {
        let mut out = BTreeMap::new();
        for vendor in VENDORS {
            let calls = self.control(reqwest::Method::GET, vendor, "/calls", None).await?;
            for (route, n) in calls.as_object().into_iter().flatten() {
                out.insert(format!("{vendor} {route}"), n.as_u64().unwrap_or(0));
            }
        }
        Ok(Calls(out))
    }

    /// Forgets every vendor's counts.
    pub async fn reset_calls(&self) -> anyhow::Result<()> {
        for vendor in VENDORS {
            self.control(reqwest::Method::DELETE, vendor, "/calls", None)
                .await?;
        }
        Ok(())
    }

    /// The `SWITCHBOARD_TENANTS__<tenant>__…` variables pointing `tenant` at these
    /// simulators with the demo credentials.
    fn tenant_env(&self, tenant: &str) -> Vec<(String, String)> {
        let t = tenant.to_ascii_uppercase();
        let var = |key: &str| format!("SWITCHBOARD_TENANTS__{t}__{key}");
        let url = |prefix: &str| self.running.url(prefix).to_string();
        vec![
            (var("API_KEYS"), format!("[\"bench-key-{tenant}\"]")),
            (var("DIXA__BASE_URL"), url("dixa/v1")),
            (var("DIXA__API_TOKEN"), sim::dixa::DEMO_TOKEN.to_owned()),
            (var("WEBEX__BASE_URL"), url("webex/v1")),
            (var("WEBEX__ACCESS_TOKEN"), sim::webex::DEMO_TOKEN.to_owned()),
            (var("WEBEX__ORG_ID"), sim::webex::org_id()),
            (var("HUAWEI__BASE_URL"), url("huawei")),
            (var("HUAWEI__APP_KEY"), sim::huawei::DEMO_APP_KEY.to_owned()),
            (var("HUAWEI__APP_SECRET"), sim::huawei::DEMO_APP_SECRET.to_owned()),
            (var("VONAGE__BASE_URL"), url("vonage")),
            (var("VONAGE__TOKEN_URL"), url("vonage/Auth/connect/token")),
            (var("VONAGE__CLIENT_ID"), sim::vonage::DEMO_CLIENT_ID.to_owned()),
            (
                var("VONAGE__CLIENT_SECRET"),
                sim::vonage::DEMO_CLIENT_SECRET.to_owned(),
            ),
        ]
    }
}

/// Vendor calls by `"{vendor} {route}"`.
#[derive(Debug, Clone, Default)]
pub struct Calls(pub BTreeMap<String, u64>);

impl Calls {
    /// Every call.
    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }

    /// `"GET /teams ×1, …"` per query over `queries` queries, biggest first.
    pub fn per_query(&self, queries: usize) -> String {
        let mut routes: Vec<(&String, &u64)> = self.0.iter().filter(|(_, n)| **n > 0).collect();
        routes.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        routes
            .iter()
            .map(|(route, n)| format!("`{route}` ×{}", fmt_ratio(**n, queries)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `n / d` with at most two decimals, trailing zeros dropped.
pub fn fmt_ratio(n: u64, d: usize) -> String {
    let value = n as f64 / d.max(1) as f64;
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Where a gateway keeps its cache.
#[derive(Debug, Clone)]
pub enum CacheMode {
    /// In process, default TTLs.
    Memory,
    /// Redis at `url`, keys under `namespace`, default TTLs.
    Redis {
        /// `redis://…`.
        url: String,
        /// The key prefix.
        namespace: String,
    },
    /// Every TTL zero: nothing is stored (in process; concurrent misses of one key
    /// still share one vendor call).
    Off,
}

impl CacheMode {
    /// How the report names it.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Memory => "in-process cache",
            Self::Redis { .. } => "Redis cache",
            Self::Off => "cache off (TTLs 0)",
        }
    }

    /// A short name for file names.
    pub fn slug(&self) -> &'static str {
        match self {
            Self::Memory => "memory",
            Self::Redis { .. } => "redis",
            Self::Off => "off",
        }
    }

    fn env(&self) -> Vec<(String, String)> {
        let var = |k: &str, v: &str| (format!("SWITCHBOARD_CACHE__{k}"), v.to_owned());
        match self {
            Self::Memory => Vec::new(),
            Self::Redis { url, namespace } => vec![var("REDIS_URL", url), var("NAMESPACE", namespace)],
            Self::Off => vec![
                var("DIRECTORY_TTL_SECS", "0"),
                var("PRESENCE_TTL_SECS", "0"),
                var("REFERENCE_TTL_SECS", "0"),
                var("ANSWER_TTL_MS", "0"),
            ],
        }
    }
}

/// A `switchboard serve` child process, killed when dropped.
pub struct Gateway {
    child: Child,
    /// `http://127.0.0.1:port`.
    pub url: String,
}

impl Gateway {
    /// Starts the binary with `cache`, tenants `warm` and `cold0..cold_tenants`, the
    /// readiness probe made once (its first round fetches every tenant's vendor tokens and
    /// opens connections, without touching the read cache) and then only hourly, and
    /// its log in `log`. Waits until it serves.
    pub fn start(sims: &Sims, cache: CacheMode, cold_tenants: usize, log: &Path) -> anyhow::Result<Self> {
        Self::start_with(sims, cache, cold_tenants, log, &[])
    }

    /// [`Gateway::start`] with `env` set besides.
    pub fn start_with(
        sims: &Sims,
        cache: CacheMode,
        cold_tenants: usize,
        log: &Path,
        env: &[(&str, String)],
    ) -> anyhow::Result<Self> {
        let mut command = Command::new(env!("CARGO_BIN_EXE_switchboard"));
        command.arg("serve");
        for (key, _) in std::env::vars() {
            if key.starts_with("SWITCHBOARD_") || key == "RUST_LOG" {
                command.env_remove(key);
            }
        }
        // `BENCH_GATEWAY_LOG` is the gateways' `RUST_LOG`, for looking into a run (their
        // logs are under target/tmp/gateway-bench-logs).
        if let Ok(filter) = std::env::var("BENCH_GATEWAY_LOG") {
            command.env("RUST_LOG", filter);
        }
        command.env("SWITCHBOARD_LISTEN", "127.0.0.1:0");
        command.env("SWITCHBOARD_SERVER__READINESS_INTERVAL_SECS", "3600");
        command.env("SWITCHBOARD_SERVER__READINESS_TIMEOUT_MS", "10000");
        // The simulators' rate limits are off (see `Sims::seed_dixa`), and so are the
        // gateway's budgets: the scenarios measure the gateway, not a vendor's limit.
        command.env("SWITCHBOARD_HTTP__BUDGETS__DIXA__PER_SECOND", "0");
        // A wallboard's second round trip is a dozen independent Dixa calls (a member
        // list per team, every agent's presence, the agent list): the cap on calls in
        // flight to one vendor (8 by default) is raised to let them all go at once, as
        // the critical path counts them.
        command.env(
            "SWITCHBOARD_HTTP__MAX_CONCURRENT_CALLS",
            MAX_CONCURRENT_CALLS.to_string(),
        );
        // The load generator is one client: no per-client or per-tenant request rate.
        command.env("SWITCHBOARD_AUTH__CLIENT_REQUESTS_PER_SECOND", "0");
        command.env("SWITCHBOARD_AUTH__TENANT_REQUESTS_PER_SECOND", "0");
        command.envs(cache.env());
        command.envs(env.iter().map(|(k, v)| (*k, v.as_str())));
        let tenants = std::iter::once(WARM_TENANT.to_owned()).chain((0..cold_tenants).map(cold_tenant));
        for tenant in tenants {
            command.envs(sims.tenant_env(&tenant));
        }
        let log_file = std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file);
        let mut child = command.spawn().context("starting switchboard serve")?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut lines = BufReader::new(stdout).lines();
        let mut printed = String::new();
        let url = loop {
            let Some(line) = lines.next() else {
                let _ = child.kill();
                let _ = child.wait();
                bail!(
                    "switchboard serve stopped before serving (log: {}): {printed}",
                    log.display()
                );
            };
            let line = line?;
            printed.push_str(&line);
            printed.push('\n');
            if let Some(rest) = line.split("GraphiQL at ").nth(1) {
                let url = rest.split_whitespace().next().unwrap_or_default();
                break url.trim_end_matches('/').to_owned();
            }
        };
        std::thread::spawn(move || lines.for_each(drop));
        Ok(Self { child, url })
    }

    /// Waits for the first readiness round (see [`Gateway::start`]) to finish.
    pub async fn ready(&self, http: &reqwest::Client) -> anyhow::Result<()> {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            let response = http
                .get(format!("{}/readyz", self.url))
                .header("authorization", bearer(WARM_TENANT))
                .send()
                .await?;
            let body: Value = response.json().await?;
            match body["status"].as_str() {
                Some("ready") => return Ok(()),
                Some("starting") => tokio::time::sleep(Duration::from_millis(50)).await,
                _ => bail!("{} is not ready: {body}", self.url),
            }
        }
        Err(anyhow!("{} never finished its first readiness probe", self.url))
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Peak and current resident memory, from `/proc/<pid>/status`.
    pub fn memory(&self) -> anyhow::Result<Memory> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))?;
        let kib = |field: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|n| n.parse::<u64>().ok())
                .ok_or_else(|| anyhow!("no {field} in /proc/{}/status", self.pid()))
        };
        Ok(Memory {
            peak_bytes: kib("VmHWM:")? * 1024,
            current_bytes: kib("VmRSS:")? * 1024,
        })
    }

    /// CPU time the process has used so far (user + system), from `/proc/<pid>/stat`.
    pub fn cpu_time(&self) -> anyhow::Result<Duration> {
        cpu_time_of(&format!("/proc/{}/stat", self.pid()))
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Resident memory of a process.
#[derive(Debug, Clone, Copy, Default)]
pub struct Memory {
    /// `VmHWM`: the most it ever held.
    pub peak_bytes: u64,
    /// `VmRSS`: what it holds now.
    pub current_bytes: u64,
}

/// User + system CPU time of the process whose `stat` file is `path`.
pub fn cpu_time_of(path: &str) -> anyhow::Result<Duration> {
    let stat = std::fs::read_to_string(path)?;
    // Fields after the command name (which is in parentheses and may hold spaces):
    // state is field 3, utime 14 and stime 15.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .ok_or_else(|| anyhow!("unreadable {path}"))?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| -> anyhow::Result<u64> {
        fields
            .get(i)
            .and_then(|f| f.parse().ok())
            .ok_or_else(|| anyhow!("unreadable {path}"))
    };
    let total = ticks(11)? + ticks(12)?;
    // The kernel reports in clock ticks; USER_HZ is 100 on every Linux this runs on.
    Ok(Duration::from_millis(total * 10))
}
