//! Single-object lookups: one function per kind of object and vendor, used by `node`,
//! `nodes` and the roots' own lookups (`team`, `user`, `supervisor`, `aiccAgent`), so
//! they all follow one rule for what is missing:
//!
//! - a malformed id (not the vendor's shape) is `BAD_USER_INPUT` naming `field`, before
//!   any vendor call (the id, once checked, is passed on as the vendor gave it);
//! - an object that does not exist is `None`: the field is null, without an error;
//! - a failure (the vendor down, rate-limited, refusing) is an error, with
//!   `extensions.vendor`.
//!
//! Each vendor's lookups live in its own file here, with a `node` function saying
//! which of its types `node`, `nodes` and `_entities` resolve and how; [`NODE_LOOKUPS`]
//! is where a vendor registers it. [`super::node`] loops over that list and knows no
//! vendor.

mod dixa;
mod huawei;
mod vonage;
mod webex;

use async_graphql::Context;
use futures::future::BoxFuture;

pub use dixa::{dixa_agent, dixa_team};
pub use huawei::{aicc_agent, skill_queue};
pub use vonage::{vonage_agent, vonage_supervisor, vonage_user};
pub use webex::{webex_agent, webex_supervisor};

use super::{error::ApiResult, id::NodeType, node::Node};
use crate::vendors::Vendor;

/// How `node` finds one vendor's objects: the object of type `node_type` with the
/// vendor's id `id` (`field` names the id in errors), or `None` when the vendor serves
/// no object of that type.
pub type NodeLookup =
    for<'a> fn(&'a Context<'a>, &'a str, NodeType, &'a str) -> Option<BoxFuture<'a, ApiResult<Option<Node>>>>;

/// Every vendor's node lookup: a vendor's line here registers it for `node`, `nodes`
/// and `_entities`.
pub const NODE_LOOKUPS: [(Vendor, NodeLookup); 4] = [
    (Vendor::Webex, webex::node),
    (Vendor::HuaweiAicc, huawei::node),
    (Vendor::Dixa, dixa::node),
    (Vendor::Vonage, vonage::node),
];
