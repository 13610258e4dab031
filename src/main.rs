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
/// Freed memory goes back to the system after 100 ms (mimalloc v3 waits 1 s by default).
const PURGE_DELAY_MS: std::ffi::c_long = 100;

/// How the allocator holds memory, unless the operator's `MIMALLOC_*` says otherwise:
///
/// - No transparent huge pages. With them, every large allocation that lands on memory
///   given back faults in a 2 MiB page the kernel zeroes whole, where the request touches
///   a few hundred KiB of it: in the benchmark's cold `_entities` query (500 agents) the
///   zeroing took a seventh of the server's CPU and made most of its cold p99 tail
///   (41 ms against a 30 ms median; 33 ms without), and resident memory counts whole huge
///   pages (the cache-off burst peaked at 91 MB; 63 MB without).
/// - Freed memory given back after 100 ms rather than at once: a request's memory is
///   reused by the next one instead of being faulted in again (half a millisecond to a
///   millisecond less per cold query in the benchmark), while a burst's memory still
///   leaves within a tenth of a second (the cache-off burst peaked at 66–73 MB, against
///   62–66 MB with no delay).
fn tune_the_allocator() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        // For the whole process: mimalloc asked for huge pages on its first arena before
        // `main` ran (its own option would come too late), and the kernel checks this
        // flag at every fault.
        // SAFETY: a prctl with plain integer arguments; it touches no memory of ours.
        unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
    }
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets one of mimalloc's own options, by its number, before any other
        // thread exists (the runtime is built after).
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, PURGE_DELAY_MS) };
    }
}

fn main() -> ExitCode {
    tune_the_allocator();
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
    fn the_allocator_is_tuned_as_meant() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some()
            || std::env::var_os("MIMALLOC_ALLOW_THP").is_some()
        {
            return;
        }
        // SAFETY: reads and sets mimalloc's options (a word each; the test harness's
        // other threads do not touch them), and reads a prctl flag.
        unsafe {
            // The option's number is mimalloc's enum position: its default (1000 ms, in
            // mimalloc v3's options.c) says it is the purge delay; then it reads back as set.
            assert_eq!(libmimalloc_sys::mi_option_get(PURGE_DELAY), 1000);
            tune_the_allocator();
            assert_eq!(libmimalloc_sys::mi_option_get(PURGE_DELAY), PURGE_DELAY_MS);
            #[cfg(target_os = "linux")]
            assert_eq!(libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0), 1);
        }
    }
}
