//! The gateway benchmark of issue 10: `cargo bench --bench gateway [-- --quick]`.
//!
//! Starts the vendor simulators (20 ms a call), then, per scenario (a wallboard, an
//! agent directory, federation's `_entities` for 500 agent representations) and per cache (in process, Redis, off), a fresh `switchboard serve`
//! process, and measures vendor calls per query beside the minimum, cold latency beside
//! the critical path, warm peak throughput and latency at half of it, and the server's
//! peak RSS; then a write on one gateway read back through another sharing Redis. It
//! writes `BENCHMARKS.md` at the repository root (`--quick` writes under the target
//! directory instead, unless `--out` says where).
//!
//! Not a test: `cargo test` builds it and runs it without `--bench`, and then it only
//! says so and exits. Needs Redis (`BENCH_REDIS_URL`, default `redis://127.0.0.1:6379`).
//!
//! Then the live presence scenario of issue 11 (`live`: 5,000 graphql-ws subscribers,
//! presence changing 50 times a second); `--live-only` runs just that one and writes its
//! section alone (under the target directory unless `--out` says where), or, with
//! `--in-report`, in place of that section of `BENCHMARKS.md` (or `--out`), the rest of
//! the report left as the last full run wrote it.
//!
//! Modules: `cluster` (simulators and gateway processes), `load` (the load generator),
//! `scenarios` (queries, minimums, runs), `live` (the subscription scenario), `report`
//! (the Markdown).

// A bench's crate root looks for modules beside it, where Cargo would take each file for
// a bench of its own: they live in `benches/gateway/` instead.
#[path = "gateway/cluster.rs"]
mod cluster;
#[path = "gateway/live.rs"]
mod live;
#[path = "gateway/load.rs"]
mod load;
#[path = "gateway/report.rs"]
mod report;
#[path = "gateway/scenarios.rs"]
mod scenarios;

use std::{
    path::PathBuf,
    process::ExitCode,
    time::{Duration, Instant},
};

use anyhow::{Context as _, bail};

const USAGE: &str = "cargo bench --bench gateway [-- --quick] [--live-only [--in-report]] [--clients N] [--seconds S] [--cold N] \
                     [--writes N] [--latency-ms N] [--out FILE]";

/// How the benchmark runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Short windows and few samples.
    pub quick: bool,
    /// Only the live presence scenario.
    pub live_only: bool,
    /// With `live_only`: its section replaces the live section of the full report.
    pub in_report: bool,
    /// Concurrent clients (closed loop) and workers (paced).
    pub clients: usize,
    /// Sent before measuring.
    pub warmup: Duration,
    /// Measured.
    pub window: Duration,
    /// Most requests measured in one run.
    pub max_requests: u64,
    /// Cold queries per cache.
    pub cold_samples: usize,
    /// Writes in the write-then-read scenario.
    pub writes: usize,
    /// Simulated latency of every vendor call.
    pub latency_ms: u64,
    /// Redis for the Redis runs.
    pub redis_url: String,
    /// Where the report goes.
    pub out: PathBuf,
    /// Where the gateways' logs go.
    pub log_dir: PathBuf,
    /// The command line, for the report.
    pub command: String,
}

impl Options {
    fn parse(args: &[String]) -> anyhow::Result<Self> {
        let quick = args.iter().any(|a| a == "--quick");
        let live_only = args.iter().any(|a| a == "--live-only");
        let in_report = args.iter().any(|a| a == "--in-report");
        if in_report && !live_only {
            bail!("--in-report goes with --live-only; usage: {USAGE}");
        }
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        let mut options = Self {
            quick,
            live_only,
            in_report,
            clients: 32,
            warmup: Duration::from_millis(if quick { 500 } else { 1_000 }),
            window: Duration::from_secs(if quick { 1 } else { 8 }),
            max_requests: if quick { 20_000 } else { 200_000 },
            cold_samples: if quick { 5 } else { 100 },
            writes: if quick { 6 } else { 100 },
            latency_ms: 20,
            redis_url: std::env::var("BENCH_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into()),
            out: if in_report {
                root.join("BENCHMARKS.md")
            } else if live_only {
                tmp.join("BENCHMARKS.live.md")
            } else if quick {
                tmp.join("BENCHMARKS.quick.md")
            } else {
                root.join("BENCHMARKS.md")
            },
            log_dir: tmp.join("gateway-bench-logs"),
            command: String::new(),
        };
        let mut given = Vec::new();
        let mut rest = args.iter();
        while let Some(arg) = rest.next() {
            match arg.as_str() {
                "--bench" => continue,
                "--quick" | "--live-only" | "--in-report" => {
                    given.push(arg.clone());
                    continue;
                }
                "--clients" | "--seconds" | "--cold" | "--writes" | "--latency-ms" | "--out" => {}
                other => bail!("unknown argument {other}; usage: {USAGE}"),
            }
            let value = rest
                .next()
                .with_context(|| format!("{arg} needs a value; usage: {USAGE}"))?;
            match arg.as_str() {
                "--clients" => options.clients = value.parse()?,
                "--seconds" => options.window = Duration::from_secs_f64(value.parse()?),
                "--cold" => options.cold_samples = value.parse()?,
                "--writes" => options.writes = value.parse()?,
                "--latency-ms" => options.latency_ms = value.parse()?,
                _ => options.out = PathBuf::from(value),
            }
            given.push(format!("{arg} {value}"));
        }
        if options.clients == 0 || options.cold_samples == 0 || options.writes == 0 {
            bail!("--clients, --cold and --writes must be above zero");
        }
        options.command = if given.is_empty() {
            "cargo bench --bench gateway".into()
        } else {
            format!("cargo bench --bench gateway -- {}", given.join(" "))
        };
        Ok(options)
    }

    /// The bounds of one load run.
    pub fn bounds(&self) -> load::Bounds {
        load::Bounds {
            warmup: self.warmup,
            window: self.window,
            max_requests: self.max_requests,
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") {
        println!("gateway benchmark: not run under `cargo test`; run `{USAGE}`");
        return ExitCode::SUCCESS;
    }
    let result = Options::parse(&args).and_then(|options| {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
            .block_on(run(options))
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gateway benchmark failed: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(options: Options) -> anyhow::Result<()> {
    let started = Instant::now();
    let date = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string();
    let machine = report::Machine::read();
    let (contention, watcher) = report::watch_contention();
    scenarios::check_redis(&options.redis_url).await?;
    std::fs::create_dir_all(&options.log_dir)?;

    let sims = cluster::Sims::start().await?;
    sims.seed_dixa(scenarios::TEAMS, scenarios::MEMBERS_PER_TEAM)
        .await?;
    sims.set_latency(options.latency_ms).await?;

    if options.live_only {
        watcher.abort();
        let result = live::run(&sims, &options).await?;
        let mut section = String::new();
        live::render(&mut section, &result, None);
        if options.in_report {
            live::write_into_report(&options.out, &result, &options.command, &commit(), &date)?;
        } else {
            live::write_alone(&options.out, &result, &options.command)?;
        }
        println!("{section}Written to {}", options.out.display());
        return Ok(());
    }
    let mut namespaces = Vec::new();
    let measured = measure(&sims, &options, &mut namespaces).await;
    let cleaned = scenarios::clean_redis(&options.redis_url, &namespaces).await;
    watcher.abort();
    let (results, write_read) = measured?;
    cleaned.context("deleting the benchmark's Redis keys")?;
    let live = live::run(&sims, &options).await?;

    let contention = contention.lock().expect("lock");
    let markdown = report::render(&report::Results {
        options: &options,
        machine: &machine,
        contention: &contention,
        commit: commit(),
        date,
        took: started.elapsed(),
        scenarios: &results,
        write_read: &write_read,
        live: Some(&live),
    });
    std::fs::write(&options.out, &markdown).with_context(|| format!("writing {}", options.out.display()))?;
    let targets = markdown
        .split("## Targets")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .unwrap_or_default();
    println!("## Targets{targets}");
    println!("Written to {}", options.out.display());
    Ok(())
}

async fn measure(
    sims: &cluster::Sims,
    options: &Options,
    namespaces: &mut Vec<String>,
) -> anyhow::Result<(Vec<scenarios::ScenarioResult>, scenarios::WriteRead)> {
    let mut results = Vec::new();
    let facts = scenarios::facts(sims, options).await?;
    // `BENCH_ONLY=<scenario>` (say `wallboard`) runs that scenario alone and stops: for
    // looking into one (a profiler attached to its gateway), not for the report.
    if let Ok(only) = std::env::var("BENCH_ONLY") {
        let mut all = Vec::from(scenarios::scenarios());
        if only.eq_ignore_ascii_case("entities") {
            sims.seed_dixa(scenarios::ENTITY_TEAMS, scenarios::MEMBERS_PER_TEAM)
                .await?;
            all.push(scenarios::entities_scenario(sims).await?);
        }
        for scenario in &all {
            if scenario.name.eq_ignore_ascii_case(&only) {
                let result = scenarios::run_scenario(scenario, &facts, sims, options, namespaces).await?;
                for run in &result.runs {
                    let half = run.half.as_ref().map(|h| (h.latency.p50, h.latency.p99));
                    println!(
                        "{}: cold p50 {:?} p99 {:?}, {} calls; peak {:.0}/s, {} calls; half p50/p99 {half:?}; \
                         RSS peak {:.1} MB",
                        run.cache,
                        run.cold.p50,
                        run.cold.p99,
                        run.cold_calls.per_query(run.cold.count),
                        run.peak.throughput(),
                        run.peak_calls.per_query(run.peak_requests),
                        run.memory.peak_bytes as f64 / 1e6,
                    );
                }
            }
        }
        if !all.iter().any(|s| s.name.eq_ignore_ascii_case(&only)) {
            bail!("BENCH_ONLY={only}: no such scenario (wallboard, directory or entities)");
        }
        bail!("BENCH_ONLY={only}: that scenario alone was run; no report written");
    }
    for scenario in scenarios::scenarios() {
        results.push(scenarios::run_scenario(&scenario, &facts, sims, options, namespaces).await?);
    }
    // Federation's entity fetch needs 500 agents: Dixa grows to that many for it (the
    // scenarios above keep their seed).
    sims.seed_dixa(scenarios::ENTITY_TEAMS, scenarios::MEMBERS_PER_TEAM)
        .await?;
    let entities = scenarios::entities_scenario(sims).await?;
    results.push(scenarios::run_scenario(&entities, &facts, sims, options, namespaces).await?);
    let write_read = scenarios::write_then_read(sims, options, namespaces).await?;
    Ok((results, write_read))
}

/// `git rev-parse HEAD`, marked when the tree has uncommitted changes (the report itself
/// aside: a run after another finds it rewritten).
fn commit() -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let head = git(&["rev-parse", "HEAD"]).unwrap_or_else(|| "unknown".into());
    match git(&[
        "status",
        "--porcelain",
        "--untracked-files=no",
        "--",
        ".",
        ":(exclude)BENCHMARKS.md",
    ]) {
        Some(changes) if !changes.is_empty() => format!("{head} + uncommitted changes"),
        _ => head,
    }
}
