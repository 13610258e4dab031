//! Vonage Contact Center's part of the graph: users, and the user mutations (Vonage
//! supervisors are listed by the vendor-neutral `supervisors`).

use async_graphql::{Context, Enum, ID, Object, SimpleObject};

use super::vonage_input::{self as input, CreateUserInput, UpdateUserInput, UserIdInput};
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
    loaders::vonage::{self as vonage_loaders, AllUsers},
    vendors::{
        Vendor,
        vonage::{Include, UserBody},
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

/// User queries.
#[derive(Default)]
pub struct VonageQuery;

#[Object]
impl VonageQuery {
    /// Vonage Contact Center users.
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] include: UserInclude,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Option<ListConnection<User>>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        connection::page_of(loaders(ctx)?.vonage()?, AllUsers(include.into()), page, |u| {
            User::new(u.clone())
        })
        .await
        .map(Some)
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
