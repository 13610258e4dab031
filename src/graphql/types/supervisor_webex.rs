//! A Webex Calling supervisor as a [`Supervisor`](super::Supervisor). The lists give
//! names and numbers; the single `GET /supervisors/{id}` gives only the agents, so a
//! supervisor looked up by id has no names unless a list was read too. Neither gives an
//! email: the person's comes from the location lists.

use async_graphql::{Context, SimpleObject};
use async_trait::async_trait;

use super::{
    Agent, PhoneNumber, Supervisor,
    agent::join_name,
    agent_webex::webex_email,
    supervisor::{SupervisorDetails, SupervisorSource},
};
use crate::{
    graphql::{
        connection::{self, ListConnection, PageRequest},
        context::loaders,
        error::ApiResult,
    },
    loaders::{
        Fetch,
        webex::{SupervisorById, Supervisors},
    },
    vendors::{
        Vendor,
        webex::{self, ListFilter, SupervisorDetail, ids::uuid_of},
    },
};

/// The Webex supervisors who monitor the Webex agent `agent_id`: every supervisor (one
/// list), each with its agents (one read per supervisor, shared with
/// `Supervisor.agents`), kept where the agents hold this one.
pub async fn monitoring(ctx: &Context<'_>, agent_id: &str) -> ApiResult<Vec<Supervisor>> {
    let Some(me) = uuid_of(agent_id) else {
        return Ok(Vec::new());
    };
    let webex = loaders(ctx)?.webex()?;
    let all = webex
        .fetch_one(Supervisors(ListFilter::default()))
        .await?
        .unwrap_or_default();
    let keys: Vec<SupervisorById> = all.iter().map(WebexSupervisor::detail_key).collect();
    let details = webex.fetch_many(keys.clone()).await?;
    Ok(all
        .iter()
        .zip(&keys)
        .filter(|(_, key)| {
            details
                .get(key)
                .is_some_and(|d| d.agents.iter().any(|a| uuid_of(&a.id) == Some(me)))
        })
        .map(|(s, _)| Supervisor::new(WebexSupervisor::from_summary(s.clone())))
        .collect())
}

/// Webex Calling's own details of a supervisor.
#[derive(Debug, Clone, SimpleObject)]
pub struct WebexSupervisorDetails {
    /// Whether the supervisor has a Customer Experience Essentials licence.
    pub has_cx_essentials: Option<bool>,
    /// How many agents the supervisor monitors.
    pub agent_count: Option<i32>,
    /// The primary extension.
    pub extension: Option<String>,
    /// The location's routing prefix.
    pub routing_prefix: Option<String>,
    /// Routing prefix + extension.
    pub esn: Option<String>,
}

/// A Webex supervisor: what a list said about it, and/or its agents from the single GET.
#[derive(Debug, Clone)]
pub struct WebexSupervisor {
    id: String,
    summary: Option<webex::Supervisor>,
    detail: Option<SupervisorDetail>,
    has_cx_essentials: Option<bool>,
}

impl WebexSupervisor {
    /// A supervisor from a list entry; its agents are loaded when asked for.
    pub fn from_summary(summary: webex::Supervisor) -> Self {
        Self {
            id: summary.id.clone(),
            has_cx_essentials: summary.has_cx_essentials.filter(|cx| *cx),
            summary: Some(summary),
            detail: None,
        }
    }

    /// The read of a listed supervisor's agents: with `hasCxEssentials=true` for a
    /// Customer Assist supervisor, as Webex requires.
    pub fn detail_key(summary: &webex::Supervisor) -> SupervisorById {
        SupervisorById::of(summary)
    }

    /// A supervisor from `GET /supervisors/{id}`, read with `has_cx_essentials`.
    pub fn from_detail(id: &str, detail: SupervisorDetail, has_cx_essentials: Option<bool>) -> Self {
        Self {
            id: id.to_owned(),
            summary: None,
            detail: Some(detail),
            has_cx_essentials,
        }
    }
}

fn dot_less(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|s| !s.is_empty() && *s != ".")
}

#[async_trait]
impl SupervisorSource for WebexSupervisor {
    fn vendor(&self) -> Vendor {
        Vendor::Webex
    }

    fn vendor_id(&self) -> &str {
        &self.id
    }

    fn display_name(&self) -> Option<String> {
        let s = self.summary.as_ref()?;
        dot_less(s.display_name.as_deref())
            .map(str::to_owned)
            .or_else(|| join_name(self.first_name(), self.last_name()))
    }

    fn first_name(&self) -> Option<&str> {
        dot_less(self.summary.as_ref()?.first_name.as_deref())
    }

    fn last_name(&self) -> Option<&str> {
        dot_less(self.summary.as_ref()?.last_name.as_deref())
    }

    fn email(&self) -> Option<&str> {
        None
    }

    /// Webex's supervisor lists carry no email: the person's, as the location lists
    /// show it.
    async fn lookup_email(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        webex_email(ctx, &self.id).await
    }

    fn phone_numbers(&self) -> Vec<PhoneNumber> {
        let Some(s) = &self.summary else {
            return Vec::new();
        };
        if s.phone_number.is_none() && s.extension.is_none() {
            return Vec::new();
        }
        vec![PhoneNumber {
            number: s.phone_number.clone(),
            extension: s.extension.clone(),
            primary: true,
        }]
    }

    fn details(&self) -> SupervisorDetails {
        let s = self.summary.as_ref();
        let count = s.and_then(|s| s.agent_count).or_else(|| {
            self.detail
                .as_ref()
                .map(|d| u32::try_from(d.agents.len()).unwrap_or(u32::MAX))
        });
        SupervisorDetails::Webex(WebexSupervisorDetails {
            has_cx_essentials: s.and_then(|s| s.has_cx_essentials),
            agent_count: count.map(|c| i32::try_from(c).unwrap_or(i32::MAX)),
            extension: s.and_then(|s| s.extension.clone()),
            routing_prefix: s.and_then(|s| s.routing_prefix.clone()),
            esn: s.and_then(|s| s.esn.clone()),
        })
    }

    async fn agents(&self, ctx: &Context<'_>, page: PageRequest) -> ApiResult<Option<ListConnection<Agent>>> {
        let loaded;
        let detail = match &self.detail {
            Some(d) => d,
            None => {
                loaded = loaders(ctx)?
                    .webex()?
                    .fetch_one(SupervisorById {
                        id: self.id.clone(),
                        has_cx_essentials: self.has_cx_essentials,
                    })
                    .await?;
                match &loaded {
                    Some(d) => d,
                    None => return Ok(None),
                }
            }
        };
        Ok(Some(connection::from_slice(&detail.agents, page, |a| {
            Agent::new(a.clone())
        })))
    }
}
