//! The GraphiQL explorer at `/`, with its scripts and styles served from the binary
//! (`assets/graphiql/`), so it works without internet access and never loads code from
//! a third party.

use axum::{
    extract::Path,
    http::{StatusCode, header},
    response::{Html, IntoResponse, Response},
};

/// The page: GraphiQL's assets, then `explorer.js`, which points it at `/graphql`.
const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Switchboard</title>
  <link rel="stylesheet" href="assets/graphiql/graphiql.min.css">
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql">Loading the explorer…</div>
  <script src="assets/graphiql/react.production.min.js"></script>
  <script src="assets/graphiql/react-dom.production.min.js"></script>
  <script src="assets/graphiql/graphiql.min.js"></script>
  <script src="assets/graphiql/explorer.js"></script>
</body>
</html>
"#;

/// One embedded file: its name under `/assets/graphiql/`, type and bytes.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $content_type:expr) => {
        Asset {
            name: $name,
            content_type: $content_type,
            bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/graphiql/", $name)),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";

static ASSETS: [Asset; 5] = [
    asset!("graphiql.min.css", "text/css; charset=utf-8"),
    asset!("react.production.min.js", JS),
    asset!("react-dom.production.min.js", JS),
    asset!("graphiql.min.js", JS),
    asset!("explorer.js", JS),
];

/// `GET /`.
pub async fn page() -> Html<&'static str> {
    Html(PAGE)
}

/// `GET /assets/graphiql/{file}`. The files change only with the binary, so browsers
/// may keep them for a day without asking again.
pub async fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.name == file) {
        Some(a) => (
            [
                (header::CONTENT_TYPE, a.content_type),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            a.bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, format!("no asset named `{file}`")).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_links_exactly_the_embedded_assets() {
        for a in &ASSETS {
            assert!(
                PAGE.contains(&format!("assets/graphiql/{}", a.name)),
                "{} unused",
                a.name
            );
            assert!(!a.bytes.is_empty(), "{} is empty", a.name);
        }
        assert_eq!(PAGE.matches("assets/graphiql/").count(), ASSETS.len());
        assert!(
            !PAGE.contains("//unpkg") && !PAGE.contains("cdn"),
            "no third-party code"
        );
    }
}
