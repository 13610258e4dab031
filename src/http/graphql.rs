//! `/graphql` over HTTP, in the order a request is checked:
//!
//! 1. `Accept` is negotiated (406 when neither GraphQL type is acceptable);
//! 2. the body is read up to `server.max_body_bytes` (413 past it), before anything else;
//! 3. a request a cross-site form could send is refused (`csrf`);
//! 4. a POST must be `application/json` (415; multipart uploads are off);
//! 5. the API key or JWT names the tenant and what the caller may do (401), and the
//!    caller and its tenant are within their request rates (429 with `Retry-After`);
//! 6. the parameters are read (400 naming the one at fault), a batch is capped by
//!    `graphql.max_batch`, a persisted query's hash is resolved (`apq`), and a GET may
//!    only run a query (405);
//! 7. the schema runs it, its limits first (`graphql::limits`).
//!
//! A POST with `Accept: text/event-stream` passes the same checks and is answered as an
//! event stream (`sse`).
//!
//! Under `application/graphql-response+json` a request that fails before execution
//! (parse, validation, limits, variables) is a 400 without `data`; under
//! `application/json` it is a 200, as the GraphQL-over-HTTP spec asks.

use axum::{
    body::Body,
    extract::{RawQuery, State},
    http::{HeaderMap, Method, StatusCode, header},
    response::Response,
};
use serde_json::{Value, json, value::RawValue};

use super::{
    AppState, Principal, csrf,
    over_http::{Media, Operations, Params, Refusal, content_type, respond_bytes},
};
use crate::graphql::{
    answers::{AnswerId, Kept, Lookup, Renewal, Shared},
    context,
    error::ErrorCode,
    limits,
};

/// A GraphQL-shaped error response outside of execution (panics).
pub fn error_response(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    Refusal::new(status, code, message).into_response(Media::Json)
}

/// `GET` and `POST /graphql`.
pub async fn execute(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    RawQuery(raw_query): RawQuery,
    body: Body,
) -> Response {
    if method == Method::POST && super::sse::wants_event_stream(&headers) {
        return match handle(&state, &method, &headers, raw_query, body, Media::Json, true).await {
            Ok(response) => response,
            Err(refusal) => refusal.into_response(Media::Json),
        };
    }
    let Some(media) = Media::negotiate(&headers) else {
        state.metrics.graphql_refusal(ErrorCode::BadRequest.as_str());
        return Refusal::new(
            StatusCode::NOT_ACCEPTABLE,
            ErrorCode::BadRequest,
            "Accept must allow application/graphql-response+json or application/json",
        )
        .into_response(Media::Json);
    };
    match handle(&state, &method, &headers, raw_query, body, media, false).await {
        Ok(response) => response,
        Err(refusal) => {
            state.metrics.graphql_refusal(refusal.code.as_str());
            refusal.into_response(media)
        }
    }
}

async fn handle(
    state: &AppState,
    method: &Method,
    headers: &HeaderMap,
    raw_query: Option<String>,
    body: Body,
    media: Media,
    event_stream: bool,
) -> Result<Response, Refusal> {
    let body = read_body(body, headers, state.server.max_body_bytes).await?;
    csrf::check(headers)?;
    if method == Method::POST {
        match content_type(headers).as_deref() {
            Some("application/json") => {}
            Some("multipart/form-data") => {
                return Err(unsupported("file uploads (multipart/form-data) are not accepted"));
            }
            Some(other) => {
                return Err(unsupported(&format!(
                    "a POST body must be `application/json`, not `{other}`"
                )));
            }
            None => return Err(unsupported("a POST needs `Content-Type: application/json`")),
        }
    }
    let principal = state.auth.principal(headers).await.map_err(|e| {
        Refusal::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            e.to_string(),
        )
        .with_header(header::WWW_AUTHENTICATE, "Bearer")
    })?;
    tracing::Span::current().record("tenant", &*principal.tenant.id);
    within_rates(state, &principal).await?;
    let principal = &principal;
    // Anything but a POST (a GET, or the HEAD axum routes with it) reads the query string
    // and may only run a query.
    let operations = if method == Method::POST {
        Operations::from_json_body(&body)?
    } else {
        Operations::Single(Params::from_query_string(raw_query.as_deref())?)
    };
    match operations {
        Operations::Single(params) if event_stream => {
            let request = prepare(state, principal, method, params).await?.into_request()?;
            Ok(super::sse::stream(state, principal.tenant.clone(), request))
        }
        Operations::Batch(_) if event_stream => Err(Refusal::bad_request(
            "an event stream (Accept: text/event-stream) runs one operation, not a batch",
        )),
        Operations::Single(params) => {
            let answer = run(state, principal, method, params).await?;
            Ok(respond_bytes(
                status_of(answer.request_error, media),
                media,
                answer.body,
            ))
        }
        Operations::Batch(batch) => {
            let max = state.graphql.max_batch;
            if batch.len() > max {
                let what = format!(
                    "a batch of {} operations; at most {max} is allowed (graphql.max_batch)",
                    batch.len()
                );
                return Err(
                    Refusal::new(StatusCode::BAD_REQUEST, ErrorCode::LimitExceeded, what)
                        .with_extension("limit", "max_batch")
                        .with_extension("max", max),
                );
            }
            let answers = batch
                .into_iter()
                .map(|params| run(state, principal, method, params));
            // The answers' bodies, already JSON, joined into an array.
            let mut bodies = vec![b'['];
            for (i, answer) in futures::future::join_all(answers).await.into_iter().enumerate() {
                if i > 0 {
                    bodies.push(b',');
                }
                match answer {
                    Ok(answer) => bodies.extend_from_slice(&answer.body),
                    Err(refusal) => {
                        let body = json!({ "errors": [refusal.error()] });
                        bodies.extend(serde_json::to_vec(&body).unwrap_or_default());
                    }
                }
            }
            bodies.push(b']');
            Ok(respond_bytes(StatusCode::OK, media, bodies.into()))
        }
    }
}

/// Refuses the request (429, `Retry-After`) when its client or its tenant has spent
/// its rate (`auth.client_requests_per_second`, `auth.tenant_requests_per_second`),
/// counted across every replica sharing the Redis.
async fn within_rates(state: &AppState, principal: &Principal) -> Result<(), Refusal> {
    let settings = &state.access;
    let tenant = &principal.tenant.id;
    let rates = [
        (
            format!("rate:client:{tenant}:{}", principal.client),
            settings.client_requests_per_second,
            settings.client_burst,
            "auth.client_requests_per_second",
        ),
        (
            format!("rate:tenant:{tenant}"),
            settings.tenant_requests_per_second,
            settings.tenant_burst,
            "auth.tenant_requests_per_second",
        ),
    ];
    for (key, per_second, burst, setting) in rates {
        if per_second <= 0.0 {
            continue;
        }
        let interval = std::time::Duration::from_secs_f64(1.0 / per_second);
        let slot = state
            .cache
            .reserve_slot(&key, interval, burst.max(1), std::time::Duration::ZERO)
            .await;
        if slot.is_none() {
            let retry_after = interval.as_secs_f64().ceil().max(1.0) as u64;
            return Err(Refusal::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                format!("too many requests: at most {per_second} a second ({setting}); retry after {retry_after} s"),
            )
            .with_number_header(header::RETRY_AFTER, retry_after)
            .with_extension("retryAfter", retry_after));
        }
    }
    Ok(())
}

/// A kept answer, served (and counted in the request metrics).
fn served(state: &AppState, kept: &Kept, started: std::time::Instant) -> Shared {
    let label = state.metrics.operation_label(kept.operation.as_deref());
    state
        .metrics
        .graphql_request(&label, crate::metrics::Outcome::Ok, started.elapsed());
    Shared {
        request_error: false,
        body: kept.body(),
    }
}

/// Computes the successor of `request`'s due answer in the background, on the renewal
/// thread (see [`crate::graphql::answers::Answers::renew`]), as the same caller.
fn renew(
    state: &AppState,
    principal: &Principal,
    request: async_graphql::Request,
    id: AnswerId,
    kept: &Kept,
) {
    use tracing::Instrument as _;
    // The request as `prepare` made it (the caller's access among its data), marked.
    let again = request.data(Renewal).data(id);
    let (schema, tenant, cache) = (
        state.schema.clone(),
        principal.tenant.clone(),
        state.cache.clone(),
    );
    let span = tracing::info_span!(parent: None, "answer_renewal", tenant = %tenant.id);
    let renewal = async move {
        context::execute(&schema, again, tenant, &cache).await;
    }
    .instrument(span);
    if !state.answers.renew(renewal) {
        kept.renewal_not_started();
    }
}

/// Every turn to execute was taken for the whole request deadline.
fn busy() -> Refusal {
    Refusal::new(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::RateLimited,
        "the server is busy: every turn to run an operation was taken until this request's deadline \
         (server.max_concurrent_operations); retry after 1 s",
    )
    .with_number_header(header::RETRY_AFTER, 1)
    .with_extension("retryAfter", 1)
}

fn unsupported(message: &str) -> Refusal {
    Refusal::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, ErrorCode::BadRequest, message)
}

/// Reads the body, refusing it as soon as it passes `max` bytes (by its declared
/// length, or while reading).
async fn read_body(body: Body, headers: &HeaderMap, max: usize) -> Result<bytes::Bytes, Refusal> {
    let too_large = || {
        Refusal::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::LimitExceeded,
            format!("the request body is larger than {max} bytes (server.max_body_bytes)"),
        )
        .with_extension("limit", "max_body_bytes")
        .with_extension("max", max)
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    axum::body::to_bytes(body, max).await.map_err(|_| too_large())
}

/// One operation, its persisted query resolved: the request to run (the caller's access
/// among its data), its variables still the text the client sent.
struct Prepared {
    request: async_graphql::Request,
    variables: Option<Box<RawValue>>,
}

impl Prepared {
    /// The request with its variables.
    fn into_request(self) -> Result<async_graphql::Request, Refusal> {
        Ok(self
            .request
            .variables(Params::variables(self.variables.as_deref())?))
    }
}

/// One operation's request: its persisted query resolved, refused over GET unless a
/// query.
async fn prepare(
    state: &AppState,
    principal: &Principal,
    method: &Method,
    params: Params,
) -> Result<Prepared, Refusal> {
    let tenant = &principal.tenant;
    let query = state
        .apq
        .resolve(&tenant.id, params.query, params.extensions.as_ref())
        .await?;
    if method != Method::POST
        && selects_non_query(&query, params.operation_name.as_deref(), state.graphql.max_tokens)
    {
        return Err(Refusal::new(
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::BadRequest,
            "only queries may be sent with GET: send mutations with POST",
        )
        .with_header(header::ALLOW, "POST"));
    }
    let mut request = async_graphql::Request::new(query);
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    Ok(Prepared {
        request: request.data(principal.access.clone()),
        variables: params.variables,
    })
}

/// Runs one operation: its answer, or why it was refused before it ran. A query whose
/// answer is kept (see [`crate::graphql::answers`]) is served without executing, when
/// the caller may read.
async fn run(
    state: &AppState,
    principal: &Principal,
    method: &Method,
    params: Params,
) -> Result<Shared, Refusal> {
    let started = std::time::Instant::now();
    let prepared = prepare(state, principal, method, params).await?;
    let tenant = &principal.tenant;
    let mut computing = None;
    let mut id = None;
    if principal.access.read {
        let deadline = tokio::time::Instant::now() + tenant.request_deadline;
        let answer = AnswerId::new(
            &prepared.request.query,
            prepared.variables.as_deref().map(RawValue::get),
            prepared.request.operation_name.as_deref(),
        );
        // A kept answer is served without reading the variables.
        match state
            .answers
            .lookup(&state.cache, &tenant.id, &answer, deadline)
            .await
        {
            Lookup::Kept(kept) => return Ok(served(state, &kept, started)),
            Lookup::Renew(kept) => {
                match prepared.into_request() {
                    Ok(request) => renew(state, principal, request, answer, &kept),
                    Err(_) => kept.renewal_not_started(),
                }
                return Ok(served(state, &kept, started));
            }
            Lookup::Shared(shared) => return Ok(shared),
            // Held until the answer is shared: identical requests wait for it.
            Lookup::Compute(leader) => computing = leader,
        }
        id = Some(answer);
    }
    let turn = tokio::time::timeout(tenant.request_deadline, state.operations.acquire())
        .await
        .ok()
        .and_then(Result::ok)
        .ok_or_else(busy)?;
    // Built once its turn came: a request waiting for one holds only its variables' text.
    let mut request = prepared.into_request()?;
    if let Some(id) = id {
        request = request.data(id);
    }
    let response = context::execute(&state.schema, request, tenant.clone(), &state.cache).await;
    drop(turn);
    let answer = response_body(response);
    if let Some(computing) = &computing {
        computing.share(&answer);
    }
    Ok(answer)
}

/// The status of an answer under `media`: a request refused before it ran is a 400 for
/// `application/graphql-response+json`.
fn status_of(request_error: bool, media: Media) -> StatusCode {
    match media {
        Media::GraphqlResponseJson if request_error => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    }
}

/// Gives every error of `response` a code, and says whether it was refused before it
/// ran (no data, only errors without a path).
fn coded(response: &mut async_graphql::Response) -> bool {
    // Every error Switchboard raises carries a code; the rest come from parsing,
    // validation or input coercion of the request itself.
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            extensions.set("code", ErrorCode::BadUserInput.as_str());
        }
    }
    // Errors without a path happened before execution: the request produced no data.
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

/// A response as the HTTP answer's body: `data`, `errors` (every one with a code) and
/// `extensions`, or only `errors` when it was refused before it ran. Serialized
/// straight from the response, without a copy of its tree as a `serde_json::Value`.
pub fn response_body(mut response: async_graphql::Response) -> Shared {
    #[derive(serde::Serialize)]
    struct Body<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        data: Option<&'a async_graphql::Value>,
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        errors: &'a [async_graphql::ServerError],
        #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
        extensions: &'a std::collections::BTreeMap<String, async_graphql::Value>,
    }
    let request_error = coded(&mut response);
    if request_error {
        response.extensions.clear();
    }
    let body = Body {
        data: (!request_error).then_some(&response.data),
        errors: &response.errors,
        extensions: &response.extensions,
    };
    Shared {
        request_error,
        body: serde_json::to_vec(&body)
            .unwrap_or_else(|_| b"{}".to_vec())
            .into(),
    }
}

/// A response as JSON, every error with a code; and whether it was refused before it
/// ran (no data, only errors without a path). Its `extensions` are left out. For
/// sockets and event streams, which wrap it in their own messages.
pub fn response_json(mut response: async_graphql::Response) -> (bool, Value) {
    let request_error = coded(&mut response);
    let errors = serde_json::to_value(&response.errors).unwrap_or_default();
    if request_error {
        return (true, json!({ "errors": errors }));
    }
    let mut body = json!({ "data": response.data.into_json().unwrap_or_default() });
    if !response.errors.is_empty() {
        body["errors"] = errors;
    }
    (false, body)
}

/// Whether `query` selects a mutation (or subscription): those are refused over GET,
/// where caches and prefetchers may repeat a request. Text past the token limit is left
/// to execution, which refuses it before parsing.
fn selects_non_query(query: &str, operation_name: Option<&str>, max_tokens: usize) -> bool {
    use async_graphql::parser::types::{DocumentOperations, OperationType};
    if limits::scan(query, max_tokens).is_err() {
        return false;
    }
    let Ok(document) = async_graphql::parser::parse_query(query) else {
        return false; // execution reports the syntax error
    };
    let selected = match &document.operations {
        DocumentOperations::Single(op) => Some(op),
        DocumentOperations::Multiple(ops) => match operation_name {
            Some(name) => ops.get(name),
            None => ops.values().next(),
        },
    };
    selected.is_some_and(|op| op.node.ty != OperationType::Query)
}
