//! The real Huawei AICC client and its AK/SK token source.

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use http::{HeaderName, HeaderValue, Method};
use secrecy::{ExposeSecret, SecretString};
use serde::{Serialize, de::DeserializeOwned};

use super::{
    AgentAccountChange, AgentPage, HuaweiApi, NewAgentAccount, SkillAssignment, SkillFilter, SkillPage,
    wire::{self, AgentAccount, Envelope},
};
use crate::vendors::{
    Vendor, VendorError, VendorErrorKind,
    exchange::{self, Dialect},
    http::{Call, Idempotency, Reply, VendorHttp},
    token::{Token, TokenCache, TokenSource},
};

const VENDOR: Vendor = Vendor::HuaweiAicc;
/// The AK/SK token exchange.
pub const TOKEN_PATH: &str = "/apigovernance/api/oauth/tokenByAkSk";
/// Where every cc-management operation lives.
pub const API_PREFIX: &str = "/apiaccess/rest/cc-management/v1";

fn x_app_key() -> HeaderName {
    HeaderName::from_static("x-app-key")
}

/// Issues tokens by exchanging the AK/SK at `tokenByAkSk`.
pub struct AkSkTokenSource {
    http: VendorHttp,
    app_key: SecretString,
    app_secret: SecretString,
    lifetime: Duration,
}

impl AkSkTokenSource {
    /// A source asking for tokens that live `lifetime` (at most an hour).
    pub fn new(
        http: VendorHttp,
        app_key: SecretString,
        app_secret: SecretString,
        lifetime: Duration,
    ) -> Self {
        Self {
            http,
            app_key,
            app_secret,
            lifetime: lifetime.min(Duration::from_secs(3600)),
        }
    }
}

#[async_trait]
impl TokenSource for AkSkTokenSource {
    async fn fetch(&self) -> Result<Token, VendorError> {
        let call = Call::new(Method::POST, TOKEN_PATH, TOKEN_PATH)
            .header(
                HeaderName::from_static("x-token-expire"),
                HeaderValue::from(self.lifetime.as_secs()),
            )
            .json(&wire::TokenRequest {
                app_key: self.app_key.expose_secret(),
                app_secret: self.app_secret.expose_secret(),
            })
            // Asking for a token changes nothing: safe to repeat.
            .idempotency(Idempotency::Idempotent);
        let reply = exchange::send::<HuaweiClient>(&self.http, call).await?;
        let token: wire::TokenReply = reply.json(VENDOR)?;
        let Some(value) = token.access_token.filter(|t| !t.is_empty()) else {
            let message = serde_json::from_slice::<Envelope>(&reply.body)
                .ok()
                .and_then(|e| e.message());
            return Err(
                VendorError::new(VENDOR, VendorErrorKind::Unauthorized).with_message(
                    message.or_else(|| Some("the token exchange returned no AccessToken".into())),
                ),
            );
        };
        if let Some(kind) = token.apply_type.as_deref()
            && !kind.eq_ignore_ascii_case("bearer")
        {
            return Err(VendorError::invalid_response(
                VENDOR,
                format!("unsupported token type {kind}"),
            ));
        }
        // Honour a shorter lifetime than asked for; never trust a longer one.
        let lifetime = token
            .expires
            .map(Duration::from_secs)
            .map_or(self.lifetime, |d| d.min(self.lifetime));
        tracing::debug!(vendor = %VENDOR, lifetime_s = lifetime.as_secs(), "issued a new access token");
        Ok(Token::new(SecretString::from(value), lifetime))
    }
}

/// Huawei AICC cc-management over HTTP.
pub struct HuaweiClient {
    http: VendorHttp,
    app_key: SecretString,
    tokens: TokenCache,
}

impl HuaweiClient {
    /// A client for the tenant behind the AK/SK pair; tokens live `lifetime` and are
    /// renewed `margin` before they expire.
    pub fn new(
        http: VendorHttp,
        app_key: SecretString,
        app_secret: SecretString,
        lifetime: Duration,
        margin: Duration,
    ) -> Arc<Self> {
        let source = AkSkTokenSource::new(http.clone(), app_key.clone(), app_secret, lifetime);
        Arc::new(Self {
            http,
            app_key,
            tokens: TokenCache::new(source, margin),
        })
    }

    /// POSTs `body` to the operation `template` (renewing the token once on a 401) and
    /// reads the answer, turning a failure result code into a rejection.
    async fn post<B: Serialize + Sync, T: DeserializeOwned>(
        &self,
        template: &'static str,
        body: &B,
        idempotency: Idempotency,
    ) -> Result<T, VendorError> {
        let call = Call::new(Method::POST, template, format!("{API_PREFIX}{template}"))
            .json(body)
            .idempotency(idempotency);
        let reply = exchange::send_with_token::<Self>(&self.http, &self.tokens, call, |call, token| {
            call.bearer(token)
                .header_secret(x_app_key(), self.app_key.expose_secret())
        })
        .await?;
        let envelope: Envelope = reply.json(VENDOR)?;
        match envelope.code() {
            Some("0") => reply.json(VENDOR),
            Some(code) => {
                let message = envelope
                    .message()
                    .unwrap_or_else(|| format!("result code {code}"));
                tracing::info!(vendor = %VENDOR, path = template, code, "vendor refused the request");
                Err(VendorError::rejected(VENDOR, None, message))
            }
            None => Err(VendorError::invalid_response(
                VENDOR,
                "the answer carries no resultCode",
            )),
        }
    }
}

impl Dialect for HuaweiClient {
    const VENDOR: Vendor = VENDOR;

    /// AICC's error body is its result envelope (`resultCode`/`resultDesc` and the
    /// variants the operations use); its message is taken from there.
    fn error(reply: &Reply) -> VendorError {
        let message = serde_json::from_slice::<Envelope>(&reply.body)
            .ok()
            .and_then(|e| e.message());
        VendorError::from_status(VENDOR, reply.status.as_u16())
            .with_message(message)
            .with_retry_after(reply.retry_after())
    }
}

fn skills_wire(skills: &[SkillAssignment]) -> Vec<wire::AgentSkill> {
    skills
        .iter()
        .map(|s| wire::AgentSkill {
            skill_id: s.skill_id,
            agent_weight: Some(s.agent_weight),
            skill_weight: Some(s.skill_weight),
        })
        .collect()
}

#[async_trait]
impl HuaweiApi for HuaweiClient {
    async fn create_agent(&self, account: &NewAgentAccount) -> Result<Option<i64>, VendorError> {
        let body = wire::CreateAgentBody {
            user_account: &account.user_account,
            user_name: &account.user_name,
            password: account.password.expose_secret(),
            email: &account.email,
            agent_type: account.agent_type,
            cc_role_id: account.cc_role_id,
            skills: skills_wire(&account.skills),
            phone: account.phone.as_deref(),
        };
        let reply: wire::CreateAgentReply = self
            .post("/agentAccount/create", &body, Idempotency::Once)
            .await
            .map_err(|e| e.redacting(&[account.password.expose_secret()]))?;
        Ok(reply.work_no)
    }

    async fn update_agent(&self, change: &AgentAccountChange) -> Result<(), VendorError> {
        let body = wire::UpdateAgentBody {
            user_account: &change.user_account,
            user_name: change.user_name.as_deref(),
            email: change.email.as_deref(),
            phone: change.phone.as_deref(),
            agent_type: change.agent_type,
            cc_role_id: change.cc_role_id,
            skills: change.skills.as_deref().map(skills_wire),
            old_pass_word: change.password.as_ref().map(|(old, _)| old.expose_secret()),
            new_pass_word: change.password.as_ref().map(|(_, new)| new.expose_secret()),
        };
        let passwords = change
            .password
            .as_ref()
            .map_or([""; 2], |(old, new)| [old.expose_secret(), new.expose_secret()]);
        let _: serde_json::Value = self
            .post("/agentAccount/update", &body, Idempotency::Once)
            .await
            .map_err(|e| e.redacting(&passwords))?;
        Ok(())
    }

    async fn delete_agent(&self, user_account: &str) -> Result<(), VendorError> {
        let _: serde_json::Value = self
            .post(
                "/agentAccount/delete",
                &wire::AccountBody { user_account },
                Idempotency::Once,
            )
            .await?;
        Ok(())
    }

    async fn get_agent(&self, user_account: &str) -> Result<AgentAccount, VendorError> {
        let reply: wire::QueryAgentsReply = self
            .post(
                "/agentAccount/query",
                &wire::AccountBody { user_account },
                Idempotency::Idempotent,
            )
            .await?;
        reply
            .data
            .into_iter()
            .find(|a| a.user_account == user_account)
            .ok_or_else(|| VendorError::new(VENDOR, VendorErrorKind::NotFound))
    }

    async fn list_agents(
        &self,
        page_num: u32,
        page_size: u32,
        agent_types: &[i32],
    ) -> Result<AgentPage, VendorError> {
        let body = wire::QueryAgentsBody {
            page_num,
            page_size,
            agent_type: agent_types,
        };
        let reply: wire::QueryAgentsReply = self
            .post("/agentAccount/query", &body, Idempotency::Idempotent)
            .await?;
        Ok(AgentPage {
            agents: reply.data,
            total: reply.total,
        })
    }

    async fn query_skills(&self, filter: &SkillFilter) -> Result<SkillPage, VendorError> {
        let body = wire::QuerySkillsBody {
            name: filter.name.as_deref(),
            media_type_id: filter.media_type_id,
            limit: filter.limit.min(super::MAX_SKILL_LIMIT),
            offset: filter.offset,
            skill_ids: filter.skill_ids.as_deref(),
        };
        let reply: wire::QuerySkillsReply = self
            .post("/skill/querySkills", &body, Idempotency::Idempotent)
            .await?;
        Ok(SkillPage {
            skills: reply.data,
            total: reply.total,
        })
    }
}
