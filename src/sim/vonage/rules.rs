//! The simulator's own reading of Vonage's user rules (seed 004), written apart from
//! Switchboard's validation so that one can be checked against the other.

use serde_json::{Map, Value};

/// The roles Vonage knows.
pub const ROLES: [&str; 4] = ["Admin", "Supervisor", "Wallboard", "Agent"];

/// Timers and rating frequency: 1 to 7200.
const TIMERS: [&str; 6] = [
    "outboundWrapUp",
    "backToReadyAfterNoAnswer",
    "backToReadyAfterLineBusy",
    "backToReadyAfterInvalidNumber",
    "backToReadyAfterNetworkIssue",
    "callRatingFrequency",
];

const AGENT_BOOLS: [&str; 14] = [
    "webrtc",
    "agentControlWebrtc",
    "handleMultipleInteractions",
    "enforcedDispositionCodes",
    "transcribeCalls",
    "screenRecording",
    "callParking",
    "salesCadence",
    "outboundAutoanswer",
    "inboundAutoanswer",
    "video",
    "transcribeCallsRealTime",
    "callRecordingControls",
    "nationalDisplay",
];

fn text<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("The {key} field must be a string.")),
    }
}

fn required<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<&'a str, String> {
    match text(obj, key)? {
        Some(s) if !s.trim().is_empty() => Ok(s),
        _ => Err(format!("The {key} field is required.")),
    }
}

fn flag(obj: &Map<String, Value>, key: &str) -> Result<Option<bool>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(format!("The {key} field must be true or false.")),
    }
}

fn range(obj: &Map<String, Value>, key: &str, min: i64, max: i64) -> Result<(), String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(()),
        Some(v) => match v.as_i64() {
            Some(n) if (min..=max).contains(&n) => Ok(()),
            _ => Err(format!("The field {key} must be between {min} and {max}.")),
        },
    }
}

fn country(obj: &Map<String, Value>, key: &str) -> Result<(), String> {
    match text(obj, key)? {
        Some(c) if c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_uppercase()) => {
            Err(format!("The {key} field must be a two-letter country code."))
        }
        _ => Ok(()),
    }
}

/// Checks a whole user (after a create's defaults or a patch's merge) and normalises it.
pub fn check_user(user: &mut Map<String, Value>) -> Result<(), String> {
    required(user, "username")?;
    required(user, "name")?;
    let email = required(user, "email")?;
    if !email.contains('@') {
        return Err("The email field is not a valid e-mail address.".into());
    }
    text(user, "ssoExternalId")?;
    flag(user, "active")?;
    let Some(Value::Object(config)) = user.get_mut("userAccountConfiguration") else {
        return Err("The userAccountConfiguration field is required.".into());
    };
    let role = required(config, "role")?.to_owned();
    let Some(role) = ROLES.iter().find(|r| r.eq_ignore_ascii_case(&role)) else {
        return Err(format!("The role '{role}' is not valid."));
    };
    config.insert("role".into(), Value::from(*role));
    let acts = flag(config, "actAsAgent")?;
    if *role == "Agent" && acts == Some(false) {
        return Err("A user with the Agent role must act as an agent.".into());
    }
    let acts = *role == "Agent" || acts == Some(true);
    config.insert("actAsAgent".into(), Value::from(acts));
    if !acts {
        config.remove("agentConfiguration");
        return Ok(());
    }
    let Some(Value::Object(agent)) = config.get_mut("agentConfiguration") else {
        return Err("The agentConfiguration field is required for a user who acts as an agent.".into());
    };
    required(agent, "agentDisplayId")?;
    for key in AGENT_BOOLS {
        flag(agent, key)?;
    }
    for key in TIMERS {
        range(agent, key, 1, 7200)?;
    }
    country(agent, "location")?;
    let Some(Value::Object(address)) = agent.get("telephonyAddress") else {
        return Err("The telephonyAddress field is required.".into());
    };
    let phone = required(address, "telephoneAddress")?;
    if phone.len() > 255 || !phone.chars().all(|c| c == '+' || c.is_ascii_digit()) {
        return Err("The telephoneAddress field may hold at most 255 of '+' and 0-9.".into());
    }
    country(address, "virtualLocation")?;
    flag(address, "nationalDisplay")?;
    flag(address, "preventAutoCallbackNumber")?;
    if let Some(Value::Object(capacity)) = agent.get_mut("capacity") {
        // Both spellings are documented; keep the field list's.
        for (from, to) in [("nonLive", "nonlive"), ("semiLive", "semilive")] {
            if let Some(v) = capacity.remove(from) {
                capacity.insert(to.into(), v);
            }
        }
        flag(capacity, "isAgentLevel")?;
        range(capacity, "live", 51, 100)?;
        range(capacity, "nonlive", 1, 100)?;
        range(capacity, "semilive", 1, 100)?;
    }
    Ok(())
}

/// Merges `patch` into `target` (JSON merge patch: objects merge, `null` removes).
pub fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}
