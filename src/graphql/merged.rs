//! One connection over several vendors' lists: each vendor's list is sorted by one key,
//! a page takes the smallest head among them each time (a k-way merge), and the cursor
//! records how many items of each vendor's list come before it. A vendor that failed
//! contributes nothing to a page and keeps its position, so the next page picks up its
//! list where the cursor left it.
//!
//! Cursor format (opaque to clients, stable): URL-safe base64 without padding of
//! `{list}:WEBEX=n,HUAWEI_AICC=n,DIXA=n,VONAGE=n`, where `list` names the field
//! (`agents`, `supervisors`) and `n` is how many of that vendor's items, in the list's
//! order and after its filters, precede the cursor.
//!
//! May depend on: `graphql::connection`, `graphql::error`, `vendors` (the `Vendor` enum).

use async_graphql::connection::{Connection, Edge};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use super::{
    connection::{ListConnection, ListCursor, ListInfo},
    error::{ApiError, ApiResult},
};
use crate::vendors::Vendor;

/// How many items of each vendor's list precede a cursor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Positions([usize; Vendor::ALL.len()]);

fn index(vendor: Vendor) -> usize {
    Vendor::ALL.iter().position(|v| *v == vendor).unwrap_or_default()
}

impl Positions {
    /// `vendor`'s position.
    pub fn get(&self, vendor: Vendor) -> usize {
        self.0[index(vendor)]
    }

    fn set(&mut self, vendor: Vendor, n: usize) {
        self.0[index(vendor)] = n;
    }

    /// The cursor of list `list` at these positions.
    pub fn encode(&self, list: &str) -> String {
        let entries: Vec<String> = Vendor::ALL
            .iter()
            .map(|v| format!("{}={}", v.as_str(), self.get(*v)))
            .collect();
        URL_SAFE_NO_PAD.encode(format!("{list}:{}", entries.join(",")))
    }

    /// Reads `after` as a cursor of list `list` (the start when `None`).
    pub fn decode(list: &str, after: Option<&str>) -> ApiResult<Self> {
        let Some(raw) = after else {
            return Ok(Self::default());
        };
        let bad = || ApiError::bad_input("after", "is not a cursor from this list");
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?;
        let text = std::str::from_utf8(&bytes).map_err(|_| bad())?;
        let entries = text
            .strip_prefix(list)
            .and_then(|t| t.strip_prefix(':'))
            .ok_or_else(bad)?;
        let mut positions = Self::default();
        let mut seen = Vec::new();
        for entry in entries.split(',').filter(|e| !e.is_empty()) {
            let (name, n) = entry.split_once('=').ok_or_else(bad)?;
            let vendor = Vendor::parse(name).ok_or_else(bad)?;
            let n: usize = n.parse().map_err(|_| bad())?;
            if seen.contains(&vendor) || n > i32::MAX as usize {
                return Err(bad());
            }
            seen.push(vendor);
            positions.set(vendor, n);
        }
        Ok(positions)
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
    vendor: Vendor,
    /// The next item, if any.
    next: Option<(K, N)>,
    rest: std::vec::IntoIter<(K, N)>,
}

/// One page of the merge of `parts` (at most one per vendor) for list `list`: `first`
/// items after `after`, in the order of their keys. `totalCount` sums the lists that
/// arrived; `hasNextPage` says whether any of them has items left. Failed parts are
/// returned for the caller to report.
pub fn page<K: Ord, N: async_graphql::OutputType>(
    list: &str,
    parts: Vec<(Vendor, Part<K, N>)>,
    first: usize,
    after: Positions,
) -> (ListConnection<N>, Vec<(Vendor, ApiError)>) {
    let mut failed = Vec::new();
    let mut heads: Vec<Head<K, N>> = Vec::new();
    let mut total = 0usize;
    let mut positions = after;
    for (vendor, part) in parts {
        match part {
            Part::Listed(mut items) => {
                items.sort_by(|a, b| a.0.cmp(&b.0));
                total += items.len();
                let start = after.get(vendor).min(items.len());
                positions.set(vendor, start);
                let mut rest = items.into_iter();
                if start > 0 {
                    rest.nth(start - 1);
                }
                heads.push(Head {
                    vendor,
                    next: rest.next(),
                    rest,
                });
            }
            Part::Failed(e) => failed.push((vendor, e)),
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
        let Some((_, node)) = std::mem::replace(&mut head.next, head.rest.next()) else {
            break;
        };
        positions.set(head.vendor, positions.get(head.vendor) + 1);
        edges.push(Edge::new(ListCursor(positions.encode(list)), node));
    }
    // A vendor that failed may still have items past its position: a client must be
    // told to ask again, or they would be lost.
    let has_next = heads.iter().any(|h| h.next.is_some()) || !failed.is_empty();
    let has_previous = Vendor::ALL.iter().any(|v| after.get(*v) > 0);
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
        let after = Positions::decode("x", Some(&c.edges[1].cursor.encode_cursor())).unwrap();
        assert_eq!((after.get(Vendor::Webex), after.get(Vendor::Dixa)), (1, 1));
        let (c, _) = page("x", parts(false), 10, after);
        assert_eq!(nodes(&c), [3, 4, 5]);
        assert!(!c.has_next_page && c.has_previous_page);
    }

    #[test]
    fn a_failed_vendor_keeps_its_position() {
        let (c, _) = page("x", parts(false), 2, Positions::default());
        let after = Positions::decode("x", Some(&c.edges[1].cursor.encode_cursor())).unwrap();
        let (c, failed) = page("x", parts(true), 1, after);
        assert_eq!(failed.len(), 1);
        assert_eq!(nodes(&c), [3]);
        assert_eq!(c.additional_fields.total_count, Some(3));
        let after = Positions::decode("x", Some(&c.edges[0].cursor.encode_cursor())).unwrap();
        assert_eq!((after.get(Vendor::Webex), after.get(Vendor::Dixa)), (2, 1));
        // Back again: Dixa resumes after the one item it had given.
        let (c, _) = page("x", parts(false), 10, after);
        assert_eq!(nodes(&c), [4, 5]);
    }

    #[test]
    fn cursors_are_checked() {
        let p = Positions::default();
        assert_eq!(Positions::decode("x", Some(&p.encode("x"))).unwrap(), p);
        assert!(Positions::decode("y", Some(&p.encode("x"))).is_err());
        for bad in ["garbage", "eDpOT1BFPTE", ""] {
            assert!(Positions::decode("x", Some(bad)).is_err(), "{bad}");
        }
        let twice = URL_SAFE_NO_PAD.encode("x:DIXA=1,DIXA=2");
        assert!(Positions::decode("x", Some(&twice)).is_err());
        let huge = URL_SAFE_NO_PAD.encode(format!("x:DIXA={}", usize::MAX));
        assert!(Positions::decode("x", Some(&huge)).is_err());
    }
}
