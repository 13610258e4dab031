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
//! - [`vendors`]: one typed client per vendor over a shared HTTP layer (timeouts, retries).
//! - [`live`]: `presenceChanged`'s engine: pollers while anyone subscribes, fan-out to
//!   bounded per-subscriber queues, snapshots.
//! - [`presence`]: live presence state (webhooks, polls, reads), applied newest-first, broadcast.
//!
//! Beside them: [`config`] (typed settings), [`tenant`] (a tenant's vendor clients),
//! [`readiness`] (background probes behind `/readyz`),
//! [`startup`] (the one place that wires), [`sim`] (vendor simulators for the default
//! run and the tests), [`cli`] (the command line), [`telemetry`] (logs and OpenTelemetry
//! traces) and [`metrics`] (Prometheus, `/metrics`).

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
