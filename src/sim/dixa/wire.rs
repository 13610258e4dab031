//! The Dixa simulator's own JSON types, written from Dixa's documentation apart from the
//! client's, so a client bug is not mirrored here.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize)]
pub struct TeamOut {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberOut {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentOut {
    pub id: String,
    pub created_at: String,
    pub display_name: String,
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    pub additional_emails: Vec<String>,
    pub additional_phone_numbers: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    pub middle_names: Vec<String>,
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PresenceOut {
    pub user_id: String,
    pub request_time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presence_status: Option<String>,
    pub connection_status: String,
    pub active_channels: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Meta {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateTeamIn {
    pub name: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentIdsIn {
    #[serde(default)]
    pub agent_ids: Vec<String>,
}

/// `PUT /_sim/presence/{userId}`: any of the fields changes the agent's presence.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PresenceChangeIn {
    #[serde(default)]
    pub presence_status: Option<String>,
    #[serde(default)]
    pub connection_status: Option<String>,
    #[serde(default)]
    pub active_channels: Option<Vec<String>>,
}

/// `POST /_sim/agents`: adds an agent (for tests and demos that need more people).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewAgentIn {
    pub display_name: String,
    pub email: String,
    #[serde(default)]
    pub phone_number: Option<String>,
}

/// `POST /_sim/seed`: replaces the organisation with `teams` teams of
/// `membersPerTeam` agents each (for load tests).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedIn {
    pub teams: usize,
    pub members_per_team: usize,
}
