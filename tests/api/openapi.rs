//! Checks requests the simulators recorded against a vendor's OpenAPI document: the
//! operation exists, every query parameter is declared and well-typed, required ones are
//! sent, path parameters match their format, and a JSON body matches the request schema
//! with no undocumented properties (strict in what Switchboard sends).
//!
//! The specs live beside the repository in `../shared/vendor-specs/` and are never
//! copied into it. Without that folder the checks print a notice and pass, unless
//! `REQUIRE_VENDOR_SPECS=1` (as in CI), which makes a missing spec a failure.

use std::path::PathBuf;

use serde::de::DeserializeOwned;
use serde_json::Value;
use switchboard::sim::control::RecordedRequest;

/// An operation's path template, its definition, and the path parameters' values.
pub type Operation<'a> = (String, &'a Value, Vec<(String, String)>);

/// An OpenAPI 3 document.
pub struct Spec {
    doc: Value,
    name: String,
}

/// Loads `../shared/vendor-specs/{relative}`; `None` (with a notice) when absent and not
/// required.
pub fn load(relative: &str) -> Option<Spec> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/vendor-specs")
        .join(relative);
    let Ok(text) = std::fs::read_to_string(&path) else {
        let required = std::env::var("REQUIRE_VENDOR_SPECS").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "vendor spec {} is required but missing",
            path.display()
        );
        eprintln!("NOTICE: {} not found; skipping the spec check", path.display());
        return None;
    };
    let doc: Value = serde_yaml_ng::from_str(&text).expect("the spec is valid YAML");
    Some(Spec {
        doc,
        name: relative.to_owned(),
    })
}

/// The spec's example response as the client's wire type `T` reads it; fails when it
/// cannot.
pub fn parses<T: DeserializeOwned>(spec: &Spec, method: &str, template: &str, status: &str) -> T {
    let example = spec
        .example(method, template, status)
        .unwrap_or_else(|| panic!("{method} {template} {status} has an example"));
    serde_json::from_value::<T>(example.clone()).unwrap_or_else(|e| {
        panic!("{method} {template} {status}: the client cannot read the documented example: {e}")
    })
}

impl Spec {
    /// Resolves a local `$ref`.
    fn resolve<'a>(&'a self, mut value: &'a Value) -> &'a Value {
        while let Some(reference) = value.get("$ref").and_then(Value::as_str) {
            let pointer = reference.trim_start_matches('#');
            value = self
                .doc
                .pointer(pointer)
                .unwrap_or_else(|| panic!("unresolvable {reference}"));
        }
        value
    }

    /// The operation for `method` on a concrete `path`, with the path parameters' values.
    pub fn operation(&self, method: &str, path: &str) -> Option<Operation<'_>> {
        // Where templates overlap (`/agents/presence`, `/agents/{agentId}`), the one
        // with the fewest parameters is the operation meant.
        self.doc["paths"]
            .as_object()?
            .iter()
            .filter_map(|(template, item)| {
                let params = match_path(template, path)?;
                let op = item.get(method.to_ascii_lowercase())?;
                Some((template.clone(), op, params))
            })
            .min_by_key(|(_, _, params)| params.len())
    }

    /// The example body of `status` of `method template`, if the spec gives one.
    pub fn example(&self, method: &str, template: &str, status: &str) -> Option<&Value> {
        let op = &self.doc["paths"][template][method.to_ascii_lowercase()];
        let content = &self.resolve(&op["responses"][status])["content"]["application/json"];
        content.get("example").or_else(|| {
            content["examples"]
                .as_object()
                .and_then(|m| m.values().next())
                .map(|e| &e["value"])
        })
    }

    /// Every problem with `request`, where `api_path` is its path as the spec writes it.
    pub fn check(&self, request: &RecordedRequest, api_path: &str) -> Vec<String> {
        let mut problems = Vec::new();
        let Some((template, op, path_values)) = self.operation(&request.method, api_path) else {
            return vec![format!(
                "{} {api_path}: no such operation in {}",
                request.method, self.name
            )];
        };
        let here = format!("{} {template}", request.method);
        let params: Vec<&Value> = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(
                self.doc["paths"][&template]["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten(),
            )
            .map(|p| self.resolve(p))
            .collect();
        let sent: Vec<(String, String)> = request
            .query
            .as_deref()
            .map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        for (name, value) in &sent {
            match params
                .iter()
                .find(|p| p["in"] == "query" && p["name"] == name.as_str())
            {
                None => problems.push(format!("{here}: undocumented query parameter `{name}`")),
                Some(p) => {
                    if let Err(e) = self.check_scalar(&p["schema"], value) {
                        problems.push(format!("{here}: query `{name}`={value}: {e}"));
                    }
                }
            }
        }
        for p in &params {
            let name = p["name"].as_str().unwrap_or_default();
            if p["in"] == "query" && p["required"] == true && !sent.iter().any(|(n, _)| n == name) {
                problems.push(format!("{here}: required query parameter `{name}` missing"));
            }
            if p["in"] == "path"
                && let Some((_, value)) = path_values.iter().find(|(n, _)| n == name)
                && let Err(e) = self.check_scalar(&p["schema"], value)
            {
                problems.push(format!("{here}: path `{name}`={value}: {e}"));
            }
        }
        let secured = op.get("security").or_else(|| self.doc.get("security"));
        if secured.and_then(Value::as_array).is_some_and(|s| !s.is_empty()) && !request.authorized {
            problems.push(format!("{here}: no Authorization header"));
        }
        let body_schema = op
            .get("requestBody")
            .map(|b| self.resolve(b))
            .map(|b| (b["required"] == true, &b["content"]["application/json"]["schema"]));
        match (body_schema, &request.body) {
            (Some((_, schema)), Some(body)) => {
                if !request
                    .content_type
                    .as_deref()
                    .is_some_and(|c| c.starts_with("application/json"))
                {
                    problems.push(format!("{here}: body sent without Content-Type application/json"));
                }
                self.check_value(schema, body, "body", &mut problems);
                for p in problems.iter_mut().filter(|p| p.starts_with("body")) {
                    *p = format!("{here}: {p}");
                }
            }
            (Some((true, _)), None) => problems.push(format!("{here}: required body missing")),
            (None, Some(_)) => problems.push(format!("{here}: body sent where none is documented")),
            _ => {}
        }
        problems
    }

    fn check_scalar(&self, schema: &Value, raw: &str) -> Result<(), String> {
        let schema = self.resolve(schema);
        match schema["type"].as_str() {
            Some("integer") => raw
                .parse::<i64>()
                .map(drop)
                .map_err(|_| "not an integer".to_owned())?,
            Some("number") => raw
                .parse::<f64>()
                .map(drop)
                .map_err(|_| "not a number".to_owned())?,
            Some("boolean") if raw != "true" && raw != "false" => return Err("not a boolean".into()),
            _ => {}
        }
        if schema["format"] == "uuid" && uuid::Uuid::try_parse(raw).is_err() {
            return Err("not a uuid".into());
        }
        if let Some(allowed) = schema["enum"].as_array()
            && !allowed.iter().any(|a| a.as_str() == Some(raw))
        {
            return Err(format!("not one of {allowed:?}"));
        }
        Ok(())
    }

    fn check_value(&self, schema: &Value, value: &Value, at: &str, problems: &mut Vec<String>) {
        let schema = self.resolve(schema);
        if let Some(options) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
            let fits = options.iter().any(|o| {
                let mut p = Vec::new();
                self.check_value(o, value, at, &mut p);
                p.is_empty()
            });
            if !fits {
                problems.push(format!("{at}: matches none of the documented alternatives"));
            }
            return;
        }
        if let Some(all) = schema["allOf"].as_array() {
            for part in all {
                self.check_value(part, value, at, problems);
            }
            return;
        }
        let ok = match schema["type"].as_str() {
            Some("object") => value.is_object(),
            Some("array") => value.is_array(),
            Some("string") => value.is_string(),
            Some("integer") => value.is_i64() || value.is_u64(),
            Some("number") => value.is_number(),
            Some("boolean") => value.is_boolean(),
            _ => true,
        };
        let null_allowed = value.is_null() && schema["nullable"] == true;
        if !(ok || null_allowed) {
            problems.push(format!("{at}: expected {}, got {value}", schema["type"]));
            return;
        }
        if let Some(s) = value.as_str()
            && let Err(e) = self.check_scalar(schema, s)
        {
            problems.push(format!("{at}: {e}"));
        }
        if let Some(items) = value.as_array() {
            for (i, item) in items.iter().enumerate() {
                self.check_value(&schema["items"], item, &format!("{at}[{i}]"), problems);
            }
        }
        if let Some(fields) = value.as_object() {
            let props = schema["properties"].as_object();
            for required in schema["required"].as_array().into_iter().flatten() {
                let name = required.as_str().unwrap_or_default();
                if !fields.contains_key(name) {
                    problems.push(format!("{at}: required property `{name}` missing"));
                }
            }
            for (name, field) in fields {
                match props.and_then(|p| p.get(name)) {
                    Some(s) => self.check_value(s, field, &format!("{at}.{name}"), problems),
                    None if schema.get("additionalProperties").is_some_and(|a| a != false) => {}
                    None => problems.push(format!("{at}: undocumented property `{name}`")),
                }
            }
        }
    }
}

/// Matches `/teams/{teamId}` against `/teams/abc`, returning the parameters.
fn match_path(template: &str, path: &str) -> Option<Vec<(String, String)>> {
    let t: Vec<&str> = template.trim_end_matches('/').split('/').collect();
    let p: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    if t.len() != p.len() {
        return None;
    }
    let mut params = Vec::new();
    for (a, b) in t.iter().zip(&p) {
        if let Some(name) = a.strip_prefix('{').and_then(|n| n.strip_suffix('}')) {
            let value = percent_encoding::percent_decode_str(b)
                .decode_utf8_lossy()
                .into_owned();
            params.push((name.to_owned(), value));
        } else if a != b {
            return None;
        }
    }
    Some(params)
}
