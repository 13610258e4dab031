//! Vonage Contact Center's JSON, named exactly as Vonage names it. Every optional field
//! is optional here too; capacity accepts both spellings the documentation uses
//! (`nonlive`/`semilive` in the field list and responses, `nonLive`/`semiLive` in the
//! request example).

use serde::{Deserialize, Serialize};

/// `{message}`, Vonage's error body.
#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    /// What went wrong.
    #[serde(default)]
    pub message: Option<String>,
    /// OAuth2 error code (token endpoint).
    #[serde(default)]
    pub error: Option<String>,
}

/// The token endpoint's answer.
#[derive(Deserialize)]
pub struct TokenResponse {
    /// The bearer token.
    pub access_token: String,
    /// Seconds the token is valid (900 and 7200 are both documented).
    pub expires_in: u64,
    /// `Bearer`.
    #[serde(default)]
    pub token_type: Option<String>,
}

/// The form body of the token request.
#[derive(Serialize)]
pub struct TokenRequest<'a> {
    /// Always `client_credentials`.
    pub grant_type: &'a str,
    /// The API client id.
    pub client_id: &'a str,
    /// The API client secret.
    pub client_secret: &'a str,
    /// Space-separated scopes.
    pub scope: &'a str,
}

/// Which users a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Include {
    /// Active users only.
    Active,
    /// Archived users only.
    Archived,
    /// Both.
    All,
}

impl Include {
    /// The query value.
    pub fn as_str(self) -> &'static str {
        match self {
            Include::Active => "Active",
            Include::Archived => "Archived",
            Include::All => "All",
        }
    }
}

/// `GET /useradmin/users`: documented both as `{users:[…]}` and as
/// `{meta:{page,count,pageCount,totalCount}, items:[…]}`.
#[derive(Debug, Deserialize)]
pub struct UserList {
    /// The plain envelope's users.
    #[serde(default)]
    pub users: Option<Vec<User>>,
    /// The paged envelope's users.
    #[serde(default)]
    pub items: Option<Vec<User>>,
    /// The paged envelope's paging.
    #[serde(default)]
    pub meta: Option<ListMeta>,
}

/// Paging of the `{meta, items}` envelope.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListMeta {
    /// This page, from 1.
    #[serde(default)]
    pub page: Option<u64>,
    /// Items on this page.
    #[serde(default)]
    pub count: Option<u64>,
    /// Pages in the list.
    #[serde(default)]
    pub page_count: Option<u64>,
    /// Items in the list.
    #[serde(default)]
    pub total_count: Option<u64>,
}

/// One page of users, whichever envelope carried it.
#[derive(Debug, Clone)]
pub struct UserPage {
    /// The users.
    pub users: Vec<User>,
    /// The paged envelope's paging, when that envelope was used.
    pub meta: Option<ListMeta>,
}

impl UserList {
    /// The page, or why the body is not a user list.
    pub fn into_page(self) -> Result<UserPage, &'static str> {
        match (self.items, self.users) {
            (Some(items), _) => Ok(UserPage {
                users: items,
                meta: self.meta,
            }),
            (None, Some(users)) => Ok(UserPage {
                users,
                meta: self.meta,
            }),
            (None, None) => Err("a user list holds neither `items` nor `users`"),
        }
    }
}

/// A user as Vonage returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// The user id (a UUID).
    pub user_id: String,
    /// The unique username.
    pub username: String,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// When the user last logged in.
    #[serde(default)]
    pub last_login_time: Option<String>,
    /// False for archived users.
    #[serde(default)]
    pub active: Option<bool>,
    /// Whether the account is locked.
    #[serde(default)]
    pub locked: Option<bool>,
    /// The single sign-on id.
    #[serde(default)]
    pub sso_external_id: Option<String>,
    /// Role and agent settings.
    #[serde(default)]
    pub user_account_configuration: UserAccountConfiguration,
}

/// A user's role and agent settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserAccountConfiguration {
    /// `Admin`, `Supervisor`, `Wallboard` or `Agent`.
    #[serde(default)]
    pub role: String,
    /// Whether the user's licence is charged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chargeable: Option<bool>,
    /// Whether the user has agent capabilities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act_as_agent: Option<bool>,
    /// The agent settings, when the user acts as an agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_configuration: Option<AgentConfiguration>,
}

/// An agent's settings (every field optional, for reads, creates and patches alike).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct AgentConfiguration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_display_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webrtc: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_control_webrtc: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle_multiple_interactions: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enforced_disposition_codes: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcribe_calls: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_recording: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_parking: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_cadence: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbound_autoanswer: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inbound_autoanswer: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbound_wrap_up: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub back_to_ready_after_no_answer: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub back_to_ready_after_line_busy: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub back_to_ready_after_invalid_number: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub back_to_ready_after_network_issue: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_rating_frequency: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcribe_calls_real_time: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_recording_controls: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telephony_address: Option<TelephonyAddress>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<Capacity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub associated_users: Option<Vec<AssociatedUser>>,
}

/// Where calls for an agent are routed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct TelephonyAddress {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telephone_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telephony_extension: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbound_telephony_region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_display: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prevent_auto_callback_number: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_callback_number_id: Option<String>,
}

/// How much of an agent's capacity each kind of interaction uses.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Capacity {
    /// Whether these settings override the account's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_agent_level: Option<bool>,
    /// Live interactions (calls), 51–100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live: Option<i64>,
    /// Non-live interactions (email), 1–100.
    #[serde(
        default,
        rename = "nonlive",
        alias = "nonLive",
        skip_serializing_if = "Option::is_none"
    )]
    pub nonlive: Option<i64>,
    /// Semi-live interactions (chat), 1–100.
    #[serde(
        default,
        rename = "semilive",
        alias = "semiLive",
        skip_serializing_if = "Option::is_none"
    )]
    pub semilive: Option<i64>,
}

/// A non-VCC user linked to an agent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssociatedUser {
    /// The linked user's username.
    #[serde(default)]
    pub username: Option<String>,
    /// Which application it is from (`VBC`).
    #[serde(default)]
    pub application_type: Option<String>,
}

/// The body of `POST /users` and `PATCH /users/{id}`: only what is set is sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct UserBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sso_external_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_account_configuration: Option<UserAccountConfigurationBody>,
}

/// `userAccountConfiguration` of a create or patch.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct UserAccountConfigurationBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub act_as_agent: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_configuration: Option<AgentConfiguration>,
}

/// `GET /agents/{userId}/presence`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentPresence {
    /// The user (agent) id.
    pub user_id: String,
    /// When the presence last changed.
    #[serde(default)]
    pub updated: Option<String>,
    /// The presence.
    pub presence: PresenceState,
}

/// A presence state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PresenceState {
    /// The presence's id.
    #[serde(default)]
    pub presence_id: Option<String>,
    /// Whether agents can choose it themselves.
    #[serde(default)]
    pub selectable: Option<bool>,
    /// Its category.
    #[serde(default)]
    pub category: Option<PresenceCategory>,
    /// Its name as agents see it ("Lunch").
    #[serde(default)]
    pub description: Option<String>,
}

/// A presence category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PresenceCategory {
    /// `LoggedOut`, `Away`, `ExtendedAway` or `Ready`.
    pub category_type: String,
    /// The category's description.
    #[serde(default)]
    pub description: Option<String>,
}

/// The `agent.presencechanged.v0` webhook event.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PresenceChangedEvent {
    /// The event type, `agent.presencechanged.v0`, where sent.
    #[serde(default, rename = "type")]
    pub event_type: Option<String>,
    /// The event's id, where sent.
    #[serde(default)]
    pub id: Option<String>,
    /// When the presence changed.
    pub timestamp: String,
    /// The new presence.
    pub presence: PresenceState,
    /// Whose presence changed.
    pub user: EventUser,
}

/// `user` of a presence event.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventUser {
    /// The agent's id (the user id of `GET /agents/{userId}/presence`).
    pub agent_id: String,
}

/// The event type Switchboard consumes.
pub const PRESENCE_CHANGED: &str = "agent.presencechanged.v0";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_list_envelopes_and_both_capacity_spellings_parse() {
        let plain: UserList = serde_json::from_str(
            r#"{"users":[{"userId":"a","username":"u","userAccountConfiguration":{"role":"Admin"}}]}"#,
        )
        .unwrap();
        let page = plain.into_page().unwrap();
        assert_eq!(page.users.len(), 1);
        assert!(page.meta.is_none());
        let paged: UserList = serde_json::from_str(
            r#"{"meta":{"page":1,"count":1,"pageCount":3,"totalCount":3},"items":[{"userId":"a","username":"u"}]}"#,
        )
        .unwrap();
        let page = paged.into_page().unwrap();
        assert_eq!(page.meta.unwrap().total_count, Some(3));
        let bad: UserList = serde_json::from_str("{}").unwrap();
        assert!(bad.into_page().is_err());

        let a: Capacity = serde_json::from_str(r#"{"live":60,"nonLive":33,"semiLive":40}"#).unwrap();
        let b: Capacity = serde_json::from_str(r#"{"live":60,"nonlive":33,"semilive":40}"#).unwrap();
        assert_eq!(a, b);
        assert_eq!(serde_json::to_value(&a).unwrap()["nonlive"], 33);
    }

    #[test]
    fn the_documented_presence_and_event_parse() {
        let p: AgentPresence = serde_json::from_str(
            r#"{"userId":"u1","updated":"2021-08-26T07:37:55.465Z","presence":{"presenceId":"p1","selectable":true,
            "category":{"categoryType":"Away","description":"Away"},"description":"Lunch"}}"#,
        )
        .unwrap();
        assert_eq!(p.presence.category.unwrap().category_type, "Away");
        let e: PresenceChangedEvent = serde_json::from_str(
            r#"{"type":"agent.presencechanged.v0","timestamp":"2021-08-26T07:37:55Z",
            "presence":{"category":{"categoryType":"Ready"},"description":"Ready"},"user":{"agentId":"u1"}}"#,
        )
        .unwrap();
        assert_eq!(e.user.agent_id, "u1");
    }
}
