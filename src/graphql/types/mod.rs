//! The graph's object types. Each holds the vendor record it was built from and
//! resolves its edges through the request's loaders.

pub mod agent;
pub mod agent_aicc;
pub mod agent_dixa;
pub mod agent_fields;
pub mod agent_vonage;
pub mod agent_webex;
pub mod common;
pub mod password;
pub mod person;
pub mod presence;
pub mod skill_queue;
pub mod supervisor;
pub mod supervisor_vonage;
pub mod supervisor_webex;
pub mod team;
pub mod user;

pub use agent::{Agent, AgentDetails, AgentSource};
pub use common::{PhoneNumber, VendorKind};
pub use person::Person;
pub use presence::Presence;
pub use skill_queue::SkillQueue;
pub use supervisor::{Supervisor, SupervisorDetails, SupervisorSource};
pub use team::Team;
pub use user::User;
