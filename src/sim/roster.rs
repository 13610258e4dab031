//! The people every simulator seeds its accounts from, so the same person shows up on
//! several vendors (under one normalised email) as in a real contact center.
//!
//! Who is where: the first twelve have accounts on all four platforms (on Vonage not
//! every account acts as an agent); the next four on Webex and Vonage only; the last two on Dixa only (each simulator seeds the people whose
//! `platforms` name it, under the person's index). Vendors keep an email as it was
//! typed: Sofia Garcia's and Oliver Nguyen's are mixed case here and lower case on AICC
//! (see `sim::huawei`), so they differ only in case between vendors.

/// A platform a person has an account on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// Webex Calling.
    Webex,
    /// Huawei AICC.
    Aicc,
    /// Dixa.
    Dixa,
    /// Vonage Contact Center.
    Vonage,
}

/// Every platform.
const ALL: &[Platform] = &[Platform::Webex, Platform::Aicc, Platform::Dixa, Platform::Vonage];
/// The calling platforms only.
const CALLING: &[Platform] = &[Platform::Webex, Platform::Vonage];
/// Dixa only.
const DIXA_ONLY: &[Platform] = &[Platform::Dixa];

/// One person of the demo contact center.
#[derive(Debug, Clone, Copy)]
pub struct Person {
    /// First name.
    pub first: &'static str,
    /// Last name.
    pub last: &'static str,
    /// Work email (mixed case on purpose: vendors keep what they were given).
    pub email: &'static str,
    /// External number, E.164.
    pub phone: &'static str,
    /// Extension.
    pub extension: &'static str,
    /// The platforms the person has an account on.
    pub platforms: &'static [Platform],
}

/// The demo contact center's staff.
pub const PEOPLE: &[Person] = &[
    Person {
        first: "Ava",
        last: "Thompson",
        email: "ava.thompson@example.com",
        phone: "+12165550101",
        extension: "5101",
        platforms: ALL,
    },
    Person {
        first: "Liam",
        last: "Patel",
        email: "liam.patel@example.com",
        phone: "+12165550102",
        extension: "5102",
        platforms: ALL,
    },
    Person {
        first: "Sofia",
        last: "Garcia",
        email: "Sofia.Garcia@example.com",
        phone: "+12165550103",
        extension: "5103",
        platforms: ALL,
    },
    Person {
        first: "Noah",
        last: "Kim",
        email: "noah.kim@example.com",
        phone: "+12165550104",
        extension: "5104",
        platforms: ALL,
    },
    Person {
        first: "Mia",
        last: "Okafor",
        email: "mia.okafor@example.com",
        phone: "+12165550105",
        extension: "5105",
        platforms: ALL,
    },
    Person {
        first: "Lucas",
        last: "Rossi",
        email: "lucas.rossi@example.com",
        phone: "+12165550106",
        extension: "5106",
        platforms: ALL,
    },
    Person {
        first: "Emma",
        last: "Schneider",
        email: "emma.schneider@example.com",
        phone: "+12165550107",
        extension: "5107",
        platforms: ALL,
    },
    Person {
        first: "Oliver",
        last: "Nguyen",
        email: "Oliver.Nguyen@example.com",
        phone: "+12165550108",
        extension: "5108",
        platforms: ALL,
    },
    Person {
        first: "Isabella",
        last: "Silva",
        email: "isabella.silva@example.com",
        phone: "+12165550109",
        extension: "5109",
        platforms: ALL,
    },
    Person {
        first: "Ethan",
        last: "Cohen",
        email: "ethan.cohen@example.com",
        phone: "+12165550110",
        extension: "5110",
        platforms: ALL,
    },
    Person {
        first: "Amara",
        last: "Mensah",
        email: "amara.mensah@example.com",
        phone: "+12165550111",
        extension: "5111",
        platforms: ALL,
    },
    Person {
        first: "Hiro",
        last: "Tanaka",
        email: "hiro.tanaka@example.com",
        phone: "+12165550112",
        extension: "5112",
        platforms: ALL,
    },
    Person {
        first: "Chloe",
        last: "Dubois",
        email: "chloe.dubois@example.com",
        phone: "+12165550113",
        extension: "5113",
        platforms: CALLING,
    },
    Person {
        first: "Mateo",
        last: "Fernandez",
        email: "mateo.fernandez@example.com",
        phone: "+12165550114",
        extension: "5114",
        platforms: CALLING,
    },
    Person {
        first: "Zara",
        last: "Ahmed",
        email: "zara.ahmed@example.com",
        phone: "+12165550115",
        extension: "5115",
        platforms: CALLING,
    },
    Person {
        first: "Jonas",
        last: "Berg",
        email: "jonas.berg@example.com",
        phone: "+12165550116",
        extension: "5116",
        platforms: CALLING,
    },
    Person {
        first: "Priya",
        last: "Raman",
        email: "priya.raman@example.com",
        phone: "+12165550117",
        extension: "5117",
        platforms: DIXA_ONLY,
    },
    Person {
        first: "Kofi",
        last: "Boateng",
        email: "kofi.boateng@example.com",
        phone: "+12165550118",
        extension: "5118",
        platforms: DIXA_ONLY,
    },
];

impl Person {
    /// "First Last".
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }

    /// Whether the person has an account on `platform`.
    pub fn is_on(&self, platform: Platform) -> bool {
        self.platforms.contains(&platform)
    }
}

/// The people on `platform`, with their index in [`PEOPLE`] (which their ids are made from).
pub fn people_on(platform: Platform) -> impl Iterator<Item = (usize, &'static Person)> {
    PEOPLE.iter().enumerate().filter(move |(_, p)| p.is_on(platform))
}
