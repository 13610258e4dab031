//! `/healthz` (the process is up) and `/readyz` (the cache and every configured vendor
//! answer, as JSON saying which).

use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
use serde_json::json;

use super::AppState;

pub async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let cache = state.cache.ping().await;
    let mut vendors = Vec::new();
    for tenant in state.tenants.iter() {
        for (vendor, result) in tenant.probe_vendors().await {
            vendors.push(json!({
                "tenant": &*tenant.id,
                "vendor": vendor.as_str(),
                "ok": result.is_ok(),
                "error": result.err().map(|e| e.to_string()),
            }));
        }
    }
    let ready = cache.is_ok() && vendors.iter().all(|v| v["ok"] == true);
    let body = json!({
        "status": if ready { "ready" } else { "degraded" },
        "cache": {
            "backend": state.cache.backend(),
            "ok": cache.is_ok(),
            "error": cache.err().map(|e| e.to_string()),
        },
        "vendors": vendors,
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body))
}
