//! A Webex Calling agent (a person, workspace or virtual line) as an
//! [`Agent`](super::Agent), with its email (from the location lists, since the org-wide
//! lists carry none). The supervisors who monitor it are `supervisor_webex.rs`'s to
//! find (supervisors are built over agents, not the other way round).

use async_graphql::{Context, Enum, SimpleObject};
use async_trait::async_trait;

use super::{
    PhoneNumber,
    agent::{AgentDetails, AgentSource, join_name},
};
use crate::{
    graphql::{context::loaders, error::ApiResult},
    loaders::webex::PeopleEmails,
    vendors::{
        Vendor,
        webex::{
            self,
            ids::{WebexId, uuid_of},
        },
    },
};

/// The email Webex shows for the person, workspace or line with Webex id `id`, among the
/// agents available in the locations (the only Webex lists that carry emails).
pub async fn webex_email(ctx: &Context<'_>, id: &str) -> ApiResult<Option<String>> {
    let Some(uuid) = uuid_of(id) else {
        return Ok(None);
    };
    let emails = loaders(ctx)?.webex()?.load_one(PeopleEmails).await?;
    Ok(emails.and_then(|e| e.get(&uuid).cloned()))
}

/// What a Webex agent is.
#[derive(Debug, Enum, Clone, Copy, PartialEq, Eq)]
pub enum WebexAgentType {
    /// A person.
    People,
    /// A workspace.
    Place,
    /// A virtual line.
    VirtualLine,
}

impl WebexAgentType {
    /// Reads Webex's `PEOPLE`, `PLACE` or `VIRTUAL_LINE`.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "PEOPLE" => Some(Self::People),
            "PLACE" => Some(Self::Place),
            "VIRTUAL_LINE" => Some(Self::VirtualLine),
            _ => None,
        }
    }
}

/// A number as Webex gives it: the external number and the extension.
#[derive(Debug, Clone, SimpleObject)]
pub struct WebexPhoneNumber {
    /// The external (E.164) number.
    pub external: Option<String>,
    /// The extension.
    pub extension: Option<String>,
}

/// Webex Calling's own details of an agent.
#[derive(Debug, Clone, SimpleObject)]
pub struct WebexAgentDetails {
    /// Person, workspace or virtual line (from the answer, else from the id).
    pub agent_type: Option<WebexAgentType>,
    /// Whether the agent has a Customer Experience Essentials licence, where Webex said.
    pub has_cx_essentials: Option<bool>,
    /// The primary extension.
    pub extension: Option<String>,
    /// The location's routing prefix.
    pub routing_prefix: Option<String>,
    /// Routing prefix + extension.
    pub esn: Option<String>,
    /// Every number with its extension.
    pub phone_numbers: Vec<WebexPhoneNumber>,
}

/// Webex writes `.` where a name is missing.
fn name_part(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|s| !s.is_empty() && *s != ".")
}

/// An available supervisor (a person) as an agent record.
pub fn agent_from_supervisor(s: &webex::Supervisor) -> webex::Agent {
    webex::Agent {
        first_name: s.first_name.clone(),
        last_name: s.last_name.clone(),
        display_name: s.display_name.clone(),
        agent_type: Some("PEOPLE".to_owned()),
        has_cx_essentials: s.has_cx_essentials,
        phone_number: s.phone_number.clone().map(webex::wire::PhoneField::Text),
        extension: s.extension.clone(),
        routing_prefix: s.routing_prefix.clone(),
        esn: s.esn.clone(),
        ..webex::Agent::bare(&s.id)
    }
}

#[async_trait]
impl AgentSource for webex::Agent {
    fn vendor(&self) -> Vendor {
        Vendor::Webex
    }

    fn vendor_id(&self) -> &str {
        &self.id
    }

    fn display_name(&self) -> Option<String> {
        name_part(self.display_name.as_deref())
            .map(str::to_owned)
            .or_else(|| join_name(self.first_name(), self.last_name()))
    }

    fn first_name(&self) -> Option<&str> {
        name_part(self.first_name.as_deref())
    }

    fn last_name(&self) -> Option<&str> {
        name_part(self.last_name.as_deref())
    }

    fn email(&self) -> Option<&str> {
        self.email.as_deref()
    }

    fn phone_numbers(&self) -> Vec<PhoneNumber> {
        self.numbers()
            .into_iter()
            .enumerate()
            .map(|(i, n)| PhoneNumber {
                number: n.external,
                extension: n.extension,
                primary: i == 0,
            })
            .collect()
    }

    async fn lookup_email(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        match &self.email {
            Some(email) => Ok(Some(email.clone())),
            None => webex_email(ctx, &self.id).await,
        }
    }

    fn details(&self) -> AgentDetails {
        let agent_type = self
            .agent_type
            .as_deref()
            .and_then(WebexAgentType::parse)
            .or_else(|| WebexAgentType::parse(&WebexId::decode(&self.id)?.kind));
        AgentDetails::Webex(WebexAgentDetails {
            agent_type,
            has_cx_essentials: self.has_cx_essentials,
            extension: self
                .extension
                .clone()
                .or_else(|| self.numbers().into_iter().find_map(|n| n.extension)),
            routing_prefix: self.routing_prefix.clone(),
            esn: self.esn.clone(),
            phone_numbers: self
                .numbers()
                .into_iter()
                .map(|n| WebexPhoneNumber {
                    external: n.external,
                    extension: n.extension,
                })
                .collect(),
        })
    }
}
