//! The Webex Calling simulator: supervisors and their agents, the org's available
//! supervisors and agents, and the agents available in a location, under `/v1` with
//! Bearer auth, `orgId`, `start`/`max` paging with a `Link` header, Webex's
//! `{message, errors, trackingId}` error body, and the 206 `supervisorAgentStatus`
//! answers of supervisor writes (bare UUIDs, as the seed warns).
//!
//! State is real: a supervisor created is listed, an agent assigned shows up under it,
//! and an agent that is not available is refused per agent. A supervisor left with no
//! agent is removed, since Webex requires every supervisor to manage at least one.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::{
    Json, Router,
    body::Bytes,
    extract::{OriginalUri, Path, Query, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use base64::{Engine, engine::general_purpose::STANDARD_NO_PAD};
use serde::Serialize;
use serde_json::{Value, json};

use super::{
    control::{self, SimControl},
    roster::{Platform, people_on},
};

/// The token the simulator accepts by default.
pub const DEMO_TOKEN: &str = "sim-webex-token";
/// `max` when a request gives none.
const DEFAULT_MAX: usize = 2_000;
/// The largest `max` accepted.
const MAX_MAX: usize = 2_000;
/// The roster person who holds no calling licence, so is never available as an agent.
pub const UNAVAILABLE_PERSON: usize = 15;

/// `ciscospark://us/{kind}/{local}` in base64, as Webex writes ids.
pub fn webex_id(kind: &str, local: &str) -> String {
    STANDARD_NO_PAD.encode(format!("ciscospark://us/{kind}/{local}"))
}

/// The UUID of roster person `i`.
pub fn person_uuid(i: usize) -> String {
    format!("7e5b{i:04x}-0b1e-4c0a-8e55-{i:012x}")
}

/// The Webex id of roster person `i`.
pub fn person_id(i: usize) -> String {
    webex_id("PEOPLE", &person_uuid(i))
}

/// The Webex id of the simulated organisation.
pub fn org_id() -> String {
    webex_id("ORGANIZATION", "0f6e9a2c-1d7b-4c52-9a1e-5b3c0d8e4f21")
}

/// The Webex id of seeded location `i` (0 or 1).
pub fn location_id(i: usize) -> String {
    webex_id("LOCATION", &format!("1c0a7d3e-5b2f-4e8a-9d61-{i:012x}"))
}

fn workspace_uuid(i: usize) -> String {
    format!("9a1c{i:04x}-3f2e-4b7d-8c10-{i:012x}")
}

fn line_uuid(i: usize) -> String {
    format!("b2d4{i:04x}-6e1a-4f3c-9b20-{i:012x}")
}

#[derive(Debug, Clone)]
struct SimAgent {
    uuid: String,
    kind: &'static str,
    first: String,
    last: String,
    email: Option<String>,
    phone: Option<String>,
    extension: String,
    location: usize,
    has_cx: bool,
    available: bool,
}

impl SimAgent {
    fn id(&self) -> String {
        webex_id(self.kind, &self.uuid)
    }
    fn display(&self) -> String {
        format!("{} {}", self.first, self.last)
    }
}

#[derive(Debug, Clone)]
struct SimSupervisor {
    uuid: String,
    agents: Vec<String>,
    has_cx: bool,
}

#[derive(Debug, Clone)]
struct SimLocation {
    name: &'static str,
    routing_prefix: &'static str,
    time_zone: &'static str,
}

#[derive(Default)]
struct State_ {
    agents: Vec<SimAgent>,
    supervisors: Vec<SimSupervisor>,
    locations: Vec<SimLocation>,
}

/// A stateful Webex Calling organisation.
pub struct WebexSim {
    /// Counters and faults.
    pub control: Arc<SimControl>,
    token: String,
    org_id: String,
    state: Mutex<State_>,
    last_tracking_id: Mutex<Option<String>>,
}

fn new_tracking_id() -> String {
    format!("ROUTER_{}", uuid::Uuid::new_v4().hyphenated()).to_uppercase()
}

fn error_body(status: StatusCode, message: &str, tracking_id: &str) -> Response {
    let mut response = (
        status,
        Json(json!({
            "message": message,
            "errors": [{ "description": message }],
            "trackingId": tracking_id,
        })),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(tracking_id) {
        response.headers_mut().insert("trackingid", v);
    }
    response
}

fn render_error(status: StatusCode, message: &str) -> Response {
    error_body(status, message, &new_tracking_id())
}

impl WebexSim {
    /// A simulator seeded with the demo organisation, accepting `token`.
    pub fn seeded(token: &str) -> Arc<Self> {
        let sim = Arc::new(Self {
            control: SimControl::new(&["/webex", "/v1"], render_error),
            token: token.to_owned(),
            org_id: org_id(),
            state: Mutex::default(),
            last_tracking_id: Mutex::default(),
        });
        sim.reset();
        sim
    }

    /// The trackingId of the last error the simulator itself answered with.
    pub fn last_tracking_id(&self) -> Option<String> {
        self.last_tracking_id.lock().expect("tracking lock").clone()
    }

    /// Puts the seeded organisation back.
    pub fn reset(&self) {
        let mut s = self.state.lock().expect("webex state");
        *s = State_::default();
        s.locations = vec![
            SimLocation {
                name: "Cleveland HQ",
                routing_prefix: "34",
                time_zone: "America/New_York",
            },
            SimLocation {
                name: "Austin Remote",
                routing_prefix: "35",
                time_zone: "America/Chicago",
            },
        ];
        for (i, p) in people_on(Platform::Webex) {
            s.agents.push(SimAgent {
                uuid: person_uuid(i),
                kind: "PEOPLE",
                first: p.first.to_owned(),
                last: p.last.to_owned(),
                email: Some(p.email.to_owned()),
                phone: Some(p.phone.to_owned()),
                extension: p.extension.to_owned(),
                location: i % 2,
                has_cx: i % 3 != 2,
                available: i != UNAVAILABLE_PERSON,
            });
        }
        for (i, name) in ["Front Desk", "Lobby Phone"].iter().enumerate() {
            s.agents.push(SimAgent {
                uuid: workspace_uuid(i),
                kind: "PLACE",
                first: (*name).to_owned(),
                last: ".".to_owned(),
                email: None,
                phone: None,
                extension: format!("52{i:02}"),
                location: i % 2,
                has_cx: false,
                available: true,
            });
        }
        s.agents.push(SimAgent {
            uuid: line_uuid(0),
            kind: "VIRTUAL_LINE",
            first: "Overflow".to_owned(),
            last: "Line".to_owned(),
            email: None,
            phone: Some("+12165550199".to_owned()),
            extension: "5300".to_owned(),
            location: 0,
            has_cx: true,
            available: true,
        });
        let sup = |i: usize, agents: Vec<String>, has_cx: bool| SimSupervisor {
            uuid: person_uuid(i),
            agents,
            has_cx,
        };
        s.supervisors = vec![
            sup(0, (1..=4).map(person_uuid).collect(), true),
            sup(6, vec![person_uuid(7), person_uuid(8), workspace_uuid(0)], false),
            sup(9, vec![person_uuid(10), person_uuid(12), line_uuid(0)], true),
        ];
    }

    /// The router: the API under `/v1`, and the control API under `/_sim`.
    pub fn router(self: &Arc<Self>) -> Router {
        let api = Router::new()
            .route(
                "/telephony/config/supervisors",
                get(list_supervisors).post(create_supervisor).delete(bulk_delete),
            )
            .route(
                "/telephony/config/supervisors/availableSupervisors",
                get(available_supervisors),
            )
            .route(
                "/telephony/config/supervisors/availableAgents",
                get(available_agents),
            )
            .route(
                "/telephony/config/supervisors/{supervisorId}",
                get(get_supervisor).put(change_agents).delete(delete_supervisor),
            )
            .route(
                "/telephony/config/locations/{locationId}/cxEssentials/agents/availableAgents",
                get(location_agents),
            )
            .route("/locations", get(list_locations))
            .route_layer(middleware::from_fn_with_state(self.clone(), require_auth))
            .route_layer(middleware::from_fn_with_state(
                self.control.clone(),
                control::count_and_fault,
            ))
            .with_state(self.clone());
        let sim_routes = Router::new()
            .route("/_sim/reset", post(reset))
            .with_state(self.clone());
        Router::new()
            .nest("/v1", api)
            .merge(sim_routes)
            .merge(control::routes(self.control.clone()))
    }

    fn with<R>(&self, f: impl FnOnce(&mut State_) -> R) -> R {
        f(&mut self.state.lock().expect("webex state"))
    }

    /// An error answer in Webex's shape, remembering its trackingId.
    fn fail(&self, status: StatusCode, message: impl AsRef<str>) -> Fail {
        let tracking = new_tracking_id();
        *self.last_tracking_id.lock().expect("tracking lock") = Some(tracking.clone());
        Fail(Box::new(error_body(status, message.as_ref(), &tracking)))
    }
}

/// A rendered Webex error answer.
struct Fail(Box<Response>);

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        *self.0
    }
}

type Params = HashMap<String, String>;
type Reply = Result<Response, Fail>;

async fn require_auth(State(sim): State<Arc<WebexSim>>, request: Request, next: Next) -> Response {
    let expected = format!("Bearer {}", sim.token);
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if given != Some(expected.as_str()) {
        return sim
            .fail(
                StatusCode::UNAUTHORIZED,
                "The request requires a valid access token set in the Authorization request header.",
            )
            .into_response();
    }
    let org = request
        .uri()
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect::<Params>()
        })
        .and_then(|q| q.get("orgId").cloned());
    if let Some(org) = org
        && org != sim.org_id
    {
        return sim
            .fail(
                StatusCode::FORBIDDEN,
                "The token is not authorized for the organization in orgId.",
            )
            .into_response();
    }
    next.run(request).await
}

/// The UUID inside a Webex id of one of `kinds`.
fn decode_id(raw: &str, kinds: &[&str]) -> Option<String> {
    let bytes = STANDARD_NO_PAD
        .decode(raw.trim_end_matches('='))
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(raw.trim_end_matches('=')))
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let rest = text.strip_prefix("ciscospark://")?;
    let mut parts = rest.splitn(3, '/');
    let (_, kind, local) = (parts.next()?, parts.next()?, parts.next()?);
    if !kinds.contains(&kind) {
        return None;
    }
    uuid::Uuid::try_parse(local).ok()?;
    Some(local.to_owned())
}

const AGENT_KINDS: &[&str] = &["PEOPLE", "PLACE", "VIRTUAL_LINE"];

fn flag(sim: &WebexSim, q: &Params, name: &str) -> Result<Option<bool>, Fail> {
    match q.get(name).map(String::as_str) {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(_) => Err(sim.fail(
            StatusCode::BAD_REQUEST,
            format!("Invalid value for query parameter {name}."),
        )),
    }
}

fn number(sim: &WebexSim, q: &Params, name: &str, default: usize) -> Result<usize, Fail> {
    match q.get(name) {
        None => Ok(default),
        Some(raw) => raw.parse::<usize>().map_err(|_| {
            sim.fail(
                StatusCode::BAD_REQUEST,
                format!("Invalid value for query parameter {name}."),
            )
        }),
    }
}

/// Cuts the `start`/`max` page out of `items`, with a `Link` header to the next one.
fn paged<T>(
    sim: &WebexSim,
    items: Vec<T>,
    q: &Params,
    headers: &HeaderMap,
    uri: &OriginalUri,
) -> Result<(Vec<T>, Option<HeaderValue>), Fail> {
    let start = number(sim, q, "start", 0)?;
    let max = number(sim, q, "max", DEFAULT_MAX)?;
    if max == 0 || max > MAX_MAX {
        return Err(sim.fail(
            StatusCode::BAD_REQUEST,
            format!("max must be between 1 and {MAX_MAX}."),
        ));
    }
    let total = items.len();
    let page: Vec<T> = items.into_iter().skip(start).take(max).collect();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let link = |start: usize| {
        let Ok(mut url) = url::Url::parse(&format!("http://{host}{}", uri.0.path())) else {
            return String::new();
        };
        {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in q.iter().filter(|(k, _)| *k != "start" && *k != "max") {
                pairs.append_pair(k, v);
            }
            pairs
                .append_pair("start", &start.to_string())
                .append_pair("max", &max.to_string());
        }
        url.to_string()
    };
    let mut links = vec![format!("<{}>; rel=\"first\"", link(0))];
    if start.saturating_add(max) < total {
        links.push(format!("<{}>; rel=\"next\"", link(start.saturating_add(max))));
    }
    if start > 0 {
        links.push(format!("<{}>; rel=\"prev\"", link(start.saturating_sub(max))));
    }
    Ok((page, HeaderValue::from_str(&links.join(", ")).ok()))
}

fn with_link(status: StatusCode, body: Value, link: Option<HeaderValue>) -> Response {
    let mut response = (status, Json(body)).into_response();
    if let Some(link) = link {
        response.headers_mut().insert(header::LINK, link);
    }
    response
}

/// The `name`, `phoneNumber`, `order` and `hasCxEssentials` filters.
fn filtered(
    sim: &WebexSim,
    mut agents: Vec<SimAgent>,
    q: &Params,
    s: &State_,
) -> Result<Vec<SimAgent>, Fail> {
    if let Some(cx) = flag(sim, q, "hasCxEssentials")? {
        agents.retain(|a| a.has_cx == cx);
    }
    if let Some(name) = q.get("name").map(|n| n.to_lowercase()) {
        agents.retain(|a| {
            a.first.to_lowercase().contains(&name)
                || a.last.to_lowercase().contains(&name)
                || a.display().to_lowercase().contains(&name)
        });
    }
    if let Some(number) = q.get("phoneNumber") {
        agents.retain(|a| {
            a.phone.as_ref() == Some(number)
                || &a.extension == number
                || &format!("{}{}", s.locations[a.location].routing_prefix, a.extension) == number
        });
    }
    match q.get("order").map(String::as_str) {
        None => {}
        Some("firstName") => agents.sort_by(|a, b| a.first.cmp(&b.first)),
        Some("lastName") => agents.sort_by(|a, b| a.last.cmp(&b.last)),
        Some("firstName-desc") => agents.sort_by(|a, b| b.first.cmp(&a.first)),
        Some("lastName-desc") => agents.sort_by(|a, b| b.last.cmp(&a.last)),
        Some(_) => {
            return Err(sim.fail(
                StatusCode::BAD_REQUEST,
                "order must be firstName, lastName, firstName-desc or lastName-desc.",
            ));
        }
    }
    Ok(agents)
}

impl State_ {
    fn agent(&self, uuid: &str) -> Option<&SimAgent> {
        self.agents.iter().find(|a| a.uuid == uuid)
    }

    fn esn(&self, a: &SimAgent) -> String {
        format!("{}{}", self.locations[a.location].routing_prefix, a.extension)
    }

    /// What every supervisor and agent list shows of someone with a number (id, names,
    /// number, extension, routing prefix, ESN), then `extra`.
    fn numbered(&self, a: &SimAgent, extra: Value) -> Value {
        let mut row = json!({
            "id": a.id(),
            "firstName": a.first,
            "lastName": a.last,
            "phoneNumber": a.phone,
            "extension": a.extension,
            "routingPrefix": self.locations[a.location].routing_prefix,
            "esn": self.esn(a),
        });
        if let (Value::Object(row), Value::Object(extra)) = (&mut row, extra) {
            row.extend(extra);
        }
        row
    }

    fn supervisor_json(&self, sup: &SimSupervisor) -> Option<Value> {
        let a = self.agent(&sup.uuid)?;
        Some(self.numbered(
            a,
            json!({ "agentCount": sup.agents.len(), "hasCxEssentials": sup.has_cx }),
        ))
    }

    fn is_supervisor(&self, uuid: &str) -> bool {
        self.supervisors.iter().any(|s| s.uuid == uuid)
    }
}

fn strip_nulls(mut v: Value) -> Value {
    if let Value::Object(map) = &mut v {
        map.retain(|_, f| !f.is_null());
    }
    v
}

async fn list_supervisors(
    State(sim): State<Arc<WebexSim>>,
    Query(q): Query<Params>,
    headers: HeaderMap,
    uri: OriginalUri,
) -> Reply {
    let (items, link) = sim.with(|s| {
        let people: Vec<SimAgent> = s
            .supervisors
            .iter()
            .filter_map(|sup| s.agent(&sup.uuid).cloned())
            .collect();
        // The licence filter applies to the supervisor, not to the person's own licence.
        let mut plain = q.clone();
        let cx = flag(&sim, &q, "hasCxEssentials")?;
        plain.remove("hasCxEssentials");
        let people = filtered(&sim, people, &plain, s)?;
        let rows: Vec<Value> = people
            .iter()
            .filter_map(|p| s.supervisors.iter().find(|sup| sup.uuid == p.uuid))
            .filter(|sup| cx.is_none_or(|c| sup.has_cx == c))
            .filter_map(|sup| s.supervisor_json(sup).map(strip_nulls))
            .collect();
        paged(&sim, rows, &q, &headers, &uri)
    })?;
    Ok(with_link(StatusCode::OK, json!({ "supervisors": items }), link))
}

async fn available_supervisors(
    State(sim): State<Arc<WebexSim>>,
    Query(q): Query<Params>,
    headers: HeaderMap,
    uri: OriginalUri,
) -> Reply {
    let (items, link) = sim.with(|s| {
        let people: Vec<SimAgent> = s
            .agents
            .iter()
            .filter(|a| a.kind == "PEOPLE" && a.available && !s.is_supervisor(&a.uuid))
            .cloned()
            .collect();
        let rows: Vec<Value> = filtered(&sim, people, &q, s)?
            .iter()
            .map(|a| {
                strip_nulls(s.numbered(
                    a,
                    json!({ "displayName": a.display(), "hasCxEssentials": a.has_cx }),
                ))
            })
            .collect();
        paged(&sim, rows, &q, &headers, &uri)
    })?;
    Ok(with_link(StatusCode::OK, json!({ "supervisors": items }), link))
}

async fn available_agents(
    State(sim): State<Arc<WebexSim>>,
    Query(q): Query<Params>,
    headers: HeaderMap,
    uri: OriginalUri,
) -> Reply {
    let (items, link) = sim.with(|s| {
        let agents: Vec<SimAgent> = s.agents.iter().filter(|a| a.available).cloned().collect();
        let rows: Vec<Value> = filtered(&sim, agents, &q, s)?
            .iter()
            .map(|a| strip_nulls(s.numbered(a, json!({ "displayName": a.display(), "type": a.kind }))))
            .collect();
        paged(&sim, rows, &q, &headers, &uri)
    })?;
    Ok(with_link(StatusCode::OK, json!({ "agents": items }), link))
}

/// The spec: `hasCxEssentials` "must be set to `true`" to view or modify a supervisor
/// with a Customer Assist licence.
fn cx_flag_fits(sim: &WebexSim, sup: &SimSupervisor, cx: Option<bool>) -> Result<(), Fail> {
    if sup.has_cx && cx != Some(true) {
        return Err(sim.fail(
            StatusCode::BAD_REQUEST,
            "hasCxEssentials must be true to view or modify a supervisor with a Customer Assist license.",
        ));
    }
    Ok(())
}

async fn get_supervisor(
    State(sim): State<Arc<WebexSim>>,
    Path(supervisor_id): Path<String>,
    Query(q): Query<Params>,
    headers: HeaderMap,
    uri: OriginalUri,
) -> Reply {
    let cx = flag(&sim, &q, "hasCxEssentials")?;
    let uuid = decode_id(&supervisor_id, &["PEOPLE"])
        .ok_or_else(|| sim.fail(StatusCode::BAD_REQUEST, "Invalid supervisorId."))?;
    let (items, link) = sim.with(|s| {
        let sup = s
            .supervisors
            .iter()
            .find(|x| x.uuid == uuid)
            .ok_or_else(|| sim.fail(StatusCode::NOT_FOUND, format!("Supervisor {uuid} not found.")))?;
        cx_flag_fits(&sim, sup, cx)?;
        let rows: Vec<Value> = sup
            .agents
            .iter()
            .filter_map(|id| s.agent(id))
            .map(|a| strip_nulls(s.numbered(a, json!({}))))
            .collect();
        paged(&sim, rows, &q, &headers, &uri)
    })?;
    Ok(with_link(
        StatusCode::OK,
        json!({ "id": supervisor_id, "agents": items }),
        link,
    ))
}

#[derive(Serialize)]
struct Status {
    id: String,
    status: &'static str,
    message: String,
}

fn not_available(uuid: &str) -> Status {
    Status {
        id: uuid.to_owned(),
        status: "NOT_AVAILABLE",
        message: format!("[Error 6612] Agent {uuid} is not available."),
    }
}

fn duplicate(uuid: &str) -> Status {
    Status {
        id: uuid.to_owned(),
        status: "DUPLICATE",
        message: format!("[Error 6612] Agent {uuid} is already assigned to the supervisor."),
    }
}

fn json_body(sim: &WebexSim, body: &Bytes) -> Result<Value, Fail> {
    serde_json::from_slice::<Value>(body)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| sim.fail(StatusCode::BAD_REQUEST, "The request body is not valid JSON."))
}

fn statuses_reply(success: StatusCode, statuses: Vec<Status>) -> Response {
    if statuses.is_empty() {
        success.into_response()
    } else {
        (
            StatusCode::PARTIAL_CONTENT,
            Json(json!({ "supervisorAgentStatus": statuses })),
        )
            .into_response()
    }
}

async fn create_supervisor(State(sim): State<Arc<WebexSim>>, Query(q): Query<Params>, body: Bytes) -> Reply {
    let has_cx = flag(&sim, &q, "hasCxEssentials")?.unwrap_or(false);
    let input = json_body(&sim, &body)?;
    let raw_id = input["id"]
        .as_str()
        .ok_or_else(|| sim.fail(StatusCode::BAD_REQUEST, "Missing required field id."))?;
    let agents = input["agents"]
        .as_array()
        .filter(|a| !a.is_empty())
        .ok_or_else(|| {
            sim.fail(
                StatusCode::BAD_REQUEST,
                "The supervisor must be created with at least one agent.",
            )
        })?;
    let mut raw_agents = Vec::new();
    for a in agents {
        let id = a["id"]
            .as_str()
            .ok_or_else(|| sim.fail(StatusCode::BAD_REQUEST, "Missing required field agents.id."))?;
        raw_agents.push(id.to_owned());
    }
    let person = decode_id(raw_id, &["PEOPLE"])
        .ok_or_else(|| sim.fail(StatusCode::BAD_REQUEST, "Invalid supervisor id."))?;
    sim.with(|s| {
        if s.agent(&person).is_none_or(|a| a.kind != "PEOPLE") {
            return Err(sim.fail(StatusCode::NOT_FOUND, format!("Person {person} not found.")));
        }
        if s.is_supervisor(&person) {
            return Err(sim.fail(
                StatusCode::CONFLICT,
                format!("Supervisor {person} already exists."),
            ));
        }
        let mut assigned: Vec<String> = Vec::new();
        let mut statuses = Vec::new();
        for raw in &raw_agents {
            match decode_id(raw, AGENT_KINDS) {
                Some(uuid) if assigned.contains(&uuid) => statuses.push(duplicate(&uuid)),
                Some(uuid) if uuid != person && s.agent(&uuid).is_some_and(|a| a.available) => {
                    assigned.push(uuid);
                }
                Some(uuid) => statuses.push(not_available(&uuid)),
                None => {
                    return Err(sim.fail(StatusCode::BAD_REQUEST, format!("Invalid agent id {raw}.")));
                }
            }
        }
        if assigned.is_empty() {
            return Err(sim.fail(
                StatusCode::BAD_REQUEST,
                "The supervisor must be created with at least one available agent.",
            ));
        }
        s.supervisors.push(SimSupervisor {
            uuid: person,
            agents: assigned,
            has_cx,
        });
        Ok(statuses_reply(StatusCode::CREATED, statuses))
    })
}

async fn change_agents(
    State(sim): State<Arc<WebexSim>>,
    Path(supervisor_id): Path<String>,
    Query(q): Query<Params>,
    body: Bytes,
) -> Reply {
    let cx = flag(&sim, &q, "hasCxEssentials")?;
    let uuid = decode_id(&supervisor_id, &["PEOPLE"])
        .ok_or_else(|| sim.fail(StatusCode::BAD_REQUEST, "Invalid supervisorId."))?;
    let input = json_body(&sim, &body)?;
    let agents = input["agents"]
        .as_array()
        .filter(|a| !a.is_empty())
        .ok_or_else(|| sim.fail(StatusCode::BAD_REQUEST, "Missing required field agents."))?;
    let mut changes = Vec::new();
    for a in agents {
        let (Some(id), Some(action)) = (a["id"].as_str(), a["action"].as_str()) else {
            return Err(sim.fail(StatusCode::BAD_REQUEST, "Every agent needs an id and an action."));
        };
        if action != "ADD" && action != "DELETE" {
            return Err(sim.fail(StatusCode::BAD_REQUEST, "action must be ADD or DELETE."));
        }
        let agent = decode_id(id, AGENT_KINDS)
            .ok_or_else(|| sim.fail(StatusCode::BAD_REQUEST, format!("Invalid agent id {id}.")))?;
        changes.push((agent, action == "ADD"));
    }
    sim.with(|s| {
        let index = s
            .supervisors
            .iter()
            .position(|x| x.uuid == uuid)
            .ok_or_else(|| sim.fail(StatusCode::NOT_FOUND, format!("Supervisor {uuid} not found.")))?;
        cx_flag_fits(&sim, &s.supervisors[index], cx)?;
        let mut statuses = Vec::new();
        for (agent, add) in changes {
            let available = agent != uuid && s.agent(&agent).is_some_and(|a| a.available);
            let sup = &mut s.supervisors[index];
            let assigned = sup.agents.contains(&agent);
            match (add, assigned) {
                (true, true) => statuses.push(duplicate(&agent)),
                (true, false) if !available => statuses.push(not_available(&agent)),
                (true, false) => sup.agents.push(agent),
                (false, true) => sup.agents.retain(|a| *a != agent),
                (false, false) => statuses.push(Status {
                    message: format!("[Error 6612] Agent {agent} is not assigned to the supervisor."),
                    id: agent,
                    status: "NOT_FOUND",
                }),
            }
        }
        if s.supervisors[index].agents.is_empty() {
            s.supervisors.remove(index);
        }
        Ok(statuses_reply(StatusCode::NO_CONTENT, statuses))
    })
}

async fn delete_supervisor(State(sim): State<Arc<WebexSim>>, Path(supervisor_id): Path<String>) -> Reply {
    let uuid = decode_id(&supervisor_id, &["PEOPLE"])
        .ok_or_else(|| sim.fail(StatusCode::BAD_REQUEST, "Invalid supervisorId."))?;
    sim.with(|s| {
        if !s.is_supervisor(&uuid) {
            return Err(sim.fail(StatusCode::NOT_FOUND, format!("Supervisor {uuid} not found.")));
        }
        s.supervisors.retain(|x| x.uuid != uuid);
        Ok(StatusCode::NO_CONTENT.into_response())
    })
}

async fn bulk_delete(State(sim): State<Arc<WebexSim>>, body: Bytes) -> Reply {
    let input = json_body(&sim, &body)?;
    if input["deleteAll"] == true {
        sim.with(|s| s.supervisors.clear());
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    // One public client spells it `supervisorsIds`; accept both.
    let ids = input["supervisorIds"]
        .as_array()
        .or(input["supervisorsIds"].as_array())
        .filter(|ids| !ids.is_empty())
        .ok_or_else(|| sim.fail(StatusCode::BAD_REQUEST, "Missing required field supervisorIds."))?;
    let mut uuids = Vec::new();
    for id in ids {
        let uuid = id
            .as_str()
            .and_then(|raw| decode_id(raw, &["PEOPLE"]))
            .ok_or_else(|| sim.fail(StatusCode::BAD_REQUEST, format!("Invalid supervisor id {id}.")))?;
        uuids.push(uuid);
    }
    sim.with(|s| s.supervisors.retain(|x| !uuids.contains(&x.uuid)));
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn location_agents(
    State(sim): State<Arc<WebexSim>>,
    Path(wanted): Path<String>,
    Query(q): Query<Params>,
) -> Reply {
    let cx = flag(&sim, &q, "hasCxEssentials")?.unwrap_or(false);
    sim.with(|s| {
        let location = (0..s.locations.len())
            .find(|i| location_id(*i) == wanted)
            .ok_or_else(|| sim.fail(StatusCode::NOT_FOUND, "Location not found."))?;
        let rows: Vec<Value> = s
            .agents
            .iter()
            .filter(|a| a.location == location && a.available && a.has_cx == cx)
            .map(|a| {
                let number = strip_nulls(json!({ "external": a.phone, "extension": a.extension }));
                // The seed shows `phoneNumber` as a list; the spec names it `phoneNumbers`
                // and makes it one object. Each location answers in one of the two.
                let numbers = if location == 0 {
                    json!({ "phoneNumber": [number] })
                } else {
                    json!({ "phoneNumbers": number })
                };
                let mut row = strip_nulls(json!({
                    "id": a.id(),
                    "lastName": a.last,
                    "firstName": a.first,
                    "displayName": a.display(),
                    "type": a.kind,
                    "email": a.email,
                    "hasCxEssentials": a.has_cx,
                }));
                if let (Value::Object(r), Value::Object(n)) = (&mut row, numbers) {
                    r.extend(n);
                }
                row
            })
            .collect();
        Ok(Json(json!({ "agents": rows })).into_response())
    })
}

async fn list_locations(
    State(sim): State<Arc<WebexSim>>,
    Query(q): Query<Params>,
    headers: HeaderMap,
    uri: OriginalUri,
) -> Reply {
    let org = sim.org_id.clone();
    let rows: Vec<Value> = sim.with(|s| {
        s.locations
            .iter()
            .enumerate()
            .map(|(i, l)| {
                json!({
                    "id": location_id(i),
                    "name": l.name,
                    "orgId": org,
                    "timeZone": l.time_zone,
                })
            })
            .collect()
    });
    let (items, link) = paged(&sim, rows, &q, &headers, &uri)?;
    Ok(with_link(StatusCode::OK, json!({ "items": items }), link))
}

async fn reset(State(sim): State<Arc<WebexSim>>) -> StatusCode {
    sim.reset();
    StatusCode::NO_CONTENT
}

impl super::VendorSim for WebexSim {
    fn prefix(&self) -> &'static str {
        "webex"
    }

    fn router(self: Arc<Self>) -> Router {
        WebexSim::router(&self)
    }

    fn configure(&self, root: &url::Url, tenant: &mut crate::config::TenantSettings) {
        tenant.webex = Some(crate::config::WebexSettings::new(
            super::at(root, "webex/v1"),
            DEMO_TOKEN,
            org_id(),
        ));
    }

    fn banner(&self, root: &url::Url) -> String {
        format!(
            "Webex: {}  (Authorization: Bearer {DEMO_TOKEN}, orgId {})",
            super::at(root, "webex/v1"),
            org_id()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        assert_eq!(decode_id(&person_id(3), &["PEOPLE"]), Some(person_uuid(3)));
        assert_eq!(decode_id(&person_id(3), &["PLACE"]), None);
        assert!(decode_id(&org_id(), &["ORGANIZATION"]).is_some());
        assert_eq!(decode_id("garbage", AGENT_KINDS), None);
    }
}
