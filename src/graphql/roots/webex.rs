//! Webex Calling's part of the graph: one supervisor with the agents it monitors (the
//! list of supervisors is the vendor-neutral `supervisors`, and the agents who could be
//! assigned are `agents(filter: {vendors: [WEBEX]})`), the people who could become
//! supervisors, the organisation's locations and the agents available in each, the
//! supervisor mutations, whose payloads carry Webex's per-agent outcome next to the
//! supervisor, and Webex's own list filters ([`WebexListFilter`]), which `agents` and
//! `supervisors` take too.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};

use crate::{
    graphql::{
        connection::{self, ListConnection, PageRequest},
        context::loaders,
        error::{ApiError, ApiResult},
        id::{GlobalId, NodeType},
        idempotency::{self, IdempotencyKey},
        lookup,
        types::{Agent, Supervisor, agent_webex::agent_from_supervisor, supervisor_webex::WebexSupervisor},
        validate,
    },
    loaders::{
        Fetch,
        webex::{self as webex_loaders, AvailableSupervisors, LocationAgents, Locations, SupervisorById},
    },
    vendors::{
        Vendor,
        webex::{
            self, AgentChange, AgentStatus, ListFilter,
            ids::{self, uuid_of},
        },
    },
};

/// Most agents one supervisor change may name.
pub const MAX_AGENTS_PER_CHANGE: usize = 100;
/// Most supervisors one delete may name.
pub const MAX_SUPERVISORS_PER_DELETE: usize = 100;
/// Longest `name` filter accepted.
pub const MAX_NAME_FILTER: usize = 100;
/// Longest `phoneNumber` filter accepted.
pub const MAX_PHONE_FILTER: usize = 30;

/// How Webex sorts a list (`order`).
#[derive(Debug, Enum, Clone, Copy, PartialEq, Eq)]
pub enum WebexListOrder {
    /// By first name.
    FirstName,
    /// By last name.
    LastName,
    /// By first name, descending.
    FirstNameDesc,
    /// By last name, descending.
    LastNameDesc,
}

impl WebexListOrder {
    fn as_str(self) -> &'static str {
        match self {
            WebexListOrder::FirstName => "firstName",
            WebexListOrder::LastName => "lastName",
            WebexListOrder::FirstNameDesc => "firstName-desc",
            WebexListOrder::LastNameDesc => "lastName-desc",
        }
    }
}

/// Webex Calling's own list filters, sent to Webex as its list endpoints take them.
#[derive(Debug, Default, InputObject)]
pub struct WebexListFilter {
    /// Only names matching this (Webex's `name`): 1 to 100 characters once trimmed.
    pub name: Option<String>,
    /// Only this number, extension or ESN (Webex's `phoneNumber`): digits with an
    /// optional leading `+`, at most 30.
    pub phone_number: Option<String>,
    /// Webex's `hasCxEssentials`: Customer Experience Essentials licences only when
    /// true, Basic ones only when false.
    pub has_cx_essentials: Option<bool>,
}

impl WebexListFilter {
    /// Checks the filters and turns them into Webex's, sorted by `order` (Webex's
    /// default when `None`). Errors name the field under `prefix` (`filter.`,
    /// `filter.webex.`).
    pub fn checked(self, prefix: &str, order: Option<WebexListOrder>) -> ApiResult<ListFilter> {
        let name = self
            .name
            .map(|n| validate::name(&format!("{prefix}name"), &n, MAX_NAME_FILTER))
            .transpose()?;
        let phone_number = self
            .phone_number
            .map(|p| {
                let p = p.trim().to_owned();
                let ok = !p.is_empty()
                    && p.len() <= MAX_PHONE_FILTER
                    && p.chars().enumerate().all(|(i, c)| c.is_ascii_digit() || (i == 0 && c == '+'));
                if ok {
                    Ok(p)
                } else {
                    Err(ApiError::bad_input(
                        format!("{prefix}phoneNumber"),
                        format!("must be a number, extension or ESN: digits with an optional leading +, at most {MAX_PHONE_FILTER}"),
                    ))
                }
            })
            .transpose()?;
        Ok(ListFilter {
            name,
            phone_number,
            order: order.map(|o| o.as_str().to_owned()),
            has_cx_essentials: self.has_cx_essentials,
        })
    }
}

/// A global id of a Webex agent, returning the Webex id.
fn agent_id(field: &str, raw: &ID) -> ApiResult<String> {
    let id = validate::node_id(field, raw, NodeType::Agent, Vendor::Webex)?;
    validate::webex_id(field, &id, validate::WEBEX_AGENT_KINDS)
}

/// A global id of a Webex supervisor, returning the Webex (person) id.
fn supervisor_id(field: &str, raw: &ID) -> ApiResult<String> {
    let id = validate::node_id(field, raw, NodeType::Supervisor, Vendor::Webex)?;
    validate::webex_id(field, &id, &[ids::PEOPLE])
}

/// 1 to `max` global ids checked by `one`, duplicates dropped.
fn id_list(
    field: &str,
    raw: &[ID],
    max: usize,
    one: fn(&str, &ID) -> ApiResult<String>,
) -> ApiResult<Vec<String>> {
    if raw.is_empty() {
        return Err(ApiError::bad_input(field, "must name at least one id"));
    }
    if raw.len() > max {
        return Err(ApiError::bad_input(
            field,
            format!("must name at most {max} ids (got {})", raw.len()),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for (i, id) in raw.iter().enumerate() {
        let vendor_id = one(&format!("{field}[{i}]"), id)?;
        if !out.iter().any(|o| uuid_of(o) == uuid_of(&vendor_id)) {
            out.push(vendor_id);
        }
    }
    Ok(out)
}

/// A Webex location.
#[derive(Debug, Clone)]
pub struct WebexLocation {
    record: webex::Location,
}

/// A Webex Calling location.
#[Object]
impl WebexLocation {
    /// The location's Webex id (pass it to `locationAgents`).
    async fn id(&self) -> &str {
        &self.record.id
    }

    /// The name.
    async fn name(&self) -> Option<&str> {
        self.record.name.as_deref()
    }

    /// The time zone.
    async fn time_zone(&self) -> Option<&str> {
        self.record.time_zone.as_deref()
    }

    /// The agents available in this location: with a CX Essentials licence when
    /// `hasCxEssentials` is true, with CX Basic otherwise.
    async fn agents(
        &self,
        ctx: &Context<'_>,
        has_cx_essentials: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Option<ListConnection<Agent>>> {
        location_agents(ctx, &self.record.id, has_cx_essentials, first, after).await
    }
}

async fn location_agents(
    ctx: &Context<'_>,
    location_id: &str,
    has_cx_essentials: Option<bool>,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<Option<ListConnection<Agent>>> {
    let page = PageRequest::parse(first, after.as_deref())?;
    let agents = loaders(ctx)?
        .webex()?
        .fetch_one(LocationAgents {
            location_id: location_id.to_owned(),
            has_cx_essentials,
        })
        .await?;
    // A location that does not exist has no agents to list: null, without an error.
    Ok(agents.map(|agents| connection::from_slice(&agents, page, |a| Agent::new(a.clone()))))
}

/// Webex Calling queries.
#[derive(Default)]
pub struct WebexQuery;

#[Object]
impl WebexQuery {
    /// One Webex supervisor by global id, with its agents; null, without an error, when
    /// it does not exist. A malformed id is `BAD_USER_INPUT`; a vendor failure is an
    /// error. `hasCxEssentials` true reads a supervisor with a CX Essentials licence;
    /// when not given, both kinds are looked for.
    async fn supervisor(
        &self,
        ctx: &Context<'_>,
        id: ID,
        has_cx_essentials: Option<bool>,
    ) -> ApiResult<Option<Supervisor>> {
        let webex_id = supervisor_id("id", &id)?;
        lookup::webex_supervisor(ctx, "id", &webex_id, has_cx_essentials).await
    }

    /// People of the organisation who could become supervisors (candidates for
    /// `createSupervisor`, not supervisors: those are `supervisors`), as agents. Filtered
    /// and sorted by Webex (`order`: Webex's own order when absent); paged with offset
    /// cursors; `totalCount` is exact.
    async fn available_supervisors(
        &self,
        ctx: &Context<'_>,
        filter: Option<WebexListFilter>,
        order: Option<WebexListOrder>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Option<ListConnection<Agent>>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let filter = filter.unwrap_or_default().checked("filter.", order)?;
        connection::page_of(loaders(ctx)?.webex()?, AvailableSupervisors(filter), page, |s| {
            Agent::new(agent_from_supervisor(s))
        })
        .await
        .map(Some)
    }

    /// The agents available in a Webex location (by its Webex id, from
    /// `webexLocations`): CX Essentials agents when `hasCxEssentials` is true, CX Basic
    /// ones otherwise. Null, without an error, when the location does not exist; a
    /// malformed id is `BAD_USER_INPUT`.
    async fn location_agents(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
        has_cx_essentials: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Option<ListConnection<Agent>>> {
        let location = validate::webex_id("locationId", &location_id, &[ids::LOCATION])?;
        location_agents(ctx, &location, has_cx_essentials, first, after).await
    }

    /// The Webex organisation's locations.
    async fn webex_locations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Option<ListConnection<WebexLocation>>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        connection::page_of(loaders(ctx)?.webex()?, Locations, page, |l| WebexLocation {
            record: l.clone(),
        })
        .await
        .map(Some)
    }
}

/// Input of `createSupervisor`.
#[derive(InputObject)]
pub struct CreateSupervisorInput {
    /// The global id of the Webex person who becomes a supervisor (see
    /// `availableSupervisors`).
    pub person_id: ID,
    /// Global ids of the Webex agents (people, workspaces, virtual lines) to assign:
    /// 1 to 100; Webex requires at least one.
    pub agent_ids: Vec<ID>,
    /// Whether the supervisor gets a Customer Experience Essentials licence.
    pub has_cx_essentials: Option<bool>,
}

/// Input of `assignSupervisorAgents` and `unassignSupervisorAgents`.
#[derive(InputObject)]
pub struct SupervisorAgentsInput {
    /// The supervisor's global id.
    pub supervisor_id: ID,
    /// Global ids of Webex agents: 1 to 100.
    pub agent_ids: Vec<ID>,
    /// Must be true for a supervisor with a CX Essentials licence.
    pub has_cx_essentials: Option<bool>,
}

/// Input of `deleteSupervisors`.
#[derive(InputObject)]
pub struct DeleteSupervisorsInput {
    /// Global ids of Webex supervisors: 1 to 100.
    pub supervisor_ids: Vec<ID>,
}

/// What Webex did with one agent of a supervisor change.
#[derive(SimpleObject)]
pub struct SupervisorAgentOutcome {
    /// The agent's global id, when it matches an agent of the request.
    pub agent_id: Option<ID>,
    /// The agent, when it matches an agent of the request (as far as known).
    pub agent: Option<Agent>,
    /// The id Webex reported (a bare UUID for failures, as Webex documents).
    pub vendor_agent_id: String,
    /// Webex's status (`NOT_AVAILABLE`, `DUPLICATE`, …), or `SUCCESS` for an agent
    /// Webex reported no problem with.
    pub status: String,
    /// Webex's message.
    pub message: Option<String>,
    /// Whether the agent was changed as asked.
    pub succeeded: bool,
}

/// A supervisor after a change, with the per-agent outcome.
#[derive(SimpleObject)]
pub struct SupervisorPayload {
    /// The supervisor as it is now; null when it no longer exists (a supervisor left
    /// with no agent is removed by Webex).
    pub supervisor: Option<Supervisor>,
    /// One outcome per agent of the request (and any other Webex reported).
    pub outcomes: Vec<SupervisorAgentOutcome>,
    /// Whether every agent was changed as asked.
    pub complete: bool,
}

/// What `deleteSupervisors` removed.
#[derive(SimpleObject)]
pub struct DeleteSupervisorsPayload {
    /// The global ids of the deleted supervisors.
    pub deleted_supervisor_ids: Vec<ID>,
}

/// Webex Calling mutations.
#[derive(Default)]
pub struct WebexMutation;

#[Object]
impl WebexMutation {
    /// Makes a Webex person a supervisor of at least one agent. Sent once, never
    /// retried by Switchboard. Agents Webex refuses (e.g. `NOT_AVAILABLE`) are in
    /// `outcomes`. With an `idempotencyKey`, a retry after `VENDOR_OUTCOME_UNKNOWN` first
    /// looks the supervisor up: found, the agents it does not hold come back
    /// `NOT_ASSIGNED`.
    async fn create_supervisor(
        &self,
        ctx: &Context<'_>,
        input: CreateSupervisorInput,
        idempotency_key: Option<IdempotencyKey>,
    ) -> ApiResult<Option<SupervisorPayload>> {
        let person = validate::node_id("input.personId", &input.person_id, NodeType::Agent, Vendor::Webex)?;
        let person = validate::webex_id("input.personId", &person, &[ids::PEOPLE])?;
        let agents = id_list(
            "input.agentIds",
            &input.agent_ids,
            MAX_AGENTS_PER_CHANGE,
            agent_id,
        )?;
        if let Some(i) = agents.iter().position(|a| uuid_of(a) == uuid_of(&person)) {
            return Err(ApiError::bad_input(
                format!("input.agentIds[{i}]"),
                "is the supervisor; a supervisor cannot monitor themself",
            ));
        }
        let webex = loaders(ctx)?.webex()?;
        let statuses = idempotency::once(ctx, idempotency_key.as_ref(), async |attempt| {
            if attempt.after_unknown_outcome {
                let found = webex_loaders::find_supervisor(webex, &person, input.has_cx_essentials).await?;
                if let Some(detail) = found {
                    return Ok(not_held(&detail, &agents));
                }
            }
            Ok(webex_loaders::create_supervisor(webex, &person, &agents, input.has_cx_essentials).await?)
        })
        .await?;
        let cx = input.has_cx_essentials.filter(|c| *c);
        payload(ctx, &person, cx, &agents, statuses).await.map(Some)
    }

    /// Assigns agents to a supervisor (`ADD`). Agents already assigned come back
    /// `DUPLICATE` in `outcomes`.
    async fn assign_supervisor_agents(
        &self,
        ctx: &Context<'_>,
        input: SupervisorAgentsInput,
        idempotency_key: Option<IdempotencyKey>,
    ) -> ApiResult<Option<SupervisorPayload>> {
        change(ctx, input, idempotency_key, AgentChange::Add)
            .await
            .map(Some)
    }

    /// Removes agents from a supervisor (`DELETE`).
    async fn unassign_supervisor_agents(
        &self,
        ctx: &Context<'_>,
        input: SupervisorAgentsInput,
        idempotency_key: Option<IdempotencyKey>,
    ) -> ApiResult<Option<SupervisorPayload>> {
        change(ctx, input, idempotency_key, AgentChange::Delete)
            .await
            .map(Some)
    }

    /// Deletes supervisors (their agents stay; only the supervision goes).
    async fn delete_supervisors(
        &self,
        ctx: &Context<'_>,
        input: DeleteSupervisorsInput,
        idempotency_key: Option<IdempotencyKey>,
    ) -> ApiResult<Option<DeleteSupervisorsPayload>> {
        let ids = id_list(
            "input.supervisorIds",
            &input.supervisor_ids,
            MAX_SUPERVISORS_PER_DELETE,
            supervisor_id,
        )?;
        let webex = loaders(ctx)?.webex()?;
        idempotency::once(ctx, idempotency_key.as_ref(), async |attempt| {
            attempt.deleted(webex_loaders::delete_supervisors(webex, &ids).await)
        })
        .await?;
        Ok(Some(DeleteSupervisorsPayload {
            deleted_supervisor_ids: ids
                .iter()
                .map(|id| GlobalId::new(NodeType::Supervisor, Vendor::Webex, id).encode())
                .collect(),
        }))
    }
}

/// Assigns or unassigns agents (safe to repeat, so a retry after an unknown outcome
/// simply writes again).
async fn change(
    ctx: &Context<'_>,
    input: SupervisorAgentsInput,
    idempotency_key: Option<IdempotencyKey>,
    how: AgentChange,
) -> ApiResult<SupervisorPayload> {
    let supervisor = supervisor_id("input.supervisorId", &input.supervisor_id)?;
    let agents = id_list(
        "input.agentIds",
        &input.agent_ids,
        MAX_AGENTS_PER_CHANGE,
        agent_id,
    )?;
    let webex = loaders(ctx)?.webex()?;
    let statuses = idempotency::once(ctx, idempotency_key.as_ref(), async |_| {
        Ok(webex_loaders::change_agents(webex, &supervisor, &agents, how, input.has_cx_essentials).await?)
    })
    .await?;
    payload(ctx, &supervisor, input.has_cx_essentials, &agents, statuses).await
}

/// A `NOT_ASSIGNED` status for each of `agents` the supervisor `detail` does not hold:
/// the outcome of a create found after the fact.
fn not_held(detail: &webex::SupervisorDetail, agents: &[String]) -> Vec<AgentStatus> {
    agents
        .iter()
        .filter(|sent| {
            let uuid = uuid_of(sent);
            !detail
                .agents
                .iter()
                .any(|held| uuid.is_some() && uuid_of(&held.id) == uuid)
        })
        .map(|sent| AgentStatus {
            id: sent.clone(),
            status: "NOT_ASSIGNED".to_owned(),
            message: Some(
                "not among the supervisor's agents after a create whose answer was lost".to_owned(),
            ),
        })
        .collect()
}

/// The supervisor as it is after a write, and one outcome per agent: Webex's status
/// where it reported one (matched by the UUID inside the ids), `SUCCESS` otherwise.
/// When reading the supervisor back fails, the outcomes still arrive, with the
/// supervisor null and the read's error in `errors`.
async fn payload(
    ctx: &Context<'_>,
    supervisor: &str,
    has_cx_essentials: Option<bool>,
    sent: &[String],
    statuses: Vec<AgentStatus>,
) -> ApiResult<SupervisorPayload> {
    let read = loaders(ctx)?
        .webex()?
        .fetch_one(SupervisorById {
            id: supervisor.to_owned(),
            has_cx_essentials,
        })
        .await;
    // The write happened: a failed read-back must not hide its outcomes (nor invite a
    // second create). They arrive with `supervisor: null` and the read's error beside.
    let detail = read.unwrap_or_else(|e| {
        let error: async_graphql::Error = ApiError::from(e).into();
        ctx.add_error(error.into_server_error(ctx.item.pos));
        None
    });
    let known = |id: &str| -> webex::Agent {
        let uuid = uuid_of(id);
        detail
            .as_ref()
            .and_then(|d| d.agents.iter().find(|a| uuid.is_some() && uuid_of(&a.id) == uuid))
            .cloned()
            .unwrap_or_else(|| webex::Agent::bare(id))
    };
    let mut outcomes = Vec::with_capacity(sent.len().max(statuses.len()));
    let mut reported = vec![false; sent.len()];
    for status in &statuses {
        let uuid = uuid_of(&status.id);
        let matched = sent.iter().position(|s| uuid.is_some() && uuid_of(s) == uuid);
        if let Some(i) = matched {
            reported[i] = true;
        }
        let agent = matched.map(|i| Agent::new(known(&sent[i])));
        outcomes.push(SupervisorAgentOutcome {
            agent_id: agent.as_ref().map(Agent::global_id),
            agent,
            vendor_agent_id: status.id.clone(),
            status: status.status.clone(),
            message: status.message.clone(),
            succeeded: false,
        });
    }
    for (id, _) in sent.iter().zip(&reported).filter(|(_, r)| !**r) {
        let agent = Agent::new(known(id));
        outcomes.push(SupervisorAgentOutcome {
            agent_id: Some(agent.global_id()),
            agent: Some(agent),
            vendor_agent_id: id.clone(),
            status: "SUCCESS".to_owned(),
            message: None,
            succeeded: true,
        });
    }
    Ok(SupervisorPayload {
        supervisor: detail
            .map(|d| Supervisor::new(WebexSupervisor::from_detail(supervisor, d, has_cx_essentials))),
        complete: statuses.is_empty(),
        outcomes,
    })
}
