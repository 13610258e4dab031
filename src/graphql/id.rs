//! Opaque global ids: `base64url("{Type}:{VENDOR}:{vendorId}:{check}")`, where `check`
//! is a short checksum of the rest, so an edited or made-up id is refused with
//! `BAD_USER_INPUT` instead of reaching a vendor.

use std::fmt;

use async_graphql::ID;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use super::error::{ApiError, ApiResult};
use crate::vendors::Vendor;

/// The graph types that have global ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeType {
    /// `Agent`.
    Agent,
    /// `Team`.
    Team,
    /// `Supervisor`.
    Supervisor,
    /// `SkillQueue`.
    SkillQueue,
    /// `User`.
    User,
}

impl NodeType {
    const ALL: [NodeType; 5] = [
        NodeType::Agent,
        NodeType::Team,
        NodeType::Supervisor,
        NodeType::SkillQueue,
        NodeType::User,
    ];

    /// The GraphQL type name.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeType::Agent => "Agent",
            NodeType::Team => "Team",
            NodeType::Supervisor => "Supervisor",
            NodeType::SkillQueue => "SkillQueue",
            NodeType::User => "User",
        }
    }
}

impl fmt::Display for NodeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A decoded global id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GlobalId {
    /// The graph type.
    pub node_type: NodeType,
    /// The vendor the object lives on.
    pub vendor: Vendor,
    /// The vendor's own id.
    pub vendor_id: String,
}

fn checksum(payload: &str) -> String {
    // FNV-1a, 32 bits: enough to catch edits, not a security boundary.
    let mut hash: u32 = 0x811c_9dc5;
    for byte in payload.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    format!("{hash:08x}")
}

impl GlobalId {
    /// The id of `vendor_id` of `node_type` on `vendor`.
    pub fn new(node_type: NodeType, vendor: Vendor, vendor_id: impl Into<String>) -> Self {
        Self {
            node_type,
            vendor,
            vendor_id: vendor_id.into(),
        }
    }

    /// The opaque string form.
    pub fn encode(&self) -> ID {
        let payload = format!(
            "{}:{}:{}",
            self.node_type.as_str(),
            self.vendor.as_str(),
            self.vendor_id
        );
        let check = checksum(&payload);
        ID(URL_SAFE_NO_PAD.encode(format!("{payload}:{check}")))
    }

    /// Decodes `raw`; `field` names the input it came from, for the error.
    pub fn decode(field: &str, raw: &str) -> ApiResult<Self> {
        let invalid = || ApiError::bad_input(field, "is not a valid Switchboard id");
        let bytes = URL_SAFE_NO_PAD.decode(raw.trim()).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let (payload, check) = text.rsplit_once(':').ok_or_else(invalid)?;
        if checksum(payload) != check {
            return Err(invalid());
        }
        let mut parts = payload.splitn(3, ':');
        let (Some(t), Some(v), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(invalid());
        };
        let node_type = NodeType::ALL
            .into_iter()
            .find(|n| n.as_str() == t)
            .ok_or_else(invalid)?;
        let vendor = Vendor::parse(v).ok_or_else(invalid)?;
        if id.is_empty() {
            return Err(invalid());
        }
        Ok(Self::new(node_type, vendor, id))
    }

    /// Decodes `raw` and insists it is a `node_type`.
    pub fn decode_as(field: &str, raw: &str, node_type: NodeType) -> ApiResult<Self> {
        let id = Self::decode(field, raw)?;
        if id.node_type != node_type {
            return Err(ApiError::bad_input(
                field,
                format!("is the id of a {}, not of a {node_type}", id.node_type),
            ));
        }
        Ok(id)
    }

    /// Insists the id lives on `vendor`.
    pub fn on(self, field: &str, vendor: Vendor) -> ApiResult<Self> {
        if self.vendor != vendor {
            return Err(ApiError::bad_input(
                field,
                format!(
                    "is a {} {} id; {vendor} is required here",
                    self.vendor, self.node_type
                ),
            ));
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_tampering() {
        let id = GlobalId::new(
            NodeType::Team,
            Vendor::Dixa,
            "005e7108-c85c-41d1-a945-4a8dc58c4399",
        );
        let encoded = id.encode();
        assert_eq!(GlobalId::decode("id", &encoded).unwrap(), id);

        // Flip one character of the vendor id inside the payload.
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(encoded.as_str()).unwrap()).unwrap();
        let forged = URL_SAFE_NO_PAD.encode(text.replacen("005e", "105e", 1));
        let err = GlobalId::decode("id", &forged).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("id"));

        assert!(GlobalId::decode("id", "not base64!").is_err());
        assert!(GlobalId::decode("id", "").is_err());
        assert!(GlobalId::decode_as("id", &encoded, NodeType::Agent).is_err());
    }
}
