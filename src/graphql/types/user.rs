//! `User`: a Vonage Contact Center user with its `userAccountConfiguration` (role,
//! agent capabilities and, for users who act as agents, the whole agent configuration).

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::{Agent, Presence, Supervisor, VendorKind, supervisor_vonage::VonageSupervisor};
use crate::{
    graphql::{
        context::loaders,
        error::ApiResult,
        id::{GlobalId, NodeType},
    },
    loaders::{Fetch, vonage::VonagePresenceOf},
    vendors::{
        Vendor, parse_timestamp,
        vonage::{self, roles, wire},
    },
};

/// A Vonage user's role.
#[derive(Debug, Enum, Clone, Copy, PartialEq, Eq)]
pub enum UserRole {
    /// Administers the account.
    Admin,
    /// Supervises agents.
    Supervisor,
    /// Shows wallboards.
    Wallboard,
    /// Handles interactions (always acts as an agent).
    Agent,
}

impl UserRole {
    /// The role as Vonage spells it.
    pub fn as_vonage(self) -> &'static str {
        match self {
            UserRole::Admin => roles::ADMIN,
            UserRole::Supervisor => roles::SUPERVISOR,
            UserRole::Wallboard => roles::WALLBOARD,
            UserRole::Agent => roles::AGENT,
        }
    }

    /// Reads Vonage's spelling (any case).
    pub fn from_vonage(raw: &str) -> Option<Self> {
        [
            UserRole::Admin,
            UserRole::Supervisor,
            UserRole::Wallboard,
            UserRole::Agent,
        ]
        .into_iter()
        .find(|r| r.as_vonage().eq_ignore_ascii_case(raw))
    }
}

/// A user's role and agent capabilities.
#[derive(Debug, Clone, SimpleObject)]
pub struct UserAccountConfiguration {
    /// The role; null when Vonage reports one Switchboard does not know (see `rawRole`).
    pub role: Option<UserRole>,
    /// The role as Vonage wrote it.
    pub raw_role: String,
    /// Whether the user's licence is charged.
    pub chargeable: Option<bool>,
    /// Whether the user has agent capabilities (always true for an Agent).
    pub act_as_agent: bool,
    /// The agent settings, when the user acts as an agent.
    pub agent_configuration: Option<VonageAgentConfiguration>,
}

/// The settings of a Vonage user who acts as an agent.
#[derive(Debug, Clone, SimpleObject)]
pub struct VonageAgentConfiguration {
    /// The agent's unique display id.
    pub agent_display_id: Option<String>,
    /// Can use ContactPad with WebRTC.
    pub webrtc: Option<bool>,
    /// Can control ContactPad using WebRTC.
    pub agent_control_webrtc: Option<bool>,
    /// Can handle more than one interaction.
    pub handle_multiple_interactions: Option<bool>,
    /// Must give a disposition code for an interaction.
    pub enforced_disposition_codes: Option<bool>,
    /// Calls are transcribed.
    pub transcribe_calls: Option<bool>,
    /// The screen is recorded during calls.
    pub screen_recording: Option<bool>,
    /// Call parking is on.
    pub call_parking: Option<bool>,
    /// Sales cadence (deprecated by Vonage).
    pub sales_cadence: Option<bool>,
    /// Outbound calls are answered automatically.
    pub outbound_autoanswer: Option<bool>,
    /// Inbound calls are answered automatically.
    pub inbound_autoanswer: Option<bool>,
    /// Longest Wrap Up (Auto) after an outbound call, in seconds.
    pub outbound_wrap_up: Option<i64>,
    /// Longest stay in No Answer, in seconds.
    pub back_to_ready_after_no_answer: Option<i64>,
    /// Longest stay in Line Busy, in seconds.
    pub back_to_ready_after_line_busy: Option<i64>,
    /// Longest stay in Network Congestion, in seconds.
    pub back_to_ready_after_invalid_number: Option<i64>,
    /// Longest stay in Fault on Line, in seconds.
    pub back_to_ready_after_network_issue: Option<i64>,
    /// Percentage of calls the agent must rate.
    pub call_rating_frequency: Option<i64>,
    /// Can use VBC video calling.
    pub video: Option<bool>,
    /// Can use real-time transcription.
    pub transcribe_calls_real_time: Option<bool>,
    /// Can control call recordings in ContactPad.
    pub call_recording_controls: Option<bool>,
    /// Country code of the agent's physical location.
    pub location: Option<String>,
    /// Where calls for the agent are routed.
    pub telephony_address: Option<VonageTelephonyAddress>,
    /// Capacity used by each kind of interaction.
    pub capacity: Option<VonageCapacity>,
    /// Non-VCC users linked to the agent.
    pub associated_users: Vec<VonageAssociatedUser>,
}

/// Where calls for a Vonage agent are routed.
#[derive(Debug, Clone, SimpleObject)]
pub struct VonageTelephonyAddress {
    /// The phone number, national format.
    pub telephone_address: Option<String>,
    /// The extension.
    pub telephony_extension: Option<String>,
    /// The telephony region used for outbound calls.
    pub outbound_telephony_region: Option<String>,
    /// Numbers are shown in national format.
    pub national_display: Option<bool>,
    /// Country code of the agent's virtual location.
    pub virtual_location: Option<String>,
    /// The agent may not override the automatic callback number.
    pub prevent_auto_callback_number: Option<bool>,
    /// The chosen callback number's id.
    pub selected_callback_number_id: Option<String>,
}

/// Capacity used by each kind of interaction, in percent.
#[derive(Debug, Clone, SimpleObject)]
pub struct VonageCapacity {
    /// These settings override the account's.
    pub is_agent_level: Option<bool>,
    /// Live interactions (calls).
    pub live: Option<i64>,
    /// Non-live interactions (email).
    pub non_live: Option<i64>,
    /// Semi-live interactions (chat).
    pub semi_live: Option<i64>,
}

/// A non-VCC user linked to an agent.
#[derive(Debug, Clone, SimpleObject)]
pub struct VonageAssociatedUser {
    /// Its username.
    pub username: Option<String>,
    /// Its application (`VBC`).
    pub application_type: Option<String>,
}

impl From<&wire::AgentConfiguration> for VonageAgentConfiguration {
    fn from(a: &wire::AgentConfiguration) -> Self {
        Self {
            agent_display_id: a.agent_display_id.clone(),
            webrtc: a.webrtc,
            agent_control_webrtc: a.agent_control_webrtc,
            handle_multiple_interactions: a.handle_multiple_interactions,
            enforced_disposition_codes: a.enforced_disposition_codes,
            transcribe_calls: a.transcribe_calls,
            screen_recording: a.screen_recording,
            call_parking: a.call_parking,
            sales_cadence: a.sales_cadence,
            outbound_autoanswer: a.outbound_autoanswer,
            inbound_autoanswer: a.inbound_autoanswer,
            outbound_wrap_up: a.outbound_wrap_up,
            back_to_ready_after_no_answer: a.back_to_ready_after_no_answer,
            back_to_ready_after_line_busy: a.back_to_ready_after_line_busy,
            back_to_ready_after_invalid_number: a.back_to_ready_after_invalid_number,
            back_to_ready_after_network_issue: a.back_to_ready_after_network_issue,
            call_rating_frequency: a.call_rating_frequency,
            video: a.video,
            transcribe_calls_real_time: a.transcribe_calls_real_time,
            call_recording_controls: a.call_recording_controls,
            location: a.location.clone(),
            telephony_address: a.telephony_address.as_ref().map(|t| VonageTelephonyAddress {
                telephone_address: t.telephone_address.clone(),
                telephony_extension: t.telephony_extension.clone(),
                outbound_telephony_region: t.outbound_telephony_region.clone(),
                national_display: t.national_display,
                virtual_location: t.virtual_location.clone(),
                prevent_auto_callback_number: t.prevent_auto_callback_number,
                selected_callback_number_id: t.selected_callback_number_id.clone(),
            }),
            capacity: a.capacity.as_ref().map(|c| VonageCapacity {
                is_agent_level: c.is_agent_level,
                live: c.live,
                non_live: c.nonlive,
                semi_live: c.semilive,
            }),
            associated_users: a
                .associated_users
                .iter()
                .flatten()
                .map(|u| VonageAssociatedUser {
                    username: u.username.clone(),
                    application_type: u.application_type.clone(),
                })
                .collect(),
        }
    }
}

impl UserAccountConfiguration {
    /// The graph's view of a user's configuration.
    pub fn of(user: &vonage::User) -> Self {
        let c = &user.user_account_configuration;
        let acts = user.acts_as_agent();
        Self {
            role: UserRole::from_vonage(&c.role),
            raw_role: c.role.clone(),
            chargeable: c.chargeable,
            act_as_agent: acts,
            agent_configuration: c
                .agent_configuration
                .as_ref()
                .filter(|_| acts)
                .map(VonageAgentConfiguration::from),
        }
    }
}

/// A Vonage Contact Center user.
#[derive(Debug, Clone)]
pub struct User {
    record: Arc<vonage::User>,
}

impl User {
    /// A user over Vonage's record.
    pub fn new(record: vonage::User) -> Self {
        Self {
            record: Arc::new(record),
        }
    }

    /// The global id of Vonage user `user_id`.
    pub fn global_id_of(user_id: &str) -> ID {
        GlobalId::new(NodeType::User, Vendor::Vonage, user_id).encode()
    }

    /// Vonage's record.
    pub fn record(&self) -> &vonage::User {
        &self.record
    }
}

/// A Vonage Contact Center user.
#[Object]
impl User {
    /// The global id.
    pub async fn id(&self) -> ID {
        Self::global_id_of(&self.record.user_id)
    }

    /// The vendor (always `VONAGE`).
    async fn vendor(&self) -> VendorKind {
        VendorKind::Vonage
    }

    /// Vonage's user id.
    async fn vendor_id(&self) -> &str {
        &self.record.user_id
    }

    /// The unique username.
    async fn username(&self) -> &str {
        &self.record.username
    }

    /// The display name.
    async fn name(&self) -> Option<&str> {
        self.record.name.as_deref()
    }

    /// Email.
    async fn email(&self) -> Option<&str> {
        self.record.email.as_deref()
    }

    /// The single sign-on id.
    async fn sso_external_id(&self) -> Option<&str> {
        self.record.sso_external_id.as_deref()
    }

    /// False for archived users.
    async fn active(&self) -> bool {
        self.record.is_active()
    }

    /// Whether the account is locked.
    async fn locked(&self) -> Option<bool> {
        self.record.locked
    }

    /// When the user last logged in.
    async fn last_login_time(&self) -> Option<DateTime<Utc>> {
        self.record.last_login_time.as_deref().and_then(parse_timestamp)
    }

    /// Role, agent capabilities and agent settings.
    async fn user_account_configuration(&self) -> UserAccountConfiguration {
        UserAccountConfiguration::of(&self.record)
    }

    /// The same user as an `Agent`, when it acts as one.
    async fn agent(&self) -> Option<Agent> {
        self.record
            .acts_as_agent()
            .then(|| Agent::new((*self.record).clone()))
    }

    /// The same user as a `Supervisor`, when its role is Supervisor.
    async fn supervisor(&self) -> Option<Supervisor> {
        VonageSupervisor::of((*self.record).clone()).map(Supervisor::new)
    }

    /// The user's presence as an agent, when it acts as one.
    async fn presence(&self, ctx: &Context<'_>) -> ApiResult<Option<Presence>> {
        if !self.record.acts_as_agent() {
            return Ok(None);
        }
        vonage_presence(ctx, &self.record.user_id).await
    }
}

/// The presence of Vonage agent `user_id`: the fresher of a webhook's and a read's.
pub async fn vonage_presence(ctx: &Context<'_>, user_id: &str) -> ApiResult<Option<Presence>> {
    let p = loaders(ctx)?
        .vonage()?
        .fetch_one(VonagePresenceOf(user_id.to_owned()))
        .await?;
    Ok(p.as_ref().map(Presence::from_vonage))
}
