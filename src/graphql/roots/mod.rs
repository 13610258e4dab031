//! Query and mutation roots, one pair per vendor, merged into the schema's roots.

pub mod dixa;
pub mod huawei;
pub mod vonage;
pub mod vonage_input;
pub mod webex;
