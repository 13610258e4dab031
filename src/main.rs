//! `switchboard`: parse the command line, start logging, run. Failures print one clear
//! line (with its causes) and exit non-zero, never a backtrace.

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    switchboard::telemetry::init();
    match switchboard::cli::Cli::parse().run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("switchboard: {e:#}");
            ExitCode::FAILURE
        }
    }
}
