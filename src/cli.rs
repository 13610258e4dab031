//! The command line: `switchboard` (the demo: built-in simulators, no key),
//! `switchboard serve [--config FILE]` (settings from the file and/or the environment),
//! `switchboard sim`, `switchboard schema [--federation]`.

use std::{net::SocketAddr, path::PathBuf};

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use crate::{
    config::{DEFAULT_LISTEN, OtelSettings, Settings},
    graphql,
    sim::RunningSimulators,
    startup::{Application, shutdown_signal},
    telemetry,
};

/// The tenant of the default run.
pub const DEMO_TENANT: &str = "demo";

/// Switchboard: one GraphQL graph over your contact-center vendors.
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Cli {
    /// What to do; the demo (simulators, no key, loopback) when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Where to listen (for `serve` without a subcommand).
    #[arg(long, env = "SWITCHBOARD_LISTEN", global = true)]
    pub listen: Option<SocketAddr>,
    /// Let the key-less demo (or an anonymous tenant) be served on a non-loopback
    /// address, where anyone who reaches it may use it.
    #[arg(long, env = "SWITCHBOARD_ANONYMOUS_ON_NETWORK", global = true)]
    pub anonymous_on_network: bool,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the graph from settings: a TOML file and/or SWITCHBOARD_* variables. Refuses
    /// to start without a tenant. (`switchboard` alone runs the demo instead.)
    Serve {
        /// A TOML settings file (see switchboard.example.toml); without it, the
        /// environment alone.
        #[arg(long, short)]
        config: Option<PathBuf>,
    },
    /// Run the vendor simulators alone, each under its own path prefix.
    Sim,
    /// Print the GraphQL schema (SDL).
    Schema {
        /// Print the federation v2 subgraph SDL instead (`@link`, `@key`), what
        /// `_service { sdl }` answers and a gateway composes.
        #[arg(long)]
        federation: bool,
    },
}

impl Cli {
    /// Runs the command.
    pub async fn run(self) -> anyhow::Result<()> {
        match self.command {
            Some(Command::Schema { federation }) => {
                let _telemetry = telemetry::init(&OtelSettings::default())?;
                if federation {
                    print!("{}", graphql::federation_sdl());
                } else {
                    print!("{}", graphql::sdl());
                }
                Ok(())
            }
            Some(Command::Sim) => {
                let _telemetry = telemetry::init(&OtelSettings::default())?;
                let listen = self
                    .listen
                    .unwrap_or_else(|| "127.0.0.1:8090".parse().expect("valid address"));
                let sims = RunningSimulators::start(listen)
                    .await
                    .with_context(|| format!("binding {listen}"))?;
                println!("Vendor simulators on http://{}", sims.addr);
                for line in sims.banner() {
                    println!("  {line}");
                }
                println!(
                    "  Controls: GET/DELETE /{{vendor}}/_sim/calls, GET/POST/DELETE /{{vendor}}/_sim/faults"
                );
                shutdown_signal().await;
                Ok(())
            }
            Some(Command::Serve { config }) => {
                let settings = Settings::load(config.as_deref(), self.listen, self.anonymous_on_network)?;
                let _telemetry = telemetry::init(&settings.otel)?;
                serve(settings, "").await
            }
            None => {
                // The demo exports traces only where the standard variables say.
                let _telemetry = telemetry::init(&OtelSettings::default())?;
                let listen = self
                    .listen
                    .unwrap_or_else(|| DEFAULT_LISTEN.parse().expect("valid address"));
                let sims = RunningSimulators::start("127.0.0.1:0".parse().expect("valid address"))
                    .await
                    .context("starting the vendor simulators")?;
                tracing::info!(addr = %sims.addr, "vendor simulators started");
                let mut settings = Settings::for_default_run(listen, DEMO_TENANT, sims.tenant_settings());
                settings.anonymous_on_network = self.anonymous_on_network;
                serve(
                    settings,
                    "DEMO: built-in vendor simulators with seeded data, no API key needed. \
                     For real vendors: switchboard serve --config FILE (see README).\n",
                )
                .await
            }
        }
    }
}

async fn serve(settings: Settings, banner: &str) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    let addr = app.local_addr();
    print!("{banner}");
    println!("Switchboard is serving GraphiQL at http://{addr}/ (GraphQL endpoint: http://{addr}/graphql)");
    app.run_until_stopped().await?;
    Ok(())
}
