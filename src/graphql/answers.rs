//! Whole answers, kept briefly: a wallboard asks the same query many times a second, and
//! resolving its hundreds of fields again each time (through loaders and the item cache)
//! costs far more than the vendors' data changes. An answer without errors is kept for
//! `cache.answer_ttl_ms` (1 s, never longer than the shortest item TTL) under the tenant, the query text and its variables, the
//! operation, and the cache's write generation, which every invalidation moves (on every
//! replica, when the cache is in Redis): after any write, no answer from before it is
//! served. So an answer is never older than its item cache entries plus the TTL, and
//! never older than a write.
//!
//! An async-graphql extension, registered last: the limits and the access checks have run
//! before an answer is looked up. Only queries are kept; mutations and subscriptions, and
//! answers with errors, never are. While the cache store fails, nothing is kept.
//!
//! May depend on: `cache` (the write generation), `graphql::context`.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use async_graphql::{
    Response, ServerResult, Value, Variables,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery},
    parser::types::{DocumentOperations, ExecutableDocument, OperationType},
};

use super::context::RequestContext;
use crate::{cache::digest, config::CacheSettings};

/// The answers kept in this process.
pub struct Answers {
    ttl: Duration,
    kept: moka::sync::Cache<String, Arc<Value>>,
}

impl Answers {
    /// Answers kept as `settings` say (`answer_ttl_ms` 0: none), never longer than the
    /// shortest item TTL (presence cached 0 s: no answer kept either).
    pub fn new(settings: &CacheSettings) -> Self {
        let shortest_item = [
            settings.directory_ttl_secs,
            settings.presence_ttl_secs,
            settings.reference_ttl_secs,
        ]
        .into_iter()
        .min()
        .unwrap_or(0);
        let ttl = Duration::from_millis(settings.answer_ttl_ms).min(Duration::from_secs(shortest_item));
        let kept = moka::sync::Cache::builder()
            .max_capacity(settings.answer_max_mib.max(1) * 1024 * 1024)
            .weigher(|key: &String, data: &Arc<Value>| {
                let size = key.len() + serde_json::to_vec(&**data).map_or(0, |v| v.len());
                u32::try_from(size).unwrap_or(u32::MAX)
            })
            .time_to_live(ttl.max(Duration::from_millis(1)))
            .build();
        Self { ttl, kept }
    }

    fn enabled(&self) -> bool {
        !self.ttl.is_zero()
    }
}

/// The extension keeping and serving answers from [`Answers`].
pub struct AnswersExtension(pub Arc<Answers>);

impl ExtensionFactory for AnswersExtension {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ForRequest {
            answers: self.0.clone(),
            document: Mutex::default(),
        })
    }
}

/// The parsed document's digest and which of its operations are queries.
struct Document {
    digest: String,
    /// By operation name (`None`: the document's one anonymous operation).
    queries: HashMap<Option<String>, bool>,
}

struct ForRequest {
    answers: Arc<Answers>,
    document: Mutex<Option<Document>>,
}

fn queries(document: &ExecutableDocument) -> HashMap<Option<String>, bool> {
    match &document.operations {
        DocumentOperations::Single(op) => HashMap::from([(None, op.node.ty == OperationType::Query)]),
        DocumentOperations::Multiple(ops) => ops
            .iter()
            .map(|(name, op)| (Some(name.to_string()), op.node.ty == OperationType::Query))
            .collect(),
    }
}

#[async_trait::async_trait]
impl Extension for ForRequest {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        if self.answers.enabled() {
            *self.document.lock().unwrap_or_else(PoisonError::into_inner) = Some(Document {
                digest: digest(&[
                    query.as_bytes(),
                    &serde_json::to_vec(variables).unwrap_or_default(),
                ]),
                queries: queries(&document),
            });
        }
        Ok(document)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let document = self
            .document
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let request = ctx.data_opt::<RequestContext>();
        let (Some(document), Some(request)) = (document, request) else {
            return next.run(ctx, operation_name).await;
        };
        // The operation that runs: the named one, or the document's only one.
        let is_query = match operation_name {
            Some(name) => document.queries.get(&Some(name.to_owned())).copied(),
            None if document.queries.len() == 1 => document.queries.values().next().copied(),
            None => None,
        };
        if is_query != Some(true) {
            return next.run(ctx, operation_name).await;
        }
        let Some(generation) = request.cache.write_generation().await else {
            return next.run(ctx, operation_name).await;
        };
        let key = format!(
            "{}\u{0}{generation}\u{0}{}\u{0}{}",
            request.tenant.id,
            operation_name.unwrap_or_default(),
            document.digest
        );
        if let Some(data) = self.answers.kept.get(&key) {
            return Response::new((*data).clone());
        }
        let response = next.run(ctx, operation_name).await;
        // Only a plain answer: no errors, nothing in `extensions`, nothing for the HTTP
        // layer beyond the data.
        if response.errors.is_empty() && response.extensions.is_empty() && response.http_headers.is_empty() {
            self.answers.kept.insert(key, Arc::new(response.data.clone()));
        }
        response
    }
}
