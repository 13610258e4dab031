//! GraphQL over HTTP, as its spec asks: which media type to answer with (content
//! negotiation), how a request's parameters are read from a POST body or a GET query
//! string, refused with a clear GraphQL-shaped error naming what was wrong, and which
//! status an answer carries.

use axum::{
    body::Body,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::{Map, Value, json, value::RawValue};

use crate::graphql::error::ErrorCode;

/// `application/graphql-response+json`: the spec's own type.
pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json; charset=utf-8";
/// `application/json`: the legacy type every client understands.
pub const JSON: &str = "application/json; charset=utf-8";

/// The media type an answer is sent as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    /// `application/graphql-response+json`: a request error is a 4xx.
    GraphqlResponseJson,
    /// `application/json`: a GraphQL-level error is still a 200.
    Json,
}

impl Media {
    /// Picks from the `Accept` headers: each type's quality is that of the most specific
    /// range naming it (`application/json` before `application/*` before `*/*`). An
    /// explicit `application/graphql-response+json` wins unless `application/json` is
    /// preferred; a wildcard means `application/json`, as the spec asks, unless that is
    /// refused. No header means `application/json`; `None` when nothing acceptable is
    /// offered.
    pub fn negotiate(headers: &HeaderMap) -> Option<Media> {
        let mut ranges = Vec::new();
        for value in headers.get_all(header::ACCEPT) {
            let value = value.to_str().ok()?;
            for range in value.split(',').filter(|r| !r.trim().is_empty()) {
                let mut parts = range.split(';');
                let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
                let quality = parts
                    .filter_map(|p| p.trim().strip_prefix("q="))
                    .find_map(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                ranges.push((essence, quality));
            }
        }
        if ranges.is_empty() {
            return Some(Media::Json);
        }
        // The quality of the most specific range among `names` (most specific first).
        let quality = |names: &[&str]| {
            names
                .iter()
                .find_map(|name| ranges.iter().find(|(e, _)| e == name).map(|(_, q)| *q))
                .unwrap_or(0.0)
        };
        let named = quality(&["application/graphql-response+json"]);
        let graphql = quality(&["application/graphql-response+json", "application/*", "*/*"]);
        let json = quality(&["application/json", "application/*", "*/*"]);
        if named > 0.0 && named >= json {
            Some(Media::GraphqlResponseJson)
        } else if json > 0.0 {
            Some(Media::Json)
        } else if graphql > 0.0 {
            Some(Media::GraphqlResponseJson)
        } else {
            None
        }
    }

    /// The `Content-Type` value.
    pub fn content_type(self) -> &'static str {
        match self {
            Media::GraphqlResponseJson => GRAPHQL_RESPONSE_JSON,
            Media::Json => JSON,
        }
    }
}

/// A request refused before execution: its status and one GraphQL error.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// The HTTP status.
    pub status: StatusCode,
    /// `extensions.code`.
    pub code: ErrorCode,
    /// What was wrong.
    pub message: String,
    /// More `extensions` (`limit`, `max`).
    pub extensions: Vec<(&'static str, Value)>,
    /// Headers to add (`Allow`, `WWW-Authenticate`).
    pub headers: Vec<(header::HeaderName, HeaderValue)>,
}

impl Refusal {
    /// A refusal with `status`, `code` and `message`.
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            extensions: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// A GraphQL-level request error (an unknown persisted query): 200 under
    /// `application/json`, 400 under `application/graphql-response+json`.
    pub fn request_error(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::OK, code, message)
    }

    /// The status under `media`.
    pub fn status_for(&self, media: Media) -> StatusCode {
        match (self.status, media) {
            (StatusCode::OK, Media::GraphqlResponseJson) => StatusCode::BAD_REQUEST,
            (status, _) => status,
        }
    }

    /// A malformed request (400 `BAD_REQUEST`).
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, message)
    }

    /// Adds a header to the answer.
    pub fn with_header(mut self, name: header::HeaderName, value: &'static str) -> Self {
        self.headers.push((name, HeaderValue::from_static(value)));
        self
    }

    /// Adds a header whose value is a number (`Retry-After`, say).
    pub fn with_number_header(mut self, name: header::HeaderName, value: u64) -> Self {
        self.headers.push((name, HeaderValue::from(value)));
        self
    }

    /// Adds an `extensions` entry.
    pub fn with_extension(mut self, key: &'static str, value: impl Into<Value>) -> Self {
        self.extensions.push((key, value.into()));
        self
    }

    /// The error object, as it appears in `errors`.
    pub fn error(&self) -> Value {
        let mut extensions: Map<String, Value> = Map::new();
        extensions.insert("code".into(), self.code.as_str().into());
        for (key, value) in &self.extensions {
            extensions.insert((*key).to_owned(), value.clone());
        }
        json!({ "message": self.message, "extensions": extensions })
    }

    /// The answer, as `media`.
    pub fn into_response(self, media: Media) -> Response {
        let body = json!({ "errors": [self.error()] });
        let mut response = respond(self.status_for(media), media, &body);
        response.headers_mut().extend(self.headers);
        response
    }
}

/// `body` as JSON in `media`, with `status`.
pub fn respond(status: StatusCode, media: Media, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    respond_bytes(status, media, bytes.into())
}

/// An answer whose JSON body is already serialized.
pub fn respond_bytes(status: StatusCode, media: Media, body: bytes::Bytes) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(media.content_type()),
        )],
        Body::from(body),
    )
        .into_response()
}

/// One operation's parameters, as the client sent them.
#[derive(Debug, Default, Clone)]
pub struct Params {
    /// The document; absent when only a persisted query's hash is sent.
    pub query: Option<String>,
    /// Which operation of the document to run.
    pub operation_name: Option<String>,
    /// Variable values: a JSON object, kept as the text the client sent. The answers
    /// cache keys on that text, so a repeated request is served without building its
    /// variables (an `_entities` call's are hundreds of objects); they are built only
    /// when the operation runs.
    pub variables: Option<Box<RawValue>>,
    /// Protocol extensions (`persistedQuery`).
    pub extensions: Option<Map<String, Value>>,
}

/// What a request asks: one operation or a batch.
#[derive(Debug)]
pub enum Operations {
    /// A JSON object, or a GET.
    Single(Params),
    /// A JSON array of objects.
    Batch(Vec<Params>),
}

/// The members of one request object, unread.
#[derive(serde::Deserialize)]
struct Members<'a> {
    #[serde(borrow, default)]
    query: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "operationName")]
    operation_name: Option<&'a RawValue>,
    #[serde(borrow, default)]
    variables: Option<&'a RawValue>,
    #[serde(borrow, default)]
    extensions: Option<&'a RawValue>,
}

/// Whether `raw` (valid JSON) is an object.
fn is_object(raw: &RawValue) -> bool {
    raw.get().starts_with('{')
}

impl Params {
    /// Reads one request object of a POST body (`raw` is valid JSON).
    fn from_raw(raw: &RawValue) -> Result<Self, Refusal> {
        let not_object = || {
            Refusal::bad_request("the body must be a JSON object with a `query` string (or an array of them)")
        };
        if !is_object(raw) {
            return Err(not_object());
        }
        // The object's syntax was checked; reading its members fails on a repeated one.
        // (A member's own text is read below; the whole-body check skips what only a
        // read finds: numbers out of range, lone surrogates in strings.)
        let members: Members<'_> = serde_json::from_str(raw.get())
            .map_err(|e| Refusal::bad_request(format!("the request object is not valid: {e}")))?;
        let text = |member: Option<&RawValue>, key: &str| match member {
            None => Ok(None),
            Some(raw) => serde_json::from_str::<Option<String>>(raw.get()).map_err(|e| {
                Refusal::bad_request(if raw.get().starts_with('"') {
                    format!("`{key}` could not be read: {e}")
                } else {
                    format!("`{key}` must be a string")
                })
            }),
        };
        let not_map = |key: &str| Refusal::bad_request(format!("`{key}` must be an object"));
        Ok(Self {
            query: text(members.query, "query")?,
            operation_name: text(members.operation_name, "operationName")?,
            variables: match members.variables {
                None => None,
                Some(raw) if is_object(raw) => Some(raw.to_owned()),
                Some(_) => return Err(not_map("variables")),
            },
            extensions: match members.extensions {
                None => None,
                Some(raw) if is_object(raw) => Some(
                    serde_json::from_str(raw.get())
                        .map_err(|e| Refusal::bad_request(format!("`extensions` could not be read: {e}")))?,
                ),
                Some(_) => return Err(not_map("extensions")),
            },
        })
    }

    /// Reads a GET's query string: `query`, `operationName`, and `variables` and
    /// `extensions` as JSON text.
    pub fn from_query_string(raw: Option<&str>) -> Result<Self, Refusal> {
        let mut params = Self::default();
        for (key, value) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let not_map =
                |key: &str| Refusal::bad_request(format!("`{key}` must be a JSON object (URL-encoded)"));
            match &*key {
                "query" => params.query = Some(value.into_owned()),
                "operationName" => params.operation_name = Some(value.into_owned()).filter(|s| !s.is_empty()),
                "variables" => {
                    params.variables = match RawValue::from_string(value.trim().to_owned()) {
                        Ok(raw) if raw.get() == "null" => None,
                        Ok(raw) if is_object(&raw) => Some(raw),
                        _ => return Err(not_map("variables")),
                    }
                }
                "extensions" => {
                    params.extensions = match serde_json::from_str::<Value>(&value) {
                        Ok(Value::Object(m)) => Some(m),
                        Ok(Value::Null) => None,
                        _ => return Err(not_map("extensions")),
                    }
                }
                _ => {}
            }
        }
        Ok(params)
    }

    /// The variables as async-graphql takes them (none when absent).
    pub fn variables(variables: Option<&RawValue>) -> Result<async_graphql::Variables, Refusal> {
        match variables {
            None => Ok(async_graphql::Variables::default()),
            Some(raw) => serde_json::from_str(raw.get())
                .map_err(|e| Refusal::bad_request(format!("`variables` could not be read: {e}"))),
        }
    }
}

impl Operations {
    /// Reads a POST body of `application/json`.
    pub fn from_json_body(body: &[u8]) -> Result<Self, Refusal> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(Refusal::bad_request(
                "the body is empty: send a JSON object with a `query` string",
            ));
        }
        // Checked whole first, then read member by member: the values stay text.
        let raw: &RawValue = serde_json::from_slice(body).map_err(|e| {
            // serde_json's message names the position, never the content.
            Refusal::bad_request(format!("the body is not valid JSON: {e}"))
        })?;
        if !raw.get().starts_with('[') {
            return Params::from_raw(raw).map(Operations::Single);
        }
        let items: Vec<&RawValue> = serde_json::from_str(raw.get())
            .map_err(|e| Refusal::bad_request(format!("the body is not valid JSON: {e}")))?;
        if items.is_empty() {
            return Err(Refusal::bad_request("the batch is empty"));
        }
        items
            .into_iter()
            .map(Params::from_raw)
            .collect::<Result<_, _>>()
            .map(Operations::Batch)
    }
}

/// The essence of the request's `Content-Type` (`application/json`), lower case.
pub fn content_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    (!essence.is_empty()).then_some(essence)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> Option<Media> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        Media::negotiate(&headers)
    }

    #[test]
    fn negotiation_follows_the_spec() {
        assert_eq!(Media::negotiate(&HeaderMap::new()), Some(Media::Json));
        assert_eq!(
            accept("application/graphql-response+json"),
            Some(Media::GraphqlResponseJson)
        );
        assert_eq!(accept("application/json"), Some(Media::Json));
        assert_eq!(accept("*/*"), Some(Media::Json));
        // Apollo Client and graphql-http's own client send both, preferring the new one.
        assert_eq!(
            accept("application/graphql-response+json, application/json;q=0.9"),
            Some(Media::GraphqlResponseJson)
        );
        assert_eq!(
            accept("application/json, application/graphql-response+json;q=0.5"),
            Some(Media::Json)
        );
        assert_eq!(accept("text/html"), None);
        assert_eq!(accept("application/json;q=0"), None);
        // The most specific range decides: JSON refused, so the wildcard means the other.
        assert_eq!(
            accept("application/json;q=0, */*"),
            Some(Media::GraphqlResponseJson)
        );
        assert_eq!(accept("application/json;q=0, text/html"), None);
        assert_eq!(accept("text/html, application/*;q=0.8"), Some(Media::Json));
        let mut two = HeaderMap::new();
        two.append(header::ACCEPT, HeaderValue::from_static("text/html"));
        two.append(
            header::ACCEPT,
            HeaderValue::from_static("application/graphql-response+json"),
        );
        assert_eq!(Media::negotiate(&two), Some(Media::GraphqlResponseJson));
    }

    #[test]
    fn each_malformed_parameter_is_named() {
        let refusal = |body: &str| Operations::from_json_body(body.as_bytes()).unwrap_err().message;
        assert!(refusal("{ \"not a JSON").contains("not valid JSON"));
        assert!(refusal("").contains("empty"));
        assert!(refusal("[]").contains("batch is empty"));
        assert!(refusal("\"query\"").contains("JSON object"));
        assert!(refusal(r#"{"query": 1}"#).contains("`query` must be a string"));
        assert!(refusal(r#"{"query": "{a}", "variables": "x"}"#).contains("`variables`"));
        assert!(refusal(r#"{"query": "{a}", "operationName": false}"#).contains("`operationName`"));
        assert!(refusal(r#"{"query": "{a}", "extensions": []}"#).contains("`extensions`"));
        assert!(refusal(r#"[{"query": "{a}"}, 2]"#).contains("JSON object"));
        assert!(refusal(r#"{"query": "{a}", "query": "{b}"}"#).contains("duplicate field `query`"));
        assert!(refusal(r#"{"query": "\ud800"}"#).contains("`query` could not be read"));
        let Ok(Operations::Single(p)) = Operations::from_json_body(br#"{"query":"{a}","variables":null}"#)
        else {
            panic!("a valid body")
        };
        assert_eq!(p.query.as_deref(), Some("{a}"));
        let get = Params::from_query_string(Some("query=%7Ba%7D&variables=%7B%22n%22%3A1%7D")).unwrap();
        let variables = Params::variables(get.variables.as_deref()).unwrap();
        assert_eq!(
            variables.get(&async_graphql::Name::new("n")),
            Some(&async_graphql::Value::from(1))
        );
        let spaced = Params::from_query_string(Some("query=x&variables=%20null%20")).unwrap();
        assert!(spaced.variables.is_none());
        assert!(Params::from_query_string(Some("query=x&variables=%5B%5D")).is_err());
    }
}
