//! The people every simulator seeds its accounts from, so the same person shows up on
//! several vendors (under one normalised email) as in a real contact center.

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
}

/// The demo contact center's staff.
pub const PEOPLE: &[Person] = &[
    Person {
        first: "Ava",
        last: "Thompson",
        email: "ava.thompson@example.com",
        phone: "+12165550101",
        extension: "5101",
    },
    Person {
        first: "Liam",
        last: "Patel",
        email: "liam.patel@example.com",
        phone: "+12165550102",
        extension: "5102",
    },
    Person {
        first: "Sofia",
        last: "Garcia",
        email: "Sofia.Garcia@example.com",
        phone: "+12165550103",
        extension: "5103",
    },
    Person {
        first: "Noah",
        last: "Kim",
        email: "noah.kim@example.com",
        phone: "+12165550104",
        extension: "5104",
    },
    Person {
        first: "Mia",
        last: "Okafor",
        email: "mia.okafor@example.com",
        phone: "+12165550105",
        extension: "5105",
    },
    Person {
        first: "Lucas",
        last: "Rossi",
        email: "lucas.rossi@example.com",
        phone: "+12165550106",
        extension: "5106",
    },
    Person {
        first: "Emma",
        last: "Schneider",
        email: "emma.schneider@example.com",
        phone: "+12165550107",
        extension: "5107",
    },
    Person {
        first: "Oliver",
        last: "Nguyen",
        email: "Oliver.Nguyen@example.com",
        phone: "+12165550108",
        extension: "5108",
    },
    Person {
        first: "Isabella",
        last: "Silva",
        email: "isabella.silva@example.com",
        phone: "+12165550109",
        extension: "5109",
    },
    Person {
        first: "Ethan",
        last: "Cohen",
        email: "ethan.cohen@example.com",
        phone: "+12165550110",
        extension: "5110",
    },
    Person {
        first: "Amara",
        last: "Mensah",
        email: "amara.mensah@example.com",
        phone: "+12165550111",
        extension: "5111",
    },
    Person {
        first: "Hiro",
        last: "Tanaka",
        email: "hiro.tanaka@example.com",
        phone: "+12165550112",
        extension: "5112",
    },
    Person {
        first: "Chloe",
        last: "Dubois",
        email: "chloe.dubois@example.com",
        phone: "+12165550113",
        extension: "5113",
    },
    Person {
        first: "Mateo",
        last: "Fernandez",
        email: "mateo.fernandez@example.com",
        phone: "+12165550114",
        extension: "5114",
    },
    Person {
        first: "Zara",
        last: "Ahmed",
        email: "zara.ahmed@example.com",
        phone: "+12165550115",
        extension: "5115",
    },
    Person {
        first: "Jonas",
        last: "Berg",
        email: "jonas.berg@example.com",
        phone: "+12165550116",
        extension: "5116",
    },
];

impl Person {
    /// "First Last".
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }
}
