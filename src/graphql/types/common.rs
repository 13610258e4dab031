//! Small shared types: the `Vendor` enum and phone numbers.

use async_graphql::{Enum, SimpleObject};

/// A contact-center platform behind the graph.
#[derive(Debug, Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "Vendor", remote = "crate::vendors::Vendor")]
pub enum VendorKind {
    /// Webex Calling.
    Webex,
    /// Huawei Cloud AICC.
    HuaweiAicc,
    /// Dixa.
    Dixa,
    /// Vonage Contact Center.
    Vonage,
}

/// A phone number of an agent.
#[derive(Debug, Clone, SimpleObject)]
pub struct PhoneNumber {
    /// The number (E.164 where the vendor gives it so).
    pub number: Option<String>,
    /// The extension, where the vendor has one.
    pub extension: Option<String>,
    /// Whether this is the agent's primary number.
    pub primary: bool,
}
