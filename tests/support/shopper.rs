//! The shopper every test and the load bench check out as, and the payment Paysera reports for
//! them (`benches/load.rs` includes this file).

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

/// Paysera's callback fields for a paid, non-test payment of `amount` (minor units, as text) in
/// `currency` for order number `order`, paid by bank link.
pub fn paid_fields(
    project: &str,
    order: &str,
    amount: &str,
    currency: &str,
    request_id: &str,
) -> Vec<(String, String)> {
    [
        ("projectid", project),
        ("orderid", order),
        ("amount", amount),
        ("currency", currency),
        ("payamount", amount),
        ("paycurrency", currency),
        ("payment", "hanza"),
        ("status", "1"),
        ("test", "0"),
        ("requestid", request_id),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}
