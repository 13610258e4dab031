//! The real Dixa client.

use std::sync::Arc;

use async_trait::async_trait;
use http::{Method, header};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::{
    DixaApi,
    wire::{self, Agent, Data, ErrorBody, Page, Team, TeamMember, UserPresence},
};
use crate::vendors::{
    Vendor, VendorError,
    exchange::{self, Dialect, PageRule},
    http::{Call, Reply, VendorHttp, segment},
};

/// Dixa over HTTP.
pub struct DixaClient {
    http: VendorHttp,
    token: SecretString,
    page_limit: u32,
}

impl DixaClient {
    /// A client for the organisation behind `token`.
    pub fn new(http: VendorHttp, token: SecretString, page_limit: u32) -> Arc<Self> {
        Arc::new(Self {
            http,
            token,
            page_limit,
        })
    }

    fn authed(&self, call: Call) -> Call {
        // Dixa takes the token raw, without `Bearer`.
        call.header_secret(header::AUTHORIZATION, self.token.expose_secret())
    }

    async fn send(&self, call: Call) -> Result<Reply, VendorError> {
        exchange::send::<Self>(&self.http, self.authed(call)).await
    }

    async fn get_data<T: serde::de::DeserializeOwned>(&self, call: Call) -> Result<T, VendorError> {
        let reply = self.send(call).await?;
        Ok(reply.json::<Data<T>>(Vendor::Dixa)?.data)
    }

    /// Reads every page of a list (see [`PageKeys`]).
    async fn get_all<T: serde::de::DeserializeOwned>(
        &self,
        template: &'static str,
        path: String,
    ) -> Result<Vec<T>, VendorError> {
        let rule = PageKeys {
            page_limit: self.page_limit,
            item: std::marker::PhantomData,
        };
        exchange::walk(
            &self.http,
            "list",
            rule,
            || Call::get(template, path.clone()),
            |call| self.send(call),
        )
        .await
    }
}

/// Dixa's paging: asks with `pageLimit`, then follows `meta.next` by taking only its
/// `pageKey` (never the URL itself, so the token is only ever sent to the configured
/// base URL).
struct PageKeys<T> {
    page_limit: u32,
    item: std::marker::PhantomData<fn() -> T>,
}

impl<T: serde::de::DeserializeOwned> PageRule for PageKeys<T> {
    type Cursor = Option<String>;
    type Item = T;

    fn first(&self) -> Option<String> {
        None
    }

    fn ask(&self, call: Call, at: &Option<String>) -> Call {
        call.query("pageLimit", self.page_limit)
            .query_opt("pageKey", at.as_deref())
    }

    fn read(
        &mut self,
        reply: &Reply,
        at: &Option<String>,
        _seen: usize,
    ) -> Result<exchange::Page<T, Option<String>>, VendorError> {
        let page: Page<T> = reply.json(Vendor::Dixa)?;
        let next = page.meta.and_then(|m| m.next).filter(|n| !n.is_empty());
        let Some(next) = next else {
            return Ok(exchange::Page {
                items: page.data,
                next: None,
            });
        };
        let key = page_key_of(&next)
            .ok_or_else(|| VendorError::invalid_response(Vendor::Dixa, "meta.next holds no pageKey"))?;
        if at.as_deref() == Some(key.as_str()) {
            return Err(VendorError::invalid_response(
                Vendor::Dixa,
                "meta.next repeats the current page",
            ));
        }
        Ok(exchange::Page {
            items: page.data,
            next: Some(Some(key)),
        })
    }
}

fn page_key_of(next: &str) -> Option<String> {
    let url = Url::parse(next)
        .or_else(|_| Url::parse("http://relative.invalid").and_then(|b| b.join(next)))
        .ok()?;
    url.query_pairs()
        .find(|(k, _)| k == "pageKey")
        .map(|(_, v)| v.into_owned())
}

impl Dialect for DixaClient {
    const VENDOR: Vendor = Vendor::Dixa;

    /// Dixa's error body is `{"message": …}`.
    fn error(reply: &Reply) -> VendorError {
        let message = serde_json::from_slice::<ErrorBody>(&reply.body)
            .ok()
            .map(|b| b.message);
        VendorError::from_status(Vendor::Dixa, reply.status.as_u16())
            .with_message(message)
            .with_retry_after(reply.retry_after())
    }
}

#[async_trait]
impl DixaApi for DixaClient {
    async fn list_teams(&self) -> Result<Vec<Team>, VendorError> {
        let page: Page<Team> = self
            .send(Call::get("/teams", "/teams"))
            .await?
            .json(Vendor::Dixa)?;
        Ok(page.data)
    }

    async fn get_team(&self, team_id: &str) -> Result<Team, VendorError> {
        self.get_data(Call::get(
            "/teams/{teamId}",
            format!("/teams/{}", segment(team_id)),
        ))
        .await
    }

    async fn create_team(&self, name: &str) -> Result<Team, VendorError> {
        let call = Call::new(Method::POST, "/teams", "/teams").json(&wire::CreateTeamInput { name });
        self.get_data(call).await
    }

    async fn delete_team(&self, team_id: &str) -> Result<(), VendorError> {
        let call = Call::new(
            Method::DELETE,
            "/teams/{teamId}",
            format!("/teams/{}", segment(team_id)),
        );
        self.send(call).await.map(drop)
    }

    async fn list_team_members(&self, team_id: &str) -> Result<Vec<TeamMember>, VendorError> {
        let call = Call::get(
            "/teams/{teamId}/agents",
            format!("/teams/{}/agents", segment(team_id)),
        );
        let page: Page<TeamMember> = self.send(call).await?.json(Vendor::Dixa)?;
        Ok(page.data)
    }

    async fn add_team_members(&self, team_id: &str, agent_ids: &[String]) -> Result<(), VendorError> {
        // Dixa does not document PATCH as idempotent, so it is never repeated.
        let call = Call::new(
            Method::PATCH,
            "/teams/{teamId}/agents",
            format!("/teams/{}/agents", segment(team_id)),
        )
        .json(&wire::AgentIds { agent_ids });
        self.send(call).await.map(drop)
    }

    async fn remove_team_members(&self, team_id: &str, agent_ids: &[String]) -> Result<(), VendorError> {
        let call = Call::new(
            Method::DELETE,
            "/teams/{teamId}/agents",
            format!("/teams/{}/agents", segment(team_id)),
        )
        .json(&wire::AgentIds { agent_ids });
        self.send(call).await.map(drop)
    }

    async fn list_team_presence(&self, team_id: &str) -> Result<Vec<UserPresence>, VendorError> {
        self.get_all(
            "/teams/{teamId}/presence",
            format!("/teams/{}/presence", segment(team_id)),
        )
        .await
    }

    async fn list_agents(&self) -> Result<Vec<Agent>, VendorError> {
        self.get_all("/agents", "/agents".to_owned()).await
    }

    async fn get_agent(&self, agent_id: &str) -> Result<Agent, VendorError> {
        self.get_data(Call::get(
            "/agents/{agentId}",
            format!("/agents/{}", segment(agent_id)),
        ))
        .await
    }

    async fn get_agent_presence(&self, agent_id: &str) -> Result<UserPresence, VendorError> {
        self.get_data(Call::get(
            "/agents/{agentId}/presence",
            format!("/agents/{}/presence", segment(agent_id)),
        ))
        .await
    }

    async fn list_all_presence(&self) -> Result<Vec<UserPresence>, VendorError> {
        let reply = self
            .send(Call::get("/agents/presence", "/agents/presence"))
            .await?;
        reply.json::<Vec<UserPresence>>(Vendor::Dixa)
    }

    async fn list_agent_teams(&self, agent_id: &str) -> Result<Vec<String>, VendorError> {
        let call = Call::get(
            "/agents/{agentId}/teams",
            format!("/agents/{}/teams", segment(agent_id)),
        );
        let page: Page<wire::TeamRef> = self.send(call).await?.json(Vendor::Dixa)?;
        Ok(page.data.into_iter().map(|t| t.id).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::page_key_of;

    #[test]
    fn page_key_is_taken_from_next() {
        assert_eq!(
            page_key_of("https://dev.dixa.io/v1/teams/x/presence?pageLimit=2&pageKey=YWJj%3D").as_deref(),
            Some("YWJj=")
        );
        assert_eq!(
            page_key_of("/v1/teams/x/presence?pageKey=abc").as_deref(),
            Some("abc")
        );
        assert_eq!(page_key_of("https://dev.dixa.io/v1/teams"), None);
    }
}
