//! `/graphql` and the GraphiQL page.

use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::{
    Json,
    extract::State,
    http::{HeaderMap, Method, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::json;

use super::AppState;
use crate::graphql::{context::RequestContext, error::ErrorCode};

/// A GraphQL-shaped error response outside of execution (authentication, panics).
pub fn error_response(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code.as_str() } }] });
    (status, [(header::CONTENT_TYPE, "application/json")], Json(body)).into_response()
}

/// Whether `request` selects a mutation (or subscription): those are refused over GET,
/// where caches and prefetchers may repeat a request.
fn selects_non_query(request: &async_graphql::Request) -> bool {
    use async_graphql::parser::types::{DocumentOperations, OperationType};
    let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
        return false; // execution reports the syntax error
    };
    let selected = match &document.operations {
        DocumentOperations::Single(op) => Some(op),
        DocumentOperations::Multiple(ops) => match &request.operation_name {
            Some(name) => ops.get(name.as_str()),
            None => ops.values().next(),
        },
    };
    selected.is_some_and(|op| op.node.ty != OperationType::Query)
}

pub async fn execute(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> Response {
    let tenant = match state.auth.authenticate(&headers) {
        Ok(tenant) => tenant,
        Err(e) => {
            let mut response = error_response(
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthenticated,
                &e.to_string(),
            );
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
            return response;
        }
    };
    tracing::Span::current().record("tenant", &*tenant.id);
    let request = request.into_inner();
    if method == Method::GET && selects_non_query(&request) {
        let mut response = error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::BadUserInput,
            "mutations must be sent with POST",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
        return response;
    }
    let context = RequestContext::new(tenant, &state.cache);
    let mut response = state.schema.execute(request.data(context)).await;
    // Every error Switchboard raises carries a code; the rest come from parsing,
    // validation or input coercion of the request itself.
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            extensions.set("code", ErrorCode::BadUserInput.as_str());
        }
    }
    GraphQLResponse::from(response).into_response()
}
