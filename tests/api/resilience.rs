//! Holding vendor credentials safely: a vendor's redirect is never followed (it would
//! carry a token, an AK/SK or a password to wherever it points), and a vendor URL must be
//! https unless it is loopback or explicitly allowed.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use axum::{Router, http::StatusCode, response::IntoResponse};
use serde_json::json;
use switchboard::config::{DixaSettings, Settings};

use crate::helpers::{TENANT, first_code, spawn_app_with};

/// Serves `router` on 127.0.0.1:0; its address.
async fn serve(router: Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

#[tokio::test]
async fn a_vendor_redirect_is_never_followed() {
    // Where a hostile redirect points: it must receive nothing.
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let elsewhere = serve(Router::new().fallback(move || {
        counted.fetch_add(1, Ordering::SeqCst);
        async { (StatusCode::OK, "{\"data\":[]}") }
    }))
    .await;
    // The "vendor" answers every call, the token-carrying ones too, with a 307.
    let vendor = serve(Router::new().fallback(move || async move {
        (
            StatusCode::TEMPORARY_REDIRECT,
            [("location", format!("http://{elsewhere}/stolen"))],
        )
            .into_response()
    }))
    .await;
    let app = spawn_app_with(move |s| {
        let tenant = s.tenants.get_mut(TENANT).unwrap();
        let dixa = tenant.dixa.as_mut().unwrap();
        dixa.base_url = format!("http://{vendor}/dixa/v1").parse().unwrap();
    })
    .await;
    let body = app.graphql("{ teams { totalCount } }", json!({})).await;
    assert_eq!(body["errors"][0]["extensions"]["vendor"], "DIXA", "{body}");
    assert_ne!(first_code(&body), "<none>");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the redirect's target received nothing"
    );
}

#[test]
fn vendor_urls_must_be_https_unless_loopback_or_allowed() {
    let tenant = |url: &str| switchboard::config::TenantSettings {
        dixa: Some(DixaSettings::new(url.parse().unwrap(), "t")),
        ..Default::default()
    };
    let settings = |url: &str| Settings::for_default_run("127.0.0.1:0".parse().unwrap(), "t", tenant(url));
    assert!(settings("https://dev.dixa.io/v1").validate().is_ok());
    assert!(settings("http://127.0.0.1:9/dixa/v1").validate().is_ok());
    assert!(settings("http://localhost:9/dixa/v1").validate().is_ok());
    let refused = settings("http://dev.dixa.io/v1")
        .validate()
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("tenants.t.dixa.base_url") && refused.contains("https://"),
        "{refused}"
    );
    let mut allowed = settings("http://sim:8090/dixa/v1");
    allowed.http.plain_http_hosts = vec!["sim".into()];
    assert!(allowed.validate().is_ok());
}
