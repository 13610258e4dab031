//! Webex ids: base64 (unpadded, standard or URL-safe alphabet) of
//! `ciscospark://{region}/{KIND}/{uuid}`. Some answers carry the bare UUID instead (the
//! `supervisorAgentStatus` of supervisor writes), so matching is done on the UUID.

use base64::{
    Engine, alphabet,
    engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig},
};

const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_encode_padding(false)
    .with_decode_padding_mode(DecodePaddingMode::Indifferent);
const STANDARD_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
const URL_SAFE_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);

/// The kinds of Webex ids Switchboard handles.
pub const PEOPLE: &str = "PEOPLE";
/// A workspace.
pub const PLACE: &str = "PLACE";
/// A virtual line.
pub const VIRTUAL_LINE: &str = "VIRTUAL_LINE";
/// An organisation.
pub const ORGANIZATION: &str = "ORGANIZATION";
/// A location.
pub const LOCATION: &str = "LOCATION";

/// A decoded Webex id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebexId {
    /// The cluster/region segment (`us`).
    pub region: String,
    /// The kind (`PEOPLE`, `PLACE`, `VIRTUAL_LINE`, `ORGANIZATION`, `LOCATION`, …).
    pub kind: String,
    /// The object's own id (a UUID for people, workspaces, lines and orgs).
    pub local: String,
}

impl WebexId {
    /// Decodes a Webex id; `None` when `raw` is not one.
    pub fn decode(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        if raw.is_empty() || raw.len() > 512 {
            return None;
        }
        let bytes = STANDARD_LENIENT
            .decode(raw)
            .or_else(|_| URL_SAFE_LENIENT.decode(raw))
            .ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let rest = text.strip_prefix("ciscospark://")?;
        let mut parts = rest.splitn(3, '/');
        let (region, kind, local) = (parts.next()?, parts.next()?, parts.next()?);
        let plain = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '=' || c == '+')
        };
        if !plain(region) || !plain(kind) || !plain(local) {
            return None;
        }
        Some(Self {
            region: region.to_owned(),
            kind: kind.to_owned(),
            local: local.to_owned(),
        })
    }

    /// The id's UUID, when its local part is one.
    pub fn uuid(&self) -> Option<uuid::Uuid> {
        uuid::Uuid::try_parse(&self.local).ok()
    }

    /// Encodes `ciscospark://us/{kind}/{local}` the way Webex does.
    pub fn encode(kind: &str, local: &str) -> String {
        STANDARD_LENIENT.encode(format!("ciscospark://us/{kind}/{local}"))
    }
}

/// The UUID an id in a Webex answer stands for: the bare UUID the supervisor writes
/// report, or the UUID inside a full Webex id.
pub fn uuid_of(raw: &str) -> Option<uuid::Uuid> {
    uuid::Uuid::try_parse(raw.trim())
        .ok()
        .or_else(|| WebexId::decode(raw)?.uuid())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_seed_ids() {
        let id = WebexId::decode(
            "Y2lzY29zcGFyazovL3VzL1BFT1BMRS83MTFlNWQ5NS0zODQyLTRmOGItOGZjNy00NGY5YjA0N2MyZTc",
        )
        .unwrap();
        assert_eq!(id.kind, PEOPLE);
        assert_eq!(id.local, "711e5d95-3842-4f8b-8fc7-44f9b047c2e7");
        let place =
            WebexId::decode("Y2lzY29zcGFyazovL3VzL1BMQUNFLzE3NzczMWRiLWE1YzEtNGI2MC05ZTMwLTNhM2MxMGFiM2IxMQ")
                .unwrap();
        assert_eq!(place.kind, PLACE);
        let encoded = WebexId::encode(PEOPLE, "711e5d95-3842-4f8b-8fc7-44f9b047c2e7");
        assert_eq!(
            encoded,
            "Y2lzY29zcGFyazovL3VzL1BFT1BMRS83MTFlNWQ5NS0zODQyLTRmOGItOGZjNy00NGY5YjA0N2MyZTc"
        );
        assert_eq!(
            uuid_of("9508978d-9bad-4faa-a9c4-09d85d8fdce6"),
            uuid_of("Y2lzY29zcGFyazovL3VzL1BFT1BMRS85NTA4OTc4ZC05YmFkLTRmYWEtYTljNC0wOWQ4NWQ4ZmRjZTY")
        );
        assert!(WebexId::decode("not an id").is_none());
        assert!(WebexId::decode(&STANDARD_LENIENT.encode("http://us/PEOPLE/x")).is_none());
        assert!(WebexId::decode(&STANDARD_LENIENT.encode("ciscospark://us/PEOPLE/a/../b")).is_none());
    }
}
