//! Webex Calling's JSON, named exactly as Webex names it. Every documented variant is
//! accepted: `phoneNumber` as a string or as a list of `{external, extension}`, and
//! `phoneNumbers` as one such object or a list of them.

use serde::{Deserialize, Serialize};

/// Webex's error body: `{message, errors:[{description}], trackingId}`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// The summary.
    #[serde(default)]
    pub message: Option<String>,
    /// The details.
    #[serde(default)]
    pub errors: Vec<ErrorDetail>,
    /// Webex's id of the failed request, for its support.
    #[serde(default)]
    pub tracking_id: Option<String>,
}

/// One entry of `errors`.
#[derive(Debug, Default, Deserialize)]
pub struct ErrorDetail {
    /// What went wrong.
    #[serde(default)]
    pub description: Option<String>,
}

/// `GET /telephony/config/supervisors` and `…/availableSupervisors`.
#[derive(Debug, Deserialize)]
pub struct SupervisorList {
    /// This page's supervisors.
    #[serde(default)]
    pub supervisors: Vec<Supervisor>,
}

/// A supervisor as the lists show it (also an available supervisor).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Supervisor {
    /// The supervisor's (person's) Webex id.
    pub id: String,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Display name (available supervisors only).
    #[serde(default)]
    pub display_name: Option<String>,
    /// Primary phone number.
    #[serde(default)]
    pub phone_number: Option<String>,
    /// Primary extension.
    #[serde(default)]
    pub extension: Option<String>,
    /// The location's routing prefix.
    #[serde(default)]
    pub routing_prefix: Option<String>,
    /// Routing prefix + extension.
    #[serde(default)]
    pub esn: Option<String>,
    /// Agents the supervisor monitors.
    #[serde(default)]
    pub agent_count: Option<u32>,
    /// Whether the supervisor has a Customer Experience Essentials licence.
    #[serde(default)]
    pub has_cx_essentials: Option<bool>,
}

/// `GET /telephony/config/supervisors/{supervisorId}`: the supervisor's agents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupervisorDetail {
    /// The supervisor's id (Webex may leave it out).
    #[serde(default)]
    pub id: Option<String>,
    /// The agents assigned.
    #[serde(default)]
    pub agents: Vec<Agent>,
}

/// Agent lists: `…/availableAgents` and the location's available agents.
#[derive(Debug, Deserialize)]
pub struct AgentList {
    /// This page's agents.
    #[serde(default)]
    pub agents: Vec<Agent>,
}

/// An agent (a person, workspace or virtual line), as any of the agent lists shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Agent {
    /// The Webex id.
    pub id: String,
    /// First name (Webex writes `.` when there is none).
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// `PEOPLE`, `PLACE` or `VIRTUAL_LINE`.
    #[serde(default, rename = "type")]
    pub agent_type: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Whether the agent has a Customer Experience Essentials licence.
    #[serde(default)]
    pub has_cx_essentials: Option<bool>,
    /// The primary number as a string, or (location lists) a list of numbers.
    #[serde(default)]
    pub phone_number: Option<PhoneField>,
    /// Numbers (location lists): one object or a list.
    #[serde(default)]
    pub phone_numbers: Option<PhoneField>,
    /// Primary extension.
    #[serde(default)]
    pub extension: Option<String>,
    /// The location's routing prefix.
    #[serde(default)]
    pub routing_prefix: Option<String>,
    /// Routing prefix + extension.
    #[serde(default)]
    pub esn: Option<String>,
}

/// A number with its extension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumberEntry {
    /// The external number.
    #[serde(default)]
    pub external: Option<String>,
    /// The extension.
    #[serde(default)]
    pub extension: Option<String>,
}

/// Every shape Webex gives phone numbers in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PhoneField {
    /// A plain number.
    Text(String),
    /// One `{external, extension}`.
    One(NumberEntry),
    /// A list of them.
    Many(Vec<NumberEntry>),
}

impl Agent {
    /// A record knowing only the agent's id (the type is read from the id).
    pub fn bare(id: &str) -> Self {
        Self {
            id: id.to_owned(),
            first_name: None,
            last_name: None,
            display_name: None,
            agent_type: None,
            email: None,
            has_cx_essentials: None,
            phone_number: None,
            phone_numbers: None,
            extension: None,
            routing_prefix: None,
            esn: None,
        }
    }

    /// Every number the record carries, primary first, as `{external, extension}`.
    pub fn numbers(&self) -> Vec<NumberEntry> {
        let mut out = Vec::new();
        for field in [&self.phone_number, &self.phone_numbers].into_iter().flatten() {
            match field {
                PhoneField::Text(n) => out.push(NumberEntry {
                    external: Some(n.clone()),
                    extension: self.extension.clone(),
                }),
                PhoneField::One(e) => out.push(e.clone()),
                PhoneField::Many(list) => out.extend(list.iter().cloned()),
            }
        }
        if out.is_empty() && self.extension.is_some() {
            out.push(NumberEntry {
                external: None,
                extension: self.extension.clone(),
            });
        }
        out.dedup();
        out
    }
}

/// `POST /telephony/config/supervisors`.
#[derive(Debug, Serialize)]
pub struct CreateSupervisor<'a> {
    /// The person who becomes a supervisor.
    pub id: &'a str,
    /// The agents to assign (at least one).
    pub agents: Vec<AgentRef<'a>>,
}

/// `{id}` of an agent.
#[derive(Debug, Serialize)]
pub struct AgentRef<'a> {
    /// The agent's Webex id.
    pub id: &'a str,
}

/// `PUT /telephony/config/supervisors/{supervisorId}`.
#[derive(Debug, Serialize)]
pub struct ChangeAgents<'a> {
    /// The agents with what to do with each.
    pub agents: Vec<AgentAction<'a>>,
}

/// `{id, action}`.
#[derive(Debug, Serialize)]
pub struct AgentAction<'a> {
    /// The agent's Webex id.
    pub id: &'a str,
    /// `ADD` or `DELETE`.
    pub action: &'static str,
}

/// `DELETE /telephony/config/supervisors` (bulk).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkDelete<'a> {
    /// The supervisors to delete.
    pub supervisor_ids: &'a [String],
}

/// The 206 answer of supervisor writes.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentStatusList {
    /// One entry per agent that was not assigned or removed as asked.
    #[serde(default)]
    pub supervisor_agent_status: Vec<AgentStatus>,
}

/// One agent's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentStatus {
    /// The agent: a bare UUID (as the seed warns) or a full Webex id.
    pub id: String,
    /// `NOT_AVAILABLE`, `DUPLICATE`, …
    pub status: String,
    /// Webex's explanation.
    #[serde(default)]
    pub message: Option<String>,
}

/// `GET /locations` (Webex's Locations API).
#[derive(Debug, Deserialize)]
pub struct LocationList {
    /// This page's locations.
    #[serde(default)]
    pub items: Vec<Location>,
}

/// A location.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// The Webex id.
    pub id: String,
    /// The name.
    #[serde(default)]
    pub name: Option<String>,
    /// The time zone.
    #[serde(default)]
    pub time_zone: Option<String>,
}
