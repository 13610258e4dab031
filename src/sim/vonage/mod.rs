//! The Vonage Contact Center simulator: the OAuth2 token endpoint (`/Auth/connect/token`,
//! form body, scopes, `expires_in`), user admin under `/useradmin/users` (both
//! documented list envelopes, `include`/`page`/`limit`, create, patch, delete of archived
//! users only) and agent presence under `/agents/{userId}/presence`. Every API request
//! must send the versioned `Accept` (a missing one is the documented 400) and a live
//! bearer token. Users are kept as the JSON Vonage returns, checked by [`rules`].
//!
//! Controls besides the shared ones: `POST /_sim/reset`, `PUT /_sim/envelope
//! {"envelope":"items"|"users"}`, `PUT /_sim/token {"expiresIn":n}`,
//! `POST /_sim/tokens/revoke`, `PUT /_sim/presence/{userId} {"categoryType","description"}`.

pub mod rules;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    Form, Json, Router,
    extract::{Path, Query, Request, State, rejection::FormRejection},
    http::{StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post, put},
};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{
    control::{self, SimControl},
    roster::{PEOPLE, Platform, people_on},
};

/// The API client id the simulator accepts by default.
pub const DEMO_CLIENT_ID: &str = "sim-vonage-client";
/// The API client secret the simulator accepts by default.
pub const DEMO_CLIENT_SECRET: &str = "sim-vonage-secret";
/// The webhook secret the demo tenant expects.
pub const DEMO_WEBHOOK_SECRET: &str = "sim-vonage-webhook-secret";
/// Token lifetime when none is set, in seconds (Vonage documents 900 and 7200).
pub const DEFAULT_TOKEN_LIFETIME: u64 = 900;
/// Scopes the token endpoint grants.
pub const SCOPES: [&str; 3] = ["users:read", "users:write", "agents:read"];
/// The media type every API request must accept.
const ACCEPT: &str = "application/vnd.newvoicemedia.v4+json";
/// Page size when a list gives no `limit`.
const DEFAULT_LIMIT: usize = 100;
/// The largest `limit` accepted.
const MAX_LIMIT: usize = 5_000;
/// When the seeded presence last changed.
const SEEDED_PRESENCE_AT: &str = "2026-11-23T08:00:00.000Z";
/// The message of a delete of an active user.
pub const DELETE_ACTIVE_MESSAGE: &str =
    "Only archived users can be deleted. Archive the user (set active to false) first.";

/// Which documented envelope `GET /useradmin/users` answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Envelope {
    /// `{meta:{page,count,pageCount,totalCount}, items:[…]}`.
    Items,
    /// `{users:[…]}`.
    Users,
}

struct IssuedToken {
    expires: Instant,
    scopes: Vec<String>,
}

struct State_ {
    users: Vec<Value>,
    presence: HashMap<String, Value>,
    tokens: HashMap<String, IssuedToken>,
    token_lifetime: u64,
    envelope: Envelope,
}

/// A stateful Vonage Contact Center account.
pub struct VonageSim {
    /// Counters and faults.
    pub control: Arc<SimControl>,
    client_id: String,
    client_secret: String,
    state: Mutex<State_>,
}

fn render_error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "message": message }))).into_response()
}

fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The user id of roster person `i` on Vonage.
pub fn user_id(i: usize) -> String {
    format!("7a9e{i:04x}-3c0d-4b1e-8f00-{i:012x}")
}

/// The roster person whose Vonage user is archived.
pub const ARCHIVED_PERSON: usize = 15;

/// The role roster person `i` has: 0 Admin, 1–2 Supervisor (1 acts as an agent),
/// 3 Wallboard, the rest Agent ([`ARCHIVED_PERSON`] archived).
pub fn seeded_role(i: usize) -> &'static str {
    match i {
        0 => "Admin",
        1 | 2 => "Supervisor",
        3 => "Wallboard",
        _ => "Agent",
    }
}

fn seeded_user(i: usize) -> Value {
    let p = PEOPLE[i];
    let role = seeded_role(i);
    let acts = role == "Agent" || i == 1;
    let mut config = json!({ "role": role, "chargeable": true, "actAsAgent": acts });
    if acts {
        config["agentConfiguration"] = json!({
            "agentDisplayId": p.extension,
            "webrtc": true,
            "agentControlWebrtc": i.is_multiple_of(2),
            "handleMultipleInteractions": true,
            "enforcedDispositionCodes": false,
            "transcribeCalls": false,
            "screenRecording": false,
            "callParking": i.is_multiple_of(3),
            "salesCadence": false,
            "outboundAutoanswer": true,
            "inboundAutoanswer": false,
            "outboundWrapUp": 120,
            "backToReadyAfterNoAnswer": 30,
            "backToReadyAfterLineBusy": 30,
            "backToReadyAfterInvalidNumber": 60,
            "backToReadyAfterNetworkIssue": 60,
            "callRatingFrequency": 10,
            "video": false,
            "transcribeCallsRealTime": false,
            "callRecordingControls": true,
            "location": "US",
            "telephonyAddress": {
                "telephoneAddress": p.phone,
                "telephonyExtension": p.extension,
                "outboundTelephonyRegion": "b4c6e398-ac69-4135-b3fd-64d7a6d14272",
                "nationalDisplay": true,
                "virtualLocation": "US",
                "preventAutoCallbackNumber": false
            },
            "capacity": { "isAgentLevel": true, "live": 60, "nonlive": 20, "semilive": 40 },
            "associatedUsers": []
        });
    }
    json!({
        "userId": user_id(i),
        "username": format!("{}.{}", p.first, p.last).to_lowercase(),
        "name": p.full_name(),
        "email": p.email,
        "lastLoginTime": "2026-11-20T08:30:00.000Z",
        "active": i != ARCHIVED_PERSON,
        "locked": false,
        "ssoExternalId": "",
        "userAccountConfiguration": config
    })
}

fn presence_value(user_id: &str, category: &str, description: &str, updated: &str) -> Value {
    json!({
        "userId": user_id,
        "updated": updated,
        "presence": {
            "presenceId": format!("{}-{}", category.to_lowercase(), description.to_lowercase().replace(' ', "-")),
            "selectable": category != "LoggedOut",
            "category": { "categoryType": category, "description": category },
            "description": description
        }
    })
}

impl VonageSim {
    /// A simulator seeded with the demo account, accepting `client_id`/`client_secret`.
    pub fn seeded(client_id: &str, client_secret: &str) -> Arc<Self> {
        let sim = Arc::new(Self {
            control: SimControl::new(&["/vonage", "/useradmin"], render_error),
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
            state: Mutex::new(State_ {
                users: Vec::new(),
                presence: HashMap::new(),
                tokens: HashMap::new(),
                token_lifetime: DEFAULT_TOKEN_LIFETIME,
                envelope: Envelope::Items,
            }),
        });
        sim.reset();
        sim
    }

    /// Puts the seeded account back (users, presence, envelope, token lifetime; issued
    /// tokens stay valid).
    pub fn reset(&self) {
        let mut s = self.state.lock().expect("vonage state");
        s.users = people_on(Platform::Vonage).map(|(i, _)| seeded_user(i)).collect();
        s.presence.clear();
        s.envelope = Envelope::Items;
        s.token_lifetime = DEFAULT_TOKEN_LIFETIME;
        let states = [
            ("Ready", "Ready"),
            ("Away", "Lunch"),
            ("ExtendedAway", "Training"),
            ("LoggedOut", "Logged out"),
        ];
        for (i, _) in people_on(Platform::Vonage) {
            let acts = s.users.iter().any(|u| {
                u["userId"] == user_id(i).as_str() && u["userAccountConfiguration"]["actAsAgent"] == true
            });
            if acts {
                let (category, description) = states[i % states.len()];
                let id = user_id(i);
                let value = presence_value(&id, category, description, SEEDED_PRESENCE_AT);
                s.presence.insert(id, value);
            }
        }
    }

    /// The router: the token endpoint, the API, and the controls under `/_sim`.
    pub fn router(self: &Arc<Self>) -> Router {
        let counted = middleware::from_fn_with_state(self.control.clone(), control::count_and_fault);
        let api = Router::new()
            .route("/useradmin/users", get(list_users).post(create_user))
            .route(
                "/useradmin/users/{userId}",
                get(get_user).patch(update_user).delete(delete_user),
            )
            .route("/agents/{userId}/presence", get(agent_presence))
            .route_layer(middleware::from_fn_with_state(self.clone(), require_token))
            .route_layer(middleware::from_fn(require_accept))
            .route_layer(counted.clone())
            .with_state(self.clone());
        let token = Router::new()
            .route("/Auth/connect/token", post(issue_token))
            .route_layer(counted)
            .with_state(self.clone());
        let sim_routes = Router::new()
            .route("/_sim/reset", post(reset))
            .route("/_sim/envelope", put(set_envelope))
            .route("/_sim/token", put(set_token_lifetime))
            .route("/_sim/tokens/revoke", post(revoke_tokens))
            .route("/_sim/presence/{userId}", put(set_presence))
            .with_state(self.clone());
        api.merge(token)
            .merge(sim_routes)
            .merge(control::routes(self.control.clone()))
    }

    fn with<R>(&self, f: impl FnOnce(&mut State_) -> R) -> R {
        f(&mut self.state.lock().expect("vonage state"))
    }

    /// Tokens issued so far that are still valid.
    pub fn live_tokens(&self) -> usize {
        self.with(|s| s.tokens.values().filter(|t| t.expires > Instant::now()).count())
    }
}

async fn require_accept(request: Request, next: Next) -> Response {
    let accept = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !accept.split(',').any(|t| t.trim().starts_with(ACCEPT)) {
        return render_error(
            StatusCode::BAD_REQUEST,
            "The Accept header must name an API version: application/vnd.newvoicemedia.v4+json",
        );
    }
    next.run(request).await
}

async fn require_token(State(sim): State<Arc<VonageSim>>, request: Request, next: Next) -> Response {
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let scopes = sim.with(|s| {
        let token = s.tokens.get(bearer.as_deref()?)?;
        (token.expires > Instant::now()).then(|| token.scopes.clone())
    });
    let Some(scopes) = scopes else {
        return render_error(StatusCode::UNAUTHORIZED, "Unauthorized");
    };
    let path = request.uri().path();
    let needed = if path.contains("/agents/") {
        None
    } else if request.method() == axum::http::Method::GET {
        Some("users:read")
    } else {
        Some("users:write")
    };
    if let Some(scope) = needed
        && !scopes.iter().any(|s| s == scope)
    {
        return render_error(
            StatusCode::FORBIDDEN,
            &format!("The token lacks the {scope} scope"),
        );
    }
    next.run(request).await
}

fn oauth_error(code: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": code }))).into_response()
}

async fn issue_token(
    State(sim): State<Arc<VonageSim>>,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return oauth_error("invalid_request");
    };
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    if field("grant_type") != "client_credentials" {
        return oauth_error("unsupported_grant_type");
    }
    if field("client_id") != sim.client_id || field("client_secret") != sim.client_secret {
        return oauth_error("invalid_client");
    }
    let scopes: Vec<String> = field("scope").split_whitespace().map(str::to_owned).collect();
    if scopes.is_empty() || scopes.iter().any(|s| !SCOPES.contains(&s.as_str())) {
        return oauth_error("invalid_scope");
    }
    let token = format!("vcc-{}", uuid::Uuid::new_v4().simple());
    let lifetime = sim.with(|s| {
        s.tokens.insert(
            token.clone(),
            IssuedToken {
                expires: Instant::now() + Duration::from_secs(s.token_lifetime),
                scopes: scopes.clone(),
            },
        );
        s.token_lifetime
    });
    Json(json!({
        "access_token": token,
        "expires_in": lifetime,
        "token_type": "Bearer",
        "scope": scopes.join(" "),
    }))
    .into_response()
}

#[derive(Debug, Deserialize)]
struct ListParams {
    include: Option<String>,
    page: Option<String>,
    limit: Option<String>,
}

fn bad(message: &str) -> Response {
    render_error(StatusCode::BAD_REQUEST, message)
}

fn user_not_found() -> Response {
    render_error(StatusCode::NOT_FOUND, "User not found")
}

async fn list_users(State(sim): State<Arc<VonageSim>>, Query(params): Query<ListParams>) -> Response {
    let include = params.include.as_deref().unwrap_or("Active");
    let wanted: fn(&Value) -> bool = match include.to_ascii_lowercase().as_str() {
        "active" => |u| u["active"] != false,
        "archived" => |u| u["active"] == false,
        "all" => |_| true,
        _ => return bad("The include parameter must be Active, Archived or All."),
    };
    let page = match params.page.as_deref().map(str::parse::<usize>) {
        None => 1,
        Some(Ok(n)) if n >= 1 => n,
        _ => return bad("The page parameter must be 1 or more."),
    };
    let limit = match params.limit.as_deref().map(str::parse::<usize>) {
        None => DEFAULT_LIMIT,
        Some(Ok(n)) if (1..=MAX_LIMIT).contains(&n) => n,
        _ => return bad("The limit parameter must be between 1 and 5000."),
    };
    let (users, envelope) = sim.with(|s| {
        let users: Vec<Value> = s.users.iter().filter(|u| wanted(u)).cloned().collect();
        (users, s.envelope)
    });
    let total = users.len();
    let items: Vec<Value> = users
        .into_iter()
        .skip((page - 1).saturating_mul(limit))
        .take(limit)
        .collect();
    let body = match envelope {
        Envelope::Users => json!({ "users": items }),
        Envelope::Items => json!({
            "meta": {
                "page": page,
                "count": items.len(),
                "pageCount": total.div_ceil(limit).max(1),
                "totalCount": total,
            },
            "items": items,
        }),
    };
    Json(body).into_response()
}

async fn get_user(State(sim): State<Arc<VonageSim>>, Path(id): Path<String>) -> Response {
    sim.with(|s| match s.users.iter().find(|u| u["userId"] == id.as_str()) {
        Some(u) => Json(u.clone()).into_response(),
        None => user_not_found(),
    })
}

fn json_object(body: &Bytes) -> Option<Map<String, Value>> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

const NOT_AN_OBJECT: &str = "The request body must be a JSON object.";

fn username_taken(s: &State_, username: &Value, except: Option<&str>) -> bool {
    let wanted = username.as_str().unwrap_or("").to_lowercase();
    s.users.iter().any(|u| {
        u["username"].as_str().unwrap_or("").to_lowercase() == wanted
            && except.is_none_or(|id| u["userId"] != id)
    })
}

async fn create_user(State(sim): State<Arc<VonageSim>>, body: Bytes) -> Response {
    let Some(mut user) = json_object(&body) else {
        return bad(NOT_AN_OBJECT);
    };
    for key in ["userId", "lastLoginTime", "locked"] {
        user.remove(key);
    }
    user.entry("active").or_insert(Value::Bool(true));
    user.entry("ssoExternalId").or_insert(Value::from(""));
    if let Err(message) = rules::check_user(&mut user) {
        return bad(&message);
    }
    if let Some(Value::Object(config)) = user.get_mut("userAccountConfiguration") {
        config.entry("chargeable").or_insert(Value::Bool(true));
    }
    user.insert("userId".into(), Value::from(uuid::Uuid::new_v4().to_string()));
    user.insert("locked".into(), Value::Bool(false));
    user.insert("lastLoginTime".into(), Value::Null);
    let user = Value::Object(user);
    sim.with(|s| {
        if username_taken(s, &user["username"], None) {
            return bad("A user with this username already exists.");
        }
        s.users.push(user.clone());
        Json(user).into_response()
    })
}

async fn update_user(State(sim): State<Arc<VonageSim>>, Path(id): Path<String>, body: Bytes) -> Response {
    let Some(mut patch) = json_object(&body) else {
        return bad(NOT_AN_OBJECT);
    };
    for key in ["userId", "lastLoginTime", "locked"] {
        patch.remove(key);
    }
    sim.with(|s| {
        let Some(index) = s.users.iter().position(|u| u["userId"] == id.as_str()) else {
            return user_not_found();
        };
        let mut merged = s.users[index].clone();
        rules::merge(&mut merged, &Value::Object(patch));
        let Value::Object(mut map) = merged else {
            return bad("The request body must be a JSON object.");
        };
        if let Err(message) = rules::check_user(&mut map) {
            return bad(&message);
        }
        let merged = Value::Object(map);
        if username_taken(s, &merged["username"], Some(&id)) {
            return bad("A user with this username already exists.");
        }
        if merged["userAccountConfiguration"]["actAsAgent"] != true {
            s.presence.remove(&id);
        }
        s.users[index] = merged.clone();
        Json(merged).into_response()
    })
}

async fn delete_user(State(sim): State<Arc<VonageSim>>, Path(id): Path<String>) -> Response {
    sim.with(|s| {
        let Some(index) = s.users.iter().position(|u| u["userId"] == id.as_str()) else {
            return user_not_found();
        };
        if s.users[index]["active"] != false {
            return bad(DELETE_ACTIVE_MESSAGE);
        }
        s.users.remove(index);
        s.presence.remove(&id);
        StatusCode::NO_CONTENT.into_response()
    })
}

async fn agent_presence(State(sim): State<Arc<VonageSim>>, Path(id): Path<String>) -> Response {
    sim.with(|s| {
        let Some(user) = s.users.iter().find(|u| u["userId"] == id.as_str()) else {
            return render_error(StatusCode::NOT_FOUND, "Agent not found");
        };
        if user["userAccountConfiguration"]["actAsAgent"] != true {
            return render_error(StatusCode::NOT_FOUND, "Agent not found");
        }
        let value = s
            .presence
            .get(&id)
            .cloned()
            .unwrap_or_else(|| presence_value(&id, "LoggedOut", "Logged out", SEEDED_PRESENCE_AT));
        Json(value).into_response()
    })
}

async fn reset(State(sim): State<Arc<VonageSim>>) -> StatusCode {
    sim.reset();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct EnvelopeIn {
    envelope: Envelope,
}

async fn set_envelope(State(sim): State<Arc<VonageSim>>, Json(input): Json<EnvelopeIn>) -> StatusCode {
    sim.with(|s| s.envelope = input.envelope);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenLifetimeIn {
    expires_in: u64,
}

async fn set_token_lifetime(
    State(sim): State<Arc<VonageSim>>,
    Json(input): Json<TokenLifetimeIn>,
) -> Response {
    if input.expires_in == 0 {
        return bad("expiresIn must be at least 1");
    }
    sim.with(|s| s.token_lifetime = input.expires_in);
    StatusCode::NO_CONTENT.into_response()
}

async fn revoke_tokens(State(sim): State<Arc<VonageSim>>) -> StatusCode {
    sim.with(|s| s.tokens.clear());
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PresenceIn {
    category_type: String,
    description: Option<String>,
}

async fn set_presence(
    State(sim): State<Arc<VonageSim>>,
    Path(id): Path<String>,
    Json(input): Json<PresenceIn>,
) -> Response {
    if !["LoggedOut", "Away", "ExtendedAway", "Ready"].contains(&input.category_type.as_str()) {
        return bad("categoryType must be LoggedOut, Away, ExtendedAway or Ready");
    }
    sim.with(|s| {
        if !s.users.iter().any(|u| u["userId"] == id.as_str()) {
            return user_not_found();
        }
        let description = input.description.unwrap_or_else(|| input.category_type.clone());
        let value = presence_value(&id, &input.category_type, &description, &now());
        s.presence.insert(id, value);
        StatusCode::NO_CONTENT.into_response()
    })
}

impl super::VendorSim for VonageSim {
    fn prefix(&self) -> &'static str {
        "vonage"
    }

    fn router(self: Arc<Self>) -> Router {
        VonageSim::router(&self)
    }

    fn configure(&self, root: &url::Url, tenant: &mut crate::config::TenantSettings) {
        tenant.vonage = Some(crate::config::VonageSettings {
            webhook_secret: Some(secrecy::SecretString::from(DEMO_WEBHOOK_SECRET)),
            ..crate::config::VonageSettings::new(
                super::at(root, "vonage"),
                super::at(root, "vonage/Auth/connect/token"),
                DEMO_CLIENT_ID,
                DEMO_CLIENT_SECRET,
            )
        });
    }

    fn banner(&self, root: &url::Url) -> String {
        format!(
            "Vonage: {}  (token: {}, client {DEMO_CLIENT_ID} / {DEMO_CLIENT_SECRET})",
            super::at(root, "vonage"),
            super::at(root, "vonage/Auth/connect/token")
        )
    }
}
