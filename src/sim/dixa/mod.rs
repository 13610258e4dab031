//! The Dixa simulator: teams, members, presence and agents under `/beta` and `/v1`,
//! with Dixa's raw-token auth, `{data}`/`{message}` envelopes, `pageKey`/`pageLimit`
//! paging with `meta.next` as a full URL, and its documented 400/404 bodies.

mod wire;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::{
    Json, Router,
    extract::{OriginalUri, Path, Query, Request, State, rejection::JsonRejection},
    http::{HeaderMap, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, put},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    control::{self, SimControl},
    roster::{PEOPLE, Platform, people_on},
};
use wire::*;

/// The token the simulator accepts by default.
pub const DEMO_TOKEN: &str = "sim-dixa-token";
/// Page size when a request gives no `pageLimit`.
const DEFAULT_PAGE_LIMIT: usize = 50;
/// The largest `pageLimit` accepted.
const MAX_PAGE_LIMIT: usize = 500;
/// The most agents [`DixaSim::seed_organisation`] makes.
pub const MAX_SEEDED_AGENTS: usize = 10_000;

#[derive(Debug, Clone)]
struct SimTeam {
    id: String,
    name: String,
    members: Vec<String>,
}

#[derive(Debug, Clone)]
struct SimPresence {
    presence_status: Option<String>,
    connection_status: String,
    active_channels: Vec<String>,
    last_seen: Option<String>,
}

#[derive(Default)]
struct State_ {
    teams: Vec<SimTeam>,
    agents: Vec<AgentOut>,
    presence: HashMap<String, SimPresence>,
}

/// A stateful Dixa organisation.
pub struct DixaSim {
    /// Counters and faults.
    pub control: Arc<SimControl>,
    token: String,
    state: Mutex<State_>,
    limit: Mutex<RateLimit>,
}

/// Dixa's documented limit per token (10 requests/s, bursts of 4) as a token bucket;
/// over it, 429 with no `Retry-After`, counted.
#[derive(Debug)]
struct RateLimit {
    /// Requests per second refilled; `None`: not enforced.
    per_second: Option<f64>,
    burst: f64,
    tokens: f64,
    last: std::time::Instant,
    limited: u64,
}

impl RateLimit {
    fn documented() -> Self {
        Self {
            per_second: Some(10.0),
            burst: 4.0,
            tokens: 4.0,
            last: std::time::Instant::now(),
            limited: 0,
        }
    }

    /// Whether a request arriving now is within the limit (taking its token if so).
    fn admit(&mut self) -> bool {
        let Some(per_second) = self.per_second else {
            return true;
        };
        let now = std::time::Instant::now();
        let refill = now.duration_since(self.last).as_secs_f64() * per_second;
        self.tokens = (self.tokens + refill).min(self.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            self.limited += 1;
            false
        }
    }
}

/// `PUT /_sim/limits`: the limit enforced (`perSecond: null` turns it off).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LimitIn {
    per_second: Option<f64>,
    #[serde(default = "default_burst")]
    burst: u32,
}

fn default_burst() -> u32 {
    4
}

fn render_error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "message": message }))).into_response()
}

fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3f").to_string()
}

/// The id of roster person `i` on Dixa.
pub fn agent_id(i: usize) -> String {
    format!("0d1a{i:04x}-5e7e-4c1d-9a5e-{i:012x}")
}

/// The id of team `t` of an organisation made by [`DixaSim::seed_organisation`].
fn seeded_team_id(t: usize) -> String {
    format!("7ea40000-5e7e-4c1d-9a5e-{t:012x}")
}

impl DixaSim {
    /// A simulator seeded with the demo organisation, accepting `token`.
    pub fn seeded(token: &str) -> Arc<Self> {
        let sim = Arc::new(Self {
            control: SimControl::new(&["/dixa", "/beta", "/v1"], render_error),
            token: token.to_owned(),
            limit: Mutex::new(RateLimit::documented()),
            state: Mutex::default(),
        });
        sim.reset();
        sim
    }

    /// Puts the seeded organisation back.
    pub fn reset(&self) {
        let mut s = self.state.lock().expect("dixa state");
        *s = State_::default();
        for (i, _) in people_on(Platform::Dixa) {
            s.add_seeded_agent(i);
        }
        let team = |id: &str, name: &str, members: &[usize]| SimTeam {
            id: id.to_owned(),
            name: name.to_owned(),
            members: members.iter().map(|i| agent_id(*i)).collect(),
        };
        s.teams = vec![
            team(
                "005e7108-c85c-41d1-a945-4a8dc58c4399",
                "Tier 1 Support",
                &[0, 1, 2, 3, 4, 5],
            ),
            team("83cc3c21-9d28-4250-b6ea-b3a6333c5c73", "Billing", &[4, 6, 7, 8]),
            team(
                "5b1f0c0e-3c1a-4f7e-9a51-2f4f8f0d9c11",
                "VIP Care",
                &[9, 10, 11, 0],
            ),
        ];
    }

    /// Replaces the organisation with `teams` teams (`Team 01`, …) of
    /// `members_per_team` agents each, every agent in exactly one team, for load tests
    /// (`POST /_sim/seed`). Agents are made as the seeded ones are: the roster's people
    /// first (same ids, emails and presence), then numbered copies of them. `reset`
    /// puts the demo organisation back.
    pub fn seed_organisation(&self, teams: usize, members_per_team: usize) -> Result<(), String> {
        let agents = teams.saturating_mul(members_per_team);
        if teams == 0 || members_per_team == 0 || agents > MAX_SEEDED_AGENTS {
            return Err(format!(
                "teams and membersPerTeam must be above zero, with at most {MAX_SEEDED_AGENTS} agents in all"
            ));
        }
        let mut s = self.state.lock().expect("dixa state");
        *s = State_::default();
        for i in 0..agents {
            s.add_seeded_agent(i);
        }
        s.teams = (0..teams)
            .map(|t| SimTeam {
                id: seeded_team_id(t),
                name: format!("Team {:02}", t + 1),
                members: (t * members_per_team..(t + 1) * members_per_team)
                    .map(agent_id)
                    .collect(),
            })
            .collect();
        Ok(())
    }

    /// The router: the API under `/beta` and `/v1`, and the control API under `/_sim`.
    pub fn router(self: &Arc<Self>) -> Router {
        let api = Router::new()
            .route("/teams", get(list_teams).post(create_team))
            .route("/teams/{teamId}", get(get_team).delete(delete_team))
            .route(
                "/teams/{teamId}/agents",
                get(list_members).patch(add_members).delete(remove_members),
            )
            .route("/teams/{teamId}/presence", get(team_presence))
            .route("/agents", get(list_agents))
            .route("/agents/presence", get(all_presence))
            .route("/agents/{agentId}", get(get_agent))
            .route("/agents/{agentId}/presence", get(agent_presence))
            .route("/agents/{agentId}/teams", get(agent_teams))
            .route_layer(middleware::from_fn_with_state(self.clone(), require_token))
            .route_layer(middleware::from_fn_with_state(
                self.control.clone(),
                control::count_and_fault,
            ))
            .with_state(self.clone());
        let sim_routes = Router::new()
            .route("/_sim/presence/{agentId}", put(set_presence))
            .route("/_sim/agents", axum::routing::post(add_agent))
            .route("/_sim/reset", axum::routing::post(reset))
            .route("/_sim/seed", axum::routing::post(seed))
            .route("/_sim/limits", get(get_limits).put(put_limits))
            .with_state(self.clone());
        Router::new()
            .nest("/beta", api.clone())
            .nest("/v1", api)
            .merge(sim_routes)
            .merge(control::routes(self.control.clone()))
    }

    fn with<R>(&self, f: impl FnOnce(&mut State_) -> R) -> R {
        f(&mut self.state.lock().expect("dixa state"))
    }
}

async fn require_token(State(sim): State<Arc<DixaSim>>, request: Request, next: Next) -> Response {
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if given != Some(sim.token.as_str()) {
        return render_error(StatusCode::UNAUTHORIZED, "Unauthorized");
    }
    if !sim.limit.lock().expect("dixa limit").admit() {
        return render_error(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests");
    }
    next.run(request).await
}

/// `GET /_sim/limits`: the limit enforced and how many requests it refused.
async fn get_limits(State(sim): State<Arc<DixaSim>>) -> Json<serde_json::Value> {
    let limit = sim.limit.lock().expect("dixa limit");
    Json(json!({ "perSecond": limit.per_second, "burst": limit.burst, "limited": limit.limited }))
}

/// `PUT /_sim/limits`: sets the limit (and starts a full bucket and a zero count).
async fn put_limits(State(sim): State<Arc<DixaSim>>, payload: Result<Json<LimitIn>, JsonRejection>) -> Reply {
    let input = payload
        .map(|Json(v)| v)
        .map_err(|e| DixaError(StatusCode::BAD_REQUEST, e.body_text()))?;
    if input.per_second.is_some_and(|r| !(r.is_finite() && r > 0.0)) || input.burst == 0 {
        return Err(DixaError(
            StatusCode::BAD_REQUEST,
            "perSecond must be above zero (or null) and burst at least 1".into(),
        ));
    }
    *sim.limit.lock().expect("dixa limit") = RateLimit {
        per_second: input.per_second,
        burst: f64::from(input.burst),
        tokens: f64::from(input.burst),
        last: std::time::Instant::now(),
        limited: 0,
    };
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// An error answer in Dixa's `{message}` shape.
struct DixaError(StatusCode, String);

impl IntoResponse for DixaError {
    fn into_response(self) -> Response {
        render_error(self.0, &self.1)
    }
}

type Reply = Result<Response, DixaError>;

fn bad(message: &str) -> DixaError {
    DixaError(StatusCode::BAD_REQUEST, message.to_owned())
}

fn not_found() -> DixaError {
    DixaError(
        StatusCode::NOT_FOUND,
        "The requested resource could not be found".to_owned(),
    )
}

fn check_uuid(raw: &str, what: &str) -> Result<(), DixaError> {
    uuid::Uuid::try_parse(raw)
        .map(drop)
        .map_err(|_| bad(&format!("Invalid value for: path parameter {what}")))
}

fn data<T: Serialize>(status: StatusCode, value: T) -> Response {
    (status, Json(json!({ "data": value }))).into_response()
}

fn body<T>(payload: Result<Json<T>, JsonRejection>) -> Result<T, DixaError> {
    payload
        .map(|Json(v)| v)
        .map_err(|_| bad("Invalid value for: body"))
}

impl State_ {
    /// Adds agent `i` of a seeded organisation with its presence: roster person
    /// `i % PEOPLE.len()`, under their own email the first time round and a numbered
    /// one after; the first is an admin; presence cycles through working on email and
    /// chat, working on the phone, away, and offline.
    fn add_seeded_agent(&mut self, i: usize) {
        let p = &PEOPLE[i % PEOPLE.len()];
        let round = i / PEOPLE.len();
        let (display_name, email, phone) = if round == 0 {
            (p.full_name(), p.email.to_owned(), p.phone.to_owned())
        } else {
            let (local, domain) = p.email.split_once('@').unwrap_or((p.email, "example.com"));
            (
                format!("{} {round}", p.full_name()),
                format!("{}.{round}@{domain}", local.to_ascii_lowercase()),
                format!("+1216557{i:04}"),
            )
        };
        self.agents.push(AgentOut {
            id: agent_id(i),
            created_at: "2024-03-01T09:00:00Z".into(),
            display_name,
            email,
            avatar_url: None,
            phone_number: Some(phone),
            additional_emails: Vec::new(),
            additional_phone_numbers: Vec::new(),
            first_name: Some(p.first.to_owned()),
            last_name: Some(p.last.to_owned()),
            middle_names: Vec::new(),
            roles: vec![if i == 0 { "Admin" } else { "Agent" }.to_owned()],
        });
        let (status, connection, channels): (&str, &str, &[&str]) = match i % 4 {
            0 => ("Working", "Online", &["Email", "WidgetChat"]),
            1 => ("Working", "Online", &["PstnPhone"]),
            2 => ("Away", "Online", &[]),
            _ => ("Away", "Offline", &[]),
        };
        self.presence.insert(
            agent_id(i),
            SimPresence {
                presence_status: Some(status.to_owned()),
                connection_status: connection.to_owned(),
                active_channels: channels.iter().map(|c| (*c).to_owned()).collect(),
                last_seen: Some("2026-11-23T08:00:00.000".into()),
            },
        );
    }

    fn team(&self, id: &str) -> Result<&SimTeam, DixaError> {
        self.teams.iter().find(|t| t.id == id).ok_or_else(not_found)
    }

    fn team_mut(&mut self, id: &str) -> Result<&mut SimTeam, DixaError> {
        self.teams.iter_mut().find(|t| t.id == id).ok_or_else(not_found)
    }

    fn presence_of(&self, id: &str, at: &str) -> PresenceOut {
        let p = self.presence.get(id);
        PresenceOut {
            user_id: id.to_owned(),
            request_time: at.to_owned(),
            last_seen: p.and_then(|p| p.last_seen.clone()),
            presence_status: p.and_then(|p| p.presence_status.clone()),
            connection_status: p.map_or("Offline".to_owned(), |p| p.connection_status.clone()),
            active_channels: p.map(|p| p.active_channels.clone()).unwrap_or_default(),
        }
    }
}

async fn list_teams(State(sim): State<Arc<DixaSim>>) -> Response {
    let teams: Vec<TeamOut> = sim.with(|s| {
        s.teams
            .iter()
            .map(|t| TeamOut {
                id: t.id.clone(),
                name: t.name.clone(),
            })
            .collect()
    });
    data(StatusCode::OK, teams)
}

async fn create_team(
    State(sim): State<Arc<DixaSim>>,
    payload: Result<Json<CreateTeamIn>, JsonRejection>,
) -> Reply {
    let input = body(payload)?;
    if input.name.trim().is_empty() {
        return Err(bad("Invalid value for: body"));
    }
    let team = SimTeam {
        id: uuid::Uuid::new_v4().to_string(),
        name: input.name,
        members: Vec::new(),
    };
    let out = TeamOut {
        id: team.id.clone(),
        name: team.name.clone(),
    };
    sim.with(|s| s.teams.push(team));
    Ok(data(StatusCode::CREATED, out))
}

async fn get_team(State(sim): State<Arc<DixaSim>>, Path(team_id): Path<String>) -> Reply {
    check_uuid(&team_id, "teamId")?;
    sim.with(|s| {
        let t = s.team(&team_id)?;
        Ok(data(
            StatusCode::OK,
            TeamOut {
                id: t.id.clone(),
                name: t.name.clone(),
            },
        ))
    })
}

async fn delete_team(State(sim): State<Arc<DixaSim>>, Path(team_id): Path<String>) -> Reply {
    check_uuid(&team_id, "teamId")?;
    sim.with(|s| {
        s.team(&team_id)?;
        s.teams.retain(|t| t.id != team_id);
        Ok(StatusCode::NO_CONTENT.into_response())
    })
}

async fn list_members(State(sim): State<Arc<DixaSim>>, Path(team_id): Path<String>) -> Reply {
    check_uuid(&team_id, "teamId")?;
    sim.with(|s| {
        let team = s.team(&team_id)?;
        let members: Vec<MemberOut> = team
            .members
            .iter()
            .filter_map(|id| s.agents.iter().find(|a| &a.id == id))
            .map(|a| MemberOut {
                id: a.id.clone(),
                name: Some(a.display_name.clone()),
                email: Some(a.email.clone()),
                phone_number: a.phone_number.clone(),
            })
            .collect();
        Ok(data(StatusCode::OK, members))
    })
}

fn checked_ids(s: &State_, ids: &[String]) -> Result<(), DixaError> {
    for id in ids {
        if uuid::Uuid::try_parse(id).is_err() || !s.agents.iter().any(|a| &a.id == id) {
            return Err(bad("Invalid value for: body"));
        }
    }
    Ok(())
}

async fn add_members(
    State(sim): State<Arc<DixaSim>>,
    Path(team_id): Path<String>,
    payload: Result<Json<AgentIdsIn>, JsonRejection>,
) -> Reply {
    check_uuid(&team_id, "teamId")?;
    let input = body(payload)?;
    sim.with(|s| {
        s.team(&team_id)?;
        checked_ids(s, &input.agent_ids)?;
        let team = s.team_mut(&team_id)?;
        for id in input.agent_ids {
            if !team.members.contains(&id) {
                team.members.push(id);
            }
        }
        Ok(StatusCode::OK.into_response())
    })
}

async fn remove_members(
    State(sim): State<Arc<DixaSim>>,
    Path(team_id): Path<String>,
    payload: Result<Json<AgentIdsIn>, JsonRejection>,
) -> Reply {
    check_uuid(&team_id, "teamId")?;
    let input = body(payload)?;
    sim.with(|s| {
        checked_ids(s, &input.agent_ids)?;
        let team = s.team_mut(&team_id)?;
        team.members.retain(|m| !input.agent_ids.contains(m));
        Ok(StatusCode::NO_CONTENT.into_response())
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageParams {
    page_limit: Option<String>,
    page_key: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct PageKey {
    offset: usize,
    limit: usize,
}

/// Cuts one page out of `items`, with `meta` links as full URLs.
fn paged<T: Serialize>(items: Vec<T>, params: &PageParams, headers: &HeaderMap, uri: &OriginalUri) -> Reply {
    let mut limit = match params.page_limit.as_deref() {
        None => DEFAULT_PAGE_LIMIT,
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if (1..=MAX_PAGE_LIMIT).contains(&n) => n,
            _ => return Err(bad("Invalid value for: query parameter pageLimit")),
        },
    };
    let offset = match params.page_key.as_deref() {
        None => 0,
        Some(raw) => {
            let key: PageKey = STANDARD
                .decode(raw)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .filter(|k: &PageKey| (1..=MAX_PAGE_LIMIT).contains(&k.limit))
                .ok_or_else(|| bad("Invalid value for: query parameter pageKey"))?;
            if params.page_limit.is_none() {
                limit = key.limit;
            }
            key.offset
        }
    };
    let total = items.len();
    let page: Vec<T> = items.into_iter().skip(offset).take(limit).collect();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let link = |offset: usize| {
        let key = STANDARD.encode(serde_json::to_vec(&PageKey { offset, limit }).unwrap_or_default());
        let Ok(mut url) = url::Url::parse(&format!("http://{host}{}", uri.0.path())) else {
            return String::new();
        };
        url.query_pairs_mut()
            .append_pair("pageLimit", &limit.to_string())
            .append_pair("pageKey", &key);
        url.to_string()
    };
    let meta = Meta {
        previous: (offset > 0).then(|| link(offset.saturating_sub(limit))),
        next: (offset.saturating_add(limit) < total).then(|| link(offset.saturating_add(limit))),
    };
    Ok((StatusCode::OK, Json(json!({ "data": page, "meta": meta }))).into_response())
}

async fn team_presence(
    State(sim): State<Arc<DixaSim>>,
    Path(team_id): Path<String>,
    Query(params): Query<PageParams>,
    headers: HeaderMap,
    uri: OriginalUri,
) -> Reply {
    check_uuid(&team_id, "teamId")?;
    let at = now();
    let items = sim.with(|s| {
        let team = s.team(&team_id)?;
        Ok::<_, DixaError>(
            team.members
                .iter()
                .map(|m| s.presence_of(m, &at))
                .collect::<Vec<_>>(),
        )
    })?;
    paged(items, &params, &headers, &uri)
}

async fn list_agents(
    State(sim): State<Arc<DixaSim>>,
    Query(params): Query<PageParams>,
    headers: HeaderMap,
    uri: OriginalUri,
) -> Reply {
    if params.email.is_some() && params.phone.is_some() {
        return Err(bad(
            "Invalid filters: Cannot provide both phone number and email address",
        ));
    }
    let agents: Vec<AgentOut> = sim.with(|s| {
        s.agents
            .iter()
            .filter(|a| {
                params
                    .email
                    .as_ref()
                    .is_none_or(|e| a.email.eq_ignore_ascii_case(e))
            })
            .filter(|a| {
                params
                    .phone
                    .as_ref()
                    .is_none_or(|p| a.phone_number.as_ref() == Some(p))
            })
            .cloned()
            .collect()
    });
    paged(agents, &params, &headers, &uri)
}

async fn all_presence(State(sim): State<Arc<DixaSim>>) -> Response {
    let at = now();
    let all: Vec<PresenceOut> = sim.with(|s| s.agents.iter().map(|a| s.presence_of(&a.id, &at)).collect());
    // Documented as a bare array, not wrapped in `data`.
    Json(all).into_response()
}

async fn get_agent(State(sim): State<Arc<DixaSim>>, Path(agent_id): Path<String>) -> Reply {
    check_uuid(&agent_id, "agentId")?;
    sim.with(|s| {
        let agent = s.agents.iter().find(|a| a.id == agent_id).ok_or_else(not_found)?;
        Ok(data(StatusCode::OK, agent.clone()))
    })
}

async fn agent_presence(State(sim): State<Arc<DixaSim>>, Path(agent_id): Path<String>) -> Reply {
    check_uuid(&agent_id, "agentId")?;
    let at = now();
    sim.with(|s| {
        if !s.agents.iter().any(|a| a.id == agent_id) {
            return Err(not_found());
        }
        Ok(data(StatusCode::OK, s.presence_of(&agent_id, &at)))
    })
}

async fn agent_teams(State(sim): State<Arc<DixaSim>>, Path(agent_id): Path<String>) -> Reply {
    check_uuid(&agent_id, "agentId")?;
    sim.with(|s| {
        if !s.agents.iter().any(|a| a.id == agent_id) {
            return Err(not_found());
        }
        let teams: Vec<_> = s
            .teams
            .iter()
            .filter(|t| t.members.contains(&agent_id))
            .map(|t| json!({ "id": t.id }))
            .collect();
        Ok(data(StatusCode::OK, teams))
    })
}

async fn set_presence(
    State(sim): State<Arc<DixaSim>>,
    Path(agent_id): Path<String>,
    payload: Result<Json<PresenceChangeIn>, JsonRejection>,
) -> Reply {
    let change = payload
        .map(|Json(v)| v)
        .map_err(|e| DixaError(StatusCode::BAD_REQUEST, e.body_text()))?;
    for (value, allowed, field) in [
        (
            &change.presence_status,
            &["Working", "Away"][..],
            "presenceStatus",
        ),
        (
            &change.connection_status,
            &["Online", "Offline"][..],
            "connectionStatus",
        ),
    ] {
        if let Some(v) = value
            && !allowed.contains(&v.as_str())
        {
            return Err(DixaError(
                StatusCode::BAD_REQUEST,
                format!("{field} must be one of {allowed:?}"),
            ));
        }
    }
    sim.with(|s| {
        if !s.agents.iter().any(|a| a.id == agent_id) {
            return Err(not_found());
        }
        let entry = s.presence.entry(agent_id).or_insert_with(|| SimPresence {
            presence_status: None,
            connection_status: "Offline".into(),
            active_channels: Vec::new(),
            last_seen: None,
        });
        if let Some(p) = change.presence_status {
            entry.presence_status = Some(p);
        }
        if let Some(c) = change.connection_status {
            entry.connection_status = c;
        }
        if let Some(ch) = change.active_channels {
            entry.active_channels = ch;
        }
        entry.last_seen = Some(now());
        Ok(StatusCode::NO_CONTENT.into_response())
    })
}

async fn add_agent(
    State(sim): State<Arc<DixaSim>>,
    payload: Result<Json<NewAgentIn>, JsonRejection>,
) -> Reply {
    let input = payload
        .map(|Json(v)| v)
        .map_err(|e| DixaError(StatusCode::BAD_REQUEST, e.body_text()))?;
    let agent = AgentOut {
        id: uuid::Uuid::new_v4().to_string(),
        created_at: chrono::Utc::now().to_rfc3339(),
        display_name: input.display_name,
        email: input.email,
        avatar_url: None,
        phone_number: input.phone_number,
        additional_emails: Vec::new(),
        additional_phone_numbers: Vec::new(),
        first_name: None,
        last_name: None,
        middle_names: Vec::new(),
        roles: vec!["Agent".into()],
    };
    sim.with(|s| s.agents.push(agent.clone()));
    Ok(data(StatusCode::CREATED, agent))
}

async fn reset(State(sim): State<Arc<DixaSim>>) -> StatusCode {
    sim.reset();
    StatusCode::NO_CONTENT
}

async fn seed(State(sim): State<Arc<DixaSim>>, payload: Result<Json<SeedIn>, JsonRejection>) -> Reply {
    let input = payload
        .map(|Json(v)| v)
        .map_err(|e| DixaError(StatusCode::BAD_REQUEST, e.body_text()))?;
    sim.seed_organisation(input.teams, input.members_per_team)
        .map_err(|message| DixaError(StatusCode::BAD_REQUEST, message))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

impl super::VendorSim for DixaSim {
    fn prefix(&self) -> &'static str {
        "dixa"
    }

    fn router(self: Arc<Self>) -> Router {
        DixaSim::router(&self)
    }

    fn configure(&self, root: &url::Url, tenant: &mut crate::config::TenantSettings) {
        tenant.dixa = Some(crate::config::DixaSettings::new(
            super::at(root, "dixa/v1"),
            DEMO_TOKEN,
        ));
    }

    fn banner(&self, root: &url::Url) -> String {
        format!(
            "Dixa:  {}  (Authorization: {DEMO_TOKEN})",
            super::at(root, "dixa/v1")
        )
    }
}
