//! Logging and tracing: `tracing` to stderr, filtered by `RUST_LOG` (default `info`), as
//! JSON when `SWITCHBOARD_LOG_FORMAT=json` (each line carries its spans' fields: the
//! request's `request_id`, `trace_id` and `tenant`, the operation, the vendor call).
//! With an OTLP endpoint (`otel.endpoint`, or the standard `OTEL_EXPORTER_OTLP_ENDPOINT`),
//! spans are also exported as OpenTelemetry traces over OTLP/HTTP: request → GraphQL
//! operation → loader batch → vendor call, with W3C `traceparent` read from requests and
//! sent on vendor calls.
//!
//! May depend on: `config`.

use std::time::Duration;

use opentelemetry::{global, trace::TracerProvider as _};
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::{Resource, propagation::TraceContextPropagator, trace::SdkTracerProvider};
use tracing_subscriber::{EnvFilter, Layer, fmt, prelude::*, registry::LookupSpan};

use crate::config::OtelSettings;

/// The exporter's flush on shutdown; dropping it flushes too.
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take()
            && let Err(e) = provider.shutdown()
        {
            eprintln!("switchboard: flushing traces failed: {e}");
        }
    }
}

/// The OTLP/HTTP traces URL: `otel.endpoint` + `/v1/traces`; `None` to let the standard
/// variables decide (the exporter reads them).
fn traces_url(otel: &OtelSettings) -> Option<String> {
    otel.endpoint
        .as_ref()
        .map(|base| format!("{}/v1/traces", base.as_str().trim_end_matches('/')))
}

/// Whether spans should be exported: an endpoint in the settings or the environment.
fn export_configured(otel: &OtelSettings) -> bool {
    otel.endpoint.is_some()
        || [
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        ]
        .iter()
        .any(|v| std::env::var(v).is_ok_and(|v| !v.trim().is_empty()))
}

/// Makes W3C trace context (`traceparent`, `tracestate`) the propagation format, for
/// reading requests and writing vendor calls.
pub fn install_propagator() {
    global::set_text_map_propagator(TraceContextPropagator::new());
}

/// The layer that turns `tracing` spans into OpenTelemetry spans of `provider`.
pub fn otel_layer<S>(provider: &SdkTracerProvider) -> impl Layer<S> + use<S>
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    tracing_opentelemetry::layer().with_tracer(provider.tracer("switchboard"))
}

/// Builds the OTLP exporter `otel` asks for. Vendor-call `reqwest` stays the only HTTP
/// client: the exporter sends through [`OtlpHttp`].
fn provider(otel: &OtelSettings) -> anyhow::Result<SdkTracerProvider> {
    let mut builder = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_http_client(OtlpHttp::new()?)
        .with_timeout(Duration::from_secs(10));
    if let Some(url) = traces_url(otel) {
        builder = builder.with_endpoint(url);
    }
    let exporter = builder.build()?;
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(
            Resource::builder()
                .with_service_name(otel.service_name.clone())
                .build(),
        )
        .build())
}

/// Crates whose trace output quotes what they carry, capped whatever `RUST_LOG` says:
/// tungstenite logs every WebSocket frame at trace level, and a subscription's
/// `connection_init` frame carries the client's API key or token.
const CAPPED: [&str; 2] = ["tungstenite=debug", "tokio_tungstenite=debug"];

/// `filter` with [`CAPPED`] applied on top, so that no level of logging writes a
/// credential.
pub fn capped(filter: EnvFilter) -> EnvFilter {
    CAPPED.iter().fold(filter, |filter, directive| {
        filter.add_directive(directive.parse().expect("a valid directive"))
    })
}

/// Installs the global subscriber: logs, and trace export when `otel` (or the
/// environment) names a collector. Safe to call more than once (later calls install
/// nothing). Keep the answer alive while serving: dropping it flushes the traces.
pub fn init(otel: &OtelSettings) -> anyhow::Result<Telemetry> {
    let filter = capped(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")));
    let json = std::env::var("SWITCHBOARD_LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let provider = if export_configured(otel) {
        install_propagator();
        Some(provider(otel)?)
    } else {
        None
    };
    let otel_layer = provider.as_ref().map(otel_layer);
    let logs = if json {
        fmt::layer()
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .with_writer(std::io::stderr)
            .boxed()
    } else {
        fmt::layer().with_writer(std::io::stderr).boxed()
    };
    let installed = tracing_subscriber::registry()
        .with(otel_layer)
        .with(logs)
        .with(filter)
        .try_init()
        .is_ok();
    if installed && let Some(url) = provider.as_ref().and(traces_url(otel)) {
        tracing::info!(endpoint = %url, "exporting traces over OTLP/HTTP");
    }
    Ok(Telemetry {
        provider: provider.filter(|_| installed),
    })
}

/// The OTLP exporter's HTTP client: reqwest (the one vendor calls use), run on the
/// Tokio runtime that started the exporter, since the batch processor exports from a
/// thread of its own.
#[derive(Debug)]
struct OtlpHttp {
    client: reqwest::Client,
    runtime: tokio::runtime::Handle,
}

impl OtlpHttp {
    fn new() -> anyhow::Result<Self> {
        use anyhow::Context as _;
        let runtime =
            tokio::runtime::Handle::try_current().context("trace export needs the Tokio runtime")?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self { client, runtime })
    }
}

#[async_trait::async_trait]
impl opentelemetry_http::HttpClient for OtlpHttp {
    async fn send_bytes(
        &self,
        request: http::Request<bytes::Bytes>,
    ) -> Result<http::Response<bytes::Bytes>, opentelemetry_http::HttpError> {
        let client = self.client.clone();
        let request = reqwest::Request::try_from(request.map(reqwest::Body::from))?;
        let sent = self.runtime.spawn(async move {
            let response = client.execute(request).await?;
            let mut answer = http::Response::builder().status(response.status());
            for (name, value) in response.headers() {
                answer = answer.header(name, value);
            }
            let body = response.bytes().await?;
            Ok::<_, opentelemetry_http::HttpError>(answer.body(body)?)
        });
        sent.await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_traces_url_is_the_base_plus_the_signal_path() {
        let otel = OtelSettings {
            endpoint: Some("http://collector:4318/".parse().unwrap()),
            ..OtelSettings::default()
        };
        assert_eq!(
            traces_url(&otel).as_deref(),
            Some("http://collector:4318/v1/traces")
        );
        assert!(traces_url(&OtelSettings::default()).is_none());
    }
}
