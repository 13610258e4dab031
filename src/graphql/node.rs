//! The `Node` interface and `node(id)` / `nodes(ids)`: a global id is decoded here and
//! its object found through [`lookup`], the same functions the roots' lookups use, so an
//! object that does not exist is null without an error, and a malformed id is
//! `BAD_USER_INPUT`.

use async_graphql::{Context, ID, Interface, Object};

use super::{
    error::{ApiError, ApiResult},
    id::GlobalId,
    lookup,
    types::{Agent, SkillQueue, Supervisor, Team, User},
};

/// The most ids one `nodes` call may ask for.
const MAX_NODES: usize = 100;

/// An object with a global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The global id."))]
pub enum Node {
    /// An agent account.
    Agent(Agent),
    /// A team.
    Team(Team),
    /// A supervisor.
    Supervisor(Supervisor),
    /// A skill queue.
    SkillQueue(SkillQueue),
    /// A Vonage user.
    User(User),
}

/// `node` and `nodes`.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The object with global id `id`; null, without an error, when it does not exist.
    /// A malformed id is `BAD_USER_INPUT`; a vendor failure is an error.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Node>> {
        let id = GlobalId::decode("id", &id)?;
        resolve(ctx, "id", id).await
    }

    /// The objects with these global ids, in order; null, without an error, where one
    /// does not exist. A malformed id is `BAD_USER_INPUT` naming its index.
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> ApiResult<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(ApiError::bad_input(
                "ids",
                format!("must name at most {MAX_NODES} ids"),
            ));
        }
        let decoded = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let field = format!("ids[{i}]");
                GlobalId::decode(&field, id).map(|id| (field, id))
            })
            .collect::<ApiResult<Vec<_>>>()?;
        let resolved =
            futures::future::join_all(decoded.iter().map(|(field, id)| resolve(ctx, field, id.clone())))
                .await;
        resolved.into_iter().collect()
    }
}

/// The object `id` names, looked up by its vendor (see [`lookup::NODE_LOOKUPS`]);
/// `field` names the id in errors.
pub(crate) async fn resolve(ctx: &Context<'_>, field: &str, id: GlobalId) -> ApiResult<Option<Node>> {
    let found = lookup::NODE_LOOKUPS
        .iter()
        .find(|(vendor, _)| *vendor == id.vendor)
        .and_then(|(_, lookup)| lookup(ctx, field, id.node_type, &id.vendor_id));
    match found {
        Some(found) => found.await,
        None => Err(ApiError::bad_input(
            field,
            format!(
                "is the id of a {} on {}, which Switchboard does not serve",
                id.node_type, id.vendor
            ),
        )),
    }
}
