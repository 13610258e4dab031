//! Relay connections over vendor lists: `first`/`after` with opaque offset cursors,
//! `pageInfo`, and `totalCount` where the vendor tells it. A list merged from several
//! vendors (`merged.rs`) uses the same connection types with its own cursors.

use std::{hash::Hash, sync::Arc};

use async_graphql::{
    SimpleObject,
    connection::{Connection, CursorType, Edge, EmptyFields},
    dataloader::Loader,
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use super::error::{ApiError, ApiResult};
use crate::{
    loaders::{Fetch, Outcome, RequestLoader},
    vendors::VendorError,
};

/// Items per page when `first` is not given.
pub const DEFAULT_PAGE: usize = 50;
/// The most items one page may ask for.
pub const MAX_PAGE: usize = 500;

/// A position in one vendor's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetCursor(pub usize);

/// An edge's cursor as the client sees it: an encoded [`OffsetCursor`], or a merged
/// list's cursor. Each list decodes `after` with its own cursor type, so a cursor from
/// another kind of list is refused there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListCursor(pub String);

impl CursorType for ListCursor {
    type Error = std::convert::Infallible;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        Ok(Self(s.to_owned()))
    }

    fn encode_cursor(&self) -> String {
        self.0.clone()
    }
}

impl CursorType for OffsetCursor {
    type Error = &'static str;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| "not a cursor")?;
        let text = std::str::from_utf8(&bytes).map_err(|_| "not a cursor")?;
        let n = text.strip_prefix("offset:").ok_or("not a cursor")?;
        n.parse().map(OffsetCursor).map_err(|_| "not a cursor")
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("offset:{}", self.0))
    }
}

/// Fields every list connection has besides edges and pageInfo.
#[derive(Debug, SimpleObject)]
pub struct ListInfo {
    /// How many items the whole list holds, where the vendor tells.
    pub total_count: Option<i32>,
}

/// A page of `N`.
pub type ListConnection<N> = Connection<ListCursor, N, ListInfo, EmptyFields>;

/// What page a client asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// Items to skip.
    pub offset: usize,
    /// Items to return.
    pub limit: usize,
}

impl PageRequest {
    /// Reads `first` and `after`, refusing out-of-range values with the argument named.
    pub fn parse(first: Option<i32>, after: Option<&str>) -> ApiResult<Self> {
        let limit = page_size(first)?;
        let offset = match after {
            None => 0,
            Some(c) => OffsetCursor::decode_cursor(c)
                .ok()
                .and_then(|cursor| cursor.0.checked_add(1))
                .ok_or_else(|| ApiError::bad_input("after", "is not a cursor from this list"))?,
        };
        Ok(Self { offset, limit })
    }
}

/// Reads `first`: [`DEFAULT_PAGE`] when absent, at most [`MAX_PAGE`].
pub fn page_size(first: Option<i32>) -> ApiResult<usize> {
    match first {
        None => Ok(DEFAULT_PAGE),
        Some(n) if n < 0 => Err(ApiError::bad_input("first", "must not be negative")),
        Some(n) if n as usize > MAX_PAGE => Err(ApiError::bad_input(
            "first",
            format!("must be at most {MAX_PAGE}"),
        )),
        Some(n) => Ok(n as usize),
    }
}

/// One page of a whole list `loader` reads at once for `key` (none read: empty).
pub async fn page_of<L, K, T, N>(
    loader: &RequestLoader<L>,
    key: K,
    page: PageRequest,
    node: impl Fn(&T) -> N,
) -> ApiResult<ListConnection<N>>
where
    L: Loader<K, Value = Outcome<Arc<Vec<T>>>, Error = VendorError>,
    K: Send + Sync + Hash + Eq + Clone + 'static,
    T: Send + Sync + 'static,
    N: async_graphql::OutputType,
{
    let all: Arc<Vec<T>> = loader.fetch_one(key).await?.unwrap_or_default();
    Ok(from_slice(&all, page, node))
}

/// A connection over a whole list the vendor returned at once.
pub fn from_slice<T, N>(all: &[T], page: PageRequest, node: impl Fn(&T) -> N) -> ListConnection<N>
where
    N: async_graphql::OutputType,
{
    let end = page.offset.saturating_add(page.limit).min(all.len());
    let start = page.offset.min(end);
    let nodes = all[start..end].iter().map(node).collect();
    from_page(nodes, start, end < all.len(), Some(all.len()))
}

/// A connection over one page the vendor returned, starting at `offset`.
pub fn from_page<N>(nodes: Vec<N>, offset: usize, has_next: bool, total: Option<usize>) -> ListConnection<N>
where
    N: async_graphql::OutputType,
{
    let info = ListInfo {
        total_count: total.map(|t| i32::try_from(t).unwrap_or(i32::MAX)),
    };
    let mut connection = Connection::with_additional_fields(offset > 0, has_next, info);
    connection.edges.extend(
        nodes
            .into_iter()
            .enumerate()
            .map(|(i, n)| Edge::new(ListCursor(OffsetCursor(offset + i).encode_cursor()), n)),
    );
    connection
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_walk_a_list() {
        let all: Vec<u32> = (0..5).collect();
        let first = PageRequest::parse(Some(2), None).unwrap();
        let c = from_slice(&all, first, |n| *n as i32);
        assert_eq!(c.edges.len(), 2);
        assert!(c.has_next_page);
        let after = c.edges.last().unwrap().cursor.encode_cursor();
        let next = PageRequest::parse(Some(10), Some(&after)).unwrap();
        let c = from_slice(&all, next, |n| *n as i32);
        assert_eq!(c.edges.iter().map(|e| e.node).collect::<Vec<_>>(), vec![2, 3, 4]);
        assert!(!c.has_next_page);
        assert!(PageRequest::parse(Some(-1), None).is_err());
        assert!(PageRequest::parse(None, Some("garbage")).is_err());
        let last = OffsetCursor(usize::MAX).encode_cursor();
        assert!(
            PageRequest::parse(None, Some(&last)).is_err(),
            "a cursor past the end is refused"
        );
    }
}
