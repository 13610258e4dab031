//! `switchboard`: parse the command line, run (each command starts logging once its
//! settings are known, so `serve` can export traces where they say). Failures print one clear
//! line (with its causes) and exit non-zero, never a backtrace.

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    match switchboard::cli::Cli::parse().run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("switchboard: {e:#}");
            ExitCode::FAILURE
        }
    }
}
