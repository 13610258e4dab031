//! Vonage Contact Center's part of the graph: users (with [`UserFilter`]), and the user
//! mutations (Vonage supervisors are listed by the vendor-neutral `supervisors`).

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};

use super::{
    graph,
    vonage_input::{self as input, CreateUserInput, UpdateUserInput, UserIdInput},
};
use crate::{
    graphql::{
        connection::{self, ListConnection, PageRequest},
        context::loaders,
        error::{ApiError, ApiResult},
        id::NodeType,
        idempotency::{self, IdempotencyKey},
        lookup,
        types::User,
        validate,
    },
    loaders::{
        Fetch as _,
        vonage::{self as vonage_loaders, AllUsers},
    },
    vendors::{
        Vendor,
        vonage::{Include, UserBody, VonageUser},
    },
};

/// Which users a list holds.
#[derive(Debug, Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum UserInclude {
    /// Active users.
    #[default]
    Active,
    /// Archived users.
    Archived,
    /// Both.
    All,
}

impl From<UserInclude> for Include {
    fn from(i: UserInclude) -> Self {
        match i {
            UserInclude::Active => Include::Active,
            UserInclude::Archived => Include::Archived,
            UserInclude::All => Include::All,
        }
    }
}

/// Which users `users` lists. Every condition given must hold.
#[derive(Debug, Default, InputObject)]
pub struct UserFilter {
    /// Active users (the default), archived ones, or both.
    #[graphql(default)]
    pub include: UserInclude,
    /// A case-insensitive substring of the user's name, username or email (trimmed, 1 to
    /// 100 characters).
    pub search: Option<String>,
    /// Only users whose email matches this one once both are normalised, as in
    /// `AgentFilter.email`: trimmed, lower-cased, and without a plus-address tag
    /// (`local+tag@domain` matches `local@domain`).
    pub email: Option<String>,
}

/// User queries.
#[derive(Default)]
pub struct VonageQuery;

#[Object]
impl VonageQuery {
    /// Vonage Contact Center users (every role), in Vonage's order, narrowed by
    /// `filter` (active users only when no filter is given); paged with offset cursors
    /// (keep the filter the same from page to page); `totalCount` counts the users that
    /// pass the filter.
    async fn users(
        &self,
        ctx: &Context<'_>,
        filter: Option<UserFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Option<ListConnection<User>>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let filter = filter.unwrap_or_default();
        let search = graph::search_text("filter.search", filter.search)?;
        let email = graph::email_filter("filter.email", filter.email)?;
        let users = loaders(ctx)?
            .vonage()?
            .fetch_one(AllUsers(filter.include.into()))
            .await?
            .unwrap_or_default();
        let passed: Vec<&VonageUser> = users
            .iter()
            .filter(|u| {
                graph::found_in(
                    search.as_deref(),
                    [u.name.as_deref(), Some(u.username.as_str()), u.email.as_deref()],
                ) && graph::email_matches(email.as_deref(), u.email.as_deref())
            })
            .collect();
        Ok(Some(connection::from_slice(&passed, page, |u| {
            User::new((*u).clone())
        })))
    }

    /// One Vonage user by global id; null, without an error, when it does not exist. A
    /// malformed id is `BAD_USER_INPUT`; a vendor failure is an error.
    async fn user(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<User>> {
        let user_id = validate::node_id("id", &id, NodeType::User, Vendor::Vonage)?;
        lookup::vonage_user(ctx, "id", &user_id).await
    }
}

/// A user after a change.
#[derive(SimpleObject)]
pub struct UserPayload {
    /// The user as Vonage returned it.
    pub user: User,
}

/// What `deleteUser` removed.
#[derive(SimpleObject)]
pub struct DeleteUserPayload {
    /// The global id of the deleted user.
    pub deleted_user_id: ID,
}

/// User mutations.
#[derive(Default)]
pub struct VonageMutation;

#[Object]
impl VonageMutation {
    /// Creates a user (Vonage `POST /users`). With an `idempotencyKey`, a retry after
    /// `VENDOR_OUTCOME_UNKNOWN` first looks for a user of that username.
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        input: CreateUserInput,
        idempotency_key: Option<IdempotencyKey>,
    ) -> ApiResult<Option<UserPayload>> {
        let body = input::create_body(&input)?;
        let vonage = loaders(ctx)?.vonage()?;
        let user = idempotency::once(ctx, idempotency_key.as_ref(), async |attempt| {
            let username = body.username.as_deref().unwrap_or_default();
            if attempt.after_unknown_outcome
                && let Some(user) = vonage_loaders::find_user_named(vonage, username).await?
            {
                return Ok(user);
            }
            Ok(vonage_loaders::create_user(vonage, &body).await?)
        })
        .await?;
        Ok(Some(UserPayload {
            user: User::new(user),
        }))
    }

    /// Changes a user: only the fields given (Vonage `PATCH /users/{id}`).
    async fn update_user(
        &self,
        ctx: &Context<'_>,
        input: UpdateUserInput,
        idempotency_key: Option<IdempotencyKey>,
    ) -> ApiResult<Option<UserPayload>> {
        let user_id = input::user_id("input.userId", &input.user_id)?;
        let patch = input::update_body(&input)?;
        if input.user_account_configuration.is_some() {
            // A user to change must exist: gone, it is an error.
            let current = lookup::vonage_user(ctx, "input.userId", &user_id)
                .await?
                .ok_or_else(|| ApiError::not_found("user"))?;
            input::check_update_against(current.record(), &input)?;
        }
        patch_user(ctx, &user_id, &patch, idempotency_key).await.map(Some)
    }

    /// Archives a user (`active: false`); only archived users can be deleted.
    async fn archive_user(
        &self,
        ctx: &Context<'_>,
        input: UserIdInput,
        idempotency_key: Option<IdempotencyKey>,
    ) -> ApiResult<Option<UserPayload>> {
        let user_id = input::user_id("input.userId", &input.user_id)?;
        let patch = UserBody {
            active: Some(false),
            ..UserBody::default()
        };
        patch_user(ctx, &user_id, &patch, idempotency_key).await.map(Some)
    }

    /// Deletes an archived user (Vonage refuses an active one).
    async fn delete_user(
        &self,
        ctx: &Context<'_>,
        input: UserIdInput,
        idempotency_key: Option<IdempotencyKey>,
    ) -> ApiResult<Option<DeleteUserPayload>> {
        let user_id = input::user_id("input.userId", &input.user_id)?;
        let vonage = loaders(ctx)?.vonage()?;
        idempotency::once(ctx, idempotency_key.as_ref(), async |attempt| {
            attempt.deleted(vonage_loaders::delete_user(vonage, &user_id).await)
        })
        .await?;
        Ok(Some(DeleteUserPayload {
            deleted_user_id: input.user_id,
        }))
    }
}

/// Patches a user (safe to repeat, so a retry after an unknown outcome simply patches
/// again).
async fn patch_user(
    ctx: &Context<'_>,
    user_id: &str,
    patch: &UserBody,
    idempotency_key: Option<IdempotencyKey>,
) -> ApiResult<UserPayload> {
    let vonage = loaders(ctx)?.vonage()?;
    let user = idempotency::once(ctx, idempotency_key.as_ref(), async |_| {
        Ok(vonage_loaders::update_user(vonage, user_id, patch).await?)
    })
    .await?;
    Ok(UserPayload {
        user: User::new(user),
    })
}
