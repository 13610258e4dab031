//! Switchboard's integration tests: one binary, the real server on port 0, the vendor
//! simulators in-process. `helpers` starts both; each other module covers one capability.

mod helpers;

mod access;
mod answers;
mod audit;
mod auth;
mod browser;
mod calls;
mod deploy;
mod dixa_spec;
mod dixa_teams;
mod edge;
mod errors;
mod federation;
mod federation_gateway;
mod huawei;
mod idempotency;
mod ids;
mod live;
mod live_cluster;
mod lookups;
mod metrics;
mod one_graph;
mod openapi;
mod redis;
mod resilience;
mod schema;
mod traces;
mod vonage;
mod webex;
mod webex_spec;
