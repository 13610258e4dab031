//! The one error type every vendor client returns, shaped so that the GraphQL layer can
//! turn it into `extensions` without knowing which vendor produced it.

use std::time::Duration;

use super::Vendor;

/// What kind of failure a vendor call ended in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VendorErrorKind {
    /// The vendor could not be reached, or answered with a server error.
    Unavailable,
    /// The vendor did not answer within the request timeout.
    Timeout,
    /// The vendor rate-limited the call (429, or Webex's 423) and retries did not help.
    RateLimited,
    /// The vendor refused the request as invalid or conflicting (4xx, or a failure result code).
    Rejected,
    /// The vendor refused Switchboard's own credentials (401/403).
    Unauthorized,
    /// The vendor has no such resource.
    NotFound,
    /// The vendor answered with a body Switchboard could not read.
    InvalidResponse,
    /// The tenant has no connection configured for this vendor.
    NotConfigured,
    /// Switchboard did not call: the vendor has been failing and its circuit breaker
    /// is open (see `vendors::breaker`).
    Paused,
    /// A write that is never repeated (a create, say) was sent, but no answer came back
    /// (it timed out, or the connection broke after sending): the vendor may or may not
    /// have made the change. Never retried blindly.
    OutcomeUnknown,
}

/// A failed vendor call. Carries only what is safe to show a client: never a URL,
/// a credential or a request body.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", self.describe())]
pub struct VendorError {
    /// Which vendor failed.
    pub vendor: Vendor,
    /// How it failed.
    pub kind: VendorErrorKind,
    /// The vendor's HTTP status, when it answered.
    pub status: Option<u16>,
    /// The vendor's own message, when its error body carried one.
    pub message: Option<String>,
    /// The vendor's tracking id (Webex `trackingId`), when it sent one.
    pub tracking_id: Option<String>,
    /// How long the vendor asked callers to wait, from `Retry-After`.
    pub retry_after: Option<Duration>,
}

impl VendorError {
    /// A bare error of `kind` for `vendor`.
    pub fn new(vendor: Vendor, kind: VendorErrorKind) -> Self {
        Self {
            vendor,
            kind,
            status: None,
            message: None,
            tracking_id: None,
            retry_after: None,
        }
    }

    /// Classifies a non-success HTTP status the vendor answered with.
    pub fn from_status(vendor: Vendor, status: u16) -> Self {
        let kind = match status {
            401 | 403 => VendorErrorKind::Unauthorized,
            404 | 410 => VendorErrorKind::NotFound,
            423 | 429 => VendorErrorKind::RateLimited,
            400..=499 => VendorErrorKind::Rejected,
            _ => VendorErrorKind::Unavailable,
        };
        Self {
            status: Some(status),
            ..Self::new(vendor, kind)
        }
    }

    /// The tenant has no connection for `vendor`.
    pub fn not_configured(vendor: Vendor) -> Self {
        Self::new(vendor, VendorErrorKind::NotConfigured)
    }

    /// The vendor's answer could not be decoded; `detail` says what was wrong with it.
    pub fn invalid_response(vendor: Vendor, detail: impl Into<String>) -> Self {
        Self {
            message: Some(detail.into()),
            ..Self::new(vendor, VendorErrorKind::InvalidResponse)
        }
    }

    /// A logical rejection carried in a success envelope (Huawei's `resultCode "1"`).
    pub fn rejected(vendor: Vendor, status: Option<u16>, message: impl Into<String>) -> Self {
        Self {
            status,
            message: Some(message.into()),
            ..Self::new(vendor, VendorErrorKind::Rejected)
        }
    }

    /// Attaches the vendor's own message.
    pub fn with_message(mut self, message: Option<String>) -> Self {
        self.message = message.filter(|m| !m.trim().is_empty());
        self
    }

    /// The same error with every occurrence of `secrets` in the vendor's message
    /// replaced, for calls that sent one (a vendor may quote the password it refused).
    pub fn redacting(mut self, secrets: &[&str]) -> Self {
        if let Some(message) = &mut self.message {
            for secret in secrets.iter().filter(|s| !s.is_empty()) {
                *message = message.replace(secret, "[REDACTED]");
            }
        }
        self
    }

    /// Attaches the vendor's tracking id.
    pub fn with_tracking_id(mut self, tracking_id: Option<String>) -> Self {
        self.tracking_id = tracking_id;
        self
    }

    /// Attaches the vendor's `Retry-After`.
    pub fn with_retry_after(mut self, retry_after: Option<Duration>) -> Self {
        self.retry_after = retry_after;
        self
    }

    fn describe(&self) -> String {
        let v = self.vendor;
        let base = match self.kind {
            VendorErrorKind::Unavailable => format!("{v} is unavailable"),
            VendorErrorKind::Timeout => format!("{v} did not answer in time"),
            VendorErrorKind::RateLimited => format!("{v} rate-limited the request"),
            VendorErrorKind::Rejected => format!("{v} rejected the request"),
            VendorErrorKind::Unauthorized => format!("{v} refused Switchboard's credentials"),
            VendorErrorKind::NotFound => format!("{v} has no such resource"),
            VendorErrorKind::InvalidResponse => format!("{v} sent a response Switchboard could not read"),
            VendorErrorKind::NotConfigured => format!("{v} is not configured for this tenant"),
            VendorErrorKind::OutcomeUnknown => {
                format!("{v} did not answer a write that was sent; it may or may not have been made")
            }
            VendorErrorKind::Paused => {
                let wait = self.retry_after.map_or(1, |w| w.as_secs().max(1));
                format!(
                    "{v} has been failing; Switchboard pauses calls to it for {wait} s (circuit breaker open)"
                )
            }
        };
        match &self.message {
            Some(m) => format!("{base}: {m}"),
            None => base,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacting_removes_every_secret_from_the_message() {
        let e = VendorError::rejected(
            Vendor::HuaweiAicc,
            None,
            "password Abc#1234 is weak; Abc#1234 again",
        )
        .redacting(&["Abc#1234", ""]);
        assert_eq!(
            e.message.as_deref(),
            Some("password [REDACTED] is weak; [REDACTED] again")
        );
    }
}
