//! The wallboard at `/wallboard`: every team with its members' name, vendor and
//! presence (colour and word, counts per state, time in state), kept live by
//! `presenceChanged` over graphql-transport-ws and reconnecting by itself. Served from
//! the binary (`assets/wallboard/`), like GraphiQL: no third-party code.

use axum::{
    extract::Path,
    http::{StatusCode, header},
    response::{Html, IntoResponse, Response},
};

const PAGE: &str = include_str!("../../assets/wallboard/index.html");
const SCRIPT: &str = include_str!("../../assets/wallboard/wallboard.js");

/// `GET /wallboard`.
pub async fn page() -> Html<&'static str> {
    Html(PAGE)
}

/// `GET /assets/wallboard/{file}`.
pub async fn asset(Path(file): Path<String>) -> Response {
    match file.as_str() {
        "wallboard.js" => (
            [
                (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            SCRIPT,
        )
            .into_response(),
        _ => (StatusCode::NOT_FOUND, format!("no asset named `{file}`")).into_response(),
    }
}
