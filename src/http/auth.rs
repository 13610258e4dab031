//! `Authorization: Bearer <key>` → the tenant the key belongs to, and what it may do
//! (a tenant's `api_keys` read and write, its `read_only_api_keys` only read); or
//! `Bearer <JWT>`, when `auth.jwt` is configured, → the tenant and scopes its claims
//! name (see [`super::jwt`]); the anonymous tenant (the default run, or one configured on
//! purpose) when nothing is sent, to requests that name this machine by a loopback
//! `Host` unless it is allowed on the network.
//!
//! Keys are kept only as SHA-256 digests: the configured secrets are not held by the
//! authenticator, and a presented key is hashed and compared with every digest in
//! constant time, so neither timing nor length tells anything about a key. A key
//! configured twice (for one tenant or two) is refused at start-up, naming the tenants
//! and never the key.

use std::{collections::HashMap, sync::Arc};

use axum::http::{HeaderMap, header};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::jwt::JwtVerifier;
use crate::{config::AuthSettings, graphql::access::Access, tenant::Tenant};

/// Why a request was refused.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization` header and no anonymous tenant.
    #[error("an API key is required: send `Authorization: Bearer <key>`")]
    Missing,
    /// The header is not `Bearer <key>`.
    #[error("the Authorization header must be `Bearer <key>`")]
    Malformed,
    /// No tenant has this key.
    #[error("the API key is not valid")]
    Invalid,
    /// A JWT was refused.
    #[error("{0}")]
    Token(#[from] super::jwt::JwtError),
    /// A valid JWT names a tenant that is not configured.
    #[error("the token's tenant is not served here")]
    UnknownTenant,
}

/// Who a request authenticated as.
#[derive(Clone)]
pub struct Principal {
    /// The tenant it acts as.
    pub tenant: Arc<Tenant>,
    /// Whether it may read and write.
    pub access: Access,
    /// Who it is, for rate limits and logs: `key:<8 hex of the key's digest>`,
    /// `sub:<8 hex of the token subject's digest>`, or `anonymous`. Never a secret.
    pub client: String,
}

/// The same key is configured more than once.
#[derive(Debug, thiserror::Error)]
#[error("the same API key is configured twice ({0}): every key must be unique")]
pub struct DuplicateKey(String);

type Digest256 = [u8; 32];

fn digest(key: &str) -> Digest256 {
    Sha256::digest(key.as_bytes()).into()
}

/// Maps API keys and tokens to tenants.
pub struct Authenticator {
    /// Key digest, its tenant, whether it may write.
    keys: Vec<(Digest256, Arc<Tenant>, bool)>,
    tenants: HashMap<String, Arc<Tenant>>,
    jwt: Option<JwtVerifier>,
    read_scope: Arc<str>,
    write_scope: Arc<str>,
    anonymous: Option<Arc<Tenant>>,
    /// Whether the anonymous tenant answers whatever `Host` a request names; otherwise
    /// only `localhost`, `127.0.0.1` and `[::1]`, so a page whose DNS name is rebound to
    /// this machine cannot act as the anonymous tenant.
    anonymous_any_host: bool,
}

/// Whether `Host` names this machine by a loopback name.
fn host_is_loopback(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl Authenticator {
    /// An authenticator over `tenants` and their `(tenant id, key, may write)` keys;
    /// `anonymous` serves key-less calls; `auth` says whether JWTs are accepted (their
    /// keys fetched with `client`) and the scopes.
    pub fn new(
        tenants: &HashMap<String, Arc<Tenant>>,
        keys: impl IntoIterator<Item = (String, SecretString, bool)>,
        anonymous: Option<&str>,
        anonymous_any_host: bool,
        auth: &AuthSettings,
        client: &reqwest::Client,
    ) -> Result<Self, DuplicateKey> {
        let mut owners: HashMap<Digest256, String> = HashMap::new();
        let mut digests = Vec::new();
        for (tenant_id, key, write) in keys {
            let d = digest(key.expose_secret());
            if let Some(first) = owners.get(&d) {
                let whose = if *first == tenant_id {
                    format!("tenant `{tenant_id}` lists it twice")
                } else {
                    let (a, b) = if *first < tenant_id {
                        (first, &tenant_id)
                    } else {
                        (&tenant_id, first)
                    };
                    format!("tenants `{a}` and `{b}`")
                };
                return Err(DuplicateKey(whose));
            }
            owners.insert(d, tenant_id.clone());
            if let Some(tenant) = tenants.get(&tenant_id) {
                digests.push((d, tenant.clone(), write));
            }
        }
        Ok(Self {
            keys: digests,
            tenants: tenants.clone(),
            jwt: auth.jwt.clone().map(|j| JwtVerifier::new(j, client.clone())),
            read_scope: auth.read_scope.as_str().into(),
            write_scope: auth.write_scope.as_str().into(),
            anonymous: anonymous.and_then(|a| tenants.get(a).cloned()),
            anonymous_any_host,
        })
    }

    /// The tenant `headers` authenticate as (API keys and the anonymous tenant only:
    /// what the webhook-free paths that cannot wait for a JWKS use).
    pub fn authenticate(&self, headers: &HeaderMap) -> Result<Arc<Tenant>, AuthError> {
        match self.key_or_anonymous(headers)? {
            Found::Principal(p) => Ok(p.tenant),
            Found::Token(_) => Err(AuthError::Invalid),
        }
    }

    /// Who `headers` authenticate as: an API key, a JWT, or the anonymous tenant.
    pub async fn principal(&self, headers: &HeaderMap) -> Result<Principal, AuthError> {
        match self.key_or_anonymous(headers)? {
            Found::Principal(p) => Ok(p),
            Found::Token(token) => self.token(&token).await,
        }
    }

    async fn token(&self, token: &str) -> Result<Principal, AuthError> {
        let verifier = self.jwt.as_ref().ok_or(AuthError::Invalid)?;
        let claims = verifier.verify(token).await?;
        let tenant = self
            .tenants
            .get(&claims.tenant)
            .cloned()
            .ok_or(AuthError::UnknownTenant)?;
        let subject = claims.subject.as_deref().unwrap_or("");
        Ok(Principal {
            tenant,
            access: self.access(
                claims.scopes.contains(&*self.read_scope),
                claims.scopes.contains(&*self.write_scope),
            ),
            client: format!(
                "sub:{}",
                short_hex(&digest(&format!("{}\0{subject}", claims.tenant)))
            ),
        })
    }

    fn access(&self, read: bool, write: bool) -> Access {
        Access {
            read,
            write,
            read_scope: self.read_scope.clone(),
            write_scope: self.write_scope.clone(),
        }
    }

    fn key_or_anonymous(&self, headers: &HeaderMap) -> Result<Found, AuthError> {
        let Some(value) = headers.get(header::AUTHORIZATION) else {
            return self
                .anonymous
                .clone()
                .filter(|_| self.anonymous_any_host || host_is_loopback(headers))
                .map(|tenant| {
                    Found::Principal(Principal {
                        tenant,
                        access: self.access(true, true),
                        client: "anonymous".into(),
                    })
                })
                .ok_or(AuthError::Missing);
        };
        let text = value.to_str().map_err(|_| AuthError::Malformed)?;
        // The scheme is case-insensitive (RFC 9110).
        let key = text
            .get(..7)
            .filter(|scheme| scheme.eq_ignore_ascii_case("bearer "))
            .map(|_| text[7..].trim())
            .filter(|k| !k.is_empty())
            .ok_or(AuthError::Malformed)?;
        let presented = digest(key);
        // Compare against every digest, so timing does not tell which one matched.
        let mut found = None;
        for (candidate, tenant, write) in &self.keys {
            if bool::from(candidate.ct_eq(&presented)) {
                found = Some((tenant.clone(), *write));
            }
        }
        match found {
            Some((tenant, write)) => Ok(Found::Principal(Principal {
                tenant,
                access: self.access(true, write),
                client: format!("key:{}", short_hex(&presented)),
            })),
            // Not a key: a JWT, when they are accepted and it has a JWT's shape.
            None if self.jwt.is_some() && key.split('.').count() == 3 => Ok(Found::Token(key.to_owned())),
            None => Err(AuthError::Invalid),
        }
    }

    /// The tenant of a valid key in `headers`, ignoring the anonymous tenant: who may
    /// see operational details.
    pub fn identify(&self, headers: &HeaderMap) -> Option<Arc<Tenant>> {
        headers.get(header::AUTHORIZATION)?;
        self.authenticate(headers).ok()
    }
}

enum Found {
    Principal(Principal),
    Token(String),
}

fn short_hex(d: &Digest256) -> String {
    d[..4].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_configured_twice_is_refused_naming_the_tenants_only() {
        let none = HashMap::new();
        let build = |pairs: &[(&str, &str)]| {
            let keys = pairs
                .iter()
                .map(|(t, k)| ((*t).to_owned(), SecretString::from(*k), true));
            Authenticator::new(
                &none,
                keys,
                None,
                false,
                &AuthSettings::default(),
                &reqwest::Client::new(),
            )
        };
        let err = build(&[("b", "s3cret"), ("a", "s3cret")])
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("tenants `a` and `b`") && !err.contains("s3cret"),
            "{err}"
        );
        let err = build(&[("a", "k1"), ("a", "k1")]).err().unwrap().to_string();
        assert!(
            err.contains("tenant `a` lists it twice") && !err.contains("k1"),
            "{err}"
        );
        assert!(build(&[("a", "k1"), ("b", "k2")]).is_ok());
    }

    #[test]
    fn loopback_hosts_are_recognised() {
        let host = |h: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::HOST, axum::http::HeaderValue::from_static(h));
            host_is_loopback(&headers)
        };
        assert!(host("localhost:8080") && host("127.0.0.1:8080") && host("[::1]:8080") && host("LOCALHOST"));
        assert!(!host("evil.example.com:8080") && !host("10.0.0.1") && !host("localhost.evil.io"));
        assert!(!host_is_loopback(&HeaderMap::new()));
    }
}
