//! The real Webex Calling client.

use std::sync::Arc;

use async_trait::async_trait;
use http::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use url::Url;

use super::{
    AgentChange, ListFilter, WebexApi,
    wire::{self, Agent, AgentStatus, AgentStatusList, ErrorBody, Location, Supervisor, SupervisorDetail},
};
use crate::vendors::{
    Vendor, VendorError,
    exchange::{self, Dialect, PageRule},
    http::{Call, Idempotency, Reply, VendorHttp, segment},
};

const SUPERVISORS: &str = "/telephony/config/supervisors";
const SUPERVISOR: &str = "/telephony/config/supervisors/{supervisorId}";
const AVAILABLE_SUPERVISORS: &str = "/telephony/config/supervisors/availableSupervisors";
const AVAILABLE_AGENTS: &str = "/telephony/config/supervisors/availableAgents";
const LOCATION_AGENTS: &str = "/telephony/config/locations/{locationId}/cxEssentials/agents/availableAgents";
const LOCATIONS: &str = "/locations";

/// Webex Calling over HTTP, for one organisation.
pub struct WebexClient {
    http: VendorHttp,
    token: SecretString,
    org_id: String,
    page_size: u32,
}

impl WebexClient {
    /// A client for organisation `org_id` with `token` (an admin or service-app token).
    pub fn new(http: VendorHttp, token: SecretString, org_id: String, page_size: u32) -> Arc<Self> {
        Arc::new(Self {
            http,
            token,
            org_id,
            page_size,
        })
    }

    /// Sends `call` with the token and `orgId`; a non-2xx answer becomes an error.
    async fn send(&self, call: Call) -> Result<Reply, VendorError> {
        let call = call
            .bearer(self.token.expose_secret())
            .query("orgId", &self.org_id);
        exchange::send::<Self>(&self.http, call).await
    }

    /// Every page of a list (see [`StartMax`]), each page's items taken by `items`.
    async fn get_all<P: DeserializeOwned, T>(
        &self,
        template: &'static str,
        path: String,
        filter: &ListFilter,
        items: impl FnMut(P) -> Vec<T>,
    ) -> Result<Vec<T>, VendorError> {
        let rule = StartMax {
            page_size: u64::from(self.page_size),
            items,
            page: std::marker::PhantomData,
        };
        exchange::walk(
            &self.http,
            "list",
            rule,
            || with_filter(Call::get(template, path.clone()), filter),
            |call| self.send(call),
        )
        .await
    }

    async fn statuses(&self, call: Call) -> Result<Vec<AgentStatus>, VendorError> {
        let reply = self.send(call).await?;
        if reply.status.as_u16() == 206 || !reply.body.is_empty() {
            let list: AgentStatusList = reply.json(Vendor::Webex)?;
            return Ok(list.supervisor_agent_status);
        }
        Ok(Vec::new())
    }
}

/// Webex's paging: asks with `start` and `max`, then follows `Link: <…>; rel="next"` by
/// taking only its `start` and `max` (never the URL itself, so the token only ever goes
/// to the configured base URL).
struct StartMax<P, F> {
    page_size: u64,
    /// Takes a page's items out of its body.
    items: F,
    page: std::marker::PhantomData<fn() -> P>,
}

impl<P: DeserializeOwned, T, F: FnMut(P) -> Vec<T>> PageRule for StartMax<P, F> {
    /// `start` and `max`.
    type Cursor = (u64, u64);
    type Item = T;

    fn first(&self) -> (u64, u64) {
        (0, self.page_size)
    }

    fn ask(&self, call: Call, &(start, max): &(u64, u64)) -> Call {
        call.query("start", start).query("max", max)
    }

    fn read(
        &mut self,
        reply: &Reply,
        &(start, max): &(u64, u64),
        _seen: usize,
    ) -> Result<exchange::Page<T, (u64, u64)>, VendorError> {
        let page: P = reply.json(Vendor::Webex)?;
        let items = (self.items)(page);
        let Some(next) = reply.header("link").and_then(next_link) else {
            return Ok(exchange::Page { items, next: None });
        };
        let (next_start, next_max) = paging_of(&next).ok_or_else(|| {
            VendorError::invalid_response(Vendor::Webex, "the next-page link holds no start")
        })?;
        if next_start <= start {
            return Err(VendorError::invalid_response(
                Vendor::Webex,
                "the next-page link does not move forward",
            ));
        }
        Ok(exchange::Page {
            items,
            next: Some((next_start, next_max.unwrap_or(max))),
        })
    }
}

fn with_filter(mut call: Call, filter: &ListFilter) -> Call {
    call = call
        .query_opt("name", filter.name.as_deref())
        .query_opt("phoneNumber", filter.phone_number.as_deref())
        .query_opt("order", filter.order.as_deref());
    call.query_opt("hasCxEssentials", filter.has_cx_essentials)
}

/// The `rel="next"` target of an RFC 5988 `Link` header.
pub(crate) fn next_link(header: &str) -> Option<String> {
    let mut rest = header;
    while let Some(open) = rest.find('<') {
        let close = open + rest[open..].find('>')?;
        let target = &rest[open + 1..close];
        let params_end = rest[close..].find('<').map_or(rest.len(), |i| close + i);
        let params = &rest[close + 1..params_end];
        let is_next = params.split(';').any(|p| {
            let p = p.trim().trim_end_matches(',').trim();
            p.strip_prefix("rel=").is_some_and(|v| {
                v.trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("next"))
            })
        });
        if is_next {
            return Some(target.to_owned());
        }
        rest = &rest[params_end..];
    }
    None
}

/// `start` and `max` of a next-page URL (absolute or relative).
pub(crate) fn paging_of(link: &str) -> Option<(u64, Option<u64>)> {
    let url = Url::parse(link)
        .or_else(|_| Url::parse("http://relative.invalid").and_then(|b| b.join(link)))
        .ok()?;
    let value = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.parse::<u64>().ok())
    };
    Some((value("start")?, value("max")))
}

impl Dialect for WebexClient {
    const VENDOR: Vendor = Vendor::Webex;

    /// Webex's error body: `message`, `errors[].description` (the first non-blank one
    /// wins over `message`) and `trackingId` (else the `TrackingID` header).
    fn error(reply: &Reply) -> VendorError {
        let body = serde_json::from_slice::<ErrorBody>(&reply.body).unwrap_or_default();
        let detail = body
            .errors
            .iter()
            .filter_map(|e| e.description.clone())
            .find(|d| !d.trim().is_empty());
        let tracking = body
            .tracking_id
            .or_else(|| reply.header("trackingid").map(str::to_owned));
        VendorError::from_status(Vendor::Webex, reply.status.as_u16())
            .with_message(detail.or(body.message))
            .with_tracking_id(tracking)
            .with_retry_after(reply.retry_after())
    }
}

#[async_trait]
impl WebexApi for WebexClient {
    async fn list_supervisors(&self, filter: &ListFilter) -> Result<Vec<Supervisor>, VendorError> {
        self.get_all(
            SUPERVISORS,
            SUPERVISORS.to_owned(),
            filter,
            |p: wire::SupervisorList| p.supervisors,
        )
        .await
    }

    async fn get_supervisor(
        &self,
        supervisor_id: &str,
        has_cx_essentials: Option<bool>,
    ) -> Result<SupervisorDetail, VendorError> {
        let filter = ListFilter {
            has_cx_essentials,
            ..ListFilter::default()
        };
        let path = format!("{SUPERVISORS}/{}", segment(supervisor_id));
        let mut id = None;
        let agents = self
            .get_all(SUPERVISOR, path, &filter, |p: SupervisorDetail| {
                if id.is_none() {
                    id = p.id.clone();
                }
                p.agents
            })
            .await;
        // `id` is written from the page closure; read it after the pages are in.
        let agents = agents?;
        Ok(SupervisorDetail {
            id: id.or_else(|| Some(supervisor_id.to_owned())),
            agents,
        })
    }

    async fn create_supervisor(
        &self,
        person_id: &str,
        agent_ids: &[String],
        has_cx_essentials: Option<bool>,
    ) -> Result<Vec<AgentStatus>, VendorError> {
        // A create: `Call::new` makes a POST `Once`, so it is never repeated.
        let body = wire::CreateSupervisor {
            id: person_id,
            agents: agent_ids.iter().map(|id| wire::AgentRef { id }).collect(),
        };
        let call = Call::new(Method::POST, SUPERVISORS, SUPERVISORS)
            .query_opt("hasCxEssentials", has_cx_essentials)
            .json(&body);
        self.statuses(call).await
    }

    async fn change_supervisor_agents(
        &self,
        supervisor_id: &str,
        agent_ids: &[String],
        change: AgentChange,
        has_cx_essentials: Option<bool>,
    ) -> Result<Vec<AgentStatus>, VendorError> {
        let body = wire::ChangeAgents {
            agents: agent_ids
                .iter()
                .map(|id| wire::AgentAction {
                    id,
                    action: change.as_str(),
                })
                .collect(),
        };
        let mut call = Call::new(
            Method::PUT,
            SUPERVISOR,
            format!("{SUPERVISORS}/{}", segment(supervisor_id)),
        )
        .query_opt("hasCxEssentials", has_cx_essentials)
        .json(&body);
        // Webex does not document this PUT as idempotent (a repeated ADD answers
        // DUPLICATE instead of success), so it is never repeated.
        call.idempotency = Idempotency::Once;
        self.statuses(call).await
    }

    async fn delete_supervisor(&self, supervisor_id: &str) -> Result<(), VendorError> {
        let call = Call::new(
            Method::DELETE,
            SUPERVISOR,
            format!("{SUPERVISORS}/{}", segment(supervisor_id)),
        );
        self.send(call).await.map(drop)
    }

    async fn delete_supervisors(&self, supervisor_ids: &[String]) -> Result<(), VendorError> {
        // `deleteAll` is never sent: Switchboard deletes only what it names.
        let call =
            Call::new(Method::DELETE, SUPERVISORS, SUPERVISORS).json(&wire::BulkDelete { supervisor_ids });
        self.send(call).await.map(drop)
    }

    async fn list_available_supervisors(&self, filter: &ListFilter) -> Result<Vec<Supervisor>, VendorError> {
        self.get_all(
            AVAILABLE_SUPERVISORS,
            AVAILABLE_SUPERVISORS.to_owned(),
            filter,
            |p: wire::SupervisorList| p.supervisors,
        )
        .await
    }

    async fn list_available_agents(&self, filter: &ListFilter) -> Result<Vec<Agent>, VendorError> {
        self.get_all(
            AVAILABLE_AGENTS,
            AVAILABLE_AGENTS.to_owned(),
            filter,
            |p: wire::AgentList| p.agents,
        )
        .await
    }

    async fn list_location_agents(
        &self,
        location_id: &str,
        has_cx_essentials: Option<bool>,
    ) -> Result<Vec<Agent>, VendorError> {
        // Not paged: the whole list comes in one answer.
        let call = Call::get(
            LOCATION_AGENTS,
            format!(
                "/telephony/config/locations/{}/cxEssentials/agents/availableAgents",
                segment(location_id)
            ),
        )
        .query_opt("hasCxEssentials", has_cx_essentials);
        let list: wire::AgentList = self.send(call).await?.json(Vendor::Webex)?;
        Ok(list.agents)
    }

    async fn list_locations(&self) -> Result<Vec<Location>, VendorError> {
        self.get_all(
            LOCATIONS,
            LOCATIONS.to_owned(),
            &ListFilter::default(),
            |p: wire::LocationList| p.items,
        )
        .await
    }

    async fn probe(&self) -> Result<(), VendorError> {
        let call = Call::get(SUPERVISORS, SUPERVISORS).query("max", 1);
        self.send(call).await.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_links_are_found() {
        let h = r#"<https://webexapis.com/v1/x?start=0&max=2>; rel="first", <https://webexapis.com/v1/x?start=2&max=2>; rel="next""#;
        let next = next_link(h).unwrap();
        assert_eq!(paging_of(&next), Some((2, Some(2))));
        assert_eq!(next_link(r#"<https://a/x?start=0>; rel="prev""#), None);
        assert_eq!(
            next_link("</v1/x?start=4&max=2>; rel=next").as_deref(),
            Some("/v1/x?start=4&max=2")
        );
        assert_eq!(paging_of("/v1/x?start=4"), Some((4, None)));
        assert_eq!(paging_of("/v1/x?max=4"), None);
    }
}
