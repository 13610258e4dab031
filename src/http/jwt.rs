//! JWT bearer tokens from an identity provider: the signature is checked against the
//! provider's JWKS (fetched, cached for `auth.jwt.jwks_refresh_secs`, fetched again at
//! most every 30 s when a token names a key not in it), the algorithm against the
//! configured list (pinned: a token cannot choose `none` or an HMAC with the public key
//! as secret), then `iss`, `aud`, `exp` and `nbf` (with `leeway_secs` of clock skew).
//! The tenant and the scopes come from the configured claims. A refusal says which
//! check failed, never the token.

use std::{
    collections::HashSet,
    str::FromStr,
    time::{Duration, Instant},
};

use jsonwebtoken::{Algorithm, DecodingKey, Validation, jwk::JwkSet};
use serde_json::Value;
use tokio::sync::{Mutex, RwLock};

use crate::config::JwtSettings;

/// Why a token was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JwtError {
    /// Not a JWT, or its header or claims cannot be read.
    #[error("the bearer token is not a readable JWT")]
    Malformed,
    /// Its `alg` is not one of `auth.jwt.algorithms`.
    #[error("the token's signature algorithm is not accepted")]
    Algorithm,
    /// Its `kid` is not among the provider's keys (or it names none).
    #[error("the token was not signed by a known key")]
    UnknownKey,
    /// The signature does not verify.
    #[error("the token's signature is not valid")]
    Signature,
    /// `exp` has passed.
    #[error("the token has expired")]
    Expired,
    /// `nbf` is still ahead.
    #[error("the token is not valid yet")]
    NotYetValid,
    /// `iss` is not the configured issuer.
    #[error("the token's issuer is not accepted")]
    Issuer,
    /// `aud` does not hold the configured audience.
    #[error("the token's audience is not accepted")]
    Audience,
    /// The tenant claim is missing or not a string.
    #[error("the token names no tenant")]
    NoTenant,
    /// The provider's keys could not be fetched.
    #[error("the identity provider's keys could not be fetched")]
    KeysUnavailable,
}

/// What a valid token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenClaims {
    /// The tenant it acts as.
    pub tenant: String,
    /// Its scopes.
    pub scopes: HashSet<String>,
    /// Its subject (`sub`), when it has one.
    pub subject: Option<String>,
}

struct Keys {
    set: JwkSet,
    fetched: Instant,
}

/// Checks JWTs against one provider.
pub struct JwtVerifier {
    settings: JwtSettings,
    algorithms: Vec<Algorithm>,
    client: reqwest::Client,
    keys: RwLock<Option<Keys>>,
    /// One fetch at a time; remembers when the last one began.
    fetching: Mutex<Option<Instant>>,
}

/// An unknown `kid` fetches the keys again at most this often.
const REFETCH_AT_MOST_EVERY: Duration = Duration::from_secs(30);

impl JwtVerifier {
    /// A verifier for `settings` (validated: every algorithm parses).
    pub fn new(settings: JwtSettings, client: reqwest::Client) -> Self {
        let algorithms = settings
            .algorithms
            .iter()
            .filter_map(|a| Algorithm::from_str(a).ok())
            .collect();
        Self {
            settings,
            algorithms,
            client,
            keys: RwLock::new(None),
            fetching: Mutex::new(None),
        }
    }

    /// The claims of `token`, once every check passed.
    pub async fn verify(&self, token: &str) -> Result<TokenClaims, JwtError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| JwtError::Malformed)?;
        if !self.algorithms.contains(&header.alg) {
            return Err(JwtError::Algorithm);
        }
        let kid = header.kid.ok_or(JwtError::UnknownKey)?;
        let key = self.key(&kid).await?;
        let mut validation = Validation::new(header.alg);
        validation.algorithms = self.algorithms.clone();
        validation.leeway = self.settings.leeway_secs;
        validation.validate_nbf = true;
        validation.set_issuer(&[&self.settings.issuer]);
        validation.set_audience(&[&self.settings.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        let data = jsonwebtoken::decode::<Value>(token, &key, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            match e.kind() {
                ErrorKind::ExpiredSignature => JwtError::Expired,
                ErrorKind::ImmatureSignature => JwtError::NotYetValid,
                ErrorKind::InvalidIssuer => JwtError::Issuer,
                ErrorKind::InvalidAudience => JwtError::Audience,
                ErrorKind::InvalidSignature => JwtError::Signature,
                ErrorKind::InvalidAlgorithm => JwtError::Algorithm,
                ErrorKind::MissingRequiredClaim(claim) if claim == "iss" => JwtError::Issuer,
                ErrorKind::MissingRequiredClaim(claim) if claim == "aud" => JwtError::Audience,
                ErrorKind::MissingRequiredClaim(_) => JwtError::Malformed,
                _ => JwtError::Malformed,
            }
        })?;
        let claims = data.claims;
        let tenant = claims
            .get(&self.settings.tenant_claim)
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or(JwtError::NoTenant)?
            .to_owned();
        let scopes = match claims.get(&self.settings.scope_claim) {
            Some(Value::String(text)) => text.split_whitespace().map(str::to_owned).collect(),
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            _ => HashSet::new(),
        };
        let subject = claims.get("sub").and_then(Value::as_str).map(str::to_owned);
        Ok(TokenClaims {
            tenant,
            scopes,
            subject,
        })
    }

    /// The decoding key `kid`, fetching the keys when they are old, missing or lack it.
    async fn key(&self, kid: &str) -> Result<DecodingKey, JwtError> {
        let refresh = Duration::from_secs(self.settings.jwks_refresh_secs);
        {
            let keys = self.keys.read().await;
            if let Some(keys) = keys.as_ref()
                && keys.fetched.elapsed() < refresh
                && let Some(jwk) = keys.set.find(kid)
            {
                return DecodingKey::from_jwk(jwk).map_err(|_| JwtError::UnknownKey);
            }
        }
        self.fetch().await;
        let keys = self.keys.read().await;
        let keys = keys.as_ref().ok_or(JwtError::KeysUnavailable)?;
        let jwk = keys.set.find(kid).ok_or(JwtError::UnknownKey)?;
        DecodingKey::from_jwk(jwk).map_err(|_| JwtError::UnknownKey)
    }

    /// Fetches the keys unless a fetch began less than 30 s ago (keys older than the
    /// refresh period are fetched whatever).
    async fn fetch(&self) {
        let mut last = self.fetching.lock().await;
        let stale = self
            .keys
            .read()
            .await
            .as_ref()
            .is_none_or(|k| k.fetched.elapsed() >= Duration::from_secs(self.settings.jwks_refresh_secs));
        if !stale && last.is_some_and(|t| t.elapsed() < REFETCH_AT_MOST_EVERY) {
            return;
        }
        *last = Some(Instant::now());
        let fetched = async {
            let response = self
                .client
                .get(self.settings.jwks_url.clone())
                .timeout(Duration::from_secs(5))
                .send()
                .await?
                .error_for_status()?;
            response.json::<JwkSet>().await
        }
        .await;
        match fetched {
            Ok(set) => {
                tracing::info!(keys = set.keys.len(), "JWKS fetched");
                *self.keys.write().await = Some(Keys {
                    set,
                    fetched: Instant::now(),
                });
            }
            Err(e) => tracing::warn!(error = %e.without_url(), "JWKS could not be fetched"),
        }
    }
}
