//! Single-object lookups: one function per kind of object and vendor, used by `node`,
//! `nodes` and the roots' own lookups (`team`, `user`, `supervisor`, `aiccAgent`), so
//! they all follow one rule for what is missing:
//!
//! - a malformed id (not the vendor's shape) is `BAD_USER_INPUT` naming `field`, before
//!   any vendor call (the id, once checked, is passed on as the vendor gave it);
//! - an object that does not exist is `None`: the field is null, without an error;
//! - a failure (the vendor down, rate-limited, refusing) is an error, with
//!   `extensions.vendor`.

use async_graphql::Context;

use super::{
    context::loaders,
    error::ApiResult,
    types::{
        Agent, SkillQueue, Supervisor, Team, User, supervisor_vonage::VonageSupervisor,
        supervisor_webex::WebexSupervisor,
    },
    validate,
};
use crate::{
    loaders::{
        Fetch,
        dixa::{AgentById, TeamById},
        huawei::{AgentByAccount, SkillById},
        vonage::UserById,
        webex::{AvailableAgents, SupervisorById},
    },
    vendors::{
        vonage,
        webex::ids::{PEOPLE, uuid_of},
    },
};

/// A Dixa team by its Dixa id (a UUID).
pub async fn dixa_team(ctx: &Context<'_>, field: &str, team_id: &str) -> ApiResult<Option<Team>> {
    validate::uuid(field, team_id)?;
    Ok(loaders(ctx)?
        .dixa()?
        .fetch_one(TeamById(team_id.to_owned()))
        .await?
        .map(Team::new))
}

/// A Dixa agent by its Dixa id (a UUID).
pub async fn dixa_agent(ctx: &Context<'_>, field: &str, agent_id: &str) -> ApiResult<Option<Agent>> {
    validate::uuid(field, agent_id)?;
    Ok(loaders(ctx)?
        .dixa()?
        .fetch_one(AgentById(agent_id.to_owned()))
        .await?
        .map(Agent::new))
}

/// A Webex supervisor by its Webex (person) id, read with `has_cx_essentials` (Webex
/// needs `true` to show one with a CX Essentials licence; when not given, Basic is
/// asked first, then CX Essentials).
pub async fn webex_supervisor(
    ctx: &Context<'_>,
    field: &str,
    person_id: &str,
    has_cx_essentials: Option<bool>,
) -> ApiResult<Option<Supervisor>> {
    let webex_id = validate::webex_id(field, person_id, &[PEOPLE])?;
    let detail = loaders(ctx)?
        .webex()?
        .fetch_one(SupervisorById {
            id: webex_id.clone(),
            has_cx_essentials,
        })
        .await?;
    Ok(detail.map(|d| Supervisor::new(WebexSupervisor::from_detail(&webex_id, d, has_cx_essentials))))
}

/// A Webex agent (person, workspace or virtual line) by its Webex id. Webex has no
/// single-agent read: the agent is found among the organisation's agents (one cached
/// list per tenant).
pub async fn webex_agent(ctx: &Context<'_>, field: &str, agent_id: &str) -> ApiResult<Option<Agent>> {
    validate::webex_id(field, agent_id, validate::WEBEX_AGENT_KINDS)?;
    let wanted = uuid_of(agent_id);
    let all = loaders(ctx)?
        .webex()?
        .fetch_one(AvailableAgents(Default::default()))
        .await?;
    Ok(all.and_then(|all| {
        all.iter()
            .find(|a| wanted.is_some() && uuid_of(&a.id) == wanted)
            .cloned()
            .map(Agent::new)
    }))
}

/// A Huawei AICC agent account by its `userAccount`.
pub async fn aicc_agent(ctx: &Context<'_>, field: &str, account: &str) -> ApiResult<Option<Agent>> {
    let account = validate::aicc_account(field, account)?;
    Ok(loaders(ctx)?
        .huawei()?
        .fetch_one(AgentByAccount(account))
        .await?
        .map(Agent::new))
}

/// A Huawei AICC skill queue by its `skillId`.
pub async fn skill_queue(ctx: &Context<'_>, field: &str, skill_id: &str) -> ApiResult<Option<SkillQueue>> {
    let skill_id = validate::skill_queue_id(field, skill_id)?;
    Ok(loaders(ctx)?
        .huawei()?
        .fetch_one(SkillById(skill_id))
        .await?
        .map(SkillQueue::new))
}

/// A Vonage user record by its Vonage id (a UUID).
async fn vonage_record(ctx: &Context<'_>, field: &str, user_id: &str) -> ApiResult<Option<vonage::User>> {
    validate::uuid(field, user_id)?;
    Ok(loaders(ctx)?
        .vonage()?
        .fetch_one(UserById(user_id.to_owned()))
        .await?)
}

/// A Vonage user by its Vonage id.
pub async fn vonage_user(ctx: &Context<'_>, field: &str, user_id: &str) -> ApiResult<Option<User>> {
    Ok(vonage_record(ctx, field, user_id).await?.map(User::new))
}

/// A Vonage user acting as an agent, by its Vonage id; `None` for a user who does not.
pub async fn vonage_agent(ctx: &Context<'_>, field: &str, user_id: &str) -> ApiResult<Option<Agent>> {
    Ok(vonage_record(ctx, field, user_id)
        .await?
        .filter(|u| u.acts_as_agent())
        .map(Agent::new))
}

/// A Vonage user whose role is Supervisor, by its Vonage id; `None` for another role.
pub async fn vonage_supervisor(
    ctx: &Context<'_>,
    field: &str,
    user_id: &str,
) -> ApiResult<Option<Supervisor>> {
    Ok(vonage_record(ctx, field, user_id)
        .await?
        .and_then(VonageSupervisor::of)
        .map(Supervisor::new))
}
