//! The one reading of a vendor's timestamp, for every vendor and every caller (the
//! presence store, the webhook, the graph), so a time that one reads, all read alike.

use chrono::{DateTime, NaiveDateTime, Utc};

/// Reads a vendor timestamp: RFC 3339, or ISO 8601 without a zone (taken as UTC).
/// Whitespace around it is ignored.
pub fn parse_timestamp(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|t| t.and_utc())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_fractions_and_surrounding_space_are_read() {
        let at = |s: &str| parse_timestamp(s).map(|t| t.to_rfc3339());
        assert_eq!(
            at("2026-11-23T10:00:00Z").as_deref(),
            Some("2026-11-23T10:00:00+00:00")
        );
        assert_eq!(
            at("2026-11-23T11:00:00+01:00").as_deref(),
            Some("2026-11-23T10:00:00+00:00")
        );
        assert_eq!(
            at("2026-11-23T10:00:00.250").as_deref(),
            Some("2026-11-23T10:00:00.250+00:00"),
            "no zone is UTC"
        );
        assert_eq!(
            at("  2026-11-23T10:00:00Z\n").as_deref(),
            Some("2026-11-23T10:00:00+00:00"),
            "surrounding whitespace is ignored"
        );
        assert_eq!(
            at(" 2026-11-23T10:00:00 ").as_deref(),
            Some("2026-11-23T10:00:00+00:00")
        );
        for bad in ["", "   ", "yesterday", "2026-11-23", "2026-11-23T10:00:00 Z"] {
            assert_eq!(at(bad), None, "{bad:?}");
        }
    }
}
