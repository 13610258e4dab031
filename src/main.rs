//! `switchboard`: parse the command line, run (each command starts logging once its
//! settings are known, so `serve` can export traces where they say). Failures print one clear
//! line (with its causes) and exit non-zero, never a backtrace.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than glibc's allocator: under load glibc's `malloc`, `free` and their
/// consolidation took a third of the server's CPU (perf, `cargo bench --bench gateway`),
/// and its per-thread arenas hold on to freed memory.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (`mimalloc.h`, v3): how long freed memory stays
/// with the process before it is given back to the system.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Gives freed memory back at once (mimalloc v3 waits 1 s by default): a burst of
/// concurrent requests then peaks at about two thirds of the resident memory it
/// otherwise would (the benchmark's `_entities` run without a cache: 92 MB against
/// 144), for a little more CPU per request. An operator's `MIMALLOC_PURGE_DELAY` is
/// left to rule.
fn return_freed_memory_at_once() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: sets one of mimalloc's own options, by its number, before any other
    // thread exists (the runtime is built after).
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) };
}

fn main() -> ExitCode {
    return_freed_memory_at_once();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("switchboard: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(switchboard::cli::Cli::parse().run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("switchboard: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_option_is_the_one_set() {
        // The option's number is mimalloc's enum position: its default (1000 ms, in
        // mimalloc v3's options.c) says it is the purge delay; then it reads back as set.
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // SAFETY: reads and sets mimalloc's options (a word each; the test harness's
        // other threads do not touch them).
        unsafe {
            assert_eq!(libmimalloc_sys::mi_option_get(PURGE_DELAY), 1000);
            return_freed_memory_at_once();
            assert_eq!(libmimalloc_sys::mi_option_get(PURGE_DELAY), 0);
        }
    }
}
