//! `Authorization: Bearer <key>` → the tenant the key belongs to, compared in constant
//! time; the anonymous tenant (default run only) when configured and no key is sent.

use std::{collections::HashMap, sync::Arc};

use axum::http::{HeaderMap, header};
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;

use crate::tenant::Tenant;

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
}

/// Maps API keys to tenants.
pub struct Authenticator {
    keys: Vec<(SecretString, Arc<Tenant>)>,
    anonymous: Option<Arc<Tenant>>,
}

impl Authenticator {
    /// An authenticator over `tenants`, with their keys; `anonymous` serves key-less calls.
    pub fn new(
        tenants: &HashMap<String, Arc<Tenant>>,
        keys: impl IntoIterator<Item = (String, SecretString)>,
        anonymous: Option<&str>,
    ) -> Self {
        let keys = keys
            .into_iter()
            .filter_map(|(tenant, key)| tenants.get(&tenant).map(|t| (key, t.clone())))
            .collect();
        Self {
            keys,
            anonymous: anonymous.and_then(|a| tenants.get(a).cloned()),
        }
    }

    /// The tenant `headers` authenticate as.
    pub fn authenticate(&self, headers: &HeaderMap) -> Result<Arc<Tenant>, AuthError> {
        let Some(value) = headers.get(header::AUTHORIZATION) else {
            return self.anonymous.clone().ok_or(AuthError::Missing);
        };
        let text = value.to_str().map_err(|_| AuthError::Malformed)?;
        let key = text
            .strip_prefix("Bearer ")
            .or_else(|| text.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .ok_or(AuthError::Malformed)?;
        // Compare against every key, so timing does not tell which prefix matched.
        let mut found = None;
        for (candidate, tenant) in &self.keys {
            if bool::from(candidate.expose_secret().as_bytes().ct_eq(key.as_bytes())) {
                found = Some(tenant.clone());
            }
        }
        found.ok_or(AuthError::Invalid)
    }
}
