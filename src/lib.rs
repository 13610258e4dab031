//! Switchboard: one GraphQL graph over the contact-center platforms a company already
//! pays for (Webex Calling, Huawei Cloud AICC, Dixa, Vonage Contact Center).
//!
//! A request flows down these modules, each talking only to the one below it:
//!
//! - [`http`]: axum routes (`/graphql` over HTTP, WebSocket and SSE, GraphiQL, `/wallboard`,
//!   `/healthz`, `/readyz`, `/metrics`); API key or JWT → tenant.
//! - [`graphql`]: the schema: roots, types, errors (`extensions.code`), global ids.
//! - [`loaders`]: per-request DataLoaders, one per vendor resource; batch, dedupe, cache.
//! - [`cache`]: tenant-scoped read cache behind a small trait.
//! - [`vendors`]: one typed client per vendor over a shared HTTP layer (timeouts, retries)
//!   and one shared send/error/paging loop ([`vendors::exchange`]).
//! - [`live`]: `presenceChanged`'s engine: pollers while anyone subscribes, fan-out to
//!   bounded per-subscriber queues, snapshots.
//! - [`presence`]: live presence state (webhooks, polls, reads), applied newest-first, broadcast.
//!
//! Beside them: [`config`] (typed settings), [`tenant`] (a tenant's vendor clients),
//! [`readiness`] (background probes behind `/readyz`),
//! [`startup`] (the one place that wires), [`sim`] (vendor simulators for the default
//! run and the tests), [`cli`] (the command line), [`telemetry`] (logs and OpenTelemetry
//! traces) and [`metrics`] (Prometheus, `/metrics`).
//!
//! A vendor is its own folders (`vendors/<v>/`, `loaders/<v>.rs`, `graphql/roots/<v>.rs`,
//! `graphql/lookup/<v>.rs`, `graphql/types/*_<v>.rs`, `sim/<v>/`), each registering the
//! vendor at its layer with one line: [`vendors::connector::Connector`] (settings section,
//! credential, client, readiness probe; listed in [`tenant::Tenant::build`]),
//! the loader's accessor on [`loaders::Loaders`] (made when a request first asks), the
//! roots in [`graphql::roots`], the `node` lookup in
//! [`graphql::lookup`], and [`sim::VendorSim`] (listed in [`sim::Simulators::all`]). The
//! README's "Adding a vendor" lists what else a fifth vendor declares.

pub mod cache;
pub mod cli;
pub mod config;
pub mod graphql;
pub mod http;
pub mod live;
pub mod loaders;
pub mod metrics;
pub mod presence;
pub mod readiness;
pub mod sim;
pub mod startup;
pub mod telemetry;
pub mod tenant;
pub mod vendors;
