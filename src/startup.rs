//! The one place that wires: builds the vendor clients per tenant, the cache, the
//! schema, the readiness prober and the router, and binds the listener.

use std::{collections::HashMap, future::Future, net::SocketAddr, sync::Arc, time::Duration};

use tokio::net::TcpListener;

use crate::{
    cache::Cache,
    config::Settings,
    graphql::build_schema,
    http::{AppState, Authenticator, PersistedQueries, router},
    live::Live,
    metrics::Metrics,
    readiness::Readiness,
    tenant::Tenant,
    vendors::{
        budget::{Rate, Slots},
        http::VendorHttp,
    },
};

/// Vendor budgets kept in the shared cache store.
struct CacheSlots(Cache);

#[async_trait::async_trait]
impl Slots for CacheSlots {
    async fn reserve(&self, key: &str, rate: Rate, max_wait: Duration) -> Option<Duration> {
        self.0
            .reserve_slot(key, rate.interval, rate.burst, max_wait)
            .await
    }
}

/// A built application, bound to its port, not yet serving.
pub struct Application {
    listener: TcpListener,
    app: axum::Router,
    live: Arc<Live>,
}

impl Application {
    /// Builds everything `settings` describe and binds `settings.listen`.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        use anyhow::Context as _;
        settings.validate()?;
        let client = VendorHttp::shared_client(&settings.http).context("building the HTTP client")?;
        let metrics = Metrics::new();
        let cache = Cache::from_settings(&settings.cache)
            .await?
            .with_metrics(metrics.clone());
        // Vendor budgets live in the cache: in Redis, shared by every replica, when it
        // is configured.
        let slots: Arc<dyn Slots> = Arc::new(CacheSlots(cache.clone()));
        let tenants: HashMap<String, Arc<Tenant>> = settings
            .tenants
            .iter()
            .map(|(id, t)| {
                let tenant = Tenant::build(id, t, &client, &settings.http, slots.clone(), &metrics);
                (id.clone(), Arc::new(tenant))
            })
            .collect();
        let keys = settings.tenants.iter().flat_map(|(id, t)| {
            let full = t.api_keys.iter().map(move |k| (id.clone(), k.clone(), true));
            let read_only = t
                .read_only_api_keys
                .iter()
                .map(move |k| (id.clone(), k.clone(), false));
            full.chain(read_only)
        });
        let auth = Authenticator::new(
            &tenants,
            keys,
            settings.anonymous_tenant.as_deref(),
            settings.anonymous_on_network,
            &settings.auth,
            &client,
        )?;
        let tenants: Vec<Arc<Tenant>> = tenants.into_values().collect();
        let server = &settings.server;
        let readiness = Readiness::new(
            tenants.clone(),
            cache.clone(),
            Duration::from_secs(server.readiness_interval_secs),
            Duration::from_millis(server.readiness_timeout_ms),
        );
        let redis_url = settings.cache.redis_url.as_ref().map(|u| {
            use secrecy::ExposeSecret as _;
            u.expose_secret().to_owned()
        });
        let live = Live::new(
            &tenants,
            &settings.live,
            redis_url.as_deref().map(|url| crate::live::RedisLink {
                url,
                namespace: &settings.cache.namespace,
                timeout: Duration::from_millis(settings.cache.redis_timeout_ms),
            }),
        )
        .map_err(anyhow::Error::msg)?;
        let answers = Arc::new(crate::graphql::answers::Answers::new(&settings.cache));
        let state = AppState {
            schema: build_schema(&settings.graphql, answers.clone(), metrics.clone()),
            answers,
            operations: Arc::new(tokio::sync::Semaphore::new(server.max_concurrent_operations)),
            metrics,
            cache,
            auth: Arc::new(auth),
            tenants: Arc::new(tenants),
            readiness,
            apq: PersistedQueries::new(server.apq_cache_mib.saturating_mul(1024 * 1024)),
            server: Arc::new(server.clone()),
            graphql: Arc::new(settings.graphql.clone()),
            access: Arc::new(settings.auth.clone()),
            live: live.clone(),
        };
        let listener = TcpListener::bind(settings.listen)
            .await
            .with_context(|| format!("binding {}", settings.listen))?;
        Ok(Self {
            listener,
            app: router(state),
            live,
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until `shutdown` completes, then drains open requests and closes every
    /// subscription (sockets with 1001), waiting a moment for them to go.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let live = self.live.clone();
        let stop = async move {
            shutdown.await;
            live.close();
        };
        let served = axum::serve(self.listener, self.app)
            .with_graceful_shutdown(stop)
            .await;
        self.live.drained(Duration::from_secs(2)).await;
        served
    }

    /// Serves until SIGTERM or ctrl-c.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }
}

/// Completes on SIGTERM or ctrl-c.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: draining open requests");
}
