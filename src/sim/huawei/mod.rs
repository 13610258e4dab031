//! The Huawei Cloud AICC simulator: the AK/SK token exchange
//! (`/apigovernance/api/oauth/tokenByAkSk`, honouring `X-Token-Expire`) and the
//! cc-management agent account and skill queue operations under
//! `/apiaccess/rest/cc-management/v1/`, all POST, answering HTTP 200 with
//! `resultCode`/`resultMessage` (`returnCode`/`description` for `querySkills`). Bodies
//! are accepted flat or wrapped in `requestParam`/`requestParams`. The seed's rules
//! are enforced (a bad password, a duplicate account or a skill queue of another media
//! type than the agent answer `"1"` with a message) and work numbers are handed out.

mod wire;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Request, State},
    http::{HeaderMap, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::post,
};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::{
    control::{self, SimControl},
    roster::{PEOPLE, Platform, people_on},
};
use wire::*;

/// The app key (AK) the simulator accepts by default.
pub const DEMO_APP_KEY: &str = "sim-huawei-ak-3f9c2e";
/// The app secret (SK) the simulator accepts by default.
pub const DEMO_APP_SECRET: &str = "sim-huawei-sk-b71d4a90e5";
/// Token lifetime when a request sends no `X-Token-Expire`.
const DEFAULT_TOKEN_SECS: u64 = 600;
/// The longest token lifetime handed out.
const MAX_TOKEN_SECS: u64 = 3600;
/// The largest `pageSize` of `agentAccount/query` and `limit` of `querySkills`.
const MAX_PAGE: i64 = 100;

/// Audio, video, multimedia and versatile agents (and skill queues).
const AGENT_TYPES: [i64; 4] = [4, 11, 5, 99];
/// Agent, inspector and outbound call agent.
const ROLES: [i64; 3] = [2, 3, 4];
/// The special characters of the default password rule group.
const PASSWORD_SPECIALS: &str = "~`!@#$%^*()-+_=\\|¦,./<>?;':\"[]{}&";
/// Characters an agent name must not contain.
const NAME_FORBIDDEN: &str = "\"[]'&()=;<>,";

struct SimAgent {
    account: String,
    name: String,
    password: String,
    email: String,
    phone: Option<String>,
    agent_type: i64,
    role: i64,
    sip_account: Option<String>,
    work_no: i64,
    skills: Vec<SkillOut>,
}

impl SimAgent {
    fn out(&self) -> AgentOut {
        AgentOut {
            user_account: self.account.clone(),
            user_name: self.name.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            agent_type: self.agent_type,
            cc_role_id: self.role,
            sip_account: self.sip_account.clone(),
            work_no: self.work_no,
            skills: self.skills.clone(),
        }
    }
}

#[derive(Default)]
struct State_ {
    agents: Vec<SimAgent>,
    skills: Vec<SkillQueueOut>,
    next_work_no: i64,
    /// Valid tokens and when they expire.
    tokens: HashMap<String, Instant>,
}

/// A stateful Huawei AICC tenant.
pub struct HuaweiSim {
    /// Counters and faults.
    pub control: Arc<SimControl>,
    app_key: String,
    app_secret: String,
    state: Mutex<State_>,
    issued: Mutex<Vec<String>>,
}

fn render_error(status: StatusCode, message: &str) -> Response {
    (
        status,
        Json(json!({ "resultCode": "1", "resultMessage": message })),
    )
        .into_response()
}

/// The account of roster person `i` on AICC.
pub fn account_of(i: usize) -> String {
    let p = &PEOPLE[i];
    format!("{}.{}", p.first, p.last).to_ascii_lowercase()
}

/// The seeded skill queues: id, name, media type.
const SEED_SKILLS: &[(i64, &str, i64)] = &[
    (1, "General Voice", 4),
    (2, "Billing Voice", 4),
    (3, "Video Support", 11),
    (4, "Chat and Email", 5),
    (5, "Escalations", 99),
    (6, "Technical Voice", 4),
    (7, "Social Messaging", 5),
];

impl HuaweiSim {
    /// A simulator seeded with the demo tenant, accepting `app_key`/`app_secret`.
    pub fn seeded(app_key: &str, app_secret: &str) -> Arc<Self> {
        let sim = Arc::new(Self {
            control: SimControl::new(&["/huawei", "/apiaccess/rest/cc-management/v1"], render_error),
            app_key: app_key.to_owned(),
            app_secret: app_secret.to_owned(),
            state: Mutex::default(),
            issued: Mutex::default(),
        });
        sim.reset();
        sim
    }

    /// Puts the seeded agents and skill queues back (tokens stay valid).
    pub fn reset(&self) {
        let mut s = self.state.lock().expect("huawei state");
        let tokens = std::mem::take(&mut s.tokens);
        *s = State_ {
            tokens,
            ..State_::default()
        };
        s.skills = SEED_SKILLS
            .iter()
            .map(|(id, name, media)| SkillQueueOut {
                skill_id: *id,
                name: (*name).to_owned(),
                media_type_id: *media,
            })
            .collect();
        for (i, p) in people_on(Platform::Aicc) {
            let agent_type = [4, 4, 5, 11, 99][i % 5];
            let role = match i {
                0 => 3,
                _ if i % 6 == 5 => 4,
                _ => 2,
            };
            let skill_ids: &[i64] = match agent_type {
                4 => {
                    if i % 2 == 0 {
                        &[1, 2]
                    } else {
                        &[1, 6]
                    }
                }
                5 => &[4, 7],
                11 => &[3],
                _ => &[5],
            };
            s.agents.push(SimAgent {
                account: account_of(i),
                name: p.full_name(),
                password: format!("Seed#{i:02}pass"),
                // Typed in lower case here: the same person, a differently cased email.
                email: p.email.to_lowercase(),
                phone: Some(p.phone.to_owned()),
                agent_type,
                role,
                sip_account: (agent_type == 4 || agent_type == 99).then(|| format!("88{}", p.extension)),
                work_no: 1001 + i as i64,
                skills: skill_ids
                    .iter()
                    .enumerate()
                    .map(|(k, id)| SkillOut {
                        skill_id: *id,
                        agent_weight: 1 + (i as i64 % 3),
                        skill_weight: 1 + k as i64,
                    })
                    .collect(),
            });
        }
        s.next_work_no = 1001 + s.agents.len() as i64;
    }

    /// Every token the simulator has issued, oldest first (for checking logs).
    pub fn issued_tokens(&self) -> Vec<String> {
        self.issued.lock().expect("issued lock").clone()
    }

    /// Makes every token issued so far invalid, as if it had expired or been revoked:
    /// the next call with one gets a 401.
    pub fn expire_tokens(&self) {
        self.state.lock().expect("huawei state").tokens.clear();
    }

    /// The router: the token exchange and the API, and the control API under `/_sim`.
    pub fn router(self: &Arc<Self>) -> Router {
        let counted = |router: Router<Arc<HuaweiSim>>| {
            router
                .route_layer(middleware::from_fn_with_state(
                    self.control.clone(),
                    control::count_and_fault,
                ))
                .with_state(self.clone())
        };
        let token = Router::new().route("/apigovernance/api/oauth/tokenByAkSk", post(issue_token));
        let api = Router::new()
            .route("/agentAccount/create", post(create_agent))
            .route("/agentAccount/update", post(update_agent))
            .route("/agentAccount/delete", post(delete_agent))
            .route("/agentAccount/query", post(query_agents))
            .route("/skill/querySkills", post(query_skills))
            .route_layer(middleware::from_fn_with_state(self.clone(), require_token));
        let sim_routes = Router::new()
            .route("/_sim/tokens/expire", post(expire))
            .route("/_sim/reset", post(reset))
            .with_state(self.clone());
        Router::new()
            .merge(counted(token))
            .nest("/apiaccess/rest/cc-management/v1", counted(api))
            .merge(sim_routes)
            .merge(control::routes(self.control.clone()))
    }

    fn with<R>(&self, f: impl FnOnce(&mut State_) -> R) -> R {
        f(&mut self.state.lock().expect("huawei state"))
    }
}

async fn require_token(State(sim): State<Arc<HuaweiSim>>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let valid = bearer
        .is_some_and(|t| sim.with(|s| s.tokens.get(t).is_some_and(|expires| *expires > Instant::now())));
    if !valid {
        return render_error(
            StatusCode::UNAUTHORIZED,
            "Unauthorized operation: the access token is missing, invalid or expired",
        );
    }
    if let Some(key) = headers.get("x-app-key")
        && key.as_bytes() != sim.app_key.as_bytes()
    {
        return render_error(
            StatusCode::UNAUTHORIZED,
            "Unauthorized operation: unknown app key",
        );
    }
    next.run(request).await
}

/// `"1"` with `message`, in `resultCode`/`resultMessage`.
fn refuse(message: impl Into<String>) -> Response {
    Json(json!({ "resultCode": "1", "resultMessage": message.into() })).into_response()
}

/// Why a body could not be read.
enum BodyError {
    /// Not JSON at all: HTTP 400.
    NotJson,
    /// JSON of the wrong shape: `"1"`.
    Invalid,
}

impl IntoResponse for BodyError {
    fn into_response(self) -> Response {
        match self {
            BodyError::NotJson => {
                render_error(StatusCode::BAD_REQUEST, "Incorrect request: the body is not JSON")
            }
            BodyError::Invalid => refuse("Invalid request parameters"),
        }
    }
}

/// Reads a body sent flat or wrapped in `requestParam`/`requestParams`.
fn params<T: DeserializeOwned>(body: &Bytes) -> Result<T, BodyError> {
    let value: Value = serde_json::from_slice(body).map_err(|_| BodyError::NotJson)?;
    let inner = match value {
        Value::Object(mut map)
            if map.len() == 1 && (map.contains_key("requestParam") || map.contains_key("requestParams")) =>
        {
            map.remove("requestParam")
                .or_else(|| map.remove("requestParams"))
                .unwrap_or_default()
        }
        other => other,
    };
    serde_json::from_value(inner).map_err(|_| BodyError::Invalid)
}

fn check_account(account: &str) -> Result<(), String> {
    let len = account.chars().count();
    if !(6..=50).contains(&len)
        || !account
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "@.-_".contains(c))
    {
        return Err("userAccount must be 6 to 50 letters, digits or @.-_".into());
    }
    Ok(())
}

fn check_name(name: &str) -> Result<(), String> {
    let len = name.chars().count();
    if len == 0 || len > 20 || name.chars().any(|c| NAME_FORBIDDEN.contains(c)) {
        return Err("userName must be 1 to 20 characters without \"[]'&()=;<>,".into());
    }
    Ok(())
}

fn check_password(password: &str) -> Result<(), String> {
    let ok = password.chars().count() >= 8
        && password.chars().any(|c| c.is_ascii_uppercase())
        && password.chars().any(|c| c.is_ascii_lowercase())
        && password.chars().any(|c| c.is_ascii_digit())
        && password.chars().any(|c| PASSWORD_SPECIALS.contains(c))
        && password
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || PASSWORD_SPECIALS.contains(c));
    if ok {
        Ok(())
    } else {
        Err("The password does not meet the password rule group: at least 8 characters with uppercase and lowercase letters, digits and special characters".into())
    }
}

fn check_email(email: &str) -> Result<(), String> {
    let bad = || Err("email is not a valid email address".to_owned());
    let Some((local, domain)) = email.rsplit_once('@') else {
        return bad();
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
    let domain_ok = !domain.is_empty()
        && domain.len() <= 255
        && domain.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if local_ok && domain_ok { Ok(()) } else { bad() }
}

fn check_phone(phone: &str) -> Result<(), String> {
    if phone.chars().count() > 25 {
        return Err("phone must be at most 25 characters".into());
    }
    Ok(())
}

impl State_ {
    fn agent_mut(&mut self, account: &str) -> Option<&mut SimAgent> {
        self.agents.iter_mut().find(|a| a.account == account)
    }

    /// Checks `skills` against the queues and `agent_type`.
    fn checked_skills(&self, skills: &[SkillIn], agent_type: i64) -> Result<Vec<SkillOut>, String> {
        let mut out = Vec::with_capacity(skills.len());
        for skill in skills {
            let Some(id) = skill.skill_id else {
                return Err("skillId is mandatory in skills".into());
            };
            let Some(queue) = self.skills.iter().find(|q| q.skill_id == id) else {
                return Err(format!("The skill queue {id} does not exist"));
            };
            if queue.media_type_id != agent_type {
                return Err(format!(
                    "The type of skill queue {id} ({}) is not the same as the agent type ({agent_type})",
                    queue.media_type_id
                ));
            }
            let agent_weight = skill.agent_weight.unwrap_or(1);
            let skill_weight = skill.skill_weight.unwrap_or(1);
            if agent_weight < 1 || skill_weight < 1 {
                return Err("agentWeight and skillWeight must be at least 1".into());
            }
            if out.iter().any(|s: &SkillOut| s.skill_id == id) {
                return Err(format!("The skill queue {id} is given twice"));
            }
            out.push(SkillOut {
                skill_id: id,
                agent_weight,
                skill_weight,
            });
        }
        Ok(out)
    }
}

fn check_type_and_role(agent_type: Option<i64>, role: Option<i64>) -> Result<(), String> {
    if let Some(t) = agent_type
        && !AGENT_TYPES.contains(&t)
    {
        return Err(format!("agentType {t} is not supported"));
    }
    if let Some(r) = role
        && !ROLES.contains(&r)
    {
        return Err(format!("ccRoleId {r} is not supported"));
    }
    Ok(())
}

async fn issue_token(State(sim): State<Arc<HuaweiSim>>, headers: HeaderMap, body: Bytes) -> Response {
    let lifetime = match headers
        .get("x-token-expire")
        .map(|v| v.to_str().ok().and_then(|t| t.trim().parse::<u64>().ok()))
    {
        None => DEFAULT_TOKEN_SECS,
        Some(Some(secs)) if (1..=MAX_TOKEN_SECS).contains(&secs) => secs,
        Some(_) => {
            return render_error(
                StatusCode::BAD_REQUEST,
                "X-Token-Expire must be 1 to 3600 seconds",
            );
        }
    };
    let Ok(input) = serde_json::from_slice::<TokenIn>(&body) else {
        return render_error(StatusCode::BAD_REQUEST, "Incorrect request: the body is not JSON");
    };
    let key_ok = input.app_key.as_deref() == Some(sim.app_key.as_str());
    let secret_ok = input.app_secret.as_deref() == Some(sim.app_secret.as_str());
    if !(key_ok && secret_ok) {
        return render_error(StatusCode::UNAUTHORIZED, "Invalid app_key or app_secret");
    }
    let token = format!("hwsim-{}", uuid::Uuid::new_v4().simple());
    sim.with(|s| {
        s.tokens
            .insert(token.clone(), Instant::now() + Duration::from_secs(lifetime))
    });
    sim.issued.lock().expect("issued lock").push(token.clone());
    Json(json!({
        "AccessToken": token,
        "ApplyType": "Bearer",
        "CreateTime": chrono::Utc::now().timestamp().to_string(),
        "Expires": lifetime.to_string(),
        "Scope": "cc-management",
        "AppKey": sim.app_key,
        "UserID": "Anonymous",
    }))
    .into_response()
}

async fn create_agent(State(sim): State<Arc<HuaweiSim>>, body: Bytes) -> Response {
    let input: CreateIn = match params(&body) {
        Ok(i) => i,
        Err(r) => return r.into_response(),
    };
    let (Some(account), Some(name), Some(password), Some(email), Some(agent_type), Some(role)) = (
        input.user_account,
        input.user_name,
        input.password,
        input.email,
        input.agent_type,
        input.cc_role_id,
    ) else {
        return refuse("userAccount, userName, password, email, agentType and ccRoleId are mandatory");
    };
    let checks = check_account(&account)
        .and_then(|()| check_name(&name))
        .and_then(|()| check_password(&password))
        .and_then(|()| check_email(&email))
        .and_then(|()| check_type_and_role(Some(agent_type), Some(role)))
        .and_then(|()| input.phone.as_deref().map_or(Ok(()), check_phone));
    if let Err(message) = checks {
        return refuse(message);
    }
    sim.with(|s| {
        if s.agents.iter().any(|a| a.account.eq_ignore_ascii_case(&account)) {
            return refuse(format!("The agent account {account} already exists"));
        }
        let skills = match s.checked_skills(input.skills.as_deref().unwrap_or_default(), agent_type) {
            Ok(skills) => skills,
            Err(message) => return refuse(message),
        };
        let work_no = s.next_work_no;
        s.next_work_no += 1;
        s.agents.push(SimAgent {
            account,
            name,
            password,
            email,
            phone: input.phone,
            agent_type,
            role,
            sip_account: None,
            work_no,
            skills,
        });
        Json(json!({
            "resultCode": "0",
            "resultMessage": "create agent account success",
            "workNo": work_no,
        }))
        .into_response()
    })
}

async fn update_agent(State(sim): State<Arc<HuaweiSim>>, body: Bytes) -> Response {
    let input: UpdateIn = match params(&body) {
        Ok(i) => i,
        Err(r) => return r.into_response(),
    };
    let Some(account) = input.user_account else {
        return refuse("userAccount is mandatory");
    };
    let checks = input
        .user_name
        .as_deref()
        .map_or(Ok(()), check_name)
        .and_then(|()| input.email.as_deref().map_or(Ok(()), check_email))
        .and_then(|()| input.phone.as_deref().map_or(Ok(()), check_phone))
        .and_then(|()| check_type_and_role(input.agent_type, input.cc_role_id));
    if let Err(message) = checks {
        return refuse(message);
    }
    sim.with(|s| {
        let Some(current) = s.agents.iter().find(|a| a.account == account) else {
            return refuse(format!("The agent account {account} does not exist"));
        };
        let agent_type = input.agent_type.unwrap_or(current.agent_type);
        let skills = match &input.skills {
            Some(skills) => match s.checked_skills(skills, agent_type) {
                Ok(skills) => Some(skills),
                Err(message) => return refuse(message),
            },
            None => {
                let ids: Vec<SkillIn> = current
                    .skills
                    .iter()
                    .map(|k| SkillIn {
                        skill_id: Some(k.skill_id),
                        agent_weight: Some(k.agent_weight),
                        skill_weight: Some(k.skill_weight),
                    })
                    .collect();
                if let Err(message) = s.checked_skills(&ids, agent_type) {
                    return refuse(message);
                }
                None
            }
        };
        match (&input.old_pass_word, &input.new_pass_word) {
            (None, None) => {}
            (Some(old), Some(new)) => {
                if *old != current.password {
                    return refuse("The old password is incorrect");
                }
                if old == new {
                    return refuse("The new password must differ from the old password");
                }
                if let Err(message) = check_password(new) {
                    return refuse(message);
                }
            }
            _ => return refuse("oldPassWord and newPassWord must be given together"),
        }
        let agent = s.agent_mut(&account).expect("found above");
        if let Some(name) = input.user_name {
            agent.name = name;
        }
        if let Some(email) = input.email {
            agent.email = email;
        }
        if let Some(phone) = input.phone {
            agent.phone = Some(phone).filter(|p| !p.is_empty());
        }
        if let Some(role) = input.cc_role_id {
            agent.role = role;
        }
        agent.agent_type = agent_type;
        if let Some(skills) = skills {
            agent.skills = skills;
        }
        if let Some(new) = input.new_pass_word {
            agent.password = new;
        }
        Json(json!({ "resultCode": "0", "resultMessage": "update agent account success" })).into_response()
    })
}

async fn delete_agent(State(sim): State<Arc<HuaweiSim>>, body: Bytes) -> Response {
    let input: AccountIn = match params(&body) {
        Ok(i) => i,
        Err(r) => return r.into_response(),
    };
    let Some(account) = input.user_account else {
        return refuse("userAccount is mandatory");
    };
    sim.with(|s| {
        let before = s.agents.len();
        s.agents.retain(|a| a.account != account);
        if s.agents.len() == before {
            return refuse(format!("The agent account {account} does not exist"));
        }
        Json(json!({ "resultCode": "0", "resultMessage": "delete agent account success" })).into_response()
    })
}

async fn query_agents(State(sim): State<Arc<HuaweiSim>>, body: Bytes) -> Response {
    let input: QueryIn = match params(&body) {
        Ok(i) => i,
        Err(r) => return r.into_response(),
    };
    sim.with(|s| {
        if let Some(account) = &input.user_account {
            let data: Vec<AgentOut> = s
                .agents
                .iter()
                .filter(|a| &a.account == account)
                .map(SimAgent::out)
                .collect();
            let total = data.len();
            return Json(
                json!({ "resultCode": "0", "resultMessage": "success", "data": data, "total": total }),
            )
            .into_response();
        }
        let (Some(page_num), Some(page_size)) = (input.page_num, input.page_size) else {
            return refuse("userAccount, or pageNum and pageSize, are mandatory");
        };
        if page_num < 0 || !(1..=MAX_PAGE).contains(&page_size) {
            return refuse("pageNum must be 0 or more and pageSize 1 to 100");
        }
        let types = input.agent_type.unwrap_or_default();
        let matching: Vec<&SimAgent> = s
            .agents
            .iter()
            .filter(|a| types.is_empty() || types.contains(&a.agent_type))
            .collect();
        let total = matching.len();
        let data: Vec<AgentOut> = matching
            .into_iter()
            .skip(usize::try_from(page_num.saturating_mul(page_size)).unwrap_or(usize::MAX))
            .take(page_size as usize)
            .map(SimAgent::out)
            .collect();
        Json(json!({ "resultCode": "0", "resultMessage": "success", "data": data, "total": total }))
            .into_response()
    })
}

async fn query_skills(State(sim): State<Arc<HuaweiSim>>, body: Bytes) -> Response {
    let input: SkillsIn = match params(&body) {
        Ok(i) => i,
        Err(_) => {
            return Json(json!({ "returnCode": "1", "description": "Invalid request parameters" }))
                .into_response();
        }
    };
    let limit = input.limit.unwrap_or(MAX_PAGE);
    let offset = input.offset.unwrap_or(0);
    if !(1..=MAX_PAGE).contains(&limit) || offset < 0 {
        return Json(
            json!({ "returnCode": "1", "description": "limit must be 1 to 100 and offset 0 or more" }),
        )
        .into_response();
    }
    sim.with(|s| {
        let matching: Vec<&SkillQueueOut> = s
            .skills
            .iter()
            .filter(|q| input.name.as_ref().is_none_or(|n| q.name.contains(n.as_str())))
            .filter(|q| input.media_type_id.is_none_or(|m| q.media_type_id == m))
            .filter(|q| {
                input
                    .skill_ids
                    .as_ref()
                    .is_none_or(|ids| ids.contains(&q.skill_id))
            })
            .collect();
        let total = matching.len();
        let data: Vec<SkillQueueOut> = matching
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize)
            .cloned()
            .collect();
        Json(json!({ "returnCode": "0", "description": "success", "data": data, "total": total }))
            .into_response()
    })
}

async fn expire(State(sim): State<Arc<HuaweiSim>>) -> StatusCode {
    sim.expire_tokens();
    StatusCode::NO_CONTENT
}

async fn reset(State(sim): State<Arc<HuaweiSim>>) -> StatusCode {
    sim.reset();
    StatusCode::NO_CONTENT
}

impl super::VendorSim for HuaweiSim {
    fn prefix(&self) -> &'static str {
        "huawei"
    }

    fn router(self: Arc<Self>) -> Router {
        HuaweiSim::router(&self)
    }

    fn configure(&self, root: &url::Url, tenant: &mut crate::config::TenantSettings) {
        tenant.huawei = Some(crate::config::HuaweiSettings::new(
            super::at(root, "huawei"),
            DEMO_APP_KEY,
            DEMO_APP_SECRET,
        ));
    }

    fn banner(&self, root: &url::Url) -> String {
        format!(
            "Huawei AICC: {}  (AK/SK: {DEMO_APP_KEY} / {DEMO_APP_SECRET})",
            super::at(root, "huawei")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_rules() {
        assert!(check_account("ab@c.d-e_f").is_ok());
        assert!(check_account("short").is_err());
        assert!(check_account("has space1").is_err());
        assert!(check_name("Ava Thompson").is_ok());
        assert!(check_name("Ava (A)").is_err());
        assert!(check_password("Te$t1234").is_ok());
        assert!(check_password("test1234").is_err());
        assert!(check_password("Te$t12").is_err());
        assert!(check_email("a.b@example.com").is_ok());
        assert!(check_email(&format!("{}@example.com", "a".repeat(65))).is_err());
        assert!(check_email(&format!("a@{}.com", "b".repeat(64))).is_err());
        assert!(check_email("a@@b").is_err());
    }

    #[test]
    fn bodies_are_read_flat_or_wrapped() {
        for body in [
            r#"{"userAccount":"abc123"}"#,
            r#"{"requestParam":{"userAccount":"abc123"}}"#,
            r#"{"requestParams":{"userAccount":"abc123"}}"#,
        ] {
            let input: AccountIn = params(&Bytes::from(body)).unwrap_or_else(|_| panic!("{body}"));
            assert_eq!(input.user_account.as_deref(), Some("abc123"));
        }
    }
}
