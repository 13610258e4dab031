//! Query and mutation roots, one pair per vendor, and the vendor-neutral queries
//! (`graph`), merged into the schema's roots.

pub mod dixa;
pub mod graph;
pub mod huawei;
pub mod vonage;
pub mod vonage_input;
pub mod webex;
