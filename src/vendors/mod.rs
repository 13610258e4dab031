//! Vendor clients: one folder per vendor, each with a trait, a real HTTP client and
//! the vendor's wire models, over the shared HTTP layer in [`http`] and the shared
//! send/error/paging loop in [`exchange`] (a vendor brings only its error body parser
//! and its paging rules).
//!
//! May depend on: `reqwest`, `serde`, `config` (for connection settings), `metrics`
//! (the HTTP layer counts its calls).
//! Never on GraphQL, loaders or the cache: a vendor client does not know either exists.

pub mod breaker;
pub mod budget;
pub mod connector;
pub mod dixa;
pub mod error;
pub mod exchange;
pub mod http;
pub mod huawei;
pub mod timestamp;
pub mod token;
pub mod vonage;
pub mod webex;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use error::{VendorError, VendorErrorKind};
pub use timestamp::parse_timestamp;

/// A contact-center platform that Switchboard can put behind its graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Vendor {
    /// Webex Calling (supervisors and the agents they monitor).
    Webex,
    /// Huawei Cloud AICC cc-management (agent accounts, skill queues).
    HuaweiAicc,
    /// Dixa (teams, members, presence).
    Dixa,
    /// Vonage Contact Center (users and their agent configuration).
    Vonage,
}

impl Vendor {
    /// Every vendor, in a stable order.
    pub const ALL: [Vendor; 4] = [Vendor::Webex, Vendor::HuaweiAicc, Vendor::Dixa, Vendor::Vonage];

    /// The stable machine name, as used in global ids, cache keys and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Vendor::Webex => "WEBEX",
            Vendor::HuaweiAicc => "HUAWEI_AICC",
            Vendor::Dixa => "DIXA",
            Vendor::Vonage => "VONAGE",
        }
    }

    /// Parses [`Vendor::as_str`] back.
    pub fn parse(s: &str) -> Option<Vendor> {
        Vendor::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Vendor::Webex => "Webex",
            Vendor::HuaweiAicc => "Huawei AICC",
            Vendor::Dixa => "Dixa",
            Vendor::Vonage => "Vonage",
        };
        f.write_str(name)
    }
}
