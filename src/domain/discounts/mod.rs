//! Discount codes: what a code takes off an order, by one rule each, in integer minor units.
//!
//! A code takes a percentage or a fixed amount off the goods in its scope (all products, some
//! categories, some products), never off the shipping and never below zero; or it makes the
//! chosen shipping free. One code per order. The goods discount is split across the lines in
//! scope in proportion to their gross amounts, the cents left over going by largest remainder
//! (`money::share_out`), so each line's charged amount, and so each rate's VAT, is exact and the
//! lines add up to the discount ([`apply`]). A percentage is rounded half up on the goods in scope
//! as a whole, once.
//!
//! Limits hold under any concurrency: a use is taken inside the placing transaction by a
//! conditional update (`uses < max_uses`) and a row unique per shopper's e-mail and slot
//! ([`uses`]); it is given back when the unpaid order is cancelled or expires.

pub mod input;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod uses;

use crate::locale::Locale;
use crate::money::Money;
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};

/// What a code takes off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    /// A percentage of the goods in scope, in hundredths of a percent (10 % is 1000).
    Percent,
    /// A fixed amount off the goods in scope, in minor units.
    Fixed,
    /// The chosen shipping costs nothing.
    FreeShipping,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Percent, Kind::Fixed, Kind::FreeShipping];

    /// As the database and forms write it.
    pub fn key(self) -> &'static str {
        match self {
            Kind::Percent => "percent",
            Kind::Fixed => "fixed",
            Kind::FreeShipping => "free_shipping",
        }
    }

    pub fn from_key(key: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.key() == key)
    }
}

/// What a code applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    All,
    Categories,
    Products,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::All, Scope::Categories, Scope::Products];

    pub fn key(self) -> &'static str {
        match self {
            Scope::All => "all",
            Scope::Categories => "categories",
            Scope::Products => "products",
        }
    }

    pub fn from_key(key: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|scope| scope.key() == key)
    }
}

/// A code as shoppers type it, written as it is stored: trimmed, in capitals; letters, digits and
/// dashes, 1 to 32 of them. `None` for anything else (it cannot be a code).
pub fn normalise(typed: &str) -> Option<String> {
    let code = typed.trim().to_uppercase();
    let fits = (1..=32).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
    fits.then_some(code)
}

/// A code's terms, as the checkout and placement apply them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Terms {
    pub id: i64,
    pub code: String,
    pub kind: Kind,
    pub value: i64,
    pub min_goods: i64,
    /// Vilnius days, both included.
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub max_uses: Option<i64>,
    pub uses: i64,
    /// Uses one shopper's e-mail may have; `None`: no limit.
    pub per_email: Option<i64>,
    pub currency: crate::money::Currency,
    /// The products it applies to (those of its categories, or those named); `None`: every one.
    pub products: Option<Vec<i64>>,
}

/// A cart or order line as a code looks at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
    pub product_id: i64,
    /// What the line costs before the discount, VAT included.
    pub gross: i64,
}

/// Why a code does not apply. Each has its own message; none says whether a similar code exists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No such code, or one switched off or archived: the same answer for all three.
    Unknown,
    NotYet {
        from: String,
    },
    Expired,
    UsedUp,
    /// This shopper's e-mail has had the uses it may.
    UsedByYou,
    /// Nothing in the cart is in its scope.
    OutOfScope,
    BelowMinimum {
        minimum: Money,
    },
    /// Too many wrong codes from this shopper: try again later.
    Throttled,
}

impl Refusal {
    pub fn message(&self, locale: Locale) -> String {
        match self {
            Refusal::Unknown => td_string!(locale, discount.unknown).into(),
            Refusal::NotYet { from } => td_string!(locale, discount.not_yet, from),
            Refusal::Expired => td_string!(locale, discount.expired).into(),
            Refusal::UsedUp => td_string!(locale, discount.used_up).into(),
            Refusal::UsedByYou => td_string!(locale, discount.used_by_you).into(),
            Refusal::OutOfScope => td_string!(locale, discount.out_of_scope).into(),
            Refusal::BelowMinimum { minimum } => td_string!(
                locale,
                discount.below_minimum,
                minimum = minimum.to_string()
            ),
            Refusal::Throttled => td_string!(locale, discount.throttled).into(),
        }
    }
}

/// What a code takes off an order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    /// Each line's share of the goods discount, in the lines' order.
    pub lines: Vec<i64>,
    /// Their sum.
    pub goods: i64,
    /// The chosen shipping costs nothing.
    pub free_shipping: bool,
}

/// What `terms` take off `lines` on the Vilnius day `today`, or why nothing. The use limits are
/// not checked here: taking a use is (`uses::take_terms`).
pub fn apply(terms: &Terms, lines: &[Line], today: &str) -> Result<Applied, Refusal> {
    if let Some(from) = terms
        .valid_from
        .as_ref()
        .filter(|from| today < from.as_str())
    {
        return Err(Refusal::NotYet { from: from.clone() });
    }
    if terms
        .valid_until
        .as_deref()
        .is_some_and(|until| today > until)
    {
        return Err(Refusal::Expired);
    }
    let goods: i64 = lines.iter().map(|line| line.gross).sum();
    if goods < terms.min_goods {
        return Err(Refusal::BelowMinimum {
            minimum: Money::new(terms.min_goods, terms.currency),
        });
    }
    let weights: Vec<i64> = lines
        .iter()
        .map(|line| if in_scope(terms, line) { line.gross } else { 0 })
        .collect();
    let in_scope_goods: i64 = weights.iter().sum();
    if !lines.iter().any(|line| in_scope(terms, line)) {
        return Err(Refusal::OutOfScope);
    }
    let discount = match terms.kind {
        Kind::Percent => percent_of(in_scope_goods, terms.value),
        Kind::Fixed => terms.value.min(in_scope_goods),
        Kind::FreeShipping => 0,
    };
    let shares = crate::money::share_out(discount, &weights).ok_or(Refusal::Unknown)?;
    Ok(Applied {
        lines: shares,
        goods: discount,
        free_shipping: terms.kind == Kind::FreeShipping,
    })
}

/// Whether `line` is among the goods `terms` apply to.
fn in_scope(terms: &Terms, line: &Line) -> bool {
    terms
        .products
        .as_ref()
        .is_none_or(|products| products.contains(&line.product_id))
}

/// `bp` hundredths of a percent of `amount`, rounded half up.
fn percent_of(amount: i64, bp: i64) -> i64 {
    let exact = i128::from(amount) * i128::from(bp);
    i64::try_from((exact + 5_000) / 10_000).unwrap_or(amount)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(kind: Kind, value: i64) -> Terms {
        Terms {
            id: 1,
            code: "RUDUO10".into(),
            kind,
            value,
            min_goods: 0,
            valid_from: None,
            valid_until: None,
            max_uses: None,
            uses: 0,
            per_email: None,
            currency: crate::money::Currency::Eur,
            products: None,
        }
    }

    fn line(product_id: i64, gross: i64) -> Line {
        Line { product_id, gross }
    }

    #[test]
    fn three_lines_at_three_rates_share_the_discount_by_gross_and_add_up() {
        // 12,50 € mug (21 %), 2 × 4,90 € tea (12 %), 7,99 € book (5 %): 10 % of 30,29 € is 3,03 €.
        let lines = [line(1, 1250), line(2, 980), line(3, 799)];
        let applied = apply(&terms(Kind::Percent, 1000), &lines, "2026-12-03").unwrap();
        assert_eq!(applied.goods, 303);
        // Exact shares 125,04 / 98,03 / 79,93 (cents): floors 125, 98, 79; the cent left goes to
        // the book, whose remainder is largest.
        assert_eq!(applied.lines, [125, 98, 80]);
        assert_eq!(applied.lines.iter().sum::<i64>(), applied.goods);
        assert!(!applied.free_shipping, "never off the shipping");
    }

    #[test]
    fn a_fixed_discount_larger_than_the_goods_takes_them_to_zero_not_below() {
        let lines = [line(1, 300), line(2, 200)];
        let applied = apply(&terms(Kind::Fixed, 10_000), &lines, "2026-12-03").unwrap();
        assert_eq!(
            (applied.goods, applied.lines.clone()),
            (500, vec![300, 200])
        );
        assert!(!applied.free_shipping);
    }

    #[test]
    fn one_cent_lines_get_whole_cents_that_add_up() {
        let lines: Vec<Line> = (0..7).map(|i| line(i, 1)).collect();
        let applied = apply(&terms(Kind::Fixed, 3), &lines, "2026-12-03").unwrap();
        assert_eq!(
            applied.lines,
            [1, 1, 1, 0, 0, 0, 0],
            "earlier lines on a tie"
        );
        let half = apply(&terms(Kind::Percent, 5000), &[line(1, 1)], "2026-12-03").unwrap();
        assert_eq!(half.goods, 1, "0,5 cent rounds half up");
    }

    #[test]
    fn only_lines_in_scope_are_discounted_and_free_shipping_waives_the_shipping() {
        let mut some = terms(Kind::Percent, 2000);
        some.products = Some(vec![2]);
        let lines = [line(1, 1000), line(2, 500)];
        let applied = apply(&some, &lines, "2026-12-03").unwrap();
        assert_eq!((applied.goods, applied.lines), (100, vec![0, 100]));
        some.products = Some(vec![9]);
        assert_eq!(apply(&some, &lines, "2026-12-03"), Err(Refusal::OutOfScope));
        let free = apply(&terms(Kind::FreeShipping, 0), &lines, "2026-12-03").unwrap();
        assert_eq!((free.goods, free.free_shipping), (0, true));
    }

    #[test]
    fn dates_and_the_minimum_refuse_with_their_own_reason() {
        let mut autumn = terms(Kind::Percent, 1000);
        autumn.valid_from = Some("2026-12-04".into());
        autumn.valid_until = Some("2026-12-31".into());
        autumn.min_goods = 2000;
        let lines = [line(1, 2500)];
        assert_eq!(
            apply(&autumn, &lines, "2026-12-03"),
            Err(Refusal::NotYet {
                from: "2026-12-04".into()
            })
        );
        assert!(
            apply(&autumn, &lines, "2026-12-31").is_ok(),
            "the last day counts"
        );
        assert_eq!(apply(&autumn, &lines, "2027-01-01"), Err(Refusal::Expired));
        assert!(matches!(
            apply(&autumn, &[line(1, 1999)], "2026-12-10"),
            Err(Refusal::BelowMinimum { .. })
        ));
    }

    #[test]
    fn codes_are_written_in_capitals_and_anything_else_is_no_code() {
        assert_eq!(normalise(" ruduo10 "), Some("RUDUO10".into()));
        assert_eq!(normalise("black-friday"), Some("BLACK-FRIDAY".into()));
        for wrong in ["", "RUDUO 10", "ŽIEMA", "a".repeat(33).as_str(), "10%"] {
            assert_eq!(normalise(wrong), None, "{wrong}");
        }
    }
}
