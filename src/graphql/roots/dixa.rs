//! Dixa's part of the graph: teams (with [`TeamFilter`]), and the team mutations.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use super::graph;
use crate::{
    graphql::{
        connection::{self, ListConnection, PageRequest},
        context::loaders,
        error::{ApiError, ApiResult},
        id::NodeType,
        idempotency::{self, IdempotencyKey},
        lookup,
        types::Team,
        validate,
    },
    loaders::{
        Fetch,
        dixa::{self as dixa_loaders, AllTeams, TeamById},
    },
    vendors::{Vendor, dixa},
};

/// Longest team name accepted.
pub const MAX_TEAM_NAME: usize = 100;
/// Most agents one membership change may name.
pub const MAX_MEMBERS_PER_CHANGE: usize = 100;

/// Which teams `teams` lists. Every condition given must hold.
#[derive(Debug, Default, InputObject)]
pub struct TeamFilter {
    /// A case-insensitive substring of the team's name (trimmed, 1 to 100 characters).
    pub search: Option<String>,
}

/// Team queries.
#[derive(Default)]
pub struct DixaQuery;

#[Object]
impl DixaQuery {
    /// Dixa's teams, in Dixa's order, narrowed by `filter`; paged with offset cursors
    /// (keep the filter the same from page to page); `totalCount` counts the teams that
    /// pass the filter.
    async fn teams(
        &self,
        ctx: &Context<'_>,
        filter: Option<TeamFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Option<ListConnection<Team>>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let filter = filter.unwrap_or_default();
        let search = graph::search_text("filter.search", filter.search)?;
        let teams = loaders(ctx)?
            .dixa()?
            .fetch_one(AllTeams)
            .await?
            .unwrap_or_default();
        let passed: Vec<&dixa::Team> = teams
            .iter()
            .filter(|t| graph::found_in(search.as_deref(), [Some(t.name.as_str())]))
            .collect();
        Ok(Some(connection::from_slice(&passed, page, |t| {
            Team::new((*t).clone())
        })))
    }

    /// One team by global id; null, without an error, when it does not exist. A
    /// malformed id is `BAD_USER_INPUT`; a vendor failure is an error.
    async fn team(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Team>> {
        let team_id = validate::node_id("id", &id, NodeType::Team, Vendor::Dixa)?;
        lookup::dixa_team(ctx, "id", &team_id).await
    }
}

/// Input of `createTeam`.
#[derive(InputObject)]
pub struct CreateTeamInput {
    /// The team name: 1 to 100 characters.
    pub name: String,
}

/// Input of `deleteTeam`.
#[derive(InputObject)]
pub struct DeleteTeamInput {
    /// The team's global id.
    pub team_id: ID,
}

/// Input of `addTeamMembers` and `removeTeamMembers`.
#[derive(InputObject)]
pub struct TeamMembersInput {
    /// The team's global id.
    pub team_id: ID,
    /// Global ids of Dixa agents: 1 to 100.
    pub agent_ids: Vec<ID>,
}

/// A team after a change.
#[derive(SimpleObject)]
pub struct TeamPayload {
    /// The team as it is now.
    pub team: Team,
}

/// What `deleteTeam` removed.
#[derive(SimpleObject)]
pub struct DeleteTeamPayload {
    /// The global id of the deleted team.
    pub deleted_team_id: ID,
}

/// Team mutations.
#[derive(Default)]
pub struct DixaMutation;

#[Object]
impl DixaMutation {
    /// Creates a team. With an `idempotencyKey`, a retry after `VENDOR_OUTCOME_UNKNOWN`
    /// first looks for a team of that name.
    async fn create_team(
        &self,
        ctx: &Context<'_>,
        input: CreateTeamInput,
        idempotency_key: Option<IdempotencyKey>,
    ) -> ApiResult<Option<TeamPayload>> {
        let name = validate::name("input.name", &input.name, MAX_TEAM_NAME)?;
        let dixa = loaders(ctx)?.dixa()?;
        let team = idempotency::once(ctx, idempotency_key.as_ref(), async |attempt| {
            if attempt.after_unknown_outcome
                && let Some(team) = dixa_loaders::find_team_named(dixa, &name).await?
            {
                return Ok(team);
            }
            Ok(dixa_loaders::create_team(dixa, &name).await?)
        })
        .await?;
        Ok(Some(TeamPayload {
            team: Team::new(team),
        }))
    }

    /// Deletes a team.
    async fn delete_team(
        &self,
        ctx: &Context<'_>,
        input: DeleteTeamInput,
        idempotency_key: Option<IdempotencyKey>,
    ) -> ApiResult<Option<DeleteTeamPayload>> {
        let team_id = validate::node_id("input.teamId", &input.team_id, NodeType::Team, Vendor::Dixa)?;
        let team_id = validate::uuid("input.teamId", &team_id)?;
        let dixa = loaders(ctx)?.dixa()?;
        idempotency::once(ctx, idempotency_key.as_ref(), async |attempt| {
            attempt.deleted(dixa_loaders::delete_team(dixa, &team_id).await)
        })
        .await?;
        Ok(Some(DeleteTeamPayload {
            deleted_team_id: input.team_id,
        }))
    }

    /// Adds agents to a team.
    async fn add_team_members(
        &self,
        ctx: &Context<'_>,
        input: TeamMembersInput,
        idempotency_key: Option<IdempotencyKey>,
    ) -> ApiResult<Option<TeamPayload>> {
        change_members(ctx, input, idempotency_key, true).await.map(Some)
    }

    /// Removes agents from a team.
    async fn remove_team_members(
        &self,
        ctx: &Context<'_>,
        input: TeamMembersInput,
        idempotency_key: Option<IdempotencyKey>,
    ) -> ApiResult<Option<TeamPayload>> {
        change_members(ctx, input, idempotency_key, false).await.map(Some)
    }
}

/// Adds or removes members (safe to repeat, so a retry after an unknown outcome simply
/// writes again), then reads the team as it is now.
async fn change_members(
    ctx: &Context<'_>,
    input: TeamMembersInput,
    idempotency_key: Option<IdempotencyKey>,
    add: bool,
) -> ApiResult<TeamPayload> {
    let team_id = validate::node_id("input.teamId", &input.team_id, NodeType::Team, Vendor::Dixa)?;
    let team_id = validate::uuid("input.teamId", &team_id)?;
    let agent_ids = validate::node_ids(
        "input.agentIds",
        &input.agent_ids,
        NodeType::Agent,
        Vendor::Dixa,
        MAX_MEMBERS_PER_CHANGE,
        validate::uuid,
    )?;
    let dixa = loaders(ctx)?.dixa()?;
    let team = idempotency::once(ctx, idempotency_key.as_ref(), async |_| {
        dixa_loaders::change_members(dixa, &team_id, &agent_ids, add).await?;
        // The team was just changed: gone now, it is an error, not a null payload.
        dixa.fetch_one(TeamById(team_id.clone()))
            .await?
            .ok_or_else(|| ApiError::not_found("team"))
    })
    .await?;
    Ok(TeamPayload {
        team: Team::new(team),
    })
}
