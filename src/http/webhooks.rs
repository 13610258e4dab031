//! Vendor webhooks. `POST /webhooks/vonage/{tenant}` takes Vonage's
//! `agent.presencechanged.v0` events into the tenant's presence store. The caller proves
//! itself with the tenant's webhook secret (`Authorization: Bearer <secret>` or
//! `X-Webhook-Secret`), compared in constant time. Vonage retries a non-2xx delivery for
//! 24 hours and may deliver twice or out of order: duplicates and older events are
//! acknowledged (202) and change nothing; a malformed event is a 400 saying why. Reading
//! the event is the presence layer's ([`presence::vonage_delivery`]); this handler keeps
//! the secret, the size limit and the HTTP statuses.

use axum::{
    Json,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use bytes::Bytes;
use secrecy::ExposeSecret;
use serde_json::json;
use subtle::ConstantTimeEq;

use super::AppState;
use crate::presence::{self, VonageDelivery};

/// The largest event body accepted.
const MAX_EVENT_BYTES: usize = 64 * 1024;

fn reply(status: StatusCode, body: serde_json::Value) -> Response {
    (status, Json(body)).into_response()
}

fn presented_secret(headers: &HeaderMap) -> Option<&str> {
    if let Some(v) = headers.get("x-webhook-secret") {
        return v.to_str().ok();
    }
    let auth = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    auth.strip_prefix("Bearer ")
        .or_else(|| auth.strip_prefix("bearer "))
}

/// `POST /webhooks/vonage/{tenant}`.
pub async fn vonage(
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let tenant = state.tenants.iter().find(|t| *t.id == *tenant_id);
    let expected = tenant.and_then(|t| t.vonage_webhook_secret.as_ref());
    let presented = presented_secret(&headers).unwrap_or("");
    // Unknown tenant, no secret configured and a wrong secret look the same.
    let authentic = match expected {
        Some(secret) => bool::from(secret.expose_secret().as_bytes().ct_eq(presented.as_bytes())),
        None => false,
    };
    let (Some(tenant), true) = (tenant, authentic) else {
        tracing::warn!(tenant = %tenant_id, "Vonage webhook refused: bad secret");
        return reply(
            StatusCode::UNAUTHORIZED,
            json!({ "error": "unknown tenant or wrong webhook secret" }),
        );
    };
    if body.len() > MAX_EVENT_BYTES {
        return reply(
            StatusCode::PAYLOAD_TOO_LARGE,
            json!({ "error": format!("an event may be at most {MAX_EVENT_BYTES} bytes") }),
        );
    }
    let (entry, event_id) = match presence::vonage_delivery(&body) {
        Ok(VonageDelivery::Change { entry, event_id }) => (entry, event_id),
        Ok(VonageDelivery::NotConsumed { event_type }) => {
            // Acknowledged, so Vonage does not retry an event Switchboard does not use.
            return reply(
                StatusCode::ACCEPTED,
                json!({ "status": "ignored", "reason": format!("event type `{event_type}` is not consumed") }),
            );
        }
        Err(malformed) => {
            return reply(StatusCode::BAD_REQUEST, json!({ "error": malformed.to_string() }));
        }
    };
    let agent = entry.agent_id.clone();
    let applied = tenant.presence.apply(entry);
    if applied == presence::Applied::Changed {
        state.cache.note_write().await;
    }
    tracing::info!(tenant = %tenant.id, agent, outcome = applied.as_str(), event_id = ?event_id, "Vonage presence event");
    reply(StatusCode::ACCEPTED, json!({ "status": applied.as_str() }))
}
