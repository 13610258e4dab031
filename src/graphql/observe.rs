//! The schema's request metrics and operation span, hooks of the schema's extension
//! ([`super::pipeline`]): every request counted by operation name and outcome and timed,
//! whatever the transport, including the requests refused before execution (parse,
//! validation, limits), and each operation run in a `graphql_operation` span (the parent
//! of its loader batches and vendor calls).
//!
//! May depend on: `metrics`, `graphql::answers` (the mark of a background renewal).

use std::{
    sync::{Mutex, PoisonError},
    time::Instant,
};

use async_graphql::{Response, extensions::ExtensionContext, parser::types::DocumentOperations};

use tracing::Instrument as _;

use crate::metrics::{Metrics, Outcome};

/// One request's metrics: counts and times it into [`Metrics`]. Its hooks are run by
/// [`super::pipeline`].
pub(super) struct RequestMetrics {
    metrics: Metrics,
    /// The operation's name: the request's `operationName` once read, then the name of
    /// the operation that ran (the document's only one when none was given).
    operation: Mutex<Option<String>>,
}

impl RequestMetrics {
    pub(super) fn new(metrics: Metrics) -> Self {
        Self {
            metrics,
            operation: Mutex::default(),
        }
    }

    fn set_operation(&self, name: Option<&str>) {
        if let Some(name) = name {
            *self.operation.lock().unwrap_or_else(PoisonError::into_inner) = Some(name.to_owned());
        }
    }

    /// Counts and times the whole request, `next`.
    pub(super) async fn request(
        &self,
        ctx: &ExtensionContext<'_>,
        next: impl Future<Output = Response>,
    ) -> Response {
        if ctx.data_opt::<super::answers::Renewal>().is_some() {
            // A kept answer's background renewal: no client's request.
            return next.await;
        }
        let started = Instant::now();
        let response = next.await;
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

    /// Before the request is prepared: the name it asks for.
    pub(super) fn requested(&self, request: &async_graphql::Request) {
        self.set_operation(request.operation_name.as_deref());
    }

    /// Once the request is prepared: without `operationName`, a document's only named
    /// operation names it, also when validation then refuses it (the limits have parsed
    /// it by now: this reads the parsed document, it does not parse again).
    pub(super) fn prepared(&self, request: &mut async_graphql::Request) {
        if request.operation_name.is_none()
            && let Ok(document) = request.parsed_query()
            && let DocumentOperations::Multiple(operations) = &document.operations
            && operations.len() == 1
        {
            let name = operations.keys().next().map(|n| n.to_string());
            self.set_operation(name.as_deref());
        }
    }

    /// Runs the operation, `next`, in its `graphql_operation` span.
    pub(super) async fn execute(
        &self,
        operation_name: Option<&str>,
        next: impl Future<Output = Response>,
    ) -> Response {
        self.set_operation(operation_name);
        let label = self.metrics.operation_label(operation_name);
        let span = tracing::info_span!("graphql_operation", operation = %label);
        next.instrument(span).await
    }
}
