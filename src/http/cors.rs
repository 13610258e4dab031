//! Cross-origin calls to `/graphql`: only from the configured origins
//! (`server.cors_origins`: exact origins, or `scheme://host:*` for any port of a host;
//! the default run allows pages served from this machine), without credentials unless
//! `server.cors_allow_credentials`. Preflights are answered for the methods and headers
//! a GraphQL client sends; an origin not on the list gets no `Access-Control-Allow-*`
//! header, so the browser refuses the call.

use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, Method, header, request::Parts};
use tower_http::cors::{AllowOrigin, CorsLayer};

use super::csrf::PREFLIGHT_HEADERS;
use crate::config::ServerSettings;

/// One allowed origin: its scheme and host, and its port (`None` for any).
#[derive(Debug, Clone, PartialEq, Eq)]
struct OriginPattern {
    scheme_host: String,
    port: Option<String>,
}

impl OriginPattern {
    /// Reads `https://host[:port]` or `https://host:*` (checked by the settings).
    fn parse(origin: &str) -> Self {
        let origin = origin.trim_end_matches('/').to_ascii_lowercase();
        match origin.strip_suffix(":*") {
            Some(scheme_host) => Self {
                scheme_host: scheme_host.to_owned(),
                port: None,
            },
            None => Self {
                scheme_host: origin,
                port: Some(String::new()),
            },
        }
    }

    fn matches(&self, origin: &str) -> bool {
        let origin = origin.to_ascii_lowercase();
        match &self.port {
            Some(_) => origin == self.scheme_host,
            None => {
                origin == self.scheme_host || {
                    origin
                        .strip_prefix(self.scheme_host.as_str())
                        .and_then(|rest| rest.strip_prefix(':'))
                        .is_some_and(|port| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()))
                }
            }
        }
    }
}

/// Whether `origin` is one of `settings.cors_origins` (for requests CORS does not
/// cover, such as a WebSocket upgrade).
pub fn allows(settings: &ServerSettings, origin: &str) -> bool {
    settings
        .cors_origins
        .iter()
        .any(|o| OriginPattern::parse(o).matches(origin))
}

/// The CORS layer `settings` describe.
pub fn layer(settings: &ServerSettings) -> CorsLayer {
    let patterns: Vec<OriginPattern> = settings
        .cors_origins
        .iter()
        .map(|o| OriginPattern::parse(o))
        .collect();
    let allowed = move |origin: &HeaderValue, _: &Parts| {
        origin
            .to_str()
            .is_ok_and(|o| patterns.iter().any(|p| p.matches(o)))
    };
    let mut headers = vec![header::CONTENT_TYPE, header::AUTHORIZATION, header::ACCEPT];
    headers.extend(PREFLIGHT_HEADERS.map(HeaderName::from_static));
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(allowed))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers(headers)
        .allow_credentials(settings.cors_allow_credentials)
        .max_age(Duration::from_secs(settings.cors_max_age_secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_exact_origins_or_any_port() {
        let exact = OriginPattern::parse("https://console.example.com");
        assert!(exact.matches("https://console.example.com"));
        assert!(exact.matches("HTTPS://Console.Example.com"));
        assert!(!exact.matches("https://console.example.com:8443"));
        assert!(!exact.matches("http://console.example.com"));
        assert!(!exact.matches("https://console.example.com.evil.io"));
        let any_port = OriginPattern::parse("http://localhost:*");
        assert!(any_port.matches("http://localhost:5173"));
        assert!(any_port.matches("http://localhost"));
        assert!(!any_port.matches("http://localhost.evil.io"));
        assert!(!any_port.matches("http://localhost:80@evil.io"));
        assert!(!any_port.matches("https://localhost:5173"));
    }
}
