//! What the caller may do: reads (queries, subscriptions) and writes (mutations), from
//! its API key's kind or its token's scopes. The guard refuses a document holding a
//! mutation the caller may not run, and any document from a caller who may not read,
//! before anything runs (`FORBIDDEN`, naming the scope).
//!
//! May depend on: `graphql::error`.

use std::sync::Arc;

use async_graphql::{
    ServerError, ServerResult,
    extensions::ExtensionContext,
    parser::types::{ExecutableDocument, OperationType},
};

use super::error::ErrorCode;

/// What one request's caller may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    /// Run queries and subscriptions.
    pub read: bool,
    /// Run mutations.
    pub write: bool,
    /// The scope reads need, for the refusal's message.
    pub read_scope: Arc<str>,
    /// The scope writes need.
    pub write_scope: Arc<str>,
}

fn forbidden(message: String, scope: &str) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", ErrorCode::Forbidden.as_str());
    extensions.set("scope", scope);
    error.extensions = Some(extensions);
    error
}

/// Refuses what the request's [`Access`] does not allow, once its document is parsed (a
/// request without one is internal, e.g. the schema export, and unrestricted). Run by
/// [`super::pipeline`].
pub(super) fn check(ctx: &ExtensionContext<'_>, document: &ExecutableDocument) -> ServerResult<()> {
    let Some(access) = ctx.data_opt::<Access>() else {
        return Ok(());
    };
    let mutates = document
        .operations
        .iter()
        .any(|(_, op)| op.node.ty == OperationType::Mutation);
    let reads = document
        .operations
        .iter()
        .any(|(_, op)| op.node.ty != OperationType::Mutation);
    if mutates && !access.write {
        return Err(forbidden(
            format!(
                "this caller may not run mutations: that needs the `{}` scope",
                access.write_scope
            ),
            &access.write_scope,
        ));
    }
    if reads && !access.read {
        return Err(forbidden(
            format!(
                "this caller may not run queries or subscriptions: that needs the `{}` scope",
                access.read_scope
            ),
            &access.read_scope,
        ));
    }
    Ok(())
}
