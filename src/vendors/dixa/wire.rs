//! Dixa's JSON, named exactly as Dixa names it. Optional fields are optional here too,
//! so every documented response shape is accepted.

use serde::{Deserialize, Serialize};

/// `{data: T}`, Dixa's success envelope.
#[derive(Debug, Deserialize)]
pub struct Data<T> {
    /// The payload.
    pub data: T,
}

/// A list with optional paging links.
#[derive(Debug, Deserialize)]
pub struct Page<T> {
    /// This page's items.
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
    /// Links to neighbouring pages.
    #[serde(default)]
    pub meta: Option<PaginationLinks>,
}

/// `meta` of a paged list: full URLs holding an opaque `pageKey`.
#[derive(Debug, Default, Deserialize)]
pub struct PaginationLinks {
    /// The previous page's URL.
    #[serde(default)]
    pub previous: Option<String>,
    /// The next page's URL.
    #[serde(default)]
    pub next: Option<String>,
}

/// `{message}`, Dixa's error body.
#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    /// What went wrong.
    pub message: String,
}

/// A team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Team {
    /// The team id (a UUID).
    pub id: String,
    /// The team name.
    pub name: String,
}

/// A team member as `GET /teams/{id}/agents` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamMember {
    /// The agent/admin id.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Primary email.
    #[serde(default)]
    pub email: Option<String>,
    /// Primary phone number.
    #[serde(default)]
    pub phone_number: Option<String>,
}

/// An agent or admin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Agent {
    /// The agent id (a UUID).
    pub id: String,
    /// When the agent was created.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Primary email.
    #[serde(default)]
    pub email: Option<String>,
    /// Avatar URL.
    #[serde(default)]
    pub avatar_url: Option<String>,
    /// Primary phone number.
    #[serde(default)]
    pub phone_number: Option<String>,
    /// Further emails.
    #[serde(default)]
    pub additional_emails: Vec<String>,
    /// Further phone numbers.
    #[serde(default)]
    pub additional_phone_numbers: Vec<String>,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Middle names.
    #[serde(default)]
    pub middle_names: Vec<String>,
    /// Roles (`Agent`, `Admin`, …).
    #[serde(default)]
    pub roles: Vec<String>,
}

impl Agent {
    /// What a team listing tells about a member, when the agent record is not available.
    pub fn from_member(member: &TeamMember) -> Self {
        Self {
            id: member.id.clone(),
            created_at: None,
            display_name: member.name.clone(),
            email: member.email.clone(),
            avatar_url: None,
            phone_number: member.phone_number.clone(),
            additional_emails: Vec::new(),
            additional_phone_numbers: Vec::new(),
            first_name: None,
            last_name: None,
            middle_names: Vec::new(),
            roles: Vec::new(),
        }
    }
}

/// One agent's presence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserPresence {
    /// The agent/admin id.
    pub user_id: String,
    /// When Dixa answered.
    pub request_time: String,
    /// When the agent was last seen.
    #[serde(default)]
    pub last_seen: Option<String>,
    /// `Working` or `Away`.
    #[serde(default)]
    pub presence_status: Option<String>,
    /// `Online` or `Offline`.
    pub connection_status: String,
    /// Channels the agent is working on.
    #[serde(default)]
    pub active_channels: Vec<String>,
}

/// `{id}` as `GET /agents/{id}/teams` lists it.
#[derive(Debug, Deserialize)]
pub struct TeamRef {
    /// The team id.
    pub id: String,
}

/// `POST /teams` body.
#[derive(Debug, Serialize)]
pub struct CreateTeamInput<'a> {
    /// The team name.
    pub name: &'a str,
}

/// `PATCH`/`DELETE /teams/{id}/agents` body.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentIds<'a> {
    /// Agent/admin ids.
    pub agent_ids: &'a [String],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_documented_examples() {
        let page: Page<UserPresence> = serde_json::from_str(
            r#"{"data":[{"userId":"d53dbec1-e79c-4736-b9a1-15f6dce71ed4","requestTime":"2021-12-01T12:46:35.935",
            "lastSeen":"2021-12-01T12:46:35.935","presenceStatus":"Working","connectionStatus":"Online",
            "activeChannels":["Email","FacebookMessenger"]}]}"#,
        )
        .unwrap();
        assert_eq!(page.data[0].active_channels.len(), 2);
        assert!(page.meta.is_none());

        let minimal: UserPresence =
            serde_json::from_str(r#"{"userId":"x","requestTime":"t","connectionStatus":"Offline"}"#).unwrap();
        assert_eq!(minimal.presence_status, None);

        let agent: Data<Agent> = serde_json::from_str(
            r#"{"data":{"id":"4d2ab456-8510-4a35-b266-e502160d5177","createdAt":"2020-12-16T09:41:43Z",
            "displayName":"Alice Brown","email":"alice@brown.com","avatarUrl":"https://files.dixa.io/public/image_id",
            "phoneNumber":"+551155256325","additionalEmails":["alice@secondary.email"],
            "additionalPhoneNumbers":["+5566778899"],"firstName":"Alice","lastName":"Brown","middleNames":[],"roles":["Agent"]}}"#,
        )
        .unwrap();
        assert_eq!(agent.data.first_name.as_deref(), Some("Alice"));

        let members: Page<TeamMember> =
            serde_json::from_str(r#"{"data":[{"id":"e8333378-62ed-4062-93b5-fadae6f41175","name":"Agent A","email":"aa@example.org"}]}"#)
                .unwrap();
        assert_eq!(members.data[0].phone_number, None);
        let empty: Page<Team> = serde_json::from_str("{}").unwrap();
        assert!(empty.data.is_empty());
    }
}
