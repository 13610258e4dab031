//! Huawei AICC's JSON, named exactly as Huawei names it. Responses are read leniently:
//! optional fields are optional, numbers may arrive as strings.

use serde::{Deserialize, Deserializer, Serialize};

/// `tokenByAkSk` request body.
#[derive(Serialize)]
pub struct TokenRequest<'a> {
    /// The AK.
    pub app_key: &'a str,
    /// The SK.
    pub app_secret: &'a str,
}

/// `tokenByAkSk` response (every field a string). No `Debug`: it holds the token.
#[derive(Deserialize)]
pub struct TokenReply {
    /// The token.
    #[serde(rename = "AccessToken")]
    pub access_token: Option<String>,
    /// `Bearer`.
    #[serde(rename = "ApplyType", default)]
    pub apply_type: Option<String>,
    /// Lifetime in seconds, as a string.
    #[serde(rename = "Expires", default, deserialize_with = "lenient_u64")]
    pub expires: Option<u64>,
}

/// The status envelope every cc-management answer carries.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    /// `"0"` success, `"1"` failure.
    #[serde(default, deserialize_with = "lenient_string")]
    pub result_code: Option<String>,
    /// The message accompanying `resultCode`.
    #[serde(default)]
    pub result_message: Option<String>,
    /// `"0"` success, `"1"` failure (the operations that use it).
    #[serde(default, deserialize_with = "lenient_string")]
    pub return_code: Option<String>,
    /// The message accompanying `returnCode`.
    #[serde(default)]
    pub description: Option<String>,
    /// Error bodies of the gateway in front of the API.
    #[serde(default)]
    pub error_msg: Option<String>,
}

impl Envelope {
    /// The result code, whichever name it came under.
    pub fn code(&self) -> Option<&str> {
        self.result_code.as_deref().or(self.return_code.as_deref())
    }

    /// The message, whichever name it came under.
    pub fn message(&self) -> Option<String> {
        self.result_message
            .clone()
            .or_else(|| self.description.clone())
            .or_else(|| self.error_msg.clone())
    }
}

/// One skill of an agent, in requests and responses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentSkill {
    /// Skill queue id.
    #[serde(deserialize_with = "required_i64")]
    pub skill_id: i64,
    /// Agent weight.
    #[serde(
        default,
        deserialize_with = "lenient_i32",
        skip_serializing_if = "Option::is_none"
    )]
    pub agent_weight: Option<i32>,
    /// Skill queue weight.
    #[serde(
        default,
        deserialize_with = "lenient_i32",
        skip_serializing_if = "Option::is_none"
    )]
    pub skill_weight: Option<i32>,
}

/// `agentAccount/create` body.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateAgentBody<'a> {
    /// Agent account: 6 to 50 letters, digits or `@.-_`.
    pub user_account: &'a str,
    /// Agent name.
    pub user_name: &'a str,
    /// Initial password.
    pub password: &'a str,
    /// Email address.
    pub email: &'a str,
    /// `agentType`.
    pub agent_type: i32,
    /// `ccRoleId`.
    pub cc_role_id: i32,
    /// Skills (left out when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<AgentSkill>,
    /// Phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<&'a str>,
}

/// `agentAccount/create` answer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateAgentReply {
    /// The agent id handed out.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub work_no: Option<i64>,
}

/// `agentAccount/update` body.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateAgentBody<'a> {
    /// The account to change.
    pub user_account: &'a str,
    /// New name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<&'a str>,
    /// New email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<&'a str>,
    /// New phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<&'a str>,
    /// New `agentType`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_type: Option<i32>,
    /// New `ccRoleId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cc_role_id: Option<i32>,
    /// New skills, replacing the current ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skills: Option<Vec<AgentSkill>>,
    /// The current password.
    #[serde(rename = "oldPassWord", skip_serializing_if = "Option::is_none")]
    pub old_pass_word: Option<&'a str>,
    /// The new password.
    #[serde(rename = "newPassWord", skip_serializing_if = "Option::is_none")]
    pub new_pass_word: Option<&'a str>,
}

/// `agentAccount/delete` body, and `agentAccount/query` by account.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountBody<'a> {
    /// The account.
    pub user_account: &'a str,
}

/// `agentAccount/query`, paged.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryAgentsBody<'a> {
    /// Page number, from 0.
    pub page_num: u32,
    /// Page size.
    pub page_size: u32,
    /// Only these agent types (left out for all).
    #[serde(skip_serializing_if = "<[i32]>::is_empty")]
    pub agent_type: &'a [i32],
}

/// An agent account as `agentAccount/query` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentAccount {
    /// The account (the key).
    pub user_account: String,
    /// The agent's name.
    #[serde(default)]
    pub user_name: Option<String>,
    /// Phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// `agentType`.
    #[serde(default, deserialize_with = "lenient_i32")]
    pub agent_type: Option<i32>,
    /// `ccRoleId`.
    #[serde(default, deserialize_with = "lenient_i32")]
    pub cc_role_id: Option<i32>,
    /// The SIP account, when one is bound.
    #[serde(default, deserialize_with = "lenient_string")]
    pub sip_account: Option<String>,
    /// The work number (agent id).
    #[serde(default, deserialize_with = "lenient_i64")]
    pub work_no: Option<i64>,
    /// Skills.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub skills: Vec<AgentSkill>,
}

/// `agentAccount/query` answer.
#[derive(Debug, Deserialize)]
pub struct QueryAgentsReply {
    /// The accounts.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub data: Vec<AgentAccount>,
    /// How many match in all.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub total: Option<u64>,
}

/// `skill/querySkills` body.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuerySkillsBody<'a> {
    /// Queues whose name contains this.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    /// Queues of this media type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type_id: Option<i32>,
    /// Queues to return, at most 100.
    pub limit: u32,
    /// Queues to skip.
    pub offset: u32,
    /// Only these queues.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skill_ids: Option<&'a [i64]>,
}

/// A skill queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillQueue {
    /// The queue id.
    #[serde(deserialize_with = "required_i64")]
    pub skill_id: i64,
    /// The queue name.
    #[serde(default)]
    pub name: Option<String>,
    /// The media type (same codes as `agentType`).
    #[serde(default, deserialize_with = "lenient_i32")]
    pub media_type_id: Option<i32>,
}

/// `skill/querySkills` answer.
#[derive(Debug, Deserialize)]
pub struct QuerySkillsReply {
    /// The queues.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub data: Vec<SkillQueue>,
    /// How many match in all.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub total: Option<u64>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NumOrText {
    Int(i64),
    Uint(u64),
    Float(f64),
    Text(String),
}

impl NumOrText {
    fn text(self) -> String {
        match self {
            NumOrText::Int(n) => n.to_string(),
            NumOrText::Uint(n) => n.to_string(),
            NumOrText::Float(n) => n.to_string(),
            NumOrText::Text(s) => s,
        }
    }
}

fn lenient<'de, D: Deserializer<'de>, T: std::str::FromStr>(d: D) -> Result<Option<T>, D::Error> {
    let raw = Option::<NumOrText>::deserialize(d)?;
    Ok(raw.and_then(|r| r.text().trim().parse().ok()))
}

fn lenient_i32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    lenient(d)
}

fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    lenient(d)
}

fn lenient_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    lenient(d)
}

fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<NumOrText>::deserialize(d)?.map(NumOrText::text))
}

fn required_i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    lenient_i64(d)?.ok_or_else(|| serde::de::Error::custom("expected an integer id"))
}

fn null_as_empty<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_numbers_as_numbers_or_strings() {
        let a: AgentAccount = serde_json::from_str(
            r#"{"userAccount":"test123456","agentType":"11","ccRoleId":2,"workNo":108,
                "skills":[{"skillId":"3","agentWeight":1,"skillWeight":"2"}],"sipAccount":88001}"#,
        )
        .unwrap();
        assert_eq!(a.agent_type, Some(11));
        assert_eq!(a.skills[0].skill_id, 3);
        assert_eq!(a.skills[0].skill_weight, Some(2));
        assert_eq!(a.sip_account.as_deref(), Some("88001"));
        let e: Envelope = serde_json::from_str(r#"{"returnCode":"1","description":"no"}"#).unwrap();
        assert_eq!(e.code(), Some("1"));
        assert_eq!(e.message().as_deref(), Some("no"));
    }
}
