//! `Person`: one person as another subgraph may know them, by email alone. A federation
//! entity keyed by `email` (`@key(fields: "email")`), so a subgraph that only has an
//! email (a CRM's ticket requester, say) can join the person's agent accounts on every
//! vendor and their Vonage user. Accounts belong to a person when their emails match as
//! `linkedAgents` matches them (see `people::normalise_email`).

use async_graphql::{Context, Object};

use super::{Agent, User};
use crate::graphql::{error::ApiResult, people};

/// One person, known by email.
#[derive(Debug, Clone)]
pub struct Person {
    /// The email as the key gave it (a key's value must come back as it was sent).
    email: String,
    /// The email accounts are matched on.
    normalised: String,
}

impl Person {
    /// The person with `email`; `None` when nothing is left of it once normalised.
    pub fn with_email(email: &str) -> Option<Self> {
        people::normalise_email(email).map(|normalised| Self {
            email: email.to_owned(),
            normalised,
        })
    }
}

/// One person, known by email: their agent accounts on every vendor and their Vonage
/// user.
#[Object]
impl Person {
    /// The email, as the key gave it. Accounts are matched on its normalised form
    /// (trimmed, lower-cased, without a plus-address tag).
    async fn email(&self) -> &str {
        &self.email
    }

    /// The person's agent accounts on every configured vendor (emails matched as
    /// `linkedAgents` matches them), in the vendor-neutral order; empty when there is
    /// none. A vendor that fails is left out, its error beside the answer.
    async fn agents(&self, ctx: &Context<'_>) -> ApiResult<Vec<Agent>> {
        people::linked_agents(ctx, None, Some(&self.normalised)).await
    }

    /// The person's active Vonage user; null when there is none.
    async fn user(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        people::vonage_user_with_email(ctx, &self.normalised).await
    }
}
