//! Query and mutation roots, one pair per vendor, and the vendor-neutral queries
//! (`graph`). A vendor registers its pair here, in [`VendorQueries`] and
//! [`VendorMutations`]; the schema's roots (`super::QueryRoot`, `super::MutationRoot`)
//! merge those and name no vendor.

pub mod dixa;
pub mod graph;
pub mod huawei;
pub mod vonage;
pub mod vonage_input;
pub mod webex;

use async_graphql::MergedObject;

/// Every vendor's own queries, merged into `Query` (in this order).
#[derive(MergedObject, Default)]
pub struct VendorQueries(
    dixa::DixaQuery,
    webex::WebexQuery,
    huawei::HuaweiQuery,
    vonage::VonageQuery,
);

/// Every vendor's mutations, merged into `Mutation` (in this order).
#[derive(MergedObject, Default)]
pub struct VendorMutations(
    dixa::DixaMutation,
    vonage::VonageMutation,
    webex::WebexMutation,
    huawei::HuaweiMutation,
);
