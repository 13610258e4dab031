//! Cross-site request forgery prevention, the way Apollo Router and Apollo Server do it.
//! A browser sends some requests to another origin without asking first (no CORS
//! preflight): any GET, and a POST whose `Content-Type` is absent, `text/plain`,
//! `application/x-www-form-urlencoded` or `multipart/form-data`, as a plain HTML form or
//! a simple `fetch` makes them. Such a request is refused before it does anything,
//! unless it carries a header that only a preflighted request can have:
//! `apollo-require-preflight` or `x-apollo-operation-name` (any non-empty value).
//! A JSON POST (`Content-Type: application/json`) is preflighted by the browser, so the
//! CORS allow-list decides it.

use axum::http::HeaderMap;

use super::over_http::{Refusal, content_type};

/// Headers whose presence proves the browser asked first.
pub const PREFLIGHT_HEADERS: [&str; 2] = ["apollo-require-preflight", "x-apollo-operation-name"];

/// Content types a browser sends cross-origin without a preflight.
const SIMPLE_TYPES: [&str; 3] = [
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
];

/// Refuses a request a page on another origin could have sent without a preflight.
pub fn check(headers: &HeaderMap) -> Result<(), Refusal> {
    let forces_preflight = content_type(headers).is_some_and(|t| !SIMPLE_TYPES.contains(&t.as_str()))
        || PREFLIGHT_HEADERS
            .iter()
            .any(|h| headers.get(*h).is_some_and(|v| !v.is_empty()));
    if forces_preflight {
        Ok(())
    } else {
        Err(Refusal::bad_request(
            "this request was blocked as a possible cross-site request forgery: send it with \
             `Content-Type: application/json`, or add a non-empty `apollo-require-preflight` \
             (or `x-apollo-operation-name`) header",
        ))
    }
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderValue, header};

    use super::*;

    fn with(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (k, v) in pairs {
            headers.insert(*k, HeaderValue::from_static(v));
        }
        headers
    }

    #[test]
    fn only_preflighted_requests_pass() {
        assert!(check(&with(&[])).is_err());
        for simple in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "Text/Plain;charset=utf-8",
        ] {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(simple));
            assert!(check(&headers).is_err(), "{simple}");
        }
        assert!(check(&with(&[("content-type", "application/json")])).is_ok());
        assert!(
            check(&with(&[
                ("content-type", "text/plain"),
                ("apollo-require-preflight", "true")
            ]))
            .is_ok()
        );
        assert!(check(&with(&[("x-apollo-operation-name", "Q")])).is_ok());
        assert!(check(&with(&[("apollo-require-preflight", "")])).is_err());
    }
}
