//! The GraphiQL explorer in a real browser: Debian's Chromium driven by
//! `playwright-core` (`tests/browser/`), against the gateway as the default run serves
//! it (no API key): its first query, its schema load, the docs pane and autocomplete. `./scripts/test.sh` installs both and sets `REQUIRE_BROWSER=1`,
//! which makes their absence a failure; a bare `cargo test` without them skips.

use std::{path::PathBuf, process::Command};

use serde_json::Value;

use crate::helpers::{TENANT, spawn_app_with};

pub fn browser_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Whether Chromium, Node and playwright-core are here; panics when they are required.
fn browser_available() -> bool {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let browser = (!PathBuf::from(&chromium).exists()).then(|| format!("Chromium at {chromium}"));
    node_tools_available("playwright-core", browser)
}

/// Whether Node and the npm `module` (in `tests/browser/node_modules`) are here, and
/// nothing else is `missing`; panics when they are required (`REQUIRE_BROWSER=1`).
pub fn node_tools_available(module: &str, missing: Option<String>) -> bool {
    node_tools_available_in(&browser_dir(), module, missing)
}

/// [`node_tools_available`] for the npm folder `dir` (`tests/browser`, `tests/federation`).
pub fn node_tools_available_in(dir: &std::path::Path, module: &str, missing: Option<String>) -> bool {
    let missing: Vec<String> = [
        missing,
        Command::new("node")
            .arg("--version")
            .output()
            .is_err()
            .then(|| "node".to_owned()),
        (!dir.join("node_modules").join(module).exists())
            .then(|| format!("{}/node_modules/{module} (npm ci)", dir.display())),
    ]
    .into_iter()
    .flatten()
    .collect();
    if missing.is_empty() {
        return true;
    }
    let required = std::env::var("REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "this test needs {missing:?}; ./scripts/test.sh installs them"
    );
    eprintln!("NOTICE: skipping a test driven by Node, missing {missing:?}");
    false
}

/// Runs `tests/browser/{script}` with `args` under Node; the one JSON line it prints.
pub async fn run_node_script(script: &'static str, args: Vec<String>) -> Value {
    run_node_script_in(browser_dir(), script, args).await
}

/// Runs `{dir}/{script}` with `args` under Node; the one JSON line it prints.
pub async fn run_node_script_in(dir: PathBuf, script: &'static str, args: Vec<String>) -> Value {
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(dir.join(script))
            .args(args)
            .output()
            .expect("node runs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.success() && !stderr.trim().is_empty() {
        eprintln!("{script} said: {stderr}");
    }
    assert!(output.status.success(), "{script} failed: {stderr}\n{stdout}");
    serde_json::from_str(stdout.trim()).unwrap_or_else(|_| panic!("{script} prints one JSON line: {stdout}"))
}

#[tokio::test]
async fn the_explorer_runs_its_first_query_in_a_real_browser() {
    if !browser_available() {
        return;
    }
    // As in the default run: the page's requests carry no API key.
    let app = spawn_app_with(|s| s.anonymous_tenant = Some(TENANT.to_owned())).await;
    let report = run_node_script("explorer.js", vec![app.url("/")]).await;
    assert_eq!(
        report["problems"],
        serde_json::json!([]),
        "stepErrors: {}",
        report["stepErrors"]
    );
    let result = &report["response"];
    assert!(result.get("errors").is_none(), "{result}");
    let teams = result["data"]["teams"]["nodes"].as_array().expect("teams");
    assert_eq!(teams.len(), 3, "{result}");
    let members = &teams[0]["members"]["nodes"];
    assert!(!members.as_array().unwrap().is_empty(), "{result}");
    assert!(
        !teams[0]["presence"]["nodes"].as_array().unwrap().is_empty(),
        "{result}"
    );
    // The page rendered that answer.
    let pane = report["pane"].as_str().unwrap();
    let first_team = teams[0]["name"].as_str().unwrap();
    assert!(
        pane.contains(first_team),
        "the result pane lacks {first_team}: {pane}"
    );
    // GraphiQL's own schema load (the standard introspection query) passed the limits,
    // so the docs pane and autocomplete work.
    let schema = &report["schema"];
    assert_eq!(
        report["stepErrors"],
        serde_json::json!([]),
        "a step failed; schema: {schema}; problems: {}",
        report["problems"]
    );
    assert_eq!(schema["status"], 200, "{schema}");
    assert!(schema["errors"].is_null(), "{schema}");
    assert!(schema["types"].as_u64().unwrap() > 50, "{schema}");
    assert_eq!(report["docsAgent"], true, "{report}");
    let docs = report["docsText"].as_str().unwrap();
    assert!(docs.contains("Agent") && docs.contains("displayName"), "{docs}");
    let suggestions = report["suggestions"].as_array().unwrap();
    assert!(suggestions.iter().any(|s| s == "teams"), "{suggestions:?}");
}
