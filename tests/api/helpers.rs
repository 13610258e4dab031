//! `spawn_app()`: the real application on 127.0.0.1:0 over freshly seeded simulators
//! (their own port 0), and a client that speaks GraphQL to it.

use std::{
    fs::File,
    io::{BufRead, BufReader, Write as _},
    net::SocketAddr,
    path::PathBuf,
    process::{Command, Stdio},
    sync::{Arc, Mutex, Once, OnceLock},
};

use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::{Value, json};
use switchboard::{
    config::{HttpSettings, Settings},
    sim::RunningSimulators,
    startup::Application,
};
use tokio::sync::oneshot;
use tracing_subscriber::EnvFilter;

/// The tenant every test app serves.
pub const TENANT: &str = "test";

/// A running application and its simulators.
pub struct TestApp {
    /// Where the application listens.
    pub addr: SocketAddr,
    /// The simulators behind it (shared with apps started beside it).
    pub sims: Arc<RunningSimulators>,
    /// The API key of [`TENANT`].
    pub api_key: String,
    /// The cache namespace (a Redis key prefix of its own).
    pub namespace: String,
    /// A plain HTTP client.
    pub client: reqwest::Client,
    _stop: oneshot::Sender<()>,
}

/// Vendor-call settings fit for tests: short timeouts and backoff.
pub fn test_http() -> HttpSettings {
    HttpSettings {
        connect_timeout_ms: 500,
        request_timeout_ms: 1_500,
        max_retries: 2,
        backoff_base_ms: 10,
        backoff_max_ms: 50,
        max_retry_after_secs: 3,
        ..HttpSettings::default()
    }
}

/// The application with default test settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Everything logged in this test process, at every level.
static CAPTURED_LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
static INSTALL_LOG_CAPTURE: Once = Once::new();

/// Where the suite keeps what the log audit reads after it (`SWITCHBOARD_TEST_AUDIT_DIR`,
/// set by `scripts/test.sh`): this process's whole trace log and every secret its tests
/// used (see `audit.rs`).
pub fn audit_dir() -> Option<PathBuf> {
    std::env::var_os("SWITCHBOARD_TEST_AUDIT_DIR").map(PathBuf::from)
}

/// An audit file of this process, opened for appending, when auditing.
fn audit_file(kind: &str) -> Option<Mutex<File>> {
    let dir = audit_dir()?;
    std::fs::create_dir_all(&dir).expect("the audit directory can be made");
    let path = dir.join(format!("{kind}-{}.txt", std::process::id()));
    let file = File::options()
        .create(true)
        .append(true)
        .open(&path)
        .unwrap_or_else(|e| panic!("{} cannot be opened: {e}", path.display()));
    Some(Mutex::new(file))
}

static TRACE_FILE: OnceLock<Option<Mutex<File>>> = OnceLock::new();
static SECRETS_FILE: OnceLock<Option<Mutex<File>>> = OnceLock::new();

/// Shortest value counted as a secret: shorter ones would match innocent text.
pub const MIN_SECRET_CHARS: usize = 8;

/// Notes `secret` as used by a test, so the log audit checks the suite never logged it.
pub fn used_secret(secret: &str) {
    let secret = secret.trim();
    if secret.chars().count() < MIN_SECRET_CHARS || secret.contains('\n') {
        return;
    }
    if let Some(file) = SECRETS_FILE.get_or_init(|| audit_file("secrets")) {
        writeln!(file.lock().expect("secrets lock"), "{secret}").expect("a secret is noted");
    }
}

/// Notes every string under a key naming a secret (`password`, `secret`, `token`, in
/// any case) in `value`, at any depth.
pub fn used_secrets_in(value: &Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let key = key.to_ascii_lowercase();
                match v {
                    Value::String(text)
                        if ["password", "secret", "token"].iter().any(|s| key.contains(s)) =>
                    {
                        used_secret(text);
                    }
                    other => used_secrets_in(other),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(used_secrets_in),
        _ => {}
    }
}

/// Notes the secrets of every tenant `settings` serve: API keys and vendor credentials.
fn used_secrets_of(settings: &Settings) {
    use secrecy::ExposeSecret;
    for tenant in settings.tenants.values() {
        for key in tenant.api_keys.iter().chain(&tenant.read_only_api_keys) {
            used_secret(key.expose_secret());
        }
        if let Some(dixa) = &tenant.dixa {
            used_secret(dixa.api_token.expose_secret());
        }
        if let Some(webex) = &tenant.webex {
            used_secret(webex.access_token.expose_secret());
        }
        if let Some(huawei) = &tenant.huawei {
            used_secret(huawei.app_key.expose_secret());
            used_secret(huawei.app_secret.expose_secret());
        }
        if let Some(vonage) = &tenant.vonage {
            used_secret(vonage.client_secret.expose_secret());
            if let Some(webhook) = &vonage.webhook_secret {
                used_secret(webhook.expose_secret());
            }
        }
    }
}

/// A writer appending to the captured log (and, when auditing, to this process's trace
/// file).
#[derive(Clone)]
struct LogSink(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log lock").extend_from_slice(buf);
        if let Some(file) = TRACE_FILE.get_or_init(|| audit_file("trace")) {
            file.lock().expect("trace lock").write_all(buf)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs, once per process, a global subscriber recording every event and span at
/// TRACE level (through the gateway's log filter) (and `log` records) into a buffer that [`captured_log`] reads, so tests
/// can check what the suite logged. If another subscriber was set first, it stays.
pub fn install_log_capture() {
    INSTALL_LOG_CAPTURE.call_once(|| {
        let buffer = CAPTURED_LOG.get_or_init(Arc::default).clone();
        // Trace level, through the gateway's own filter (which caps crates that would
        // log what they carry), so the log audit sees what `RUST_LOG=trace` writes.
        let _ = tracing_subscriber::fmt()
            .with_env_filter(switchboard::telemetry::capped(EnvFilter::new("trace")))
            .with_ansi(false)
            .with_writer(move || LogSink(buffer.clone()))
            .try_init();
    });
}

/// Everything captured so far (see [`install_log_capture`]).
pub fn captured_log() -> String {
    CAPTURED_LOG
        .get()
        .map(|b| String::from_utf8_lossy(&b.lock().expect("log lock")).into_owned())
        .unwrap_or_default()
}

/// The application with settings changed by `customize`.
pub async fn spawn_app_with(customize: impl FnOnce(&mut Settings)) -> TestApp {
    install_log_capture();
    let sims = RunningSimulators::start("127.0.0.1:0".parse().unwrap())
        .await
        .expect("simulators start");
    let api_key = format!("key-{}", uuid::Uuid::new_v4());
    // Every test gets its own cache namespace.
    let namespace = format!("sbtest-{}", uuid::Uuid::new_v4());
    serve(Arc::new(sims), api_key, namespace, customize).await
}

/// A second application over `first`'s simulators, with its key and cache namespace
/// (two replicas of one deployment), changed by `customize`.
pub async fn spawn_app_beside(first: &TestApp, customize: impl FnOnce(&mut Settings)) -> TestApp {
    serve(
        first.sims.clone(),
        first.api_key.clone(),
        first.namespace.clone(),
        customize,
    )
    .await
}

async fn serve(
    sims: Arc<RunningSimulators>,
    api_key: String,
    namespace: String,
    customize: impl FnOnce(&mut Settings),
) -> TestApp {
    let mut tenant = sims.tenant_settings();
    tenant.api_keys = vec![SecretString::from(api_key.clone())];
    let mut settings = Settings::for_default_run("127.0.0.1:0".parse().unwrap(), TENANT, tenant);
    settings.anonymous_tenant = None;
    settings.http = test_http();
    settings.cache.namespace = namespace.clone();
    // Tests send bursts of requests with one key; the rate-limit tests turn these on.
    settings.auth.client_requests_per_second = 0.0;
    settings.auth.tenant_requests_per_second = 0.0;
    customize(&mut settings);
    used_secrets_of(&settings);
    settings.validate().expect("test settings are valid");
    let app = Application::build(settings).await.expect("application builds");
    let addr = app.local_addr();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    TestApp {
        addr,
        sims,
        api_key,
        namespace,
        client: reqwest::Client::new(),
        _stop: stop,
    }
}

impl TestApp {
    /// `Bearer <the test tenant's key>`, for `Authorization`.
    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.api_key)
    }

    /// `http://127.0.0.1:port{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Posts a GraphQL request with `authorization` as the header (none when `None`).
    pub async fn graphql_with_auth(
        &self,
        authorization: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (StatusCode, Value) {
        used_secrets_in(&variables);
        let mut request = self
            .client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(a) = authorization {
            used_secret(a.trim_start_matches("Bearer "));
            request = request.header("authorization", a);
        }
        let response = request.send().await.expect("request is sent");
        let status = response.status();
        let body = response.json().await.expect("a JSON response");
        (status, body)
    }

    /// Posts a GraphQL request as the test tenant.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        let auth = self.bearer();
        self.graphql_with_auth(Some(&auth), query, variables).await.1
    }

    /// Posts a GraphQL request that must succeed without errors; returns `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let body = self.graphql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// The simulator control API of `vendor` (`dixa`, …): `{method} /{vendor}/_sim{path}`.
    pub async fn sim(&self, method: reqwest::Method, vendor: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("http://{}/{vendor}/_sim{path}", self.sims.addr);
        let mut request = self.client.request(method, url);
        if let Some(b) = body {
            request = request.json(&b);
        }
        let response = request.send().await.expect("control request is sent");
        assert!(
            response.status().is_success(),
            "control call failed: {}",
            response.status()
        );
        response.json().await.unwrap_or(Value::Null)
    }

    /// Replaces the Dixa simulator's organisation with `teams` teams of `members` agents.
    pub async fn seed_dixa(&self, teams: usize, members: usize) {
        let seed = serde_json::json!({ "teams": teams, "membersPerTeam": members });
        self.sim(reqwest::Method::POST, "dixa", "/seed", Some(seed)).await;
    }

    /// Turns off the rate limit the Dixa simulator enforces (10 requests/s, bursts of 4).
    pub async fn lift_dixa_limit(&self) {
        let off = serde_json::json!({ "perSecond": null });
        self.sim(reqwest::Method::PUT, "dixa", "/limits", Some(off)).await;
    }

    /// Adds a fault rule on `vendor`'s simulator.
    pub async fn fault(&self, vendor: &str, rule: Value) {
        self.sim(reqwest::Method::POST, vendor, "/faults", Some(rule))
            .await;
    }

    /// Calls `vendor`'s simulator received on `route` (`"GET /teams"`).
    pub async fn calls(&self, vendor: &str, route: &str) -> u64 {
        let calls = self.sim(reqwest::Method::GET, vendor, "/calls", None).await;
        calls[route].as_u64().unwrap_or(0)
    }

    /// `/readyz` as the test tenant, once the first background probe has finished.
    pub async fn readyz(&self) -> (StatusCode, Value) {
        let auth = self.bearer();
        for _ in 0..100 {
            let response = self
                .client
                .get(self.url("/readyz"))
                .header("authorization", &auth)
                .send()
                .await
                .expect("readyz answers");
            let status = response.status();
            let body: Value = response.json().await.expect("readyz is JSON");
            if body["status"] != "starting" {
                return (status, body);
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("readiness never finished its first probe");
    }

    /// Every call `vendor`'s simulator received.
    pub async fn total_calls(&self, vendor: &str) -> u64 {
        let calls = self.sim(reqwest::Method::GET, vendor, "/calls", None).await;
        calls
            .as_object()
            .map_or(0, |m| m.values().filter_map(Value::as_u64).sum())
    }
}

/// The `extensions.code` of the first error.
pub fn first_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<none>")
}

/// `switchboard` with `args` and only the `SWITCHBOARD_*` variables in `env`.
pub fn switchboard(args: &[&str], env: &[(&str, String)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchboard"));
    command.args(args);
    for (key, _) in std::env::vars() {
        if key.starts_with("SWITCHBOARD_") {
            command.env_remove(key);
        }
    }
    command.envs(env.iter().map(|(k, v)| (*k, v.as_str())));
    command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(Stdio::null());
    command
}

/// Starts `command`, reads stdout until the serving line, returns the child, the base
/// URL and everything printed before it.
pub fn start_server(mut command: Command) -> (Killed, String, String) {
    let mut child = Killed(command.spawn().expect("the binary starts"));
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let mut printed = String::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        printed.push_str(&line);
        printed.push('\n');
        if let Some(rest) = line.split("GraphiQL at ").nth(1) {
            let url = rest
                .split_whitespace()
                .next()
                .unwrap()
                .trim_end_matches('/')
                .to_owned();
            std::thread::spawn(move || lines.for_each(drop));
            return (child, url, printed);
        }
    }
    drop(child);
    panic!("the server never said where it serves: {printed}");
}

/// A child process, killed and reaped when dropped.
pub struct Killed(std::process::Child);

impl Killed {
    /// The process id.
    pub fn id(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
