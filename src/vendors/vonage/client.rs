//! The real Vonage Contact Center client and its OAuth2 client-credentials token source.

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use http::{HeaderValue, Method, header};
use secrecy::{ExposeSecret, SecretString};

use super::{
    VonageApi,
    wire::{self, AgentPresence, ErrorBody, Include, TokenResponse, User, UserBody, UserList, UserPage},
};
use crate::vendors::{
    Vendor, VendorError, VendorErrorKind,
    exchange::{self, Dialect, PageRule},
    http::{Call, Idempotency, Reply, VendorHttp, segment},
    token::{Token, TokenCache, TokenSource},
};

/// The versioned media type every request accepts; without it Vonage answers 400.
pub const ACCEPT_V4: &str = "application/vnd.newvoicemedia.v4+json";

/// Issues tokens with OAuth2 client credentials (`POST Auth/connect/token`, form body).
pub struct VonageTokenSource {
    http: VendorHttp,
    client_id: String,
    client_secret: SecretString,
    scope: String,
}

impl VonageTokenSource {
    /// A source posting to `http`'s base URL (the token endpoint itself).
    pub fn new(http: VendorHttp, client_id: String, client_secret: SecretString, scope: String) -> Self {
        Self {
            http,
            client_id,
            client_secret,
            scope,
        }
    }
}

/// How long before the vendor's expiry a token is renewed: a tenth of its lifetime, at
/// most a minute.
fn usable_lifetime(expires_in: u64) -> Duration {
    let full = Duration::from_secs(expires_in);
    full - (full / 10).min(Duration::from_secs(60))
}

impl Dialect for VonageTokenSource {
    const VENDOR: Vendor = Vendor::Vonage;

    /// The token endpoint's error body is OAuth2's (`error`, else `message`); a 400 or
    /// 401 there means the credentials were refused: an authentication failure, not bad
    /// input.
    fn error(reply: &Reply) -> VendorError {
        let status = reply.status.as_u16();
        let body = serde_json::from_slice::<ErrorBody>(&reply.body).ok();
        let message = body.and_then(|b| b.error.or(b.message));
        let mut err = VendorError::from_status(Vendor::Vonage, status).with_message(message);
        if matches!(status, 400 | 401) {
            err.kind = VendorErrorKind::Unauthorized;
            err.status = Some(status);
        }
        err.with_retry_after(reply.retry_after())
    }
}

#[async_trait]
impl TokenSource for VonageTokenSource {
    async fn fetch(&self) -> Result<Token, VendorError> {
        let call = Call::new(Method::POST, "/Auth/connect/token", "")
            .form(&wire::TokenRequest {
                grant_type: "client_credentials",
                client_id: &self.client_id,
                client_secret: self.client_secret.expose_secret(),
                scope: &self.scope,
            })
            .header(header::ACCEPT, HeaderValue::from_static("application/json"))
            // Asking for a token changes nothing at the vendor: safe to repeat.
            .idempotency(Idempotency::Idempotent);
        let reply = exchange::send::<Self>(&self.http, call).await?;
        let token: TokenResponse = reply.json(Vendor::Vonage)?;
        if token.access_token.is_empty() || token.expires_in == 0 {
            return Err(VendorError::invalid_response(
                Vendor::Vonage,
                "the token endpoint returned an empty or expired token",
            ));
        }
        if let Some(kind) = token.token_type.as_deref()
            && !kind.eq_ignore_ascii_case("bearer")
        {
            return Err(VendorError::invalid_response(
                Vendor::Vonage,
                format!("unsupported token type `{kind}`"),
            ));
        }
        tracing::info!(
            vendor = %Vendor::Vonage,
            expires_in = token.expires_in,
            "access token issued"
        );
        Ok(Token::new(
            SecretString::from(token.access_token),
            usable_lifetime(token.expires_in),
        ))
    }
}

/// Vonage Contact Center over HTTP.
pub struct VonageClient {
    http: VendorHttp,
    tokens: TokenCache,
    page_limit: u32,
}

impl VonageClient {
    /// A client for the API at `http`'s base URL, authenticated by `source`, reading lists
    /// `page_limit` users at a time.
    pub fn new(http: VendorHttp, source: VonageTokenSource, page_limit: u32) -> Arc<Self> {
        Arc::new(Self {
            http,
            // The source already renews ahead of expiry.
            tokens: TokenCache::new(source, Duration::ZERO),
            page_limit,
        })
    }

    /// Sends `call` with the token and the versioned `Accept`; renews the token once
    /// when Vonage answers 401.
    async fn send(&self, call: Call) -> Result<Reply, VendorError> {
        exchange::send_with_token::<Self>(&self.http, &self.tokens, call, |call, token| {
            call.header(header::ACCEPT, HeaderValue::from_static(ACCEPT_V4))
                .bearer(token)
        })
        .await
    }

    fn user_path(user_id: &str) -> String {
        format!("/useradmin/users/{}", segment(user_id))
    }
}

impl Dialect for VonageClient {
    const VENDOR: Vendor = Vendor::Vonage;

    /// Vonage's error body: `message`, else `error`.
    fn error(reply: &Reply) -> VendorError {
        let message = serde_json::from_slice::<ErrorBody>(&reply.body)
            .ok()
            .and_then(|b| b.message.or(b.error));
        VendorError::from_status(Vendor::Vonage, reply.status.as_u16())
            .with_message(message)
            .with_retry_after(reply.retry_after())
    }
}

/// The user list's call, without paging.
fn users(include: Include) -> Call {
    Call::get("/useradmin/users", "/useradmin/users").query("include", include.as_str())
}

/// Vonage's paging: numbered pages from 1, `limit` users each. The last page is the one
/// the paged envelope's `meta` says is last (`pageCount`, else `totalCount` reached);
/// without paging meta, a short page is the last. An empty page always is.
struct PageNumbers {
    limit: u32,
}

impl PageNumbers {
    /// One page of users, from either of Vonage's list envelopes.
    fn page(reply: &Reply) -> Result<UserPage, VendorError> {
        reply
            .json::<UserList>(Vendor::Vonage)?
            .into_page()
            .map_err(|e| VendorError::invalid_response(Vendor::Vonage, e))
    }
}

impl PageRule for PageNumbers {
    type Cursor = u32;
    type Item = User;

    fn first(&self) -> u32 {
        1
    }

    fn ask(&self, call: Call, &page: &u32) -> Call {
        call.query("page", page).query("limit", self.limit)
    }

    fn read(
        &mut self,
        reply: &Reply,
        &page: &u32,
        seen: usize,
    ) -> Result<exchange::Page<User, u32>, VendorError> {
        let got = Self::page(reply)?;
        let count = got.users.len();
        let last = match got.meta.as_ref() {
            Some(meta) => match (meta.page_count, meta.total_count) {
                (Some(pages), _) => u64::from(page) >= pages,
                (None, Some(total)) => (seen + count) as u64 >= total,
                (None, None) => count < self.limit as usize,
            },
            // The plain envelope says nothing of paging: a short page is the last.
            None => count < self.limit as usize,
        };
        let next = (!(last || count == 0)).then(|| page.saturating_add(1));
        Ok(exchange::Page {
            items: got.users,
            next,
        })
    }
}

#[async_trait]
impl VonageApi for VonageClient {
    async fn list_users(&self, include: Include, page: u32, limit: u32) -> Result<UserPage, VendorError> {
        let call = PageNumbers { limit }.ask(users(include), &page);
        PageNumbers::page(&self.send(call).await?)
    }

    async fn list_all_users(&self, include: Include) -> Result<Vec<User>, VendorError> {
        let rule = PageNumbers {
            limit: self.page_limit,
        };
        exchange::walk(
            &self.http,
            "user list",
            rule,
            || users(include),
            |call| self.send(call),
        )
        .await
    }

    async fn get_user(&self, user_id: &str) -> Result<User, VendorError> {
        let path = Self::user_path(user_id);
        self.send(Call::get("/useradmin/users/{userId}", path))
            .await?
            .json(Vendor::Vonage)
    }

    async fn create_user(&self, body: &UserBody) -> Result<User, VendorError> {
        // A create is never retried (Call::new makes POST `Once`); the 401 renewal
        // resends it only because the vendor refused it before doing anything.
        self.send(Call::new(Method::POST, "/useradmin/users", "/useradmin/users").json(body))
            .await?
            .json(Vendor::Vonage)
    }

    async fn update_user(&self, user_id: &str, patch: &UserBody) -> Result<User, VendorError> {
        let path = Self::user_path(user_id);
        let reply = self
            .send(Call::new(Method::PATCH, "/useradmin/users/{userId}", path).json(patch))
            .await?;
        if reply.body.iter().all(u8::is_ascii_whitespace) {
            // No body (204): read the user back.
            return self.get_user(user_id).await;
        }
        reply.json(Vendor::Vonage)
    }

    async fn delete_user(&self, user_id: &str) -> Result<(), VendorError> {
        let path = Self::user_path(user_id);
        self.send(Call::new(Method::DELETE, "/useradmin/users/{userId}", path))
            .await
            .map(drop)
    }

    async fn get_agent_presence(&self, user_id: &str) -> Result<AgentPresence, VendorError> {
        let path = format!("/agents/{}/presence", segment(user_id));
        self.send(Call::get("/agents/{userId}/presence", path))
            .await?
            .json(Vendor::Vonage)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_renewed_ahead_of_expiry() {
        assert_eq!(usable_lifetime(900), Duration::from_secs(840));
        assert_eq!(usable_lifetime(7200), Duration::from_secs(7140));
        assert_eq!(usable_lifetime(2), Duration::from_millis(1800));
    }
}
