//! The log audit: after the whole suite has run with `SWITCHBOARD_TEST_AUDIT_DIR` set
//! (`scripts/test.sh` does), its trace-level log (every event and span of every test, at
//! every level, see `helpers::install_log_capture`) must hold none of the secrets the
//! tests used: the simulators' vendor credentials, every API key and JWT sent, every
//! value sent under a password, secret or token key (`helpers::used_secret`), and the
//! access tokens the Huawei and Vonage simulators issued (recognised by their shapes).
//!
//! Ignored in an ordinary run: it reads what the run before it wrote.

use aho_corasick::AhoCorasick;
use switchboard::sim::{dixa, huawei, vonage, webex};

use crate::helpers::{MIN_SECRET_CHARS, audit_dir};

/// Prefixes of the tokens the simulators issue, each followed by 32 hex digits.
const ISSUED_TOKEN_PREFIXES: [&str; 2] = ["hwsim-", "vcc-"];

/// Every issued token in `log`: a prefix of [`ISSUED_TOKEN_PREFIXES`] and 32 hex digits.
fn issued_tokens(log: &str) -> Vec<&str> {
    let mut found = Vec::new();
    for prefix in ISSUED_TOKEN_PREFIXES {
        for (at, _) in log.match_indices(prefix) {
            let rest = &log[at + prefix.len()..];
            let hex = rest.bytes().take_while(u8::is_ascii_hexdigit).count();
            if hex == 32 {
                found.push(&log[at..at + prefix.len() + 32]);
            }
        }
    }
    found
}

/// Each secret of `secrets` found in `log`, with a line of context.
fn leaks<'a>(log: &'a str, secrets: &'a [String]) -> Vec<(&'a str, &'a str)> {
    let matcher = AhoCorasick::new(secrets).expect("the secrets make a matcher");
    matcher
        .find_iter(log)
        .map(|m| {
            let start = log[..m.start()].rfind('\n').map_or(0, |i| i + 1);
            let end = log[m.end()..].find('\n').map_or(log.len(), |i| m.end() + i);
            (secrets[m.pattern().as_usize()].as_str(), &log[start..end])
        })
        .collect()
}

#[test]
fn the_matchers_find_what_they_look_for() {
    let log = "a line\nAuthorization: Bearer key-123456789 here\nvcc-0123456789abcdef0123456789abcdef.\nhwsim-short\n";
    let secrets = vec!["key-123456789".to_owned()];
    let found = leaks(log, &secrets);
    assert_eq!(
        found,
        vec![("key-123456789", "Authorization: Bearer key-123456789 here")]
    );
    assert_eq!(issued_tokens(log), vec!["vcc-0123456789abcdef0123456789abcdef"]);
}

#[test]
#[ignore = "run by scripts/test.sh after the suite, over the log the suite wrote"]
fn the_whole_suites_trace_log_holds_no_secret() {
    let dir = audit_dir().expect("SWITCHBOARD_TEST_AUDIT_DIR names the suite's audit directory");
    let mut log = String::new();
    let mut secrets: Vec<String> = [
        dixa::DEMO_TOKEN,
        webex::DEMO_TOKEN,
        huawei::DEMO_APP_KEY,
        huawei::DEMO_APP_SECRET,
        vonage::DEMO_CLIENT_SECRET,
        vonage::DEMO_WEBHOOK_SECRET,
    ]
    .map(str::to_owned)
    .to_vec();
    let mut trace_files = 0;
    for entry in std::fs::read_dir(&dir).expect("the audit directory is readable") {
        let path = entry.expect("an audit file").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text =
            String::from_utf8_lossy(&std::fs::read(&path).expect("an audit file is readable")).into_owned();
        if name.starts_with("trace-") {
            trace_files += 1;
            log.push_str(&text);
        } else if name.starts_with("secrets-") {
            secrets.extend(text.lines().map(str::to_owned));
        }
    }
    secrets.retain(|s| s.chars().count() >= MIN_SECRET_CHARS);
    secrets.sort();
    secrets.dedup();
    // Not vacuous: the suite ran, at trace level, through the vendors, with its keys.
    assert!(trace_files > 0, "no trace log in {}", dir.display());
    assert!(
        log.contains("TRACE") && log.contains("vendor call"),
        "the log is not the suite's trace log"
    );
    assert!(secrets.len() > 100, "only {} secrets were noted", secrets.len());
    let found = leaks(&log, &secrets);
    let issued = issued_tokens(&log);
    eprintln!(
        "log audit: {} MB of trace log, {} secrets, {} leaks, {} issued tokens",
        log.len() / 1_000_000,
        secrets.len(),
        found.len(),
        issued.len()
    );
    assert!(
        found.is_empty(),
        "secrets in the suite's log: {:#?}",
        &found[..found.len().min(20)]
    );
    assert!(
        issued.is_empty(),
        "vendor-issued tokens in the suite's log: {:?}",
        &issued[..issued.len().min(20)]
    );
}
