//! The inputs of Vonage's user mutations and their rules (seed 004), checked before any
//! call; each failure names its field (`input.userAccountConfiguration.…`).

use async_graphql::{ID, InputObject};

use crate::{
    graphql::{
        error::{ApiError, ApiResult},
        id::NodeType,
        types::user::UserRole,
        validate,
    },
    vendors::{
        Vendor,
        vonage::{
            VonageUser,
            wire::{
                AgentConfiguration, AssociatedUser, Capacity, TelephonyAddress, UserAccountConfigurationBody,
                UserBody,
            },
        },
    },
};

/// Longest text accepted where Vonage documents no limit.
pub const MAX_TEXT: usize = 255;
/// Timers (seconds) and call rating frequency: 1 to 7200.
pub const TIMER_RANGE: (i32, i32) = (1, 7200);
/// Capacity used by a live interaction: 51 to 100 percent.
pub const LIVE_RANGE: (i32, i32) = (51, 100);
/// Capacity used by a non-live or semi-live interaction: 1 to 100 percent.
pub const OTHER_CAPACITY_RANGE: (i32, i32) = (1, 100);

/// Input of `createUser`: the body of Vonage's `POST /users`.
#[derive(Debug, InputObject)]
pub struct CreateUserInput {
    /// Unique username (required).
    pub username: String,
    /// Display name (required).
    pub name: String,
    /// Email (required).
    pub email: String,
    /// Single sign-on id.
    pub sso_external_id: Option<String>,
    /// False creates an archived user; default true.
    pub active: Option<bool>,
    /// Role and agent settings (required).
    pub user_account_configuration: UserAccountConfigurationInput,
}

/// `userAccountConfiguration` of a new user.
#[derive(Debug, InputObject)]
pub struct UserAccountConfigurationInput {
    /// The role.
    pub role: UserRole,
    /// Agent capabilities; an AGENT always has them (false is refused).
    pub act_as_agent: Option<bool>,
    /// Required when the role is AGENT or actAsAgent is true; refused otherwise.
    pub agent_configuration: Option<AgentConfigurationInput>,
}

/// Input of `updateUser`: only what is given changes (Vonage's `PATCH /users/{id}`).
#[derive(Debug, InputObject)]
pub struct UpdateUserInput {
    /// The user's global id.
    pub user_id: ID,
    /// New username.
    pub username: Option<String>,
    /// New display name.
    pub name: Option<String>,
    /// New email.
    pub email: Option<String>,
    /// New single sign-on id.
    pub sso_external_id: Option<String>,
    /// False archives the user, true restores it.
    pub active: Option<bool>,
    /// Changes to role and agent settings.
    pub user_account_configuration: Option<UserAccountConfigurationPatchInput>,
}

/// Changes to a user's `userAccountConfiguration`.
#[derive(Debug, InputObject)]
pub struct UserAccountConfigurationPatchInput {
    /// New role.
    pub role: Option<UserRole>,
    /// New agent capabilities.
    pub act_as_agent: Option<bool>,
    /// Changed agent settings.
    pub agent_configuration: Option<AgentConfigurationInput>,
}

/// An agent's settings.
#[derive(Debug, InputObject)]
#[allow(missing_docs)]
pub struct AgentConfigurationInput {
    /// Unique display id (agent required).
    pub agent_display_id: Option<String>,
    pub webrtc: Option<bool>,
    pub agent_control_webrtc: Option<bool>,
    pub handle_multiple_interactions: Option<bool>,
    pub enforced_disposition_codes: Option<bool>,
    pub transcribe_calls: Option<bool>,
    pub screen_recording: Option<bool>,
    pub call_parking: Option<bool>,
    /// Deprecated by Vonage.
    pub sales_cadence: Option<bool>,
    pub outbound_autoanswer: Option<bool>,
    pub inbound_autoanswer: Option<bool>,
    /// Seconds, 1–7200.
    pub outbound_wrap_up: Option<i32>,
    /// Seconds, 1–7200.
    pub back_to_ready_after_no_answer: Option<i32>,
    /// Seconds, 1–7200.
    pub back_to_ready_after_line_busy: Option<i32>,
    /// Seconds, 1–7200.
    pub back_to_ready_after_invalid_number: Option<i32>,
    /// Seconds, 1–7200.
    pub back_to_ready_after_network_issue: Option<i32>,
    /// Percentage of calls to rate; Vonage documents 1–7200.
    pub call_rating_frequency: Option<i32>,
    pub video: Option<bool>,
    pub transcribe_calls_real_time: Option<bool>,
    pub call_recording_controls: Option<bool>,
    /// Two-letter country code of the physical location.
    pub location: Option<String>,
    /// Where calls are routed (agent required).
    pub telephony_address: Option<TelephonyAddressInput>,
    pub capacity: Option<CapacityInput>,
    pub associated_users: Option<Vec<AssociatedUserInput>>,
}

/// Where calls for an agent are routed.
#[derive(Debug, InputObject)]
#[allow(missing_docs)]
pub struct TelephonyAddressInput {
    /// The phone number (agent required): at most 255 of `+` and digits.
    pub telephone_address: Option<String>,
    pub telephony_extension: Option<String>,
    pub outbound_telephony_region: Option<String>,
    pub national_display: Option<bool>,
    /// Two-letter country code of the virtual location.
    pub virtual_location: Option<String>,
    pub prevent_auto_callback_number: Option<bool>,
    pub selected_callback_number_id: Option<String>,
}

/// Capacity per kind of interaction, in percent.
#[derive(Debug, InputObject)]
pub struct CapacityInput {
    /// Whether these settings override the account's.
    pub is_agent_level: Option<bool>,
    /// Live (calls): 51–100.
    pub live: Option<i32>,
    /// Non-live (email): 1–100.
    pub non_live: Option<i32>,
    /// Semi-live (chat): 1–100.
    pub semi_live: Option<i32>,
}

/// A non-VCC user linked to an agent.
#[derive(Debug, InputObject)]
pub struct AssociatedUserInput {
    /// Its username.
    pub username: String,
    /// Its application (`VBC`).
    pub application_type: String,
}

/// Input of `archiveUser` and `deleteUser`.
#[derive(Debug, InputObject)]
pub struct UserIdInput {
    /// The user's global id.
    pub user_id: ID,
}

/// The Vonage id inside a user's global id.
pub fn user_id(field: &str, raw: &ID) -> ApiResult<String> {
    let id = validate::node_id(field, raw, NodeType::User, Vendor::Vonage)?;
    validate::uuid(field, &id)
}

fn email(field: &str, raw: &str) -> ApiResult<String> {
    let e = validate::name(field, raw, 254)?;
    let well_formed = match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !e.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if !well_formed {
        return Err(ApiError::bad_input(field, "is not a well-formed email address"));
    }
    Ok(e)
}

fn optional_text(field: &str, raw: Option<&String>) -> ApiResult<Option<String>> {
    raw.map(|s| {
        let s = s.trim();
        if s.chars().count() > MAX_TEXT {
            return Err(ApiError::bad_input(
                field,
                format!("must be at most {MAX_TEXT} characters"),
            ));
        }
        if s.chars().any(char::is_control) {
            return Err(ApiError::bad_input(field, "must not contain control characters"));
        }
        Ok(s.to_owned())
    })
    .transpose()
}

fn in_range(field: &str, value: Option<i32>, (min, max): (i32, i32)) -> ApiResult<Option<i64>> {
    match value {
        Some(v) if !(min..=max).contains(&v) => Err(ApiError::bad_input(
            field,
            format!("must be between {min} and {max} (got {v})"),
        )),
        other => Ok(other.map(i64::from)),
    }
}

fn country(field: &str, raw: Option<&String>) -> ApiResult<Option<String>> {
    raw.map(|c| {
        let c = c.trim();
        if c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_alphabetic()) {
            return Err(ApiError::bad_input(
                field,
                "must be a two-letter country code such as GB or PL",
            ));
        }
        Ok(c.to_ascii_uppercase())
    })
    .transpose()
}

fn telephone(field: &str, raw: &str) -> ApiResult<String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(ApiError::bad_input(field, "must not be empty"));
    }
    if t.chars().count() > MAX_TEXT {
        return Err(ApiError::bad_input(
            field,
            format!("must be at most {MAX_TEXT} characters"),
        ));
    }
    if !t.chars().all(|c| c == '+' || c.is_ascii_digit()) {
        return Err(ApiError::bad_input(
            field,
            "may contain only `+` and the digits 0-9",
        ));
    }
    Ok(t.to_owned())
}

/// Checks an agent configuration at `prefix`; `required` when the user acts as an agent
/// and this is a create (the agent-required fields must then be present).
fn agent_configuration(
    prefix: &str,
    a: &AgentConfigurationInput,
    required: bool,
) -> ApiResult<AgentConfiguration> {
    let f = |name: &str| format!("{prefix}.{name}");
    let agent_display_id = match (&a.agent_display_id, required) {
        (Some(id), _) => Some(validate::name(&f("agentDisplayId"), id, MAX_TEXT)?),
        (None, true) => {
            return Err(ApiError::bad_input(
                f("agentDisplayId"),
                "is required for an agent",
            ));
        }
        (None, false) => None,
    };
    let telephony_address = match (&a.telephony_address, required) {
        (Some(t), _) => {
            let p = f("telephonyAddress");
            let g = |name: &str| format!("{p}.{name}");
            let telephone_address = match (&t.telephone_address, required) {
                (Some(n), _) => Some(telephone(&g("telephoneAddress"), n)?),
                (None, true) => {
                    return Err(ApiError::bad_input(
                        g("telephoneAddress"),
                        "is required for an agent",
                    ));
                }
                (None, false) => None,
            };
            Some(TelephonyAddress {
                telephone_address,
                telephony_extension: optional_text(&g("telephonyExtension"), t.telephony_extension.as_ref())?,
                outbound_telephony_region: optional_text(
                    &g("outboundTelephonyRegion"),
                    t.outbound_telephony_region.as_ref(),
                )?,
                national_display: t.national_display,
                virtual_location: country(&g("virtualLocation"), t.virtual_location.as_ref())?,
                prevent_auto_callback_number: t.prevent_auto_callback_number,
                selected_callback_number_id: optional_text(
                    &g("selectedCallbackNumberId"),
                    t.selected_callback_number_id.as_ref(),
                )?,
            })
        }
        (None, true) => {
            return Err(ApiError::bad_input(
                f("telephonyAddress"),
                "is required for an agent",
            ));
        }
        (None, false) => None,
    };
    let capacity = a
        .capacity
        .as_ref()
        .map(|c| {
            let p = f("capacity");
            Ok::<_, ApiError>(Capacity {
                is_agent_level: c.is_agent_level,
                live: in_range(&format!("{p}.live"), c.live, LIVE_RANGE)?,
                nonlive: in_range(&format!("{p}.nonLive"), c.non_live, OTHER_CAPACITY_RANGE)?,
                semilive: in_range(&format!("{p}.semiLive"), c.semi_live, OTHER_CAPACITY_RANGE)?,
            })
        })
        .transpose()?;
    let associated_users = a
        .associated_users
        .as_ref()
        .map(|users| {
            users
                .iter()
                .enumerate()
                .map(|(i, u)| {
                    let p = f(&format!("associatedUsers[{i}]"));
                    Ok(AssociatedUser {
                        username: Some(validate::name(&format!("{p}.username"), &u.username, MAX_TEXT)?),
                        application_type: Some(validate::name(
                            &format!("{p}.applicationType"),
                            &u.application_type,
                            MAX_TEXT,
                        )?),
                    })
                })
                .collect::<ApiResult<Vec<_>>>()
        })
        .transpose()?;
    Ok(AgentConfiguration {
        agent_display_id,
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
        outbound_wrap_up: in_range(&f("outboundWrapUp"), a.outbound_wrap_up, TIMER_RANGE)?,
        back_to_ready_after_no_answer: in_range(
            &f("backToReadyAfterNoAnswer"),
            a.back_to_ready_after_no_answer,
            TIMER_RANGE,
        )?,
        back_to_ready_after_line_busy: in_range(
            &f("backToReadyAfterLineBusy"),
            a.back_to_ready_after_line_busy,
            TIMER_RANGE,
        )?,
        back_to_ready_after_invalid_number: in_range(
            &f("backToReadyAfterInvalidNumber"),
            a.back_to_ready_after_invalid_number,
            TIMER_RANGE,
        )?,
        back_to_ready_after_network_issue: in_range(
            &f("backToReadyAfterNetworkIssue"),
            a.back_to_ready_after_network_issue,
            TIMER_RANGE,
        )?,
        call_rating_frequency: in_range(&f("callRatingFrequency"), a.call_rating_frequency, TIMER_RANGE)?,
        video: a.video,
        transcribe_calls_real_time: a.transcribe_calls_real_time,
        call_recording_controls: a.call_recording_controls,
        location: country(&f("location"), a.location.as_ref())?,
        telephony_address,
        capacity,
        associated_users,
    })
}

const CONFIG: &str = "input.userAccountConfiguration";

/// The account configuration's rules: an AGENT always acts as an agent, agent settings
/// only for users who act as one (and, on a create, then required).
fn account_configuration(
    role: Option<UserRole>,
    act_as_agent: Option<bool>,
    agent: Option<&AgentConfigurationInput>,
    create: bool,
) -> ApiResult<UserAccountConfigurationBody> {
    if role == Some(UserRole::Agent) && act_as_agent == Some(false) {
        return Err(ApiError::bad_input(
            format!("{CONFIG}.actAsAgent"),
            "must be true when the role is AGENT (an Agent always acts as an agent)",
        ));
    }
    let acts = role == Some(UserRole::Agent) || act_as_agent == Some(true);
    let field = format!("{CONFIG}.agentConfiguration");
    let agent_configuration = match agent {
        Some(_) if act_as_agent == Some(false) || (create && !acts) => {
            return Err(ApiError::bad_input(
                field,
                "is only accepted for a user who acts as an agent (role AGENT or actAsAgent true)",
            ));
        }
        Some(a) => Some(agent_configuration(&field, a, create)?),
        None if create && acts => {
            return Err(ApiError::bad_input(
                field,
                "is required when the role is AGENT or actAsAgent is true",
            ));
        }
        None => None,
    };
    Ok(UserAccountConfigurationBody {
        role: role.map(|r| r.as_vonage().to_owned()),
        act_as_agent,
        agent_configuration,
    })
}

/// Checks a create and builds Vonage's body.
pub fn create_body(input: &CreateUserInput) -> ApiResult<UserBody> {
    let c = &input.user_account_configuration;
    Ok(UserBody {
        username: Some(validate::name("input.username", &input.username, MAX_TEXT)?),
        name: Some(validate::name("input.name", &input.name, MAX_TEXT)?),
        email: Some(email("input.email", &input.email)?),
        sso_external_id: optional_text("input.ssoExternalId", input.sso_external_id.as_ref())?,
        active: input.active,
        user_account_configuration: Some(account_configuration(
            Some(c.role),
            c.act_as_agent,
            c.agent_configuration.as_ref(),
            true,
        )?),
    })
}

/// The rules an update can only be checked against the user as it is: the role and
/// `actAsAgent` it will end with (an AGENT always acts as an agent), and a full set of
/// agent settings for a user who starts acting as an agent without any.
pub fn check_update_against(current: &VonageUser, input: &UpdateUserInput) -> ApiResult<()> {
    let Some(change) = &input.user_account_configuration else {
        return Ok(());
    };
    let now = &current.user_account_configuration;
    let role = change.role.or_else(|| UserRole::from_vonage(&now.role));
    let act_as_agent = change.act_as_agent.or(now.act_as_agent);
    if role == Some(UserRole::Agent) && act_as_agent == Some(false) {
        let (field, message) = if change.act_as_agent.is_some() {
            ("actAsAgent", "must stay true: the user's role is AGENT")
        } else {
            (
                "role",
                "AGENT needs actAsAgent true as well (an Agent always acts as an agent)",
            )
        };
        return Err(ApiError::bad_input(format!("{CONFIG}.{field}"), message));
    }
    let acts = role == Some(UserRole::Agent) || act_as_agent == Some(true);
    let field = format!("{CONFIG}.agentConfiguration");
    match (&change.agent_configuration, now.agent_configuration.is_some()) {
        (Some(_), _) if !acts => Err(ApiError::bad_input(
            field,
            "is only accepted for a user who acts as an agent (role AGENT or actAsAgent true)",
        )),
        // Starting to act as an agent: the settings a create would require.
        (Some(settings), false) => agent_configuration(&field, settings, true).map(drop),
        (None, false) if acts => Err(ApiError::bad_input(
            field,
            "is required: the user would act as an agent and has no agent settings yet",
        )),
        _ => Ok(()),
    }
}

/// Checks an update and builds Vonage's patch (the user's id is checked by the caller).
pub fn update_body(input: &UpdateUserInput) -> ApiResult<UserBody> {
    let body = UserBody {
        username: input
            .username
            .as_deref()
            .map(|u| validate::name("input.username", u, MAX_TEXT))
            .transpose()?,
        name: input
            .name
            .as_deref()
            .map(|n| validate::name("input.name", n, MAX_TEXT))
            .transpose()?,
        email: input
            .email
            .as_deref()
            .map(|e| email("input.email", e))
            .transpose()?,
        sso_external_id: optional_text("input.ssoExternalId", input.sso_external_id.as_ref())?,
        active: input.active,
        user_account_configuration: input
            .user_account_configuration
            .as_ref()
            .map(|c| account_configuration(c.role, c.act_as_agent, c.agent_configuration.as_ref(), false))
            .transpose()?,
    };
    if body == UserBody::default()
        || body.user_account_configuration == Some(UserAccountConfigurationBody::default())
            && body.username.is_none()
            && body.name.is_none()
            && body.email.is_none()
            && body.sso_external_id.is_none()
            && body.active.is_none()
    {
        return Err(ApiError::bad_input("input", "must change at least one field"));
    }
    Ok(body)
}
