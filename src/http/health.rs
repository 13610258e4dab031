//! `/healthz` (the process is up) and `/readyz` (the latest background probe of the cache
//! and every vendor; see `readiness`). Neither calls a vendor (the first `/readyz` only
//! starts the background prober). `/readyz` tells anyone
//! only the overall state; a caller with a valid API key also sees its own tenant's
//! vendors, with their errors and latencies.
//!
//! `/readyz` is 503 only until the first probe round has finished, or when the results
//! are stale (the prober stopped). A failing vendor
//! makes it `degraded`, still 200: a vendor outage hits every replica alike, and taking
//! them all out of the load balancer would turn one vendor's outage into a full one.

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
};
use serde_json::json;

use super::AppState;

pub async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

pub async fn readyz(State(state): State<AppState>, headers: HeaderMap) -> impl IntoResponse {
    let Some(snapshot) = state.readiness.latest() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "starting" })),
        );
    };
    if state.readiness.is_stale(&snapshot) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "stale", "checkedAt": snapshot.checked_at_text() })),
        );
    }
    let status = if snapshot.all_ok() { "ready" } else { "degraded" };
    let Some(tenant) = state.auth.identify(&headers) else {
        return (
            StatusCode::OK,
            Json(json!({ "status": status, "checkedAt": snapshot.checked_at_text() })),
        );
    };
    let vendors: Vec<_> = snapshot
        .vendors
        .iter()
        .filter(|p| p.tenant == tenant.id)
        .map(|p| {
            json!({
                "vendor": p.vendor.as_str(),
                "ok": p.error.is_none(),
                "error": p.error,
                "latencyMs": p.latency.as_millis() as u64,
                "breaker": tenant.breaker_state(p.vendor).map(|b| b.as_str()),
            })
        })
        .collect();
    let body = json!({
        "status": status,
        "checkedAt": snapshot.checked_at_text(),
        "tenant": &*tenant.id,
        "cache": {
            "backend": snapshot.cache_backend,
            "ok": snapshot.cache_error.is_none(),
            "error": snapshot.cache_error,
        },
        "vendors": vendors,
    });
    (StatusCode::OK, Json(body))
}
