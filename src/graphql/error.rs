//! The one place an error becomes a GraphQL error: [`ApiError`] carries an
//! [`ErrorCode`] and, for vendor failures, what the vendor said; `From<ApiError>` turns
//! it into `extensions`.

use std::fmt;

use async_graphql::ErrorExtensions;

use crate::vendors::{VendorError, VendorErrorKind};

/// `extensions.code` of every error a client sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// The HTTP request itself is malformed (body, content type, parameters) or was
    /// refused as a possible cross-site request.
    BadRequest,
    /// The request's input broke a rule; `extensions.field` names the field.
    BadUserInput,
    /// What a mutation acts on does not exist. (A lookup of something that does not
    /// exist is null, without an error; see `graphql::lookup`.)
    NotFound,
    /// No valid API key.
    Unauthenticated,
    /// The key is valid but may not do this.
    Forbidden,
    /// A vendor could not be reached, timed out, or is not configured.
    VendorUnavailable,
    /// A vendor rate-limited the call; `extensions.retryAfter` says how long to wait.
    VendorRateLimited,
    /// A vendor refused the request; `extensions.vendorMessage` says why.
    VendorRejected,
    /// A write reached the vendor but its answer did not come back: it may or may not
    /// have happened. Retry with the same `idempotencyKey`: Switchboard then looks the
    /// resource up before writing again, so nothing is made twice.
    VendorOutcomeUnknown,
    /// Another request with this `idempotencyKey` is still running; retry later.
    IdempotencyKeyInUse,
    /// The operation went over a limit; `extensions.limit` and `max` say which.
    LimitExceeded,
    /// An automatic persisted query's hash is not known yet: send the query with it.
    PersistedQueryNotFound,
    /// The client (or its tenant) sent more requests than `auth.*_requests_per_second`
    /// allow; the HTTP answer is 429 with `Retry-After`, and `extensions.retryAfter`.
    RateLimited,
    /// Something went wrong inside Switchboard.
    Internal,
}

impl ErrorCode {
    /// The SCREAMING_SNAKE_CASE name.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "BAD_REQUEST",
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::VendorUnavailable => "VENDOR_UNAVAILABLE",
            ErrorCode::VendorRateLimited => "VENDOR_RATE_LIMITED",
            ErrorCode::VendorRejected => "VENDOR_REJECTED",
            ErrorCode::VendorOutcomeUnknown => "VENDOR_OUTCOME_UNKNOWN",
            ErrorCode::IdempotencyKeyInUse => "IDEMPOTENCY_KEY_IN_USE",
            ErrorCode::LimitExceeded => "LIMIT_EXCEEDED",
            ErrorCode::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error on its way to the client.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The code.
    pub code: ErrorCode,
    /// A message fit for the client.
    pub message: String,
    /// The input field at fault, for `BAD_USER_INPUT`.
    pub field: Option<String>,
    /// The vendor failure behind it.
    pub vendor: Option<Box<VendorError>>,
}

/// Results of resolvers and validators.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// An error with `code` and `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
            vendor: None,
        }
    }

    /// Input `field` broke a rule, described by `problem`.
    pub fn bad_input(field: impl Into<String>, problem: impl fmt::Display) -> Self {
        let field = field.into();
        Self {
            field: Some(field.clone()),
            ..Self::new(ErrorCode::BadUserInput, format!("{field}: {problem}"))
        }
    }

    /// `what` does not exist.
    pub fn not_found(what: impl fmt::Display) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} was not found"))
    }

    /// An internal failure; the detail is logged, never shown.
    pub fn internal(detail: impl fmt::Display) -> Self {
        tracing::error!(%detail, "internal error");
        Self::new(ErrorCode::Internal, "internal error")
    }
}

impl From<VendorError> for ApiError {
    fn from(e: VendorError) -> Self {
        let code = match e.kind {
            VendorErrorKind::RateLimited => ErrorCode::VendorRateLimited,
            VendorErrorKind::Rejected => ErrorCode::VendorRejected,
            VendorErrorKind::NotFound => ErrorCode::NotFound,
            VendorErrorKind::OutcomeUnknown => ErrorCode::VendorOutcomeUnknown,
            VendorErrorKind::Unavailable
            | VendorErrorKind::Timeout
            | VendorErrorKind::Unauthorized
            | VendorErrorKind::InvalidResponse
            | VendorErrorKind::NotConfigured
            | VendorErrorKind::Paused => ErrorCode::VendorUnavailable,
        };
        Self {
            message: e.to_string(),
            vendor: Some(Box::new(e)),
            ..Self::new(code, String::new())
        }
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(e: ApiError) -> Self {
        async_graphql::Error::new(e.message.clone()).extend_with(|_, ext| {
            ext.set("code", e.code.as_str());
            if let Some(field) = &e.field {
                ext.set("field", field.as_str());
            }
            if let Some(v) = &e.vendor {
                ext.set("vendor", v.vendor.as_str());
                if let Some(status) = v.status {
                    ext.set("vendorStatus", status);
                }
                if let Some(message) = &v.message {
                    ext.set("vendorMessage", message.as_str());
                }
                if let Some(tracking) = &v.tracking_id {
                    ext.set("trackingId", tracking.as_str());
                }
                if let Some(wait) = v.retry_after {
                    ext.set("retryAfter", wait.as_secs());
                }
            }
        })
    }
}
