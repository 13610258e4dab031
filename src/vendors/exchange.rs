//! The one send/error/paging loop every vendor client runs over [`VendorHttp`]. A
//! vendor brings two things and nothing else: its [`Dialect`] (how its error bodies
//! read) and, for each kind of list it walks, a [`PageRule`] (how a page is asked for
//! and where the next one starts). The loop itself is shared:
//!
//! - [`send`]: one call; a non-2xx answer becomes the vendor's [`VendorError`] through
//!   [`Dialect::error`] (retries, the breaker, budgets and the deadline are
//!   [`VendorHttp::send`]'s).
//! - [`send_with_token`]: the same with a token from a [`TokenCache`], renewed once when
//!   the vendor answers 401 to a token it issued (Huawei AICC, Vonage).
//! - [`walk`]: every page of a list, at most `http.max_pages` of them; a list that has
//!   not ended by then is an invalid answer, as is a next page that does not move on.
//!
//! May depend on: [`super::http`], [`super::token`]. Never on a vendor's folder: vendors
//! depend on this, not the other way round.

use std::future::Future;

use secrecy::ExposeSecret;

use super::{
    Vendor, VendorError,
    http::{Call, Reply, VendorHttp},
    token::TokenCache,
};

/// How one vendor's answers read: which vendor it is and what its error bodies say.
pub trait Dialect {
    /// The vendor these answers come from.
    const VENDOR: Vendor;

    /// The error a non-2xx `reply` stands for: the kind its status means, the vendor's
    /// own message (and tracking id, where it sends one) from its error body, and
    /// `Retry-After`. Never quotes a credential: error bodies are the vendor's words.
    fn error(reply: &Reply) -> VendorError;
}

/// Sends `call` over `http`; a non-2xx answer becomes `D`'s error.
pub async fn send<D: Dialect>(http: &VendorHttp, call: Call) -> Result<Reply, VendorError> {
    let reply = http.send(call).await?;
    if reply.status.is_success() {
        Ok(reply)
    } else {
        Err(D::error(&reply))
    }
}

/// Sends `call` signed by `sign` with a token from `tokens`; when the vendor answers 401
/// the token is renewed and the call sent once more (a write too: the vendor refused it
/// before doing anything). A non-2xx answer becomes `D`'s error.
pub async fn send_with_token<D: Dialect>(
    http: &VendorHttp,
    tokens: &TokenCache,
    call: Call,
    sign: impl Fn(Call, &str) -> Call,
) -> Result<Reply, VendorError> {
    tokens
        .with_token(|token| {
            let signed = sign(call.clone(), token.expose_secret());
            async move { send::<D>(http, signed).await }
        })
        .await
}

/// One page as a [`PageRule`] read it.
pub struct Page<T, C> {
    /// Its items.
    pub items: Vec<T>,
    /// Where the next page is; `None` after the last page.
    pub next: Option<C>,
}

/// How one kind of list pages on one vendor: Dixa's `pageKey` taken from `meta.next`,
/// Webex's `start`/`max` taken from the `Link` header, Vonage's page numbers.
pub trait PageRule {
    /// Where a walk stands.
    type Cursor;
    /// What the list holds.
    type Item;

    /// Where the first page is.
    fn first(&self) -> Self::Cursor;

    /// `call` (the list's call without paging) asking for the page at `at`.
    fn ask(&self, call: Call, at: &Self::Cursor) -> Call;

    /// The page at `at`: its items and where the next page is; `seen` counts the items of the pages before it. Only positions read from
    /// the answer are followed, never a URL it names, so credentials only ever go to the
    /// configured base URL. A next position that does not move on is an invalid answer.
    fn read(
        &mut self,
        reply: &Reply,
        at: &Self::Cursor,
        seen: usize,
    ) -> Result<Page<Self::Item, Self::Cursor>, VendorError>;
}

/// Every item of the list `call` asks for, page by page as `rule` says, each page sent
/// by `send` (the vendor's own signing over [`send`] or [`send_with_token`]). `what`
/// names the list in the error when it does not end within `http.max_pages` pages.
pub async fn walk<R, F, Fut>(
    http: &VendorHttp,
    what: &str,
    mut rule: R,
    call: impl Fn() -> Call,
    send: F,
) -> Result<Vec<R::Item>, VendorError>
where
    R: PageRule,
    F: Fn(Call) -> Fut,
    Fut: Future<Output = Result<Reply, VendorError>>,
{
    let mut items = Vec::new();
    let mut at = rule.first();
    for _ in 0..http.max_pages() {
        let reply = send(rule.ask(call(), &at)).await?;
        let page = rule.read(&reply, &at, items.len())?;
        items.extend(page.items);
        match page.next {
            Some(next) => at = next,
            None => return Ok(items),
        }
    }
    Err(VendorError::invalid_response(
        http.vendor(),
        format!("{what} did not end within {} pages", http.max_pages()),
    ))
}

#[cfg(test)]
mod tests {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };

    use bytes::Bytes;
    use http::{HeaderMap, StatusCode};

    use super::*;
    use crate::{config::HttpSettings, vendors::VendorErrorKind};

    struct Numbers;

    impl Dialect for Numbers {
        const VENDOR: Vendor = Vendor::Dixa;

        fn error(reply: &Reply) -> VendorError {
            VendorError::from_status(Self::VENDOR, reply.status.as_u16())
                .with_message(Some(String::from_utf8_lossy(&reply.body).into_owned()))
        }
    }

    /// Pages of `[n]` numbered from 0, the last one `last`.
    struct Counting {
        last: u32,
    }

    impl PageRule for Counting {
        type Cursor = u32;
        type Item = u32;

        fn first(&self) -> u32 {
            0
        }

        fn ask(&self, call: Call, at: &u32) -> Call {
            call.query("page", at)
        }

        fn read(&mut self, _: &Reply, at: &u32, seen: usize) -> Result<Page<u32, u32>, VendorError> {
            assert_eq!(seen, *at as usize, "seen counts the items before this page");
            Ok(Page {
                items: vec![*at],
                next: (*at < self.last).then_some(at + 1),
            })
        }
    }

    fn endpoint(max_pages: usize) -> VendorHttp {
        let settings = HttpSettings {
            max_pages,
            ..HttpSettings::default()
        };
        VendorHttp::new(
            reqwest::Client::new(),
            Vendor::Dixa,
            "t".into(),
            url::Url::parse("http://127.0.0.1:9").unwrap(),
            &settings,
        )
    }

    fn ok() -> Reply {
        Reply {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }

    #[tokio::test]
    async fn a_walk_reads_every_page_in_order_and_asks_for_each() {
        let asked = Arc::new(std::sync::Mutex::new(Vec::new()));
        let items = walk(
            &endpoint(10),
            "list",
            Counting { last: 3 },
            || Call::get("/x", "/x"),
            |call: Call| {
                asked.lock().unwrap().push(call.query.clone());
                async { Ok(ok()) }
            },
        )
        .await
        .unwrap();
        assert_eq!(items, [0, 1, 2, 3]);
        let pages: Vec<String> = asked.lock().unwrap().iter().map(|q| q[0].1.clone()).collect();
        assert_eq!(pages, ["0", "1", "2", "3"]);
    }

    #[tokio::test]
    async fn a_walk_stops_at_the_page_cap_with_an_invalid_answer() {
        let sent = AtomicUsize::new(0);
        let err = walk(
            &endpoint(2),
            "user list",
            Counting { last: 5 },
            || Call::get("/x", "/x"),
            |_| {
                sent.fetch_add(1, Ordering::SeqCst);
                async { Ok(ok()) }
            },
        )
        .await
        .unwrap_err();
        assert_eq!(sent.load(Ordering::SeqCst), 2, "never more than max_pages calls");
        assert_eq!(err.kind, VendorErrorKind::InvalidResponse);
        assert!(
            err.to_string().contains("user list did not end within 2 pages"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_failed_page_ends_the_walk_with_its_error() {
        let err = walk(
            &endpoint(10),
            "list",
            Counting { last: 5 },
            || Call::get("/x", "/x"),
            |call: Call| async move {
                if call.query[0].1 == "1" {
                    Err(Numbers::error(&Reply {
                        status: StatusCode::SERVICE_UNAVAILABLE,
                        headers: HeaderMap::new(),
                        body: Bytes::from_static(b"down"),
                    }))
                } else {
                    Ok(ok())
                }
            },
        )
        .await
        .unwrap_err();
        assert_eq!(err.kind, VendorErrorKind::Unavailable);
        assert_eq!(err.status, Some(503));
    }
}
