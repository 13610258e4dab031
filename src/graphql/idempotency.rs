//! Idempotent mutations: a mutation given an `idempotencyKey` writes at most once,
//! however often, however concurrently and on whichever replica it is repeated.
//!
//! One record per (tenant, key), in the cache's record store (Redis when configured, so
//! every replica sees it; in process otherwise), changed only by compare-and-swap:
//!
//! - absent: the first request swaps in `Running` (with a lease) and runs the write;
//! - `Running`: a repeat waits for it, within its own request's deadline (then
//!   `IDEMPOTENCY_KEY_IN_USE`); once the lease has passed the runner is gone (its request
//!   deadline is shorter than the lease), and its outcome counts as unknown;
//! - `Done`: a repeat gets the stored outcome, without calling the vendor;
//! - `Unknown`: the write was sent and its answer never came back
//!   (`VENDOR_OUTCOME_UNKNOWN`). A repeat takes the record over and runs again, told so
//!   by [`Attempt::after_unknown_outcome`]: a create then looks its resource up by its
//!   natural key first, and a delete takes "not found" as done, so nothing is made twice.
//!
//! A write that failed in a way that changed nothing (refused, unreachable) removes the
//! record: the same key may try again. Records last `cache.idempotency_ttl_secs` (24 h).
//!
//! The record keeps a fingerprint of the mutation and its arguments, so a key reused for
//! different input is refused rather than answered with another request's outcome. The
//! fingerprint is SHA-256 over the key and the arguments, and the record is stored under
//! the key's SHA-256: a reader of Redis learns neither the key nor the input (passwords
//! included) from it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_graphql::{Context, InputValueError, InputValueResult, Scalar, ScalarType, Value};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use tokio::time::Instant;

use super::{
    context,
    error::{ApiError, ApiResult, ErrorCode},
};
use crate::{
    cache::digest,
    vendors::{VendorError, VendorErrorKind},
};

/// Longest `idempotencyKey` accepted.
pub const MAX_KEY_CHARS: usize = 255;

/// How long past its request's deadline a runner's lease lasts (room for clock skew
/// between replicas: leases are wall-clock times).
const LEASE_MARGIN: Duration = Duration::from_secs(5);

/// What a mutation's write is told about earlier attempts under its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    /// An earlier attempt was sent to the vendor and its outcome is unknown: look the
    /// resource up (by its natural key) before writing again.
    pub after_unknown_outcome: bool,
}

impl Attempt {
    /// A delete's result in the light of this attempt: after an unknown outcome, "not
    /// found" means the earlier attempt did it.
    pub fn deleted(self, result: Result<(), VendorError>) -> ApiResult<()> {
        match result {
            Err(e) if self.after_unknown_outcome && e.kind == VendorErrorKind::NotFound => Ok(()),
            other => other.map_err(ApiError::from),
        }
    }
}

/// A mutation's idempotency key, checked when parsed (see the impl's description).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[Scalar]
/// Makes a mutation safe to retry: its first outcome is kept under this key (24 hours by
/// default) and returned to every repeat, on any replica, without writing again;
/// concurrent repeats wait for the first. Use a fresh value (a UUID) per intended change,
/// and the same one for its retries. A key reused for other input is refused. When a
/// write's answer was lost (`VENDOR_OUTCOME_UNKNOWN`), retrying with its key first looks
/// the resource up, so nothing is created twice. 1 to 255 visible ASCII characters.
impl ScalarType for IdempotencyKey {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(key) if is_valid_key(key) => Ok(Self(key.clone())),
            Value::String(_) => Err(InputValueError::custom(format!(
                "an idempotency key must be 1 to {MAX_KEY_CHARS} visible ASCII characters (a UUID, say)"
            ))),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}

/// The record kept under a key.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "camelCase")]
enum Record {
    /// A request is writing; the lease ends at `until_ms` (Unix ms).
    Running { fingerprint: String, until_ms: u64 },
    /// The write was sent; its outcome never came back.
    Unknown { fingerprint: String },
    /// The write's outcome, replayed to every repeat.
    Done {
        fingerprint: String,
        outcome: serde_json::Value,
    },
}

impl Record {
    fn fingerprint(&self) -> &str {
        match self {
            Record::Running { fingerprint, .. }
            | Record::Unknown { fingerprint }
            | Record::Done { fingerprint, .. } => fingerprint,
        }
    }

    fn encode(&self) -> ApiResult<Vec<u8>> {
        serde_json::to_vec(self).map_err(ApiError::internal)
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Whether `key` is 1 to [`MAX_KEY_CHARS`] visible ASCII characters.
fn is_valid_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= MAX_KEY_CHARS && key.bytes().all(|b| b.is_ascii_graphic())
}

/// Runs the mutation `ctx` resolves through `write`, at most once per `key`: see the
/// module documentation. Without a key, `write` simply runs.
pub async fn once<T, F>(ctx: &Context<'_>, key: Option<&IdempotencyKey>, write: F) -> ApiResult<T>
where
    T: Serialize + DeserializeOwned,
    F: AsyncFnOnce(Attempt) -> ApiResult<T>,
{
    let Some(IdempotencyKey(key)) = key else {
        return write(Attempt {
            after_unknown_outcome: false,
        })
        .await;
    };
    let request = context::request(ctx)?;
    let cache = &request.cache;
    let record_key = format!("{}:idempotency:{}", request.tenant.id, digest(&[key.as_bytes()]));
    let fingerprint = fingerprint(ctx, key)?;
    let ttl = cache.idempotency_ttl();
    let lease = request.tenant.request_deadline + LEASE_MARGIN;
    let deadline = crate::vendors::http::current_deadline()
        .unwrap_or_else(|| Instant::now() + request.tenant.request_deadline);
    let mut pause = Duration::from_millis(10);
    loop {
        let current = cache.record(&record_key).await;
        let record = match current.as_deref().map(serde_json::from_slice::<Record>) {
            None => None,
            Some(Ok(record)) => Some(record),
            // Unreadable (written by another version, say): the write's fate is unknown.
            Some(Err(e)) => {
                tracing::warn!(error = %e, "unreadable idempotency record; treating its outcome as unknown");
                Some(Record::Unknown {
                    fingerprint: fingerprint.clone(),
                })
            }
        };
        if record.as_ref().is_some_and(|r| r.fingerprint() != fingerprint) {
            return Err(ApiError::bad_input(
                "idempotencyKey",
                "was first used for another mutation or other input; use a new key",
            ));
        }
        let after_unknown_outcome = match record {
            None => false,
            Some(Record::Done { outcome, .. }) => {
                return serde_json::from_value(outcome).map_err(ApiError::internal);
            }
            Some(Record::Running { until_ms, .. }) if until_ms > now_ms() => {
                if Instant::now() + pause >= deadline {
                    return Err(ApiError::new(
                        ErrorCode::IdempotencyKeyInUse,
                        "another request with this idempotencyKey is still running; retry later",
                    ));
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_millis(200));
                continue;
            }
            // The runner is gone, or its write was sent and never answered.
            Some(Record::Running { .. } | Record::Unknown { .. }) => true,
        };
        let lease_until = now_ms().saturating_add(u64::try_from(lease.as_millis()).unwrap_or(u64::MAX));
        let running = Record::Running {
            fingerprint: fingerprint.clone(),
            until_ms: lease_until,
        }
        .encode()?;
        if !cache
            .swap_record(&record_key, current.as_deref(), Some(&running), lease)
            .await
        {
            // Another request moved first: look again.
            continue;
        }
        let result = write(Attempt {
            after_unknown_outcome,
        })
        .await;
        let next = match &result {
            Ok(value) => Some(Record::Done {
                fingerprint,
                outcome: serde_json::to_value(value).map_err(ApiError::internal)?,
            }),
            Err(e) if e.code == ErrorCode::VendorOutcomeUnknown => Some(Record::Unknown { fingerprint }),
            // Nothing was written: the key may try again.
            Err(_) => None,
        };
        let next = next.as_ref().map(Record::encode).transpose()?;
        if !cache
            .swap_record(&record_key, Some(&running), next.as_deref(), ttl)
            .await
        {
            tracing::warn!("an idempotency record changed while its write ran (its lease ran out)");
        }
        return result;
    }
}

/// SHA-256 over the key, the mutation's name and its arguments (variables resolved),
/// `idempotencyKey` left out.
fn fingerprint(ctx: &Context<'_>, key: &str) -> ApiResult<String> {
    let field = ctx.field();
    let arguments: Vec<_> = field
        .arguments()
        .map_err(|e| ApiError::internal(e.message))?
        .into_iter()
        .filter(|(name, _)| name.as_str() != "idempotencyKey")
        .collect();
    let arguments = serde_json::to_vec(&arguments).map_err(ApiError::internal)?;
    Ok(digest(&[key.as_bytes(), field.name().as_bytes(), &arguments]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_of_bounded_length() {
        assert!(IdempotencyKey::parse(Value::from("3f2c8e0a-1b7d-4c55-9a39-2d1f0c6e7b10")).is_ok());
        assert!(IdempotencyKey::parse(Value::from("k".repeat(MAX_KEY_CHARS))).is_ok());
        for bad in ["", "has space", "tab\t", "ümlaut", &"k".repeat(MAX_KEY_CHARS + 1)] {
            assert!(IdempotencyKey::parse(Value::from(bad)).is_err(), "{bad:?}");
        }
        assert!(IdempotencyKey::parse(Value::from(7)).is_err());
    }

    #[test]
    fn records_name_their_state() {
        let record = Record::Unknown {
            fingerprint: "f".into(),
        };
        let bytes = record.encode().unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            r#"{"state":"unknown","fingerprint":"f"}"#
        );
    }
}
