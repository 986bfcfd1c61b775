//! The shopper every test and the load bench check out as (`benches/load.rs` includes this file).

/// A shopper's checkout form, filled in correctly (the form key and payment choice come apart).
pub const SHOPPER_FIELDS: [(&str, &str); 9] = [
    ("email", "ona@example.lt"),
    ("first_name", "Ona"),
    ("last_name", "Onaitė"),
    ("street", "Gedimino pr. 1"),
    ("city", "Vilnius"),
    ("postcode", "01103"),
    ("country", "LT"),
    ("shipping", "courier"),
    ("terms", "on"),
];
