//! VAT as the tax office sees it, in integer minor units. Prices are consumer prices, VAT
//! included; an order's VAT is computed **per rate, from the gross amounts at that rate**, by one
//! rule in one function ([`vat_in`]): `VAT = round half up (gross × rate / (100 + rate))`, `net =
//! gross − VAT`. Summing per rate first (not per line) is what the law's "taxable value per rate"
//! asks for and keeps a hundred 0,01 € lines from losing their VAT to rounding; the breakdown
//! plus nothing else adds up to the exact amount Paysera is asked for, because each rate's net is
//! its gross minus its VAT.
//!
//! Rates are kept in basis points (21 % = 2100) so that 5,5 % or 25,5 % need no floats either.

use crate::money::Money;
use serde::{Deserialize, Serialize};

/// What kind of goods a product is, for VAT: each country has a rate per class (`vat_rates`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TaxClass {
    #[default]
    Standard,
    Reduced,
    SuperReduced,
    Zero,
}

impl TaxClass {
    pub const ALL: [TaxClass; 4] = [
        TaxClass::Standard,
        TaxClass::Reduced,
        TaxClass::SuperReduced,
        TaxClass::Zero,
    ];

    /// As the database and forms write it.
    pub fn key(self) -> &'static str {
        match self {
            TaxClass::Standard => "standard",
            TaxClass::Reduced => "reduced",
            TaxClass::SuperReduced => "super_reduced",
            TaxClass::Zero => "zero",
        }
    }

    pub fn from_key(key: &str) -> Option<TaxClass> {
        TaxClass::ALL.into_iter().find(|class| class.key() == key)
    }

    /// WooCommerce's `Tax class` column: empty is standard; its slugs for the others.
    pub fn from_woocommerce(slug: &str) -> Option<TaxClass> {
        match slug.trim().to_lowercase().as_str() {
            "" | "standard" => Some(TaxClass::Standard),
            "reduced-rate" => Some(TaxClass::Reduced),
            "super-reduced-rate" => Some(TaxClass::SuperReduced),
            "zero-rate" => Some(TaxClass::Zero),
            _ => None,
        }
    }

    pub fn woocommerce(self) -> &'static str {
        match self {
            TaxClass::Standard => "",
            TaxClass::Reduced => "reduced-rate",
            TaxClass::SuperReduced => "super-reduced-rate",
            TaxClass::Zero => "zero-rate",
        }
    }

    pub fn label(self, locale: crate::locale::Locale) -> &'static str {
        use leptos_i18n::td_string;
        match self {
            TaxClass::Standard => td_string!(locale, vat.class.standard),
            TaxClass::Reduced => td_string!(locale, vat.class.reduced),
            TaxClass::SuperReduced => td_string!(locale, vat.class.super_reduced),
            TaxClass::Zero => td_string!(locale, vat.class.zero),
        }
    }
}

/// The rate of `class` in `country` on `day` (a Vilnius day, `YYYY-MM-DD`): the one with the
/// latest `valid_from` not after it. A country the shop has no rate for is an internal error
/// (logged): an order is never placed with a guessed VAT.
#[cfg(feature = "ssr")]
pub async fn rate_on(
    tx: &mut crate::db::Tx,
    country: &str,
    class: TaxClass,
    day: &str,
) -> Result<Rate, crate::error::AppError> {
    let rate: Option<i64> = crate::on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT rate_bp FROM vat_rates WHERE country = $1 AND tax_class = $2 AND valid_from <= $3
         ORDER BY valid_from DESC LIMIT 1",
    )
    .bind(country)
    .bind(class.key())
    .bind(day)
    .fetch_optional(&mut *conn)
    .await)?;
    rate.and_then(|bp| u32::try_from(bp).ok())
        .map(Rate)
        .ok_or_else(|| {
            tracing::error!(country, class = class.key(), day, "no VAT rate");
            crate::error::AppError::Internal
        })
}

/// The seller's rates on today's Vilnius day: what an order placed now is charged at (the
/// seller's country's rates; OSS registration, which would make them the buyer's, comes later),
/// or none at all for a seller not registered for VAT. Each class is read once per order.
#[cfg(feature = "ssr")]
pub struct RatesToday {
    payer: bool,
    country: String,
    day: String,
    known: Vec<(TaxClass, Rate)>,
}

#[cfg(feature = "ssr")]
impl RatesToday {
    pub async fn read(tx: &mut crate::db::Tx) -> Result<RatesToday, crate::error::AppError> {
        let (payer, country): (bool, String) = crate::on_tx!(tx, conn => sqlx::query_as(
            "SELECT vat_payer, seller_country FROM shop_settings WHERE id = 1",
        )
        .fetch_one(&mut *conn)
        .await)?;
        let now = crate::clock::now();
        let day =
            crate::clock::vilnius::date_of(&now, false).unwrap_or_else(|| now[..10].to_owned());
        Ok(RatesToday {
            payer,
            country,
            day,
            known: vec![],
        })
    }

    /// The rate of `class` today; `None` when the seller does not charge VAT.
    pub async fn rate(
        &mut self,
        tx: &mut crate::db::Tx,
        class: TaxClass,
    ) -> Result<Option<Rate>, crate::error::AppError> {
        if !self.payer {
            return Ok(None);
        }
        if let Some((_, rate)) = self.known.iter().find(|(c, _)| *c == class) {
            return Ok(Some(*rate));
        }
        let rate = rate_on(tx, &self.country, class, &self.day).await?;
        self.known.push((class, rate));
        Ok(Some(rate))
    }
}

/// A VAT rate in hundredths of a percent: 21 % is `Rate(2100)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Rate(pub u32);

impl Rate {
    /// As people write it: `21 %`, `5,5 %`.
    pub fn percent(self) -> String {
        match self.0 % 100 {
            0 => format!("{} %", self.0 / 100),
            rest if rest % 10 == 0 => format!("{},{} %", self.0 / 100, rest / 10),
            rest => format!("{},{rest:02} %", self.0 / 100),
        }
    }
}

/// The VAT contained in `gross` at `rate`, rounded half up (half away from zero for a credit
/// note's negative amounts, so a credit note mirrors its invoice exactly).
pub fn vat_in(gross: Money, rate: Rate) -> Money {
    let (magnitude, sign) = (i128::from(gross.minor.unsigned_abs()), gross.minor.signum());
    let (rate, whole) = (i128::from(rate.0), 10_000i128);
    let vat = (2 * magnitude * rate + (whole + rate)) / (2 * (whole + rate));
    Money::new(
        i64::try_from(vat).unwrap_or(i64::MAX) * sign,
        gross.currency,
    )
}

/// One rate's share of an order: its gross, the VAT in it, and the net.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateTotal {
    pub rate: Rate,
    pub gross: Money,
    pub vat: Money,
    pub net: Money,
}

/// The VAT per rate of amounts (line totals, shipping) each at its rate, highest rate first.
/// `None` if a sum overflows (no real order can).
pub fn breakdown(amounts: &[(Rate, Money)]) -> Option<Vec<RateTotal>> {
    let mut per_rate: Vec<(Rate, Money)> = Vec::new();
    for &(rate, gross) in amounts {
        match per_rate.iter_mut().find(|(r, _)| *r == rate) {
            Some((_, sum)) => *sum = sum.checked_add(gross)?,
            None => per_rate.push((rate, gross)),
        }
    }
    per_rate.sort_by_key(|(rate, _)| std::cmp::Reverse(*rate));
    per_rate
        .into_iter()
        .map(|(rate, gross)| {
            let vat = vat_in(gross, rate);
            Some(RateTotal {
                rate,
                gross,
                vat,
                net: Money::new(gross.minor.checked_sub(vat.minor)?, gross.currency),
            })
        })
        .collect()
}

/// A rate as stored (basis points; NULL before VAT was kept).
pub fn stored_rate(basis_points: Option<i64>) -> Option<Rate> {
    basis_points.and_then(|bp| u32::try_from(bp).ok()).map(Rate)
}

/// An order's VAT per rate from its frozen amounts, each with the rate it was sold at (its lines'
/// totals and its shipping). Empty when any amount has no rate: an order placed before VAT was
/// kept is not given a made-up one.
pub fn order_vat(amounts: impl IntoIterator<Item = (Option<Rate>, Money)>) -> Vec<RateTotal> {
    let amounts: Option<Vec<(Rate, Money)>> = amounts
        .into_iter()
        .map(|(rate, amount)| Some((rate?, amount)))
        .collect();
    amounts
        .and_then(|amounts| breakdown(&amounts))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::Eur)
    }

    #[test]
    fn vat_is_rounded_half_up_from_the_gross() {
        // 12,10 € at 21 %: 2,10 € VAT exactly.
        assert_eq!(vat_in(eur(1210), Rate(2100)), eur(210));
        // 1 cent at 21 % holds 0,17 cent: no VAT.
        assert_eq!(vat_in(eur(1), Rate(2100)), eur(0));
        // 0,06 € at 21 % holds 1,04 cent; 0,03 € at 21 % holds 0,52 cent: rounds up.
        assert_eq!(vat_in(eur(6), Rate(2100)), eur(1));
        assert_eq!(vat_in(eur(3), Rate(2100)), eur(1));
        // 10,50 € at 5 %: exactly 0,50 €.
        assert_eq!(vat_in(eur(1050), Rate(500)), eur(50));
        assert_eq!(vat_in(eur(999), Rate(0)), eur(0));
        // A credit note mirrors its invoice.
        assert_eq!(vat_in(eur(-1210), Rate(2100)), eur(-210));
        assert_eq!(vat_in(eur(-3), Rate(2100)), eur(-1));
    }

    #[test]
    fn a_hundred_one_cent_lines_keep_their_vat_because_rates_are_summed_first() {
        let lines = vec![(Rate(2100), eur(1)); 100];
        let totals = breakdown(&lines).unwrap();
        assert_eq!(totals.len(), 1);
        // 1,00 € at 21 % holds 17,36 cents: 0,17 €, where per line it would have been 0.
        assert_eq!(
            (totals[0].gross, totals[0].vat, totals[0].net),
            (eur(100), eur(17), eur(83))
        );
    }

    #[test]
    fn mixed_rates_and_shipping_add_up_to_the_exact_total() {
        let amounts = [
            (Rate(2100), eur(5900)),
            (Rate(500), eur(1999)),
            (Rate(2100), eur(390)),
            (Rate(1200), eur(1)),
            (Rate(0), eur(250)),
        ];
        let totals = breakdown(&amounts).unwrap();
        let rates: Vec<Rate> = totals.iter().map(|t| t.rate).collect();
        assert_eq!(rates, [Rate(2100), Rate(1200), Rate(500), Rate(0)]);
        assert_eq!(totals[0].gross, eur(6290));
        assert_eq!(totals[0].vat, eur(1092));
        let sum: i64 = totals.iter().map(|t| t.net.minor + t.vat.minor).sum();
        assert_eq!(
            sum,
            5900 + 1999 + 390 + 1 + 250,
            "net plus VAT is what is paid"
        );
    }

    #[test]
    fn rates_read_as_people_write_them() {
        assert_eq!(Rate(2100).percent(), "21 %");
        assert_eq!(Rate(550).percent(), "5,5 %");
        assert_eq!(Rate(2550).percent(), "25,5 %");
        assert_eq!(Rate(0).percent(), "0 %");
    }
}
