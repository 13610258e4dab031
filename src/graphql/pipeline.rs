//! The schema's one async-graphql extension: what every request goes through, whatever
//! the transport, hook by hook, in this order:
//!
//! - the whole request: counted and timed ([`observe`]);
//! - before it is prepared: the operation it names ([`observe`]), then the limits, which
//!   parse the document once for the schema ([`limits`]);
//! - once the document is parsed: the caller's access ([`access`]), then what the answer's
//!   key needs ([`answers`]) and what the operation reads late ([`prefetch`]);
//! - the operation: in its span ([`observe`]), served from a kept answer or run and kept
//!   ([`answers`]), its late reads started as it runs ([`prefetch`]), its loader batches
//!   held until it pauses (`loaders::Waves`).
//!
//! One extension rather than one per concern: async-graphql sends every field's
//! resolution through every extension's `resolve` hook, a boxed future each, also when
//! the extension does not override it. A page of 500 `_entities` is 2,000 fields; with
//! five extensions their resolution took a fifth more CPU (`cargo bench --bench gateway`,
//! cache off).
//!
//! May depend on: `graphql::{access, answers, context, limits, observe, prefetch}`, `metrics`,
//! `loaders` (through the request's loaders).

use std::sync::Arc;

use async_graphql::{
    Request, Response, ServerResult, Variables,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextPrepareRequest,
        NextRequest,
    },
    parser::types::ExecutableDocument,
};

use super::{access, answers, context::RequestContext, limits::Limits, observe, prefetch};
use crate::metrics::Metrics;

/// Builds each request's [`Hooks`].
pub struct Pipeline {
    pub metrics: Metrics,
    pub limits: Arc<Limits>,
    pub answers: Arc<answers::Answers>,
}

impl ExtensionFactory for Pipeline {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Hooks {
            metrics: observe::RequestMetrics::new(self.metrics.clone()),
            limits: self.limits.clone(),
            answers: answers::ForRequest::new(self.answers.clone()),
            prefetch: prefetch::ForRequest::default(),
        })
    }
}

/// One request's hooks.
struct Hooks {
    metrics: observe::RequestMetrics,
    limits: Arc<Limits>,
    answers: answers::ForRequest,
    prefetch: prefetch::ForRequest,
}

#[async_trait::async_trait]
impl Extension for Hooks {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        self.metrics.request(ctx, next.run(ctx)).await
    }

    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        self.metrics.requested(&request);
        self.limits.check_request(&mut request)?;
        let mut request = next.run(ctx, request).await?;
        self.metrics.prepared(&mut request);
        Ok(request)
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        access::check(ctx, &document)?;
        self.answers.parsed(ctx, query, variables, &document);
        self.prefetch.parsed(&document);
        Ok(document)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let run = || async {
            // Reached only when no kept answer was served: a kept answer warms nothing.
            self.prefetch.execute(ctx);
            // The operation's polls hold the loader batches they ask for until it
            // pauses: every key of a level is in its batch (see `loaders::Waves`).
            match ctx.data_opt::<RequestContext>() {
                Some(request) => request.loaders.around(next.run(ctx, operation_name)).await,
                None => next.run(ctx, operation_name).await,
            }
        };
        self.metrics
            .execute(operation_name, self.answers.execute(ctx, operation_name, run))
            .await
    }
}
