//! Automatic persisted queries, the protocol Apollo Client and urql speak: a client sends
//! `extensions.persistedQuery = {version: 1, sha256Hash}` without the query; an unknown
//! hash is answered `PersistedQueryNotFound` (code `PERSISTED_QUERY_NOT_FOUND`), the
//! client sends the query with its hash once, and from then on the hash alone works,
//! over GET too, so a front end's queries are short URLs that HTTP caches can keep.
//! Documents are kept in process, bounded by memory (least recently used go first).

use std::sync::Arc;

use moka::future::Cache;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::over_http::Refusal;
use crate::graphql::error::ErrorCode;

/// Known documents by tenant and the hex SHA-256 of their text (per tenant, so one
/// tenant cannot learn which documents another sends).
#[derive(Clone)]
pub struct PersistedQueries {
    documents: Cache<String, Arc<str>>,
}

/// The hex SHA-256 of `text`.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl PersistedQueries {
    /// A store holding at most `max_bytes` of query text.
    pub fn new(max_bytes: u64) -> Self {
        let documents = Cache::builder()
            .max_capacity(max_bytes)
            .weigher(|hash: &String, query: &Arc<str>| {
                u32::try_from(hash.len() + query.len()).unwrap_or(u32::MAX)
            })
            .build();
        Self { documents }
    }

    /// The query to run: `query` itself (registered under its hash when `extensions`
    /// carries one), or the document a known hash stands for.
    pub async fn resolve(
        &self,
        tenant: &str,
        query: Option<String>,
        extensions: Option<&Map<String, Value>>,
    ) -> Result<String, Refusal> {
        let Some(persisted) = extensions.and_then(|e| e.get("persistedQuery")) else {
            return query.ok_or_else(|| Refusal::bad_request("the `query` parameter is required"));
        };
        let version = persisted.get("version").and_then(Value::as_i64);
        if version != Some(1) {
            return Err(Refusal::bad_request(
                "extensions.persistedQuery.version must be 1",
            ));
        }
        let hash = persisted
            .get("sha256Hash")
            .and_then(Value::as_str)
            .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| {
                Refusal::bad_request("extensions.persistedQuery.sha256Hash must be 64 hex digits")
            })?
            .to_ascii_lowercase();
        match query {
            Some(query) => {
                if sha256_hex(&query) != hash {
                    return Err(Refusal::bad_request(
                        "extensions.persistedQuery.sha256Hash is not the SHA-256 of the query",
                    ));
                }
                self.documents
                    .insert(format!("{tenant}:{hash}"), Arc::from(query.as_str()))
                    .await;
                Ok(query)
            }
            None => match self.documents.get(&format!("{tenant}:{hash}")).await {
                Some(query) => Ok(query.to_string()),
                // A GraphQL request error, not a malformed request: clients answer it
                // by sending the query.
                None => Err(Refusal::request_error(
                    ErrorCode::PersistedQueryNotFound,
                    "PersistedQueryNotFound",
                )),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn extensions(hash: &str) -> Map<String, Value> {
        json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
            .as_object()
            .unwrap()
            .clone()
    }

    #[tokio::test]
    async fn a_hash_is_known_once_its_query_was_sent() {
        let store = PersistedQueries::new(1 << 20);
        let query = "{ __typename }";
        let hash = sha256_hex(query);
        assert_eq!(hash.len(), 64);
        let miss = store
            .resolve("t", None, Some(&extensions(&hash)))
            .await
            .unwrap_err();
        assert_eq!(miss.code, ErrorCode::PersistedQueryNotFound);
        let wrong = store
            .resolve("t", Some("{ other }".into()), Some(&extensions(&hash)))
            .await
            .unwrap_err();
        assert_eq!(wrong.code, ErrorCode::BadRequest);
        assert_eq!(
            store
                .resolve("t", Some(query.into()), Some(&extensions(&hash)))
                .await
                .unwrap(),
            query
        );
        let other_tenant = store.resolve("u", None, Some(&extensions(&hash))).await;
        assert!(other_tenant.is_err(), "another tenant does not see it");
        let upper = hash.to_ascii_uppercase();
        assert_eq!(
            store.resolve("t", None, Some(&extensions(&upper))).await.unwrap(),
            query
        );
        assert!(store.resolve("t", None, Some(&extensions("abc"))).await.is_err());
        assert!(store.resolve("t", None, None).await.is_err());
    }
}
