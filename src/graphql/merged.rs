//! One connection over several vendors' lists: each vendor's list is sorted by one key,
//! a page takes the smallest head among them each time (a k-way merge), and the cursor
//! records the key of the last item it covers. The keys are unique and totally ordered
//! (name, vendor, vendor id), so a page resumes strictly after that key in every
//! vendor's list: an account added or removed between two pages never makes another one
//! repeat or go missing (a count of items would shift when the list changes).
//!
//! A vendor that failed contributes nothing to a page and keeps the position it had, so
//! the next page picks up its list where the earlier cursor left it: the cursor holds
//! that older key for it beside the shared one.
//!
//! Cursor format (opaque to clients, stable): URL-safe base64 without padding of the
//! JSON `{"list": "agents", "at": KEY, "held": {"DIXA": KEY}}`, where `list` names the
//! field (`agents`, `supervisors`), `at` is the key of the cursor's item (`null` at the
//! start), `held` the older keys of the vendors that failed since, and a KEY is the
//! list's own key as JSON (for people: `[name, vendor, vendorId]`).
//!
//! May depend on: `graphql::connection`, `graphql::error`, `vendors` (the `Vendor` enum).

use std::collections::BTreeMap;

use async_graphql::connection::{Connection, Edge};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use super::{
    connection::{ListConnection, ListCursor, ListInfo},
    error::{ApiError, ApiResult},
};
use crate::vendors::Vendor;

/// Where a merged list stands: after the key `at` in every vendor's list, except the
/// vendors in `held`, which stand after their own older key (they failed since).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Positions<K> {
    at: Option<K>,
    held: BTreeMap<Vendor, Option<K>>,
}

impl<K> Default for Positions<K> {
    fn default() -> Self {
        Self {
            at: None,
            held: BTreeMap::new(),
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    bound(serialize = "K: Serialize", deserialize = "K: DeserializeOwned")
)]
struct Wire<K> {
    list: String,
    at: Option<K>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    held: BTreeMap<Vendor, Option<K>>,
}

/// Largest cursor accepted, decoded (a cursor holds at most five keys).
const MAX_CURSOR_BYTES: usize = 4_096;

impl<K: Ord + Clone + Serialize + DeserializeOwned> Positions<K> {
    /// The key `vendor`'s list stands after (`None`: its start).
    pub fn get(&self, vendor: Vendor) -> Option<&K> {
        match self.held.get(&vendor) {
            Some(held) => held.as_ref(),
            None => self.at.as_ref(),
        }
    }

    /// The cursor of list `list` at these positions.
    pub fn encode(&self, list: &str) -> String {
        let wire = Wire {
            list: list.to_owned(),
            at: self.at.clone(),
            held: self.held.clone(),
        };
        // Serialising keys made of strings and enums cannot fail.
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&wire).unwrap_or_default())
    }

    /// Reads `after` as a cursor of list `list` (the start when `None`).
    pub fn decode(list: &str, after: Option<&str>) -> ApiResult<Self> {
        let Some(raw) = after else {
            return Ok(Self::default());
        };
        let bad = || ApiError::bad_input("after", "is not a cursor from this list");
        if raw.len() > MAX_CURSOR_BYTES * 4 / 3 + 4 {
            return Err(bad());
        }
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?;
        let wire: Wire<K> = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        if wire.list != list {
            return Err(bad());
        }
        Ok(Self {
            at: wire.at,
            held: wire.held,
        })
    }
}

/// One vendor's part of a merged list.
#[derive(Debug)]
pub enum Part<K, N> {
    /// The vendor's whole list after the filters, each item with its sort key.
    Listed(Vec<(K, N)>),
    /// The vendor was asked and failed.
    Failed(ApiError),
}

/// Where one vendor's list stands during a merge.
struct Head<K, N> {
    /// The next item, if any.
    next: Option<(K, N)>,
    rest: std::vec::IntoIter<(K, N)>,
}

/// One page of the merge of `parts` (at most one per vendor) for list `list`: `first`
/// items after `after`, in the order of their keys. `totalCount` sums the lists that
/// arrived; `hasNextPage` says whether any of them has items left. Failed parts are
/// returned for the caller to report.
pub fn page<K, N>(
    list: &str,
    parts: Vec<(Vendor, Part<K, N>)>,
    first: usize,
    after: Positions<K>,
) -> (ListConnection<N>, Vec<(Vendor, ApiError)>)
where
    K: Ord + Clone + Serialize + DeserializeOwned,
    N: async_graphql::OutputType,
{
    let mut failed = Vec::new();
    let mut heads: Vec<Head<K, N>> = Vec::new();
    let mut total = 0usize;
    // Vendors that failed now keep where they stood; the others move with `at`.
    let mut held = after.held.clone();
    held.retain(|vendor, _| {
        !parts
            .iter()
            .any(|(v, p)| v == vendor && matches!(p, Part::Listed(_)))
    });
    for (vendor, part) in parts {
        match part {
            Part::Listed(mut items) => {
                items.sort_by(|a, b| a.0.cmp(&b.0));
                total += items.len();
                let start = after
                    .get(vendor)
                    .map_or(0, |key| items.partition_point(|(k, _)| k <= key));
                let mut rest = items.into_iter();
                if start > 0 {
                    rest.nth(start - 1);
                }
                heads.push(Head {
                    next: rest.next(),
                    rest,
                });
            }
            Part::Failed(e) => {
                held.insert(vendor, after.get(vendor).cloned());
                failed.push((vendor, e));
            }
        }
    }
    let mut edges = Vec::with_capacity(first.min(total));
    while edges.len() < first {
        let next = heads
            .iter()
            .enumerate()
            .filter_map(|(i, h)| h.next.as_ref().map(|(k, _)| (i, k)))
            .min_by(|a, b| a.1.cmp(b.1))
            .map(|(i, _)| i);
        let Some(i) = next else { break };
        let head = &mut heads[i];
        let Some((key, node)) = std::mem::replace(&mut head.next, head.rest.next()) else {
            break;
        };
        let at = Positions {
            at: Some(key),
            held: held.clone(),
        };
        edges.push(Edge::new(ListCursor(at.encode(list)), node));
    }
    // A vendor that failed may still have items past its position: a client must be
    // told to ask again, or they would be lost.
    let has_next = heads.iter().any(|h| h.next.is_some()) || !failed.is_empty();
    let has_previous = after.at.is_some() || after.held.values().any(Option::is_some);
    let info = ListInfo {
        total_count: Some(i32::try_from(total).unwrap_or(i32::MAX)),
    };
    let mut connection = Connection::with_additional_fields(has_previous, has_next, info);
    connection.edges.extend(edges);
    (connection, failed)
}

#[cfg(test)]
mod tests {
    use async_graphql::connection::CursorType;

    use super::*;

    fn listed(items: &[(&str, i32)]) -> Part<String, i32> {
        Part::Listed(items.iter().map(|(k, n)| ((*k).to_owned(), *n)).collect())
    }

    fn nodes(c: &ListConnection<i32>) -> Vec<i32> {
        c.edges.iter().map(|e| e.node).collect()
    }

    fn after(c: &ListConnection<i32>, at: usize) -> Positions<String> {
        Positions::decode("x", Some(&c.edges[at].cursor.encode_cursor())).unwrap()
    }

    fn parts(dixa_fails: bool) -> Vec<(Vendor, Part<String, i32>)> {
        vec![
            (Vendor::Webex, listed(&[("c", 3), ("a", 1), ("e", 5)])),
            (
                Vendor::Dixa,
                if dixa_fails {
                    Part::Failed(ApiError::internal("down"))
                } else {
                    listed(&[("b", 2), ("d", 4)])
                },
            ),
        ]
    }

    #[test]
    fn pages_merge_in_key_order_and_resume_from_the_cursor() {
        let (c, failed) = page("x", parts(false), 2, Positions::default());
        assert!(failed.is_empty());
        assert_eq!(nodes(&c), [1, 2]);
        assert_eq!(c.additional_fields.total_count, Some(5));
        assert!(c.has_next_page && !c.has_previous_page);
        let next = after(&c, 1);
        assert_eq!(next.get(Vendor::Webex).map(String::as_str), Some("b"));
        let (c, _) = page("x", parts(false), 10, next);
        assert_eq!(nodes(&c), [3, 4, 5]);
        assert!(!c.has_next_page && c.has_previous_page);
    }

    #[test]
    fn accounts_added_or_removed_between_pages_shift_nothing() {
        let (c, _) = page("x", parts(false), 2, Positions::default());
        let next = after(&c, 1);
        // Before the next page: "a" was removed, "aa" added before the cursor, "cc"
        // after it.
        let changed = vec![
            (Vendor::Webex, listed(&[("c", 3), ("e", 5), ("cc", 33)])),
            (Vendor::Dixa, listed(&[("aa", 11), ("b", 2), ("d", 4)])),
        ];
        let (c, _) = page("x", changed, 10, next);
        assert_eq!(nodes(&c), [3, 33, 4, 5], "nothing repeated, nothing skipped");
    }

    #[test]
    fn a_failed_vendor_keeps_its_position() {
        let (c, _) = page("x", parts(false), 2, Positions::default());
        let (c, failed) = page("x", parts(true), 1, after(&c, 1));
        assert_eq!(failed.len(), 1);
        assert_eq!(nodes(&c), [3]);
        assert_eq!(c.additional_fields.total_count, Some(3));
        let held = after(&c, 0);
        assert_eq!(held.get(Vendor::Webex).map(String::as_str), Some("c"));
        assert_eq!(held.get(Vendor::Dixa).map(String::as_str), Some("b"));
        // Still failing: Dixa keeps "b" while Webex moves on.
        let (c, _) = page("x", parts(true), 1, held.clone());
        assert_eq!(nodes(&c), [5]);
        assert_eq!(after(&c, 0).get(Vendor::Dixa).map(String::as_str), Some("b"));
        // Back again: Dixa resumes after the one item it had given.
        let (c, _) = page("x", parts(false), 10, held);
        assert_eq!(nodes(&c), [4, 5]);
        assert_eq!(
            after(&c, 0),
            Positions {
                at: Some("d".to_owned()),
                held: BTreeMap::new()
            }
        );
    }

    #[test]
    fn a_vendor_failing_on_the_first_page_starts_from_the_beginning_later() {
        let (c, _) = page("x", parts(true), 2, Positions::default());
        assert_eq!(nodes(&c), [1, 3]);
        let (c, _) = page("x", parts(false), 10, after(&c, 1));
        assert_eq!(nodes(&c), [2, 4, 5]);
    }

    #[test]
    fn cursors_are_checked() {
        let p = Positions::<String>::default();
        assert_eq!(Positions::decode("x", Some(&p.encode("x"))).unwrap(), p);
        assert!(Positions::<String>::decode("y", Some(&p.encode("x"))).is_err());
        for bad in ["garbage", "eDpOT1BFPTE", "", "e30"] {
            assert!(Positions::<String>::decode("x", Some(bad)).is_err(), "{bad}");
        }
        let wrong_key = URL_SAFE_NO_PAD.encode(r#"{"list":"x","at":[1,2]}"#);
        assert!(Positions::<String>::decode("x", Some(&wrong_key)).is_err());
        let unknown_vendor = URL_SAFE_NO_PAD.encode(r#"{"list":"x","at":null,"held":{"ACME":"a"}}"#);
        assert!(Positions::<String>::decode("x", Some(&unknown_vendor)).is_err());
        let huge = "A".repeat(10 * MAX_CURSOR_BYTES);
        assert!(Positions::<String>::decode("x", Some(&huge)).is_err());
    }
}
