//! The graph's object types. Each holds the vendor record it was built from and
//! resolves its edges through the request's loaders.

pub mod agent;
pub mod agent_dixa;
pub mod agent_webex;
pub mod common;
pub mod presence;
pub mod supervisor;
pub mod supervisor_webex;
pub mod team;

pub use agent::{Agent, AgentDetails, AgentSource};
pub use common::{PhoneNumber, VendorKind};
pub use presence::Presence;
pub use supervisor::{Supervisor, SupervisorDetails, SupervisorSource};
pub use team::Team;
