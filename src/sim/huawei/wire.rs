//! The simulator's own view of Huawei AICC's JSON (kept apart from the client's, so a
//! client bug is not mirrored here). Inputs are all optional so that a missing
//! mandatory field gets the vendor's `resultCode "1"`, not a framework error.

use serde::{Deserialize, Serialize};

/// `tokenByAkSk` body.
#[derive(Deserialize)]
pub struct TokenIn {
    pub app_key: Option<String>,
    pub app_secret: Option<String>,
}

/// One skill of an agent in a request.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillIn {
    pub skill_id: Option<i64>,
    pub agent_weight: Option<i64>,
    pub skill_weight: Option<i64>,
}

/// `agentAccount/create` body.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateIn {
    pub user_account: Option<String>,
    pub user_name: Option<String>,
    pub password: Option<String>,
    pub email: Option<String>,
    pub agent_type: Option<i64>,
    pub cc_role_id: Option<i64>,
    #[serde(default)]
    pub skills: Option<Vec<SkillIn>>,
    pub phone: Option<String>,
}

/// `agentAccount/update` body.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateIn {
    pub user_account: Option<String>,
    pub user_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub agent_type: Option<i64>,
    pub cc_role_id: Option<i64>,
    pub skills: Option<Vec<SkillIn>>,
    #[serde(rename = "oldPassWord")]
    pub old_pass_word: Option<String>,
    #[serde(rename = "newPassWord")]
    pub new_pass_word: Option<String>,
}

/// `agentAccount/delete` body.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountIn {
    pub user_account: Option<String>,
}

/// `agentAccount/query` body: by account, or paged.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryIn {
    pub user_account: Option<String>,
    pub page_num: Option<i64>,
    pub page_size: Option<i64>,
    pub agent_type: Option<Vec<i64>>,
}

/// `skill/querySkills` body.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillsIn {
    pub name: Option<String>,
    pub media_type_id: Option<i64>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    pub skill_ids: Option<Vec<i64>>,
}

/// A skill of an agent in an answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillOut {
    pub skill_id: i64,
    pub agent_weight: i64,
    pub skill_weight: i64,
}

/// An agent account in an answer (never with its password).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentOut {
    pub user_account: String,
    pub user_name: String,
    pub phone: Option<String>,
    pub email: String,
    pub agent_type: i64,
    pub cc_role_id: i64,
    pub sip_account: Option<String>,
    pub work_no: i64,
    pub skills: Vec<SkillOut>,
}

/// A skill queue in an answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillQueueOut {
    pub skill_id: i64,
    pub name: String,
    pub media_type_id: i64,
}
