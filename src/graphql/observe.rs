//! The schema's request metrics and operation span: an async-graphql extension that
//! counts every request by operation name and outcome and times it, whatever the
//! transport, including the requests refused before execution (parse, validation,
//! limits), and runs each operation in a `graphql_operation` span (the parent of its
//! loader batches and vendor calls).
//!
//! May depend on: `metrics`, `graphql::answers` (the mark of a background renewal).

use std::{
    sync::{Arc, Mutex, PoisonError},
    time::Instant,
};

use async_graphql::{
    Response, ServerResult,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextPrepareRequest, NextRequest,
    },
    parser::types::DocumentOperations,
};

use tracing::Instrument as _;

use crate::metrics::{Metrics, Outcome};

/// Counts and times every request into [`Metrics`].
pub struct MetricsExtension(pub Metrics);

impl ExtensionFactory for MetricsExtension {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RequestMetrics {
            metrics: self.0.clone(),
            operation: Mutex::default(),
        })
    }
}

struct RequestMetrics {
    metrics: Metrics,
    /// The operation's name: the request's `operationName` once read, then the name of
    /// the operation that ran (the document's only one when none was given).
    operation: Mutex<Option<String>>,
}

impl RequestMetrics {
    fn set_operation(&self, name: Option<&str>) {
        if let Some(name) = name {
            *self.operation.lock().unwrap_or_else(PoisonError::into_inner) = Some(name.to_owned());
        }
    }
}

#[async_trait::async_trait]
impl Extension for RequestMetrics {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        if ctx.data_opt::<super::answers::Renewal>().is_some() {
            // A kept answer's background renewal: no client's request.
            return next.run(ctx).await;
        }
        let started = Instant::now();
        let response = next.run(ctx).await;
        let outcome = match (
            response.errors.is_empty(),
            response.data == async_graphql::Value::Null,
        ) {
            (true, _) => Outcome::Ok,
            (false, false) => Outcome::Partial,
            (false, true) => Outcome::Error,
        };
        let name = self
            .operation
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let label = self.metrics.operation_label(name.as_deref());
        self.metrics.graphql_request(&label, outcome, started.elapsed());
        response
    }

    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: async_graphql::Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<async_graphql::Request> {
        self.set_operation(request.operation_name.as_deref());
        let mut request = next.run(ctx, request).await?;
        // Without `operationName`, a document's only named operation names it, also
        // when validation then refuses it (the limits have parsed it by now: this reads
        // the parsed document, it does not parse again).
        if request.operation_name.is_none()
            && let Ok(document) = request.parsed_query()
            && let DocumentOperations::Multiple(operations) = &document.operations
            && operations.len() == 1
        {
            let name = operations.keys().next().map(|n| n.to_string());
            self.set_operation(name.as_deref());
        }
        Ok(request)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        self.set_operation(operation_name);
        let label = self.metrics.operation_label(operation_name);
        let span = tracing::info_span!("graphql_operation", operation = %label);
        next.run(ctx, operation_name).instrument(span).await
    }
}
