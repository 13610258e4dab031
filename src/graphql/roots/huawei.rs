//! Huawei AICC's part of the graph: one agent account by account (the list is the
//! vendor-neutral `agents`, with [`AiccAgentFilter`]), skill queues, and the agent
//! account mutations. Every input is checked against the seed's
//! rules before any vendor call; each failure names its field.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use crate::{
    graphql::{
        connection::{self, ListConnection, PageRequest},
        context::loaders,
        error::{ApiError, ApiResult},
        id::{GlobalId, NodeType},
        idempotency::{self, IdempotencyKey},
        lookup,
        types::{Agent, SkillQueue, agent_aicc::AiccRole, password::Password, skill_queue::AiccMediaType},
        validate,
    },
    loaders::{
        Fetch,
        huawei::{self as huawei_loaders, AgentByAccount, SkillsPage},
    },
    vendors::{
        Vendor,
        huawei::{
            AgentAccount, AgentAccountChange, AgentSkill, MAX_SKILL_LIMIT, NewAgentAccount, SkillFilter,
        },
    },
};

/// Most skills one agent input may name.
pub const MAX_SKILLS: usize = 100;
/// Longest skill queue name filter.
pub const MAX_QUEUE_NAME: usize = 100;

/// Huawei AICC's own agent filters, sent to AICC (`agents(filter: {aicc: …})`).
#[derive(Debug, Default, InputObject)]
pub struct AiccAgentFilter {
    /// Only agents of these types (AICC's `agentType`; every type when absent or empty).
    pub agent_types: Option<Vec<AiccMediaType>>,
}

impl AiccAgentFilter {
    /// AICC's codes of the types asked for, sorted, without repeats (empty: all).
    pub fn codes(&self) -> Vec<i32> {
        let mut types: Vec<i32> = self.agent_types.iter().flatten().map(|t| t.code()).collect();
        types.sort_unstable();
        types.dedup();
        types
    }
}

/// AICC queries (AICC's agent accounts are listed by the vendor-neutral `agents`).
#[derive(Default)]
pub struct HuaweiQuery;

#[Object]
impl HuaweiQuery {
    /// One Huawei AICC agent account by its account name; null, without an error, when
    /// there is none. A malformed account is `BAD_USER_INPUT`; a vendor failure is an
    /// error.
    async fn aicc_agent(&self, ctx: &Context<'_>, account: String) -> ApiResult<Option<Agent>> {
        lookup::aicc_agent(ctx, "account", &account).await
    }

    /// Huawei AICC skill queues, optionally by name (contains) and media type.
    async fn skill_queues(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        name: Option<String>,
        media_type: Option<AiccMediaType>,
    ) -> ApiResult<Option<ListConnection<SkillQueue>>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        if page.limit > MAX_SKILL_LIMIT as usize {
            return Err(ApiError::bad_input(
                "first",
                format!("must be at most {MAX_SKILL_LIMIT} for skill queues"),
            ));
        }
        let name = name
            .map(|n| validate::name("name", &n, MAX_QUEUE_NAME))
            .transpose()?;
        let huawei = loaders(ctx)?.huawei()?;
        if page.limit == 0 {
            return Ok(Some(connection::from_page(Vec::new(), page.offset, false, None)));
        }
        let filter = SkillFilter {
            name,
            media_type_id: media_type.map(AiccMediaType::code),
            skill_ids: None,
            offset: u32::try_from(page.offset)
                .map_err(|_| ApiError::bad_input("after", "is out of range"))?,
            limit: page.limit as u32,
        };
        let result = huawei.fetch_one(SkillsPage(filter)).await?.unwrap_or_default();
        let has_next = match result.total {
            Some(t) => (page.offset.saturating_add(page.limit) as u64) < t,
            None => result.skills.len() >= page.limit,
        };
        let nodes = result.skills.iter().cloned().map(SkillQueue::new).collect();
        Ok(Some(connection::from_page(
            nodes,
            page.offset,
            has_next,
            result.total.map(|t| t as usize),
        )))
    }
}

/// One skill to give an agent.
#[derive(InputObject)]
#[graphql(name = "AiccSkillInput")]
pub struct AiccSkillInput {
    /// The skill queue's global id; its media type must be the agent's type.
    pub skill_queue_id: ID,
    /// Agent weight, at least 1 (a larger weight means a higher priority).
    #[graphql(default = 1)]
    pub agent_weight: i32,
    /// Skill queue weight, at least 1.
    #[graphql(default = 1)]
    pub skill_weight: i32,
}

/// Input of `createAgentAccount`.
#[derive(InputObject)]
pub struct CreateAgentAccountInput {
    /// The account: 6 to 50 letters, digits or `@.-_`.
    pub account: String,
    /// The agent's name: at most 20 characters, none of `"[]'&()=;<>,`.
    pub name: String,
    /// The initial password: at least 8 characters with upper- and lower-case letters,
    /// digits and special characters. Never returned.
    pub password: Password,
    /// Email address (local part at most 64 characters, domain at most 255).
    pub email: String,
    /// The media the agent handles.
    pub agent_type: AiccMediaType,
    /// The agent's role.
    pub role: AiccRole,
    /// Skills; each queue's media type must be `agentType`.
    #[graphql(default)]
    pub skills: Vec<AiccSkillInput>,
    /// Phone number, at most 25 characters.
    pub phone: Option<String>,
}

/// Input of `updateAgentAccount`: fields left out stay as they are.
#[derive(InputObject)]
pub struct UpdateAgentAccountInput {
    /// The account to change.
    pub account: String,
    /// A new name.
    pub name: Option<String>,
    /// A new email address.
    pub email: Option<String>,
    /// A new phone number; an empty string removes it.
    pub phone: Option<String>,
    /// A new agent type.
    pub agent_type: Option<AiccMediaType>,
    /// A new role.
    pub role: Option<AiccRole>,
    /// The new skills, replacing the current ones.
    pub skills: Option<Vec<AiccSkillInput>>,
    /// The current password, to change it (with `newPassword`).
    pub old_password: Option<Password>,
    /// The new password (with `oldPassword`).
    pub new_password: Option<Password>,
}

/// Input of `deleteAgentAccount`.
#[derive(InputObject)]
pub struct DeleteAgentAccountInput {
    /// The account to delete.
    pub account: String,
}

/// A created agent account.
#[derive(SimpleObject)]
pub struct CreateAgentAccountPayload {
    /// The new agent.
    pub agent: Agent,
    /// The work number AICC handed out.
    pub work_no: Option<i32>,
}

/// An agent account after a change.
#[derive(SimpleObject)]
pub struct UpdateAgentAccountPayload {
    /// The agent as it is now.
    pub agent: Agent,
}

/// What `deleteAgentAccount` removed.
#[derive(SimpleObject)]
pub struct DeleteAgentAccountPayload {
    /// The global id of the deleted agent.
    pub deleted_agent_id: ID,
    /// The deleted account.
    pub account: String,
}

/// AICC mutations.
#[derive(Default)]
pub struct HuaweiMutation;

#[Object]
impl HuaweiMutation {
    /// Creates a Huawei AICC agent account. Never retried by Switchboard; with an
    /// `idempotencyKey`, a retry after `VENDOR_OUTCOME_UNKNOWN` first looks the account up.
    async fn create_agent_account(
        &self,
        ctx: &Context<'_>,
        input: CreateAgentAccountInput,
        idempotency_key: Option<IdempotencyKey>,
    ) -> ApiResult<Option<CreateAgentAccountPayload>> {
        let account = NewAgentAccount {
            user_account: validate::aicc_account("input.account", &input.account)?,
            user_name: rules::agent_name("input.name", &input.name)?,
            password: rules::password("input.password", &input.password)?,
            email: rules::email("input.email", &input.email)?,
            agent_type: input.agent_type.code(),
            cc_role_id: input.role.code(),
            skills: rules::skills("input.skills", &input.skills)?,
            phone: input
                .phone
                .as_deref()
                .map(|p| rules::phone("input.phone", p))
                .transpose()?
                .filter(|p| !p.is_empty()),
        };
        let huawei = loaders(ctx)?.huawei()?;
        let record = idempotency::once(ctx, idempotency_key.as_ref(), async |attempt| {
            if attempt.after_unknown_outcome
                && let Some(found) = huawei_loaders::find_agent(huawei, &account.user_account).await?
            {
                return Ok(found);
            }
            let work_no = huawei_loaders::create_agent(huawei, &account).await?;
            Ok(created_account(&account, work_no))
        })
        .await?;
        Ok(Some(CreateAgentAccountPayload {
            work_no: record.work_no.and_then(|n| i32::try_from(n).ok()),
            agent: Agent::new(record),
        }))
    }

    /// Changes a Huawei AICC agent account.
    async fn update_agent_account(
        &self,
        ctx: &Context<'_>,
        input: UpdateAgentAccountInput,
        idempotency_key: Option<IdempotencyKey>,
    ) -> ApiResult<Option<UpdateAgentAccountPayload>> {
        let password = match (&input.old_password, &input.new_password) {
            (None, None) => None,
            (Some(old), Some(new)) => {
                if old.expose().is_empty() {
                    return Err(ApiError::bad_input("input.oldPassword", "must not be empty"));
                }
                let new = rules::password("input.newPassword", new)?;
                Some((old.secret(), new))
            }
            (Some(_), None) => {
                return Err(ApiError::bad_input(
                    "input.newPassword",
                    "is required with oldPassword",
                ));
            }
            (None, Some(_)) => {
                return Err(ApiError::bad_input(
                    "input.oldPassword",
                    "is required with newPassword",
                ));
            }
        };
        let change = AgentAccountChange {
            user_account: validate::aicc_account("input.account", &input.account)?,
            user_name: input
                .name
                .as_deref()
                .map(|n| rules::agent_name("input.name", n))
                .transpose()?,
            email: input
                .email
                .as_deref()
                .map(|e| rules::email("input.email", e))
                .transpose()?,
            phone: input
                .phone
                .as_deref()
                .map(|p| rules::phone("input.phone", p))
                .transpose()?,
            agent_type: input.agent_type.map(AiccMediaType::code),
            cc_role_id: input.role.map(AiccRole::code),
            skills: input
                .skills
                .as_deref()
                .map(|s| rules::skills("input.skills", s))
                .transpose()?,
            password,
        };
        let nothing = change.user_name.is_none()
            && change.email.is_none()
            && change.phone.is_none()
            && change.agent_type.is_none()
            && change.cc_role_id.is_none()
            && change.skills.is_none()
            && change.password.is_none();
        if nothing {
            return Err(ApiError::bad_input("input", "must change at least one field"));
        }
        let huawei = loaders(ctx)?.huawei()?;
        let agent = idempotency::once(ctx, idempotency_key.as_ref(), async |_| {
            huawei_loaders::update_agent(huawei, &change).await?;
            huawei
                .fetch_one(AgentByAccount(change.user_account.clone()))
                .await?
                .ok_or_else(|| ApiError::not_found("agent account"))
        })
        .await?;
        Ok(Some(UpdateAgentAccountPayload {
            agent: Agent::new(agent),
        }))
    }

    /// Deletes a Huawei AICC agent account.
    async fn delete_agent_account(
        &self,
        ctx: &Context<'_>,
        input: DeleteAgentAccountInput,
        idempotency_key: Option<IdempotencyKey>,
    ) -> ApiResult<Option<DeleteAgentAccountPayload>> {
        let account = validate::aicc_account("input.account", &input.account)?;
        let huawei = loaders(ctx)?.huawei()?;
        idempotency::once(ctx, idempotency_key.as_ref(), async |attempt| {
            attempt.deleted(huawei_loaders::delete_agent(huawei, &account).await)
        })
        .await?;
        Ok(Some(DeleteAgentAccountPayload {
            deleted_agent_id: GlobalId::new(NodeType::Agent, Vendor::HuaweiAicc, &account).encode(),
            account,
        }))
    }
}

/// The account AICC holds after creating `account`, with the work number it handed out.
fn created_account(account: &NewAgentAccount, work_no: Option<i64>) -> AgentAccount {
    AgentAccount {
        user_account: account.user_account.clone(),
        user_name: Some(account.user_name.clone()),
        phone: account.phone.clone(),
        email: Some(account.email.clone()),
        agent_type: Some(account.agent_type),
        cc_role_id: Some(account.cc_role_id),
        sip_account: None,
        work_no,
        skills: account
            .skills
            .iter()
            .map(|s| AgentSkill {
                skill_id: s.skill_id,
                agent_weight: Some(s.agent_weight),
                skill_weight: Some(s.skill_weight),
            })
            .collect(),
    }
}

/// The seed's input rules for AICC agent accounts.
pub mod rules {
    use secrecy::SecretString;

    use super::{AiccSkillInput, MAX_SKILLS};
    use crate::{
        graphql::{
            error::{ApiError, ApiResult},
            id::NodeType,
            types::password::Password,
            validate,
        },
        vendors::{Vendor, huawei::SkillAssignment},
    };

    /// Characters an agent name must not contain.
    pub const NAME_FORBIDDEN: &str = "\"[]'&()=;<>,";
    /// The special characters of the default password rule group. The documentation's
    /// table shows `¦` where a `|` would end its cell: both are accepted.
    pub const PASSWORD_SPECIALS: &str = "~`!@#$%^*()-+_=\\|¦,./<>?;':\"[]{}&";
    /// Longest password accepted (the vendor documents none; this bounds the input).
    pub const MAX_PASSWORD: usize = 128;

    /// `userName`: 1 to 20 characters without `"[]'&()=;<>,`.
    pub fn agent_name(field: &str, raw: &str) -> ApiResult<String> {
        let name = validate::name(field, raw, 20)?;
        if let Some(c) = name.chars().find(|c| NAME_FORBIDDEN.contains(*c)) {
            return Err(ApiError::bad_input(
                field,
                format!("must not contain {c:?} (none of \"[]'&()=;<>, is allowed)"),
            ));
        }
        Ok(name)
    }

    /// The default password rule group: at least 8 characters, with upper- and
    /// lower-case letters, digits and special characters. The message never shows the
    /// password.
    pub fn password(field: &str, raw: &Password) -> ApiResult<SecretString> {
        let p = raw.expose();
        let len = p.chars().count();
        if len < 8 {
            return Err(ApiError::bad_input(field, "must be at least 8 characters"));
        }
        if len > MAX_PASSWORD {
            return Err(ApiError::bad_input(
                field,
                format!("must be at most {MAX_PASSWORD} characters"),
            ));
        }
        if !p
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || PASSWORD_SPECIALS.contains(c))
        {
            return Err(ApiError::bad_input(
                field,
                format!("may contain only letters, digits and the special characters {PASSWORD_SPECIALS}"),
            ));
        }
        let kinds = [
            (p.chars().any(|c| c.is_ascii_uppercase()), "an upper-case letter"),
            (p.chars().any(|c| c.is_ascii_lowercase()), "a lower-case letter"),
            (p.chars().any(|c| c.is_ascii_digit()), "a digit"),
            (
                p.chars().any(|c| PASSWORD_SPECIALS.contains(c)),
                "a special character",
            ),
        ];
        if let Some((_, missing)) = kinds.iter().find(|(present, _)| !present) {
            return Err(ApiError::bad_input(field, format!("must contain {missing}")));
        }
        Ok(raw.secret())
    }

    /// An email address: `local@domain`, local part at most 64 characters, domain at
    /// most 255 with labels of at most 63.
    pub fn email(field: &str, raw: &str) -> ApiResult<String> {
        let bad = |why: &str| Err(ApiError::bad_input(field, why.to_owned()));
        let Some((local, domain)) = raw.rsplit_once('@') else {
            return bad("must be an email address (local@domain)");
        };
        if local.is_empty() || local.len() > 64 {
            return bad("must have a local part of 1 to 64 characters");
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return bad(
                "must not have a local part starting or ending with a dot, or with two dots in a row",
            );
        }
        if !local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
        {
            return bad("has a character not allowed in the local part");
        }
        if domain.is_empty() || domain.len() > 255 {
            return bad("must have a domain of 1 to 255 characters");
        }
        for label in domain.split('.') {
            if label.is_empty() || label.len() > 63 {
                return bad("must have domain labels of 1 to 63 characters");
            }
            if label.starts_with('-')
                || label.ends_with('-')
                || !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            {
                return bad("must have domain labels of letters, digits and inner hyphens");
            }
        }
        Ok(raw.to_owned())
    }

    /// A phone number: at most 25 characters, no control characters.
    pub fn phone(field: &str, raw: &str) -> ApiResult<String> {
        let len = raw.chars().count();
        if len > 25 {
            return Err(ApiError::bad_input(
                field,
                format!("must be at most 25 characters (got {len})"),
            ));
        }
        if raw.chars().any(char::is_control) {
            return Err(ApiError::bad_input(field, "must not contain control characters"));
        }
        Ok(raw.trim().to_owned())
    }

    /// A weight: at least 1.
    pub fn weight(field: &str, value: i32) -> ApiResult<i32> {
        if value < 1 {
            return Err(ApiError::bad_input(
                field,
                format!("must be at least 1 (got {value})"),
            ));
        }
        Ok(value)
    }

    /// Skills: at most 100, each naming a skill queue once, weights at least 1.
    pub fn skills(field: &str, raw: &[AiccSkillInput]) -> ApiResult<Vec<SkillAssignment>> {
        if raw.len() > MAX_SKILLS {
            return Err(ApiError::bad_input(
                field,
                format!("must name at most {MAX_SKILLS} skills"),
            ));
        }
        let mut out: Vec<SkillAssignment> = Vec::with_capacity(raw.len());
        for (i, s) in raw.iter().enumerate() {
            let id_field = format!("{field}[{i}].skillQueueId");
            let vendor_id = validate::node_id(
                &id_field,
                &s.skill_queue_id,
                NodeType::SkillQueue,
                Vendor::HuaweiAicc,
            )?;
            let skill_id = validate::skill_queue_id(&id_field, &vendor_id)?;
            if out.iter().any(|o| o.skill_id == skill_id) {
                return Err(ApiError::bad_input(
                    &id_field,
                    "names a skill queue already given",
                ));
            }
            out.push(SkillAssignment {
                skill_id,
                agent_weight: weight(&format!("{field}[{i}].agentWeight"), s.agent_weight)?,
                skill_weight: weight(&format!("{field}[{i}].skillWeight"), s.skill_weight)?,
            });
        }
        Ok(out)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn names_and_phones() {
            assert!(agent_name("f", "Ava Thompson").is_ok());
            assert!(agent_name("f", "Ava <admin>").is_err());
            assert!(agent_name("f", &"x".repeat(21)).is_err());
            assert!(phone("f", &"1".repeat(25)).is_ok());
            assert!(phone("f", &"1".repeat(26)).is_err());
            assert!(weight("f", 0).is_err());
        }

        #[test]
        fn passwords_follow_the_rule_group_and_are_never_echoed() {
            assert!(password("f", &Password::new("Te$t1234")).is_ok());
            for bad in [
                "Te$t12",
                "te$t1234",
                "TE$T1234",
                "Test1234",
                "Te$tabcd",
                "Te$t 1234",
            ] {
                let err = password("f", &Password::new(bad)).unwrap_err();
                assert_eq!(err.field.as_deref(), Some("f"));
                assert!(!err.message.contains(bad), "{}", err.message);
            }
        }

        #[test]
        fn emails_follow_the_length_rules() {
            assert!(email("f", "t.x@example.com").is_ok());
            assert!(email("f", &format!("{}@example.com", "a".repeat(64))).is_ok());
            assert!(email("f", &format!("{}@example.com", "a".repeat(65))).is_err());
            assert!(email("f", &format!("a@{}.com", "b".repeat(64))).is_err());
            let long_domain = vec!["abcdefghi"; 26].join(".");
            assert!(long_domain.len() > 255);
            assert!(email("f", &format!("a@{long_domain}")).is_err());
            assert!(email("f", "no-at-sign").is_err());
            assert!(email("f", "a..b@example.com").is_err());
        }
    }
}
