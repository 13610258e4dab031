//! Access tokens for vendors that hand them out (Huawei AICC's AK/SK exchange, Vonage's
//! OAuth2 client credentials): one cached token per tenant connection, renewed before
//! it expires, one renewal at a time however many requests wait (all of them sharing its
//! outcome, a failure too), and renewed once when the vendor answers 401 to a token it
//! issued.

use std::{
    future::Future,
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, Instant},
};

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

use super::{VendorError, VendorErrorKind};

/// A token and when it stops working.
#[derive(Clone)]
pub struct Token {
    /// The token itself.
    pub value: SecretString,
    /// When the vendor said it expires.
    pub expires_at: Instant,
}

/// The longest a token is trusted, whatever lifetime the vendor claims: a day. Also
/// keeps an absurd `expires_in` from overflowing the clock.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

impl Token {
    /// A token valid for `lifetime` (at most [`MAX_TOKEN_LIFETIME`]) from now.
    pub fn new(value: SecretString, lifetime: Duration) -> Self {
        Self {
            value,
            expires_at: Instant::now() + lifetime.min(MAX_TOKEN_LIFETIME),
        }
    }
}

/// How a vendor issues a token.
#[async_trait]
pub trait TokenSource: Send + Sync {
    /// Asks the vendor for a new token.
    async fn fetch(&self) -> Result<Token, VendorError>;
}

/// The cached token of one vendor connection.
pub struct TokenCache {
    source: Box<dyn TokenSource>,
    state: Mutex<State>,
    /// Renewals finished so far, readable without the lock: a caller that saw `n` before
    /// waiting, and finds more after, waited for a renewal and shares its outcome.
    renewals: AtomicU64,
    margin: Duration,
}

#[derive(Default)]
struct State {
    token: Option<Token>,
    /// How the last renewal failed, for the callers that waited for it.
    failure: Option<VendorError>,
}

impl TokenCache {
    /// A cache over `source` that renews a token `margin` before it expires.
    pub fn new(source: impl TokenSource + 'static, margin: Duration) -> Self {
        Self {
            source: Box::new(source),
            state: Mutex::new(State::default()),
            renewals: AtomicU64::new(0),
            margin,
        }
    }

    /// A token valid for at least `margin`, fetching one if needed. Concurrent callers
    /// wait for the one renewal in progress and share its outcome, a failure included:
    /// N waiters make one token call, not N in turn.
    pub async fn get(&self) -> Result<SecretString, VendorError> {
        self.current_or_renew(None).await
    }

    /// The vendor refused `rejected`: renew, unless another caller already has.
    pub async fn renew_after_rejection(&self, rejected: &SecretString) -> Result<SecretString, VendorError> {
        self.current_or_renew(Some(rejected)).await
    }

    async fn current_or_renew(&self, rejected: Option<&SecretString>) -> Result<SecretString, VendorError> {
        let seen = self.renewals.load(Ordering::Acquire);
        let mut state = self.state.lock().await;
        if let Some(token) = state.token.as_ref()
            && rejected.is_none_or(|r| token.value.expose_secret() != r.expose_secret())
            && token.expires_at > Instant::now() + self.margin
        {
            return Ok(token.value.clone());
        }
        if self.renewals.load(Ordering::Acquire) != seen
            && let Some(failure) = &state.failure
        {
            return Err(failure.clone());
        }
        let fetched = self.source.fetch().await;
        let outcome = match fetched {
            Ok(token) => {
                let value = token.value.clone();
                *state = State {
                    token: Some(token),
                    failure: None,
                };
                Ok(value)
            }
            Err(e) => {
                state.failure = Some(e.clone());
                Err(e)
            }
        };
        self.renewals.fetch_add(1, Ordering::AcqRel);
        outcome
    }

    /// Runs `call` with a token; when the vendor answers 401, renews the token and runs
    /// `call` once more.
    pub async fn with_token<T, F, Fut>(&self, call: F) -> Result<T, VendorError>
    where
        F: Fn(SecretString) -> Fut,
        Fut: Future<Output = Result<T, VendorError>>,
    {
        let token = self.get().await?;
        match call(token.clone()).await {
            Err(e) if e.kind == VendorErrorKind::Unauthorized && e.status == Some(401) => {
                tracing::info!(vendor = %e.vendor, "token refused; renewing once");
                let renewed = self.renew_after_rejection(&token).await?;
                call(renewed).await
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };

    use super::*;

    #[test]
    fn an_absurd_lifetime_is_capped_not_an_overflow() {
        let token = Token::new(SecretString::from("t"), Duration::from_secs(u64::MAX));
        assert!(token.expires_at <= Instant::now() + MAX_TOKEN_LIFETIME);
    }
    use crate::vendors::Vendor;

    struct Counting(Arc<AtomicUsize>, Duration);

    #[async_trait]
    impl TokenSource for Counting {
        async fn fetch(&self) -> Result<Token, VendorError> {
            let n = self.0.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(10)).await;
            Ok(Token::new(SecretString::from(format!("t{n}")), self.1))
        }
    }

    #[tokio::test]
    async fn one_fetch_for_many_waiters_and_renewal_near_expiry() {
        let fetches = Arc::new(AtomicUsize::new(0));
        let cache = TokenCache::new(
            Counting(fetches.clone(), Duration::from_secs(3600)),
            Duration::from_secs(60),
        );
        let tokens = futures::future::join_all((0..20).map(|_| cache.get())).await;
        assert!(tokens.iter().all(|t| t.as_ref().unwrap().expose_secret() == "t0"));
        assert_eq!(fetches.load(Ordering::SeqCst), 1);

        let short = TokenCache::new(
            Counting(Arc::new(AtomicUsize::new(0)), Duration::from_secs(30)),
            Duration::from_secs(60),
        );
        assert_eq!(short.get().await.unwrap().expose_secret(), "t0");
        assert_eq!(
            short.get().await.unwrap().expose_secret(),
            "t1",
            "inside the margin: renewed"
        );
    }

    struct Failing(Arc<AtomicUsize>);

    #[async_trait]
    impl TokenSource for Failing {
        async fn fetch(&self) -> Result<Token, VendorError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            Err(VendorError::from_status(Vendor::HuaweiAicc, 503))
        }
    }

    #[tokio::test]
    async fn waiters_share_a_failed_renewal_and_a_later_call_tries_again() {
        let fetches = Arc::new(AtomicUsize::new(0));
        let cache = TokenCache::new(Failing(fetches.clone()), Duration::from_secs(60));
        let tokens = futures::future::join_all((0..20).map(|_| cache.get())).await;
        assert!(tokens.iter().all(Result::is_err));
        assert_eq!(fetches.load(Ordering::SeqCst), 1, "one token call for 20 waiters");
        assert!(cache.get().await.is_err());
        assert_eq!(fetches.load(Ordering::SeqCst), 2, "a later call is a new attempt");
    }

    #[tokio::test]
    async fn a_401_renews_once_and_retries() {
        let fetches = Arc::new(AtomicUsize::new(0));
        let cache = TokenCache::new(
            Counting(fetches.clone(), Duration::from_secs(3600)),
            Duration::from_secs(60),
        );
        let attempts = AtomicUsize::new(0);
        let result = cache
            .with_token(|token| {
                let n = attempts.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n == 0 {
                        Err(VendorError::from_status(Vendor::Vonage, 401))
                    } else {
                        Ok(token.expose_secret().to_owned())
                    }
                }
            })
            .await;
        assert_eq!(result.unwrap(), "t1");
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
        assert_eq!(attempts.load(Ordering::SeqCst), 2);
    }
}
