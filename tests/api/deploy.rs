//! `deploy/`, checked offline (no image can be built here): the Kubernetes manifests
//! render with `kubectl kustomize`; the binary starts with exactly the settings file and
//! `SWITCHBOARD_*` variables the Deployment and the compose file give it (so every one
//! is a real setting: unknown keys stop start-up); the probe paths answer; the ports
//! and the user agree with the Dockerfile. `kubectl` missing skips the manifest checks,
//! unless `REQUIRE_KUBECTL=1` (CI).

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    process::Command,
};

use base64::Engine;
use serde_json::Value;

use crate::helpers::{start_server, switchboard};

fn deploy_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("deploy")
}

/// Every document of a YAML stream, as JSON values.
fn yaml_documents(text: &str) -> Vec<Value> {
    serde_yaml_ng::Deserializer::from_str(text)
        .map(|doc| serde::Deserialize::deserialize(doc).expect("valid YAML"))
        .filter(|v: &Value| !v.is_null())
        .collect()
}

/// `kubectl kustomize dir`, or `None` when kubectl is not here (and not required).
fn kustomize(dir: &Path) -> Option<Vec<Value>> {
    match Command::new("kubectl").arg("kustomize").arg(dir).output() {
        Ok(out) => {
            assert!(
                out.status.success(),
                "kustomize {}: {}",
                dir.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            Some(yaml_documents(&String::from_utf8_lossy(&out.stdout)))
        }
        Err(_) => {
            let required = std::env::var("REQUIRE_KUBECTL").is_ok_and(|v| v == "1");
            assert!(!required, "kubectl is required (REQUIRE_KUBECTL=1)");
            eprintln!("NOTICE: skipping the Kubernetes manifest checks, no kubectl");
            None
        }
    }
}

fn of_kind<'a>(docs: &'a [Value], kind: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} rendered"))
}

/// Starts the binary as the container would (with `--listen` moved to loopback port 0),
/// checks it serves and that `/healthz`, `/readyz` and `/metrics` exist, and stops it.
async fn starts_with(args: &[&str], env: &[(String, String)]) {
    let env: Vec<(&str, String)> = env.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let mut args = args.to_vec();
    args.extend(["--listen", "127.0.0.1:0"]);
    let (_server, url, _) = start_server(switchboard(&args, &env));
    for path in ["/healthz", "/readyz", "/metrics"] {
        let status = reqwest::get(format!("{url}{path}")).await.unwrap().status();
        assert_ne!(status, reqwest::StatusCode::NOT_FOUND, "{path} exists");
    }
}

#[tokio::test]
async fn the_kubernetes_manifests_render_and_name_only_real_settings() {
    let Some(base) = kustomize(&deploy_dir().join("k8s/base")) else {
        return;
    };
    for kind in [
        "Deployment",
        "Service",
        "ConfigMap",
        "PodDisruptionBudget",
        "HorizontalPodAutoscaler",
    ] {
        of_kind(&base, kind);
    }
    let docs = kustomize(&deploy_dir().join("k8s/overlays/example")).expect("kubectl is here");
    let deployment = of_kind(&docs, "Deployment");
    let pod = &deployment["spec"]["template"]["spec"];
    let container = &pod["containers"][0];
    // Probes on the paths the server answers, on its named port.
    assert_eq!(container["livenessProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/readyz");
    let port = &container["ports"][0];
    assert_eq!(port["name"], "http");
    assert_eq!(container["livenessProbe"]["httpGet"]["port"], "http");
    assert_eq!(
        of_kind(&docs, "Service")["spec"]["ports"][0]["targetPort"],
        "http"
    );
    // The settings file, as mounted.
    let config_map = of_kind(&docs, "ConfigMap");
    let toml = config_map["data"]["switchboard.toml"].as_str().unwrap();
    assert!(
        toml.contains(&format!(":{}\"", port["containerPort"])),
        "listen matches the container port"
    );
    let mounted = container["volumeMounts"][0]["mountPath"].as_str().unwrap();
    let args: Vec<&str> = container["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(
        args,
        ["serve", "--config", &format!("{mounted}/switchboard.toml")]
    );
    assert_eq!(
        pod["volumes"][0]["configMap"]["name"],
        config_map["metadata"]["name"]
    );
    // Every variable, its value taken from the rendered Secret where it refers to one.
    let secret = of_kind(&docs, "Secret");
    let env: Vec<(String, String)> = container["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let name = e["name"].as_str().unwrap().to_owned();
            let value = match e["value"].as_str() {
                Some(v) => v.to_owned(),
                None => {
                    let reference = &e["valueFrom"]["secretKeyRef"];
                    assert_eq!(reference["name"], secret["metadata"]["name"], "{name}");
                    let encoded = secret["data"][reference["key"].as_str().unwrap()]
                        .as_str()
                        .unwrap_or_else(|| panic!("{name}: no such key in the Secret"));
                    String::from_utf8(base64::engine::general_purpose::STANDARD.decode(encoded).unwrap())
                        .unwrap()
                }
            };
            (name, value)
        })
        .collect();
    assert!(env.iter().all(|(k, _)| k.starts_with("SWITCHBOARD_")));
    let dir = std::env::temp_dir().join(format!("sb-deploy-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("switchboard.toml");
    std::fs::write(&file, toml).unwrap();
    starts_with(&["serve", "--config", file.to_str().unwrap()], &env).await;
    // The pod runs as the image's user.
    assert_eq!(pod["securityContext"]["runAsUser"], 10001);
    // Prometheus is told where the metrics are; traces go where the settings say.
    let annotations = &deployment["spec"]["template"]["metadata"]["annotations"];
    assert_eq!(annotations["prometheus.io/path"], "/metrics");
    assert_eq!(
        annotations["prometheus.io/port"],
        port["containerPort"].to_string()
    );
    assert!(
        toml.contains("[otel]") && toml.contains("endpoint = \"http"),
        "{toml}"
    );
}

#[tokio::test]
async fn the_compose_file_parses_and_names_only_real_settings() {
    let text = std::fs::read_to_string(deploy_dir().join("docker-compose.yml")).unwrap();
    let compose = yaml_documents(&text).remove(0);
    let services = compose["services"].as_object().unwrap();
    for name in ["switchboard-1", "switchboard-2", "lb", "redis", "sim"] {
        assert!(services.contains_key(name), "service {name}");
    }
    let replica = &services["switchboard-1"];
    assert_eq!(replica, &services["switchboard-2"], "two identical replicas");
    assert_eq!(replica["build"]["dockerfile"], "deploy/Dockerfile");
    let env: BTreeMap<String, String> = replica["environment"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    assert!(env.keys().all(|k| k.starts_with("SWITCHBOARD_")));
    assert!(
        env.contains_key("SWITCHBOARD_CACHE__REDIS_URL"),
        "replicas share Redis"
    );
    // Traces go to the compose file's collector, on its OTLP/HTTP port.
    let otlp = &env["SWITCHBOARD_OTEL__ENDPOINT"];
    let collector = otlp.trim_start_matches("http://").split(':').next().unwrap();
    assert!(services.contains_key(collector), "{collector} is a service");
    assert!(services[collector]["expose"].to_string().contains("4318"));
    let env: Vec<(String, String)> = env.into_iter().collect();
    starts_with(&["serve"], &env).await;
    // The load balancer sends to both replicas, on their port.
    let nginx = std::fs::read_to_string(deploy_dir().join("nginx.conf")).unwrap();
    let listen = &replica["environment"]["SWITCHBOARD_LISTEN"];
    let port = listen.as_str().unwrap().rsplit(':').next().unwrap();
    for name in ["switchboard-1", "switchboard-2"] {
        assert!(
            nginx.contains(&format!("server {name}:{port};")),
            "{name} in nginx.conf"
        );
    }
    // The simulators the tenant points at are the `sim` service's.
    assert!(services["sim"]["command"].to_string().contains("0.0.0.0:8090"));
}

#[test]
fn the_dockerfile_builds_in_stages_and_runs_as_an_unprivileged_user() {
    let text = std::fs::read_to_string(deploy_dir().join("Dockerfile")).unwrap();
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    assert!(
        lines.iter().filter(|l| l.starts_with("FROM ")).count() >= 2,
        "multi-stage"
    );
    assert!(lines.contains(&"USER 10001:10001"), "non-root");
    assert!(lines.contains(&"EXPOSE 8080"));
    assert!(text.contains("SWITCHBOARD_LISTEN=0.0.0.0:8080"));
    assert!(lines.contains(&r#"ENTRYPOINT ["/usr/local/bin/switchboard"]"#));
    assert!(lines.contains(&r#"CMD ["serve"]"#));
    // What it copies from the repository exists.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for line in lines
        .iter()
        .filter(|l| l.starts_with("COPY ") && !l.contains("--from"))
    {
        let parts: Vec<&str> = line.split_whitespace().collect();
        for source in &parts[1..parts.len() - 1] {
            assert!(root.join(source).exists(), "{source} (from `{line}`) exists");
        }
    }
}
