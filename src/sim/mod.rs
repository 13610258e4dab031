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

use secrecy::SecretString;

use crate::config::{DixaSettings, HuaweiSettings, TenantSettings, VonageSettings, WebexSettings};

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

    /// All simulators, each under its prefix.
    pub fn router(&self) -> Router {
        Router::new()
            .nest("/dixa", self.dixa.router())
            .nest("/webex", self.webex.router())
            .nest("/huawei", self.huawei.router())
            .nest("/vonage", self.vonage.router())
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

    /// A tenant whose every vendor connection points at these simulators.
    pub fn tenant_settings(&self) -> TenantSettings {
        TenantSettings {
            api_keys: Vec::new(),
            read_only_api_keys: Vec::new(),
            dixa: Some(DixaSettings::new(self.url("dixa/v1"), dixa::DEMO_TOKEN)),
            webex: Some(WebexSettings::new(
                self.url("webex/v1"),
                webex::DEMO_TOKEN,
                webex::org_id(),
            )),
            huawei: Some(HuaweiSettings::new(
                self.url("huawei"),
                huawei::DEMO_APP_KEY,
                huawei::DEMO_APP_SECRET,
            )),
            vonage: Some(VonageSettings {
                webhook_secret: Some(SecretString::from(vonage::DEMO_WEBHOOK_SECRET)),
                ..VonageSettings::new(
                    self.url("vonage"),
                    self.url("vonage/Auth/connect/token"),
                    vonage::DEMO_CLIENT_ID,
                    vonage::DEMO_CLIENT_SECRET,
                )
            }),
        }
    }
}

impl Drop for RunningSimulators {
    fn drop(&mut self) {
        self.task.abort();
    }
}
