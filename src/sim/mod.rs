//! Stateful vendor simulators that speak each vendor's real contract (paths, auth,
//! envelopes, paging, error bodies), each under its own path prefix, with counters and
//! fault switches under `/{vendor}/_sim/`. The default run and the tests serve the
//! graph over them; `switchboard sim` runs them alone.
//!
//! May depend on: `config` (to describe the tenant that points at them). Never on the
//! vendor clients: the simulators keep their own wire types.

pub mod control;
pub mod dixa;
pub mod huawei;
pub mod roster;
pub mod vonage;
pub mod webex;

use std::{net::SocketAddr, sync::Arc};

use axum::Router;
use tokio::{net::TcpListener, task::JoinHandle};
use url::Url;

use crate::config::TenantSettings;

/// One vendor's simulator as the default run and `switchboard sim` see it: where it is
/// mounted, how a tenant points at it, and what the banner says about it. Implemented in
/// the simulator's own folder; [`Simulators::all`] is where each one is listed.
pub trait VendorSim: Send + Sync {
    /// The path prefix it is mounted at (`dixa`); its controls are under
    /// `/{prefix}/_sim/`.
    fn prefix(&self) -> &'static str;

    /// Its routes, mounted under the prefix.
    fn router(self: Arc<Self>) -> Router;

    /// Points the vendor's section of `tenant` at this simulator, served below `root`
    /// (the server's URL), with the demo credentials it accepts.
    fn configure(&self, root: &Url, tenant: &mut TenantSettings);

    /// The line `switchboard sim` prints for it: its base URL and demo credentials.
    fn banner(&self, root: &Url) -> String;
}

/// `path` below the server root `root`.
fn at(root: &Url, path: &str) -> Url {
    root.join(path).expect("simulator paths are valid")
}

/// Every vendor simulator.
#[derive(Clone)]
pub struct Simulators {
    /// Dixa, mounted at `/dixa`.
    pub dixa: Arc<dixa::DixaSim>,
    /// Webex Calling, mounted at `/webex`.
    pub webex: Arc<webex::WebexSim>,
    /// Huawei Cloud AICC, mounted at `/huawei`.
    pub huawei: Arc<huawei::HuaweiSim>,
    /// Vonage Contact Center, mounted at `/vonage`.
    pub vonage: Arc<vonage::VonageSim>,
}

impl Simulators {
    /// Simulators seeded with the demo contact center, accepting the demo credentials.
    pub fn seeded() -> Self {
        Self {
            dixa: dixa::DixaSim::seeded(dixa::DEMO_TOKEN),
            webex: webex::WebexSim::seeded(webex::DEMO_TOKEN),
            huawei: huawei::HuaweiSim::seeded(huawei::DEMO_APP_KEY, huawei::DEMO_APP_SECRET),
            vonage: vonage::VonageSim::seeded(vonage::DEMO_CLIENT_ID, vonage::DEMO_CLIENT_SECRET),
        }
    }

    /// Every simulator, in the order the banner lists them.
    pub fn all(&self) -> [Arc<dyn VendorSim>; 4] {
        [
            self.dixa.clone(),
            self.webex.clone(),
            self.huawei.clone(),
            self.vonage.clone(),
        ]
    }

    /// All simulators, each under its prefix.
    pub fn router(&self) -> Router {
        self.all().into_iter().fold(Router::new(), |router, sim| {
            let prefix = format!("/{}", sim.prefix());
            router.nest(&prefix, sim.router())
        })
    }
}

/// Simulators serving on a socket.
pub struct RunningSimulators {
    /// The simulators, for their state and controls.
    pub sims: Simulators,
    /// Where they listen.
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl RunningSimulators {
    /// Serves `sims` on `listener`.
    pub fn serve(sims: Simulators, listener: TcpListener) -> std::io::Result<Self> {
        let addr = listener.local_addr()?;
        let app = sims.router();
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "simulator server stopped");
            }
        });
        Ok(Self { sims, addr, task })
    }

    /// Binds `addr` and serves freshly seeded simulators.
    pub async fn start(addr: SocketAddr) -> std::io::Result<Self> {
        Self::serve(Simulators::seeded(), TcpListener::bind(addr).await?)
    }

    /// The base URL of `prefix` (`dixa/v1`, …) on this server.
    pub fn url(&self, prefix: &str) -> Url {
        Url::parse(&format!("http://{}/{prefix}", self.addr)).expect("a valid URL")
    }

    /// The server's root URL.
    fn root(&self) -> Url {
        Url::parse(&format!("http://{}/", self.addr)).expect("a valid URL")
    }

    /// A tenant whose every vendor connection points at these simulators.
    pub fn tenant_settings(&self) -> TenantSettings {
        let mut tenant = TenantSettings::default();
        let root = self.root();
        for sim in self.sims.all() {
            sim.configure(&root, &mut tenant);
        }
        tenant
    }

    /// What `switchboard sim` prints: each simulator's base URL and demo credentials.
    pub fn banner(&self) -> Vec<String> {
        let root = self.root();
        self.sims.all().iter().map(|sim| sim.banner(&root)).collect()
    }
}

impl Drop for RunningSimulators {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_registered_simulator_is_served_configured_and_announced() {
        let running = RunningSimulators::start("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let tenant = running.tenant_settings();
        let bases = [
            tenant.dixa.as_ref().map(|d| d.base_url.clone()),
            tenant.webex.as_ref().map(|w| w.base_url.clone()),
            tenant.huawei.as_ref().map(|h| h.base_url.clone()),
            tenant.vonage.as_ref().map(|v| v.base_url.clone()),
        ];
        let banner = running.banner();
        let sims = running.sims.all();
        assert_eq!(banner.len(), sims.len());
        let client = reqwest::Client::new();
        for (sim, base) in sims.iter().zip(bases) {
            let base = base.unwrap_or_else(|| panic!("{} configures no tenant section", sim.prefix()));
            let mounted = running.url(sim.prefix());
            assert!(
                base.as_str().starts_with(mounted.as_str()),
                "{base} is not below {mounted}"
            );
            assert!(
                banner.iter().any(|line| line.contains(base.as_str())),
                "no banner line names {base}: {banner:?}"
            );
            // Mounted: its call counter answers under its prefix.
            let calls = client.get(format!("{mounted}/_sim/calls")).send().await.unwrap();
            assert!(
                calls.status().is_success(),
                "{mounted}/_sim/calls: {}",
                calls.status()
            );
        }
    }
}
