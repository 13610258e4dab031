//! Input rules checked before any vendor call; each failure names its field. Besides the
//! general ones, the shape of each vendor's own ids, checked wherever such an id comes
//! in (a lookup, `node`, a mutation's input).

use async_graphql::ID;

use super::{
    error::{ApiError, ApiResult},
    id::{GlobalId, NodeType},
};
use crate::vendors::{
    Vendor,
    webex::ids::{self, WebexId},
};

/// A required display name: trimmed, 1 to `max` characters, no control characters.
pub fn name(field: &str, raw: &str, max: usize) -> ApiResult<String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(ApiError::bad_input(field, "must not be empty"));
    }
    let len = trimmed.chars().count();
    if len > max {
        return Err(ApiError::bad_input(
            field,
            format!("must be at most {max} characters (got {len})"),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(ApiError::bad_input(field, "must not contain control characters"));
    }
    Ok(trimmed.to_owned())
}

/// A canonical, lower-case UUID.
pub fn uuid(field: &str, raw: &str) -> ApiResult<String> {
    uuid::Uuid::try_parse(raw)
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| ApiError::bad_input(field, "is not a well-formed id"))
}

/// A Webex id of one of `kinds` with a UUID inside (trimmed).
pub fn webex_id(field: &str, raw: &str, kinds: &[&str]) -> ApiResult<String> {
    let decoded = WebexId::decode(raw).ok_or_else(|| ApiError::bad_input(field, "is not a Webex id"))?;
    if !kinds.contains(&decoded.kind.as_str()) {
        return Err(ApiError::bad_input(
            field,
            format!(
                "is a Webex {} id; one of {} is required",
                decoded.kind,
                kinds.join(", ")
            ),
        ));
    }
    if decoded.uuid().is_none() {
        return Err(ApiError::bad_input(field, "is not a well-formed Webex id"));
    }
    Ok(raw.trim().to_owned())
}

/// The kinds of Webex ids an agent may have.
pub const WEBEX_AGENT_KINDS: &[&str] = &[ids::PEOPLE, ids::PLACE, ids::VIRTUAL_LINE];

/// A Huawei AICC `userAccount`: 6 to 50 letters, digits or `@.-_`.
pub fn aicc_account(field: &str, raw: &str) -> ApiResult<String> {
    let len = raw.chars().count();
    if !(6..=50).contains(&len) {
        return Err(ApiError::bad_input(
            field,
            format!("must be 6 to 50 characters (got {len})"),
        ));
    }
    if !raw
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "@.-_".contains(c))
    {
        return Err(ApiError::bad_input(
            field,
            "may contain only letters, digits and @.-_",
        ));
    }
    Ok(raw.to_owned())
}

/// A Huawei AICC skill queue id (`skillId`, a number).
pub fn skill_queue_id(field: &str, raw: &str) -> ApiResult<i64> {
    raw.parse()
        .map_err(|_| ApiError::bad_input(field, "is not a skill queue id"))
}

/// One global id of `node_type` on `vendor`, returning the vendor's id.
pub fn node_id(field: &str, raw: &ID, node_type: NodeType, vendor: Vendor) -> ApiResult<String> {
    Ok(GlobalId::decode_as(field, raw, node_type)?
        .on(field, vendor)?
        .vendor_id)
}

/// A non-empty list of at most `max` global ids of `node_type` on `vendor`, each
/// vendor id passed through `check` (which names `field[i]`, the entry as sent), with
/// duplicates dropped, returning the vendor's ids in order.
pub fn node_ids(
    field: &str,
    raw: &[ID],
    node_type: NodeType,
    vendor: Vendor,
    max: usize,
    check: impl Fn(&str, &str) -> ApiResult<String>,
) -> ApiResult<Vec<String>> {
    if raw.is_empty() {
        return Err(ApiError::bad_input(field, "must name at least one id"));
    }
    if raw.len() > max {
        return Err(ApiError::bad_input(
            field,
            format!("must name at most {max} ids (got {})", raw.len()),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for (i, id) in raw.iter().enumerate() {
        let entry = format!("{field}[{i}]");
        let vendor_id = check(&entry, &node_id(&entry, id, node_type, vendor)?)?;
        if !out.contains(&vendor_id) {
            out.push(vendor_id);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(name("n", "  Tier 1 ", 10).unwrap(), "Tier 1");
        assert_eq!(
            name("input.name", "   ", 10).unwrap_err().field.as_deref(),
            Some("input.name")
        );
        assert!(name("n", "12345678901", 10).is_err());
        assert!(name("n", "a\u{7}b", 10).is_err());
    }

    #[test]
    fn id_lists_name_the_bad_entry() {
        let good = GlobalId::new(NodeType::Agent, Vendor::Dixa, "a").encode();
        let err = node_ids(
            "ids",
            &[good.clone(), ID("x".into())],
            NodeType::Agent,
            Vendor::Dixa,
            5,
            as_is,
        )
        .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("ids[1]"));
        assert_eq!(
            node_ids(
                "ids",
                &[good.clone(), good.clone()],
                NodeType::Agent,
                Vendor::Dixa,
                5,
                as_is
            )
            .unwrap(),
            vec!["a"]
        );
        assert!(node_ids("ids", &[], NodeType::Agent, Vendor::Dixa, 5, as_is).is_err());
        // The check names the entry as sent, counting duplicates.
        let a = GlobalId::new(
            NodeType::Agent,
            Vendor::Dixa,
            "0d1a0000-5e7e-4c1d-9a5e-000000000000",
        )
        .encode();
        let bad = GlobalId::new(NodeType::Agent, Vendor::Dixa, "not-a-uuid").encode();
        let err = node_ids(
            "ids",
            &[a.clone(), a, bad],
            NodeType::Agent,
            Vendor::Dixa,
            5,
            uuid,
        )
        .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("ids[2]"));
    }

    #[test]
    fn vendor_ids_have_their_shapes() {
        assert!(aicc_account("f", "agent_01@x.y-z").is_ok());
        assert_eq!(aicc_account("f", "abc").unwrap_err().field.as_deref(), Some("f"));
        assert!(aicc_account("f", &"a".repeat(51)).is_err());
        assert!(aicc_account("f", "has space").is_err());
        assert_eq!(skill_queue_id("f", "42").unwrap(), 42);
        assert_eq!(skill_queue_id("f", "x").unwrap_err().field.as_deref(), Some("f"));
        let person = WebexId::encode(ids::PEOPLE, "6a4f6b1e-0000-4000-8000-000000000001");
        assert_eq!(webex_id("f", &person, WEBEX_AGENT_KINDS).unwrap(), person);
        assert!(webex_id("f", &person, &[ids::LOCATION]).is_err());
        assert!(webex_id("f", &WebexId::encode(ids::PEOPLE, "not-a-uuid"), &[ids::PEOPLE]).is_err());
        assert!(webex_id("f", "garbage", &[ids::PEOPLE]).is_err());
    }

    fn as_is(_: &str, id: &str) -> ApiResult<String> {
        Ok(id.to_owned())
    }
}
