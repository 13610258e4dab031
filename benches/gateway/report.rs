//! `BENCHMARKS.md`: the machine and the run, the targets of issue 10 with pass or miss,
//! and every figure per scenario, written as Markdown tables.

use std::{
    collections::BTreeSet,
    fmt::Write as _,
    sync::{Arc, Mutex},
    time::Duration,
};

use crate::{
    Options,
    cluster::{Memory, fmt_ratio},
    load::{Run, Stats},
    scenarios::{CacheRun, ScenarioResult, WriteRead},
};

/// The machine, read from `/proc`.
#[derive(Debug, Clone)]
pub struct Machine {
    /// Logical cores.
    pub cores: usize,
    /// `model name` from `/proc/cpuinfo`.
    pub model: String,
    /// `MemTotal`.
    pub memory_bytes: u64,
    /// `/proc/sys/kernel/osrelease`.
    pub kernel: String,
    /// The 1-minute load average when the run began.
    pub load_before: f64,
}

impl Machine {
    /// Reads the machine as it is now.
    pub fn read() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let model = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .map(|rest| rest.trim_start_matches([' ', '\t', ':']).trim().to_owned())
            .unwrap_or_else(|| "unknown".into());
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory_kib: u64 = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        Self {
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            model,
            memory_bytes: memory_kib * 1024,
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .unwrap_or_default()
                .trim()
                .to_owned(),
            load_before: load_average(),
        }
    }
}

/// The 1-minute load average.
pub fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().and_then(|n| n.parse().ok()))
        .unwrap_or(0.0)
}

/// Other work on the machine during the run: compilers and linkers seen in `/proc`
/// (this benchmark starts none), the highest load average, and the CPU time the
/// hypervisor gave other guests (`steal` in `/proc/stat`: on a virtual machine, time
/// this one's cores wanted and did not get).
#[derive(Debug, Default)]
pub struct Contention {
    /// Most compiler or linker processes seen at once.
    pub most_compilers: usize,
    /// Their names.
    pub names: BTreeSet<String>,
    /// Highest 1-minute load average seen.
    pub highest_load: f64,
    /// Samples taken.
    pub samples: usize,
    /// `/proc/stat`'s CPU ticks (steal, all) at the first sample and at the latest.
    pub ticks: Option<((u64, u64), (u64, u64))>,
}

impl Contention {
    /// The share of the machine's CPU time stolen by the hypervisor between the first
    /// sample and the latest, when two were taken.
    pub fn steal_share(&self) -> Option<f64> {
        let ((steal0, all0), (steal1, all1)) = self.ticks?;
        let all = all1.checked_sub(all0).filter(|&t| t > 0)?;
        Some(steal1.saturating_sub(steal0) as f64 / all as f64)
    }
}

/// The machine's CPU ticks: (steal, all), from the first line of `/proc/stat`.
fn cpu_ticks() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let fields: Vec<u64> = stat
        .lines()
        .next()?
        .strip_prefix("cpu ")?
        .split_whitespace()
        .take(8)
        .map(|n| n.parse().ok())
        .collect::<Option<_>>()?;
    // user nice system idle iowait irq softirq steal (guest time is inside user).
    Some((*fields.get(7)?, fields.iter().sum()))
}

/// Samples [`Contention`] every second until the returned handle is aborted.
pub fn watch_contention() -> (Arc<Mutex<Contention>>, tokio::task::JoinHandle<()>) {
    let seen = Arc::new(Mutex::new(Contention::default()));
    let task = {
        let seen = seen.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                let names = compilers();
                let mut c = seen.lock().expect("lock");
                c.most_compilers = c.most_compilers.max(names.len());
                c.names.extend(names);
                c.highest_load = c.highest_load.max(load_average());
                c.samples += 1;
                if let Some(now) = cpu_ticks() {
                    c.ticks = Some((c.ticks.map_or(now, |(first, _)| first), now));
                }
            }
        })
    };
    (seen, task)
}

fn compilers() -> Vec<String> {
    const COMPILERS: [&str; 7] = ["rustc", "cc1", "cc1plus", "ld", "ld.lld", "collect2", "clang"];
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
        .filter_map(|e| std::fs::read_to_string(e.path().join("comm")).ok())
        .map(|c| c.trim().to_owned())
        .filter(|c| COMPILERS.contains(&c.as_str()))
        .collect()
}

/// Everything the run measured.
pub struct Results<'a> {
    /// The options it ran with.
    pub options: &'a Options,
    /// The machine.
    pub machine: &'a Machine,
    /// Other work seen meanwhile.
    pub contention: &'a Contention,
    /// `git rev-parse HEAD`, and whether the tree had changes.
    pub commit: String,
    /// When it started, UTC.
    pub date: String,
    /// How long it took.
    pub took: Duration,
    /// The read scenarios.
    pub scenarios: &'a [ScenarioResult],
    /// The write-then-read scenario.
    pub write_read: &'a WriteRead,
    /// The live presence scenario (issue 11).
    pub live: Option<&'a crate::live::LiveResult>,
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn p50_p99(s: &Stats) -> String {
    format!("{} / {}", ms(s.p50), ms(s.p99))
}

fn mark(pass: bool) -> &'static str {
    if pass { "**pass**" } else { "**MISS**" }
}

/// Calls per query over the cold queries.
fn cold_per_query(run: &CacheRun) -> f64 {
    run.cold_calls.total() as f64 / run.cold.count.max(1) as f64
}

fn failures(run: &Run) -> String {
    if run.failed == 0 {
        String::new()
    } else {
        format!(" ({} failed)", run.failed)
    }
}

/// The whole file.
pub fn render(r: &Results<'_>) -> String {
    let o = r.options;
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "# Benchmarks\n");
    let _ = writeln!(
        w,
        "Written by `benches/gateway.rs` (issue 10); run it again rather than editing this file. \
         How it measures is under [Method](#method).\n"
    );
    let _ = writeln!(w, "## The run\n");
    let _ = writeln!(w, "| | |\n|---|---|");
    let _ = writeln!(w, "| command | `{}` |", o.command);
    let _ = writeln!(w, "| commit | `{}` |", r.commit);
    let _ = writeln!(w, "| date | {} (took {:.0} s) |", r.date, r.took.as_secs_f64());
    let m = r.machine;
    let _ = writeln!(
        w,
        "| machine | {} cores, {}, {:.1} GiB memory, Linux {} |",
        m.cores,
        m.model,
        m.memory_bytes as f64 / (1u64 << 30) as f64,
        m.kernel
    );
    let c = r.contention;
    let other = if c.most_compilers > 0 {
        format!(
            "**other work was compiling on the machine during the run** (up to {} compiler/linker processes at once: {}); \
             load average {:.1} at the start, up to {:.1}. Throughput and tail latency are lower than on an idle machine.",
            c.most_compilers,
            c.names.iter().cloned().collect::<Vec<_>>().join(", "),
            m.load_before,
            c.highest_load
        )
    } else {
        format!(
            "no compiler or linker seen running beside the benchmark; load average {:.1} at the start, up to {:.1}",
            m.load_before, c.highest_load
        )
    };
    let steal = match c.steal_share() {
        Some(share) if share >= 0.05 => format!(
            "; **the hypervisor took {:.0} % of this machine's CPU time during the run** (`steal` in `/proc/stat`): \
             the figures are those of a contended host, slower and with longer tails than the same code on idle cores",
            share * 100.0
        ),
        Some(share) => format!(
            "; the hypervisor took {:.1} % of this machine's CPU time (`steal` in `/proc/stat`)",
            share * 100.0
        ),
        None => String::new(),
    };
    let _ = writeln!(w, "| other load | {other}{steal} |");
    let _ = writeln!(
        w,
        "| setup | every simulated vendor call is answered {} ms after it arrived, the simulator's work inside them (simulator fault rule `respondAtMs`, every route); gateways are the \
         `{}` `switchboard serve` binary, each its own process on 127.0.0.1; the load generator and the simulators \
         share this machine's cores in the benchmark process; vendor rate budgets off and up to {} calls in flight \
         per vendor (`http.max_concurrent_calls`; 8 by default); {} concurrent clients; {} s warm-up, then {} s \
         measured; {} cold samples per cache |",
        o.latency_ms,
        if cfg!(debug_assertions) {
            "debug (not comparable!)"
        } else {
            "release"
        },
        crate::cluster::MAX_CONCURRENT_CALLS,
        o.clients,
        o.warmup.as_secs_f64(),
        o.window.as_secs_f64(),
        o.cold_samples
    );
    if o.quick {
        let _ = writeln!(
            w,
            "| mode | `--quick`: short windows and few samples, a smoke test; the figures are rough |"
        );
    }
    let _ = writeln!(w);

    render_targets(w, r);
    for s in r.scenarios {
        render_scenario(w, s, o.latency_ms, r.machine.cores);
    }
    render_write_read(w, r.write_read, o.latency_ms);
    if let Some(live) = r.live {
        crate::live::render(w, live, None);
    }
    render_method(w, o);
    out
}

fn render_targets(w: &mut String, r: &Results<'_>) {
    let latency = Duration::from_millis(r.options.latency_ms);
    let _ = writeln!(w, "## Targets (issue 10)\n");
    let _ = writeln!(w, "| target | measured | result |\n|---|---|---|");
    for s in r.scenarios {
        for run in s.runs.iter().filter(|run| !run.cache.starts_with("cache off")) {
            let per = cold_per_query(run);
            let _ = writeln!(
                w,
                "| {}: vendor calls per query = the minimum ({}) | {} cold, {} | {} |",
                s.name,
                s.minimum.calls,
                fmt_ratio(run.cold_calls.total(), run.cold.count),
                run.cache,
                mark(per <= s.minimum.calls as f64)
            );
        }
    }
    let wr = r.write_read;
    let wr_per = wr.calls.total() as f64 / wr.iterations.max(1) as f64;
    let _ = writeln!(
        w,
        "| Write then read: vendor calls per write + read = the minimum (2) | {} | {} |",
        fmt_ratio(wr.calls.total(), wr.iterations),
        mark(wr_per <= 2.0)
    );
    let _ = writeln!(
        w,
        "| Write then read (a check, not a target of the issue): the other replica's read shows the write | {} of {} reads stale | {} |",
        wr.stale,
        wr.iterations,
        mark(wr.stale == 0)
    );
    for s in r.scenarios {
        let critical = latency * s.minimum.round_trips;
        for run in s.runs.iter().filter(|run| !run.cache.starts_with("cache off")) {
            let _ = writeln!(
                w,
                "| {}: cold p99 within 5 ms of the critical path ({}) at light load | {}, {} | {} |",
                s.name,
                ms(critical),
                ms(run.cold.p99),
                run.cache,
                mark(run.cold.p99 <= critical + Duration::from_millis(5))
            );
        }
    }
    for s in r.scenarios {
        for run in &s.runs {
            let Some(half) = &run.half else { continue };
            let _ = writeln!(
                w,
                "| {}: warm p99 overhead under 5 ms at half the peak throughput ({:.0}/s) | {}, {}{} | {} |",
                s.name,
                half.throughput(),
                ms(half.latency.p99),
                run.cache,
                failures(half),
                mark(half.latency.p99 < Duration::from_millis(5) && half.failed == 0)
            );
        }
    }
    if let Some(s) = r.scenarios.iter().find(|s| s.name == "Wallboard") {
        for run in s.runs.iter().filter(|run| run.half.is_some()) {
            let _ = writeln!(
                w,
                "| Wallboard: warm at least 1,000 queries/s | {:.0}/s, {}{} | {} |",
                run.peak.throughput(),
                run.cache,
                failures(&run.peak),
                mark(run.peak.throughput() >= 1000.0 && run.peak.failed == 0)
            );
        }
    }
    let mut peaks: Vec<(String, Memory)> = r
        .scenarios
        .iter()
        .flat_map(|s| {
            s.runs
                .iter()
                .map(move |run| (format!("{}, {}", s.name, run.cache), run.memory))
        })
        .collect();
    peaks.push(("write then read, writer".into(), wr.memory[0]));
    peaks.push(("write then read, reader".into(), wr.memory[1]));
    if let Some((what, most)) = peaks.iter().max_by_key(|(_, m)| m.peak_bytes) {
        let _ = writeln!(
            w,
            "| server RSS under 100 MB (serving one tenant; the cold samples' gateways, serving {} tenants, are in the tables) | {} peak ({what}) | {} |",
            // The samples' tenants, the first query's, and `warm`.
            r.options.cold_samples + 2,
            mb(most.peak_bytes),
            mark(most.peak_bytes < 100_000_000)
        );
    }
    let _ = writeln!(w);
}

fn row(w: &mut String, label: &str, cells: impl IntoIterator<Item = String>) {
    let cells: Vec<String> = cells.into_iter().collect();
    let _ = writeln!(w, "| {label} | {} |", cells.join(" | "));
}

fn render_scenario(w: &mut String, s: &ScenarioResult, latency_ms: u64, cores: usize) {
    let latency = Duration::from_millis(latency_ms);
    let critical = latency * s.minimum.round_trips;
    let _ = writeln!(w, "## {}\n", s.name);
    let _ = writeln!(w, "```graphql\n{}\n```\n", s.query);
    let _ = writeln!(w, "- The answer: {}.", s.minimum.shape);
    let _ = writeln!(
        w,
        "- The fewest vendor calls the vendors' endpoints allow: **{}** = {}.",
        s.minimum.calls, s.minimum.calls_how
    );
    let _ = writeln!(
        w,
        "- Critical path: **{}** dependent round trips × {latency_ms} ms = **{}** ({}).\n",
        s.minimum.round_trips,
        ms(critical),
        s.minimum.round_trips_how
    );
    let _ = writeln!(
        w,
        "| | {} |\n|---|{}",
        s.runs.iter().map(|r| r.cache).collect::<Vec<_>>().join(" | "),
        "---|".repeat(s.runs.len())
    );
    row(
        w,
        "vendor calls per query, cold (minimum in brackets)",
        s.runs.iter().map(|r| {
            format!(
                "{} ({})",
                fmt_ratio(r.cold_calls.total(), r.cold.count),
                s.minimum.calls
            )
        }),
    );
    row(
        w,
        &format!(
            "cold p50 / p99, one query at a time (critical path {})",
            ms(critical)
        ),
        s.runs.iter().map(|r| p50_p99(&r.cold)),
    );
    row(
        w,
        "cold p99 − critical path",
        s.runs.iter().map(|r| {
            let over = r.cold.p99.as_secs_f64() - critical.as_secs_f64();
            format!("{:+.1} ms", over * 1000.0)
        }),
    );
    row(
        w,
        "peak throughput (closed loop)",
        s.runs
            .iter()
            .map(|r| format!("{:.0} queries/s{}", r.peak.throughput(), failures(&r.peak))),
    );
    row(
        w,
        "p50 / p99 at the peak",
        s.runs.iter().map(|r| p50_p99(&r.peak.latency)),
    );
    row(
        w,
        "p50 / p99 at half the peak (paced)",
        s.runs.iter().map(|r| match &r.half {
            Some(h) => format!(
                "{} at {:.0}/s{}{}",
                p50_p99(&h.latency),
                h.throughput(),
                failures(h),
                if h.late > 0 {
                    format!(" ({} sent ≥5 ms late)", h.late)
                } else {
                    String::new()
                }
            ),
            None => "—".into(),
        }),
    );
    row(
        w,
        "vendor calls per query under peak load",
        s.runs
            .iter()
            .map(|r| fmt_ratio(r.peak_calls.total(), r.peak_requests)),
    );
    row(
        w,
        "gateway CPU per query under peak load",
        s.runs.iter().map(|r| {
            let per = r.peak_cpu.as_secs_f64() * 1000.0 / r.peak_requests.max(1) as f64;
            format!("{per:.2} ms")
        }),
    );
    row(
        w,
        &format!("CPU-bound ceiling on {cores} idle cores ({cores} ÷ CPU per query; an estimate)"),
        s.runs.iter().map(|r| {
            let per = r.peak_cpu.as_secs_f64() / r.peak_requests.max(1) as f64;
            format!("{:.0} queries/s", cores as f64 / per.max(1e-9))
        }),
    );
    row(
        w,
        "cores used at the peak: gateway / load generator + simulators",
        s.runs.iter().map(|r| {
            let span = r.peak_wall.as_secs_f64();
            format!(
                "{:.2} / {:.2}",
                r.peak_cpu.as_secs_f64() / span,
                r.client_cpu.as_secs_f64() / span
            )
        }),
    );
    row(
        w,
        "gateway peak RSS (VmHWM) / RSS at the end of the load runs (1 tenant)",
        s.runs
            .iter()
            .map(|r| format!("{} / {}", mb(r.memory.peak_bytes), mb(r.memory.current_bytes))),
    );
    row(
        w,
        "gateway RSS idle, before any query: 1 tenant / the cold samples' gateway",
        s.runs.iter().map(|r| {
            format!(
                "{} / {} ({} tenant{})",
                mb(r.idle.current_bytes),
                mb(r.cold_idle.current_bytes),
                r.cold_tenants,
                if r.cold_tenants == 1 { "" } else { "s" }
            )
        }),
    );
    row(
        w,
        "the cold samples' gateway: peak RSS",
        s.runs.iter().map(|r| mb(r.cold_memory.peak_bytes)),
    );
    row(
        w,
        "cache store failures logged (then served from the vendors)",
        s.runs.iter().map(|r| r.store_failures.to_string()),
    );
    let _ = writeln!(w);
    let on = s.runs.iter().filter(|r| r.half.is_some());
    let off = s.runs.iter().find(|r| r.half.is_none());
    if let (Some(best), Some(off)) = (
        on.max_by(|a, b| a.peak.throughput().total_cmp(&b.peak.throughput())),
        off,
    ) {
        let calls = |r: &CacheRun| r.peak_calls.total() as f64 / r.peak_requests.max(1) as f64;
        let _ = writeln!(
            w,
            "What the cache buys under load: {:.1}× the throughput ({}: {:.0} against {:.0} queries/s with it off) \
             and {:.1} against {:.1} vendor calls per query.\n",
            best.peak.throughput() / off.peak.throughput().max(1e-9),
            best.cache,
            best.peak.throughput(),
            off.peak.throughput(),
            calls(best),
            calls(off)
        );
    }
    let _ = writeln!(w, "Vendor calls per cold query, by route:\n");
    for r in &s.runs {
        let _ = writeln!(w, "- {}: {}", r.cache, r.cold_calls.per_query(r.cold.count));
    }
    let _ = writeln!(w);
    for r in &s.runs {
        for (what, run) in [("peak", Some(&r.peak)), ("half peak", r.half.as_ref())] {
            if let Some(failure) = run.and_then(|run| run.first_failure.as_ref()) {
                let _ = writeln!(
                    w,
                    "First failure ({}, {what}): `{}`\n",
                    r.cache,
                    failure.replace('`', "'")
                );
            }
        }
    }
}

fn render_write_read(w: &mut String, r: &WriteRead, latency_ms: u64) {
    let _ = writeln!(w, "## Write then read\n");
    let _ = writeln!(
        w,
        "Two gateways share one Redis namespace. Both have read the team first (so the replica's read is served from \
         the cache unless the write cleared it); then, {} times, gateway A adds (or removes again) one agent with \
         `addTeamMembers` / `removeTeamMembers` and gateway B at once reads the team and must show the change.\n",
        r.iterations
    );
    let _ = writeln!(
        w,
        "```graphql\n{}\n{}\n```\n",
        crate::scenarios::ADD_MEMBER,
        crate::scenarios::READ_TEAM
    );
    let _ = writeln!(
        w,
        "- The fewest vendor calls: **2** per write and read = the write (`PATCH` or `DELETE /teams/{{id}}/agents`) + \
         `GET /teams/{{id}}/agents` for the changed members (the team's name did not change and may stay cached).\n\
         - Critical path: **2** round trips (write, then read) × {latency_ms} ms = **{}**.\n",
        ms(Duration::from_millis(2 * latency_ms))
    );
    let _ = writeln!(w, "| | |\n|---|---|");
    let _ = writeln!(
        w,
        "| reads that did not show the write | **{}** of {} |",
        r.stale, r.iterations
    );
    let _ = writeln!(w, "| write on A p50 / p99 | {} |", p50_p99(&r.write));
    let _ = writeln!(w, "| read on B right after, p50 / p99 | {} |", p50_p99(&r.read));
    let _ = writeln!(
        w,
        "| write start → change read on B, p50 / p99 | {} |",
        p50_p99(&r.visible)
    );
    let _ = writeln!(
        w,
        "| vendor calls per write + read | {} (minimum 2): {} |",
        fmt_ratio(r.calls.total(), r.iterations),
        r.calls.per_query(r.iterations)
    );
    let _ = writeln!(
        w,
        "| peak RSS writer / reader | {} / {} |\n",
        mb(r.memory[0].peak_bytes),
        mb(r.memory[1].peak_bytes)
    );
}

fn render_method(w: &mut String, o: &Options) {
    let _ = writeln!(w, "## Method\n");
    let _ = writeln!(
        w,
        "- **Processes.** The vendor simulators run in the benchmark process (`RunningSimulators`), seeded as usual \
         except Dixa, which gets {teams} teams of {members} distinct agents (`POST /dixa/_sim/seed`). Each gateway is \
         the real `switchboard serve` binary in its own process, configured by `SWITCHBOARD_*` variables only, on \
         127.0.0.1 port 0; for every scenario and cache, a fresh one for the cold samples and another, serving one \
         tenant, for the load runs, so its peak RSS (`VmHWM` in `/proc/<pid>/status`) and CPU time (`/proc/<pid>/stat`) \
         are those runs' alone. Each configured tenant costs a gateway memory of its own (see the idle row), so the \
         RSS target is judged on the one-tenant gateways. Redis runs use a fresh key namespace \
         (`bench-<uuid>`), deleted at the end.\n\
         - **Vendor latency.** `POST /{{vendor}}/_sim/faults {{\"respondAtMs\": {lat}}}` without a route, on all four \
         simulators: every vendor call, token exchanges included, is answered {lat} ms after it arrived, the \
         simulator's own work (reading the call, building its JSON) inside those {lat} ms, as a remote vendor's latency \
         holds its own work. (With `latencyMs` the simulator would do that work after the wait, on the cores the \
         gateway uses, and a dozen answers due at once would queue behind each other: a 20 ms vendor would answer in \
         21 to 25 ms.) Vendor calls are read from \
         `GET /{{vendor}}/_sim/calls` (reset with `DELETE`) around each measurement.\n\
         - **Cold.** A cold query must find the cache empty without anyone writing to the vendors or flushing a shared \
         Redis. The cold samples' gateway serves tenants `cold0` … `cold{last}` besides `warm`, all pointing at \
         the same simulators, and cache keys carry the tenant: cold sample *i* is tenant `cold<i>`'s first query, so it misses \
         every entry, in process or in Redis alike, with nothing waited for or deleted. What stays warm is what a cache \
         miss in production also finds warm: connections to the vendors, and the vendor tokens (AICC AK/SK, Vonage \
         OAuth), fetched by the gateway's first readiness probe (which reads no cached data) before any sample; \
         tokens live an hour, so a token exchange is not part of an ordinary miss. The alternatives were worse: one \
         gateway per sample (or per namespace) would also start cold connections and tokens; waiting out a 1 s TTL \
         costs a second a sample; deleting keys from Redis does nothing for the in-process cache. Cold samples run one \
         at a time (light load), after the gateway process's first query, which runs on a tenant of its own \
         (`cold{samples}`) and is not sampled: it also pays what a process pays once (first allocations, code and \
         data paged in), as a production gateway does once when it starts. With the cache off every query is cold, \
         so that column uses one tenant (its first query is not sampled either).\n\
         - **Critical path.** The shortest chain of vendor round trips that depend on each other, derived per \
         scenario in `benches/gateway/scenarios.rs`, × {lat} ms. A gateway at its best answers a cold query in about \
         that time plus its own work.\n\
         - **Warm.** Tenant `warm`, its cache filled by one query first. Peak throughput: a closed loop of {clients} \
         clients (each sends again when answered) for {window} s after {warmup} s of warm-up; presence (5 s TTL) \
         expires meanwhile, as it would in production. Half the peak: the same query paced at half that throughput, \
         spread over {clients} workers; latency there is what the issue calls the overhead (a warm answer needs no \
         vendor round trip). Latency is measured by the client from just before sending to the last byte, so it \
         includes loopback HTTP and the load generator's own scheduling on the shared cores.\n\
         - **Cache off.** All TTLs 0 (in process): nothing is stored, but concurrent misses of one key still share one \
         vendor call, so under load it makes fewer calls per query than cold.\n\
         - **Percentiles** are nearest-rank: with fewer than 100 samples, p99 is the largest. A run stops at its \
         deadline or after {max} requests.\n",
        teams = crate::scenarios::TEAMS,
        members = crate::scenarios::MEMBERS_PER_TEAM,
        lat = o.latency_ms,
        last = o.cold_samples,
        samples = o.cold_samples,
        clients = o.clients,
        window = o.window.as_secs_f64(),
        warmup = o.warmup.as_secs_f64(),
        max = o.max_requests,
    );
}
