//! The load generator: GraphQL requests from tokio tasks over one reqwest client, one
//! at a time (cold samples), closed loop (N clients, each sending its next request when
//! the last one answered: the peak throughput) or paced (a fixed rate spread over
//! workers: latency at a chosen load). Every run stops by itself, at its deadline or
//! after its most requests, whichever comes first. An answer counts as a success when
//! it is HTTP 200 without `"errors"`.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context as _, bail};
use bytes::Bytes;
use serde_json::{Value, json};

/// A GraphQL request ready to send again and again.
#[derive(Clone)]
pub struct Request {
    body: Bytes,
    authorization: String,
}

impl Request {
    /// `query` with `variables`, as the tenant behind `authorization`.
    pub fn new(query: &str, variables: Value, authorization: String) -> Self {
        let body =
            serde_json::to_vec(&json!({ "query": query, "variables": variables })).expect("JSON serialises");
        Self {
            body: body.into(),
            authorization,
        }
    }
}

/// Sends [`Request`]s to one gateway.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    endpoint: Arc<str>,
}

/// One answer.
pub struct Answer {
    /// From just before sending to the last byte of the body.
    pub latency: Duration,
    /// The body.
    pub body: Bytes,
    /// HTTP 200 without `"errors"`.
    pub ok: bool,
}

impl Client {
    /// A client of the gateway at `base` (`http://127.0.0.1:port`).
    pub fn new(http: reqwest::Client, base: &str) -> Self {
        Self {
            http,
            endpoint: format!("{base}/graphql").into(),
        }
    }

    /// Sends `request` and reads the whole answer.
    pub async fn send(&self, request: &Request) -> anyhow::Result<Answer> {
        let started = Instant::now();
        let response = self
            .http
            .post(&*self.endpoint)
            .header("content-type", "application/json")
            .header("authorization", &request.authorization)
            .body(request.body.clone())
            .send()
            .await
            .context("sending a GraphQL request")?;
        let status = response.status();
        let body = response.bytes().await.context("reading an answer")?;
        let latency = started.elapsed();
        let ok = status == reqwest::StatusCode::OK && !contains(&body, b"\"errors\"");
        Ok(Answer { latency, body, ok })
    }

    /// Sends `request`; its `data`, or an error quoting the answer.
    pub async fn data(&self, request: &Request) -> anyhow::Result<(Value, Duration)> {
        let answer = self.send(request).await?;
        let body: Value = serde_json::from_slice(&answer.body).context("an answer that is not JSON")?;
        if !answer.ok {
            bail!("the gateway answered with errors: {body}");
        }
        Ok((body["data"].clone(), answer.latency))
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Latencies summarised.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stats {
    /// How many.
    pub count: usize,
    /// Median.
    pub p50: Duration,
    /// 99th percentile (nearest rank: with fewer than 100 samples, the largest).
    pub p99: Duration,
}

impl Stats {
    /// The summary of `samples`.
    pub fn of(samples: &[Duration]) -> Self {
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        let rank = |p: f64| {
            let n = sorted.len();
            let i = ((p * n as f64).ceil() as usize).clamp(1, n.max(1)) - 1;
            sorted.get(i).copied().unwrap_or_default()
        };
        Self {
            count: sorted.len(),
            p50: rank(0.50),
            p99: rank(0.99),
        }
    }
}

/// What a load run measured.
#[derive(Debug, Clone, Default)]
pub struct Run {
    /// Requests sent, warm-up included.
    pub sent: usize,
    /// Successful answers within the measured window.
    pub ok: usize,
    /// Failed answers (not 200, or with `errors`, or no answer) within the window.
    pub failed: usize,
    /// The first failure, for the report.
    pub first_failure: Option<String>,
    /// The measured window.
    pub elapsed: Duration,
    /// Latencies of the successful answers.
    pub latency: Stats,
    /// Paced runs: requests sent 5 ms or more after their time, because every worker
    /// was busy or the machine was (the rate was not really held there).
    pub late: usize,
}

impl Run {
    /// Successful answers per second.
    pub fn throughput(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// How long and how much.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// Sent but not measured first (connections, caches, allocator).
    pub warmup: Duration,
    /// The measured window.
    pub window: Duration,
    /// Stop after this many requests in the window, even if time is left.
    pub max_requests: u64,
}

/// Shared by the tasks of one run.
struct Tally {
    measuring_from: Instant,
    deadline: Instant,
    sent: AtomicU64,
    all: AtomicU64,
    max_requests: u64,
    latencies: Mutex<Vec<Duration>>,
    failures: Mutex<(usize, Option<String>)>,
    late: AtomicU64,
}

impl Tally {
    fn new(bounds: Bounds) -> Arc<Self> {
        let now = Instant::now();
        Arc::new(Self {
            measuring_from: now + bounds.warmup,
            deadline: now + bounds.warmup + bounds.window,
            sent: AtomicU64::new(0),
            all: AtomicU64::new(0),
            max_requests: bounds.max_requests,
            latencies: Mutex::new(Vec::new()),
            failures: Mutex::new((0, None)),
            late: AtomicU64::new(0),
        })
    }

    /// Whether another request may start now; counts it when measured.
    fn may_send(&self) -> bool {
        let now = Instant::now();
        if now >= self.deadline {
            return false;
        }
        if now < self.measuring_from {
            return true;
        }
        self.sent.fetch_add(1, Ordering::Relaxed) < self.max_requests
    }

    async fn send_and_record(&self, client: &Client, request: &Request) {
        self.all.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let measured = started >= self.measuring_from;
        let result = client.send(request).await;
        if !measured || Instant::now() > self.deadline {
            return;
        }
        match result {
            Ok(answer) if answer.ok => self.latencies.lock().expect("lock").push(answer.latency),
            other => {
                let why = match other {
                    Ok(answer) => {
                        String::from_utf8_lossy(&answer.body[..answer.body.len().min(500)]).into_owned()
                    }
                    Err(e) => format!("{e:#}"),
                };
                let mut failures = self.failures.lock().expect("lock");
                failures.0 += 1;
                failures.1.get_or_insert(why);
            }
        }
    }

    fn finish(&self) -> Run {
        let latencies = self.latencies.lock().expect("lock");
        let failures = self.failures.lock().expect("lock");
        let end = Instant::now().min(self.deadline);
        Run {
            sent: self.all.load(Ordering::Relaxed) as usize,
            ok: latencies.len(),
            failed: failures.0,
            first_failure: failures.1.clone(),
            elapsed: end.saturating_duration_since(self.measuring_from),
            latency: Stats::of(&latencies),
            late: self.late.load(Ordering::Relaxed) as usize,
        }
    }
}

/// `clients` tasks, each sending `request` as soon as its previous answer arrived.
pub async fn closed_loop(client: &Client, request: &Request, clients: usize, bounds: Bounds) -> Run {
    let tally = Tally::new(bounds);
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (tally, client, request) = (tally.clone(), client.clone(), request.clone());
            tokio::spawn(async move {
                while tally.may_send() {
                    tally.send_and_record(&client, &request).await;
                }
            })
        })
        .collect();
    for task in tasks {
        let _ = task.await;
    }
    tally.finish()
}

/// How far behind its time a paced request counts as late (tokio's timer alone may add a
/// millisecond).
const LATE: Duration = Duration::from_millis(5);

/// `request` at `rate` a second, request `k` due at `k / rate` after the start and sent
/// by worker `k % workers` (which sends it at once if it is already late).
pub async fn paced(client: &Client, request: &Request, rate: f64, workers: usize, bounds: Bounds) -> Run {
    let tally = Tally::new(bounds);
    let start = tokio::time::Instant::now();
    let interval = Duration::from_secs_f64(1.0 / rate.max(1.0));
    let tasks: Vec<_> = (0..workers)
        .map(|w| {
            let (tally, client, request) = (tally.clone(), client.clone(), request.clone());
            tokio::spawn(async move {
                for k in (w..).step_by(workers) {
                    let due = start + interval.mul_f64(k as f64);
                    tokio::time::sleep_until(due).await;
                    if !tally.may_send() {
                        break;
                    }
                    if tokio::time::Instant::now().saturating_duration_since(due) >= LATE
                        && due.into_std() >= tally.measuring_from
                    {
                        tally.late.fetch_add(1, Ordering::Relaxed);
                    }
                    tally.send_and_record(&client, &request).await;
                }
            })
        })
        .collect();
    for task in tasks {
        let _ = task.await;
    }
    tally.finish()
}
