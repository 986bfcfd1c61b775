//! VAT as the tax office sees it, in integer minor units. Prices are consumer prices, VAT
//! included; an order's VAT is computed **per rate, from the gross amounts at that rate**, by one
//! rule in one function ([`vat_in`]): `VAT = round half up (gross × rate / (100 + rate))`, `net =
//! gross − VAT`. Summing per rate first (not per line) is what the law's "taxable value per rate"
//! asks for and keeps a hundred 0,01 € lines from losing their VAT to rounding; the breakdown
//! plus nothing else adds up to the exact amount Paysera is asked for, because each rate's net is
//! its gross minus its VAT.
//!
//! Rates are kept in basis points (21 % = 2100) so that 5,5 % or 25,5 % need no floats either.
//!
//! Whose rates: the seller's country's, unless the seller is registered for the EU's One-Stop
//! Shop (a setting) and sells to a consumer in another country; then that country's, and the
//! order is marked an OSS sale (declared in the OSS return, not in i.SAF). Below the EU's
//! 10,000 € threshold a seller need not register; the admin's overview counts toward it.

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

/// The rate of each class a sale is charged at on the Vilnius day bound as `$1`: for each class,
/// the rate with the latest first day not after it, in the seller's country, or under OSS in the
/// buyer's (`$2`) when the sale is to a consumer (`$3`) and the shop has a rate in force there
/// for every class (otherwise the seller's: an order is never placed without a rate);
/// no rows for a seller not registered for VAT. `elsewhere`: the rates are the buyer's country's.
/// Read by placement ([`RatesToday`]) and the checkout ([`rates_today`]).
#[cfg(feature = "ssr")]
const RATES_ON: &str = "SELECT r.tax_class, r.rate_bp, r.country <> s.seller_country AS elsewhere
    FROM shop_settings s JOIN vat_rates r ON r.country = CASE
        WHEN s.oss_registered = TRUE AND $3 = TRUE
             AND (SELECT COUNT(DISTINCT b.tax_class) FROM vat_rates b
                  WHERE b.country = $2 AND b.valid_from <= $1) = 4 THEN $2
        ELSE s.seller_country END
    WHERE s.id = 1 AND s.vat_payer = TRUE
      AND r.valid_from = (SELECT MAX(x.valid_from) FROM vat_rates x
                          WHERE x.country = r.country AND x.tax_class = r.tax_class AND x.valid_from <= $1)";

/// The EU's yearly threshold of cross-border sales to consumers (net of VAT) above which they are
/// taxed in the buyer's country, through OSS (Directive 2006/112/EC art. 59c).
pub const OSS_THRESHOLD: Money = Money::new(1_000_000, crate::money::Currency::Eur);

/// Where a sale goes and to whom: what decides whose rates it is charged at.
#[derive(Clone, Copy, Debug)]
pub struct Sale<'a> {
    /// The delivery country.
    pub country: &'a str,
    /// The buyer gave no VAT code: a consumer, for VAT (a company without one too).
    pub consumer: bool,
}

/// The rates a sale is charged at today (`None`: the seller is not registered for VAT), each
/// class's.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rates(pub Option<Vec<(TaxClass, Rate)>>);

impl Rates {
    /// The rate of `class`; `None` for a non-payer. A payer's class without a rate is an
    /// internal error (logged): an order is never placed with a guessed VAT.
    pub fn of(&self, class: TaxClass) -> Result<Option<Rate>, crate::error::AppError> {
        let Some(rates) = &self.0 else {
            return Ok(None);
        };
        match find(rates, class) {
            Some(rate) => Ok(Some(rate)),
            None => {
                #[cfg(feature = "ssr")]
                tracing::error!(class = class.key(), "no VAT rate for the class");
                Err(crate::error::AppError::Internal)
            }
        }
    }

    /// The VAT per rate of `amounts`, each of its class: empty for a non-payer or a class
    /// without a rate (the checkout shows no figure rather than a guess).
    pub fn vat_of(&self, amounts: &[(TaxClass, Money)]) -> Vec<RateTotal> {
        let rated: Option<Vec<(Rate, Money)>> = amounts
            .iter()
            .map(|&(class, amount)| Some((find(self.0.as_ref()?, class)?, amount)))
            .collect();
        rated
            .and_then(|rated| breakdown(&rated))
            .unwrap_or_default()
    }
}

/// The rate of `class` among a payer's rates.
fn find(rates: &[(TaxClass, Rate)], class: TaxClass) -> Option<Rate> {
    rates
        .iter()
        .find(|(c, _)| *c == class)
        .map(|(_, rate)| *rate)
}

#[cfg(feature = "ssr")]
fn rates_from(payer: bool, rows: &[(String, i64, bool)]) -> Rates {
    let rates = rows
        .iter()
        .filter_map(|(class, bp, _)| {
            Some((TaxClass::from_key(class)?, Rate(u32::try_from(*bp).ok()?)))
        })
        .collect();
    Rates(payer.then_some(rates))
}

/// Today's Vilnius day, as `vat_rates.valid_from` is written.
#[cfg(feature = "ssr")]
pub fn today() -> String {
    let now = crate::clock::now();
    crate::clock::vilnius::date_of(&now, false).unwrap_or_else(|| now[..10].to_owned())
}

/// The rates `sale` is charged at today, for the checkout's figures before the order is placed
/// (placement reads them again, in its transaction, through [`RatesToday`]).
#[cfg(feature = "ssr")]
pub async fn rates_today(
    pool: &crate::db::Db,
    sale: Sale<'_>,
) -> Result<Rates, crate::error::AppError> {
    let payer: bool = crate::on_db!(pool, conn => sqlx::query_scalar(
        "SELECT vat_payer FROM shop_settings WHERE id = 1",
    )
    .fetch_one(conn)
    .await)?;
    let rows: Vec<(String, i64, bool)> = crate::on_db!(pool, conn => sqlx::query_as(RATES_ON)
        .bind(today())
        .bind(sale.country)
        .bind(sale.consumer)
        .fetch_all(conn)
        .await)?;
    Ok(rates_from(payer, &rows))
}

/// The rates on today's Vilnius day, read in the placing transaction: what an order placed now
/// is charged at (the seller's country's, or under OSS a consumer's country's), or none for a
/// seller not registered for VAT.
#[cfg(feature = "ssr")]
pub struct RatesToday {
    rates: Rates,
    oss_sale: bool,
}

#[cfg(feature = "ssr")]
impl RatesToday {
    pub async fn read(
        tx: &mut crate::db::Tx,
        sale: Sale<'_>,
    ) -> Result<RatesToday, crate::error::AppError> {
        let payer: bool = crate::on_tx!(tx, conn => sqlx::query_scalar(
            "SELECT vat_payer FROM shop_settings WHERE id = 1",
        )
        .fetch_one(&mut *conn)
        .await)?;
        let rows: Vec<(String, i64, bool)> = crate::on_tx!(tx, conn => sqlx::query_as(RATES_ON)
            .bind(today())
            .bind(sale.country)
            .bind(sale.consumer)
            .fetch_all(&mut *conn)
            .await)?;
        Ok(RatesToday {
            oss_sale: rows.iter().any(|(_, _, elsewhere)| *elsewhere),
            rates: rates_from(payer, &rows),
        })
    }

    /// The rate of `class` today; `None` when the seller does not charge VAT.
    pub fn rate(&self, class: TaxClass) -> Result<Option<Rate>, crate::error::AppError> {
        self.rates.of(class)
    }

    /// Charged at the buyer's country's rates under OSS.
    pub fn oss_sale(&self) -> bool {
        self.oss_sale
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

    /// A percentage as a merchant types it (`21`, `5,5`, `9.50 %`): at most two decimals, 0 to 100.
    pub fn parse_percent(text: &str) -> Option<Rate> {
        // Hundredths of a percent are written like cents.
        let typed = text.trim().trim_end_matches('%');
        let bp = Money::parse_decimal(typed, crate::money::Currency::Eur)
            .ok()?
            .minor;
        u32::try_from(bp).ok().filter(|bp| *bp <= 10_000).map(Rate)
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

/// Each amount's share of its rate's VAT, in the order given: an invoice's lines need their own
/// VAT and net, and these must add up to the rate's VAT from [`breakdown`], not to a sum of
/// separately rounded lines. The rule: within a rate, each line gets the floor of its proportional
/// share (`rate VAT × line gross / rate gross`), and the cents left over go one each to the lines
/// with the largest remainders (the earlier line on a tie). `None` if a sum overflows.
pub fn allocate(amounts: &[(Rate, Money)]) -> Option<Vec<Money>> {
    let totals = breakdown(amounts)?;
    let mut shares: Vec<Money> = amounts
        .iter()
        .map(|&(_, gross)| Money::new(0, gross.currency))
        .collect();
    for total in totals {
        let members: Vec<usize> = (0..amounts.len())
            .filter(|&i| amounts[i].0 == total.rate)
            .collect();
        // A credit note's lines are all negative: share the magnitudes, then give the sign back.
        let sign = if total.gross.minor < 0 { -1 } else { 1 };
        let weights: Vec<i64> = members.iter().map(|&i| sign * amounts[i].1.minor).collect();
        let parts = crate::money::share_out(sign * total.vat.minor, &weights)?;
        for (&i, part) in members.iter().zip(parts) {
            shares[i].minor = sign * part;
        }
    }
    Some(shares)
}

/// What is wrong with a VAT code a buyer typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VatCodeProblem {
    /// It does not start with an EU country's letters.
    NoCountry,
    /// It does not have that country's form; an example of one that does.
    Format {
        country: &'static str,
        example: String,
    },
}

/// Each EU country's VAT codes after its two letters: `9` a digit, `A` a letter, `X` either,
/// anything else itself (the forms the Commission's VIES checks; Greece is `EL`, Northern Ireland
/// `XI`).
const VAT_CODE_FORMS: &[(&str, &[&str])] = &[
    ("AT", &["U99999999"]),
    ("BE", &["9999999999"]),
    ("BG", &["999999999", "9999999999"]),
    ("CY", &["99999999A"]),
    ("CZ", &["99999999", "999999999", "9999999999"]),
    ("DE", &["999999999"]),
    ("DK", &["99999999"]),
    ("EE", &["999999999"]),
    ("EL", &["999999999"]),
    ("ES", &["X9999999X"]),
    ("FI", &["99999999"]),
    ("FR", &["XX999999999"]),
    ("HR", &["99999999999"]),
    ("HU", &["99999999"]),
    ("IE", &["9X99999A", "9X99999AA"]),
    ("IT", &["99999999999"]),
    ("LT", &["999999999", "999999999999"]),
    ("LU", &["99999999"]),
    ("LV", &["99999999999"]),
    ("MT", &["99999999"]),
    ("NL", &["999999999B99"]),
    ("PL", &["9999999999"]),
    ("PT", &["999999999"]),
    (
        "RO",
        &[
            "99",
            "999",
            "9999",
            "99999",
            "999999",
            "9999999",
            "99999999",
            "999999999",
            "9999999999",
        ],
    ),
    ("SE", &["999999999999"]),
    ("SI", &["99999999"]),
    ("SK", &["9999999999"]),
    ("XI", &["999999999", "999999999999", "GD999", "HA999"]),
];

/// A buyer's VAT code, checked against its country's form and written as VIES writes it
/// (capitals, no spaces, dots or dashes): `lt 100 012 345` is `LT100012345`. The form only: whether
/// the code is registered is for VIES to say.
pub fn check_vat_code(typed: &str) -> Result<String, VatCodeProblem> {
    let code: String = typed
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .flat_map(char::to_uppercase)
        .collect();
    let prefix: String = code.chars().take(2).collect();
    let (country, forms) = VAT_CODE_FORMS
        .iter()
        .find(|(country, _)| *country == prefix)
        .ok_or(VatCodeProblem::NoCountry)?;
    let rest: Vec<char> = code.chars().skip(2).collect();
    let fits = |form: &&str| {
        form.chars().count() == rest.len()
            && form.chars().zip(&rest).all(|(want, got)| match want {
                '9' => got.is_ascii_digit(),
                'A' => got.is_ascii_uppercase(),
                'X' => got.is_ascii_alphanumeric(),
                literal => literal == *got,
            })
    };
    if forms.iter().any(fits) {
        return Ok(code);
    }
    let example = forms
        .iter()
        .map(|form| {
            let digits = "1234567890".chars().cycle();
            let sample: String = form
                .chars()
                .zip(digits)
                .map(|(want, digit)| match want {
                    '9' | 'X' => digit,
                    'A' => 'A',
                    literal => literal,
                })
                .collect();
            format!("{country}{sample}")
        })
        .take(2)
        .collect::<Vec<_>>()
        .join(" / ");
    Err(VatCodeProblem::Format { country, example })
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
    fn each_lines_vat_adds_up_to_its_rates_vat() {
        // Three 0,01 € lines at 21 %: the rate holds 0,01 € of VAT (0,52 cent rounded up), and
        // one line carries it, not three (which per-line rounding would have given none of).
        let amounts = [
            (Rate(2100), eur(1)),
            (Rate(2100), eur(1)),
            (Rate(2100), eur(1)),
        ];
        assert_eq!(allocate(&amounts).unwrap(), [eur(1), eur(0), eur(0)]);
        let amounts = [
            (Rate(2100), eur(5900)),
            (Rate(500), eur(1999)),
            (Rate(2100), eur(390)),
            (Rate(2100), eur(1)),
        ];
        let shares = allocate(&amounts).unwrap();
        let totals = breakdown(&amounts).unwrap();
        let at_21: i64 = [0, 2, 3].iter().map(|&i| shares[i].minor).sum();
        assert_eq!(at_21, totals[0].vat.minor);
        assert_eq!(shares[1], totals[1].vat);
        assert_eq!(
            shares[0],
            eur(1024),
            "10,2396 → 10,24 by the largest remainder"
        );
        // A credit note's negative lines mirror the invoice's.
        let negative: Vec<(Rate, Money)> =
            amounts.iter().map(|&(r, m)| (r, eur(-m.minor))).collect();
        let mirrored: Vec<i64> = allocate(&negative)
            .unwrap()
            .iter()
            .map(|m| -m.minor)
            .collect();
        let shares: Vec<i64> = shares.iter().map(|m| m.minor).collect();
        assert_eq!(mirrored.iter().sum::<i64>(), shares.iter().sum::<i64>());
    }

    #[test]
    fn vat_codes_are_checked_against_their_countrys_form() {
        assert_eq!(check_vat_code("lt 100 012 345"), Ok("LT100012345".into()));
        assert_eq!(
            check_vat_code("LT100012345678"),
            Ok("LT100012345678".into())
        );
        assert_eq!(check_vat_code("LV40003000000"), Ok("LV40003000000".into()));
        assert_eq!(check_vat_code("EE100000000"), Ok("EE100000000".into()));
        assert_eq!(
            check_vat_code("NL123456789B01"),
            Ok("NL123456789B01".into())
        );
        assert_eq!(check_vat_code("ATU12345678"), Ok("ATU12345678".into()));
        assert_eq!(
            check_vat_code("LT1234567890"),
            Err(VatCodeProblem::Format {
                country: "LT",
                example: "LT123456789 / LT123456789012".into()
            })
        );
        assert_eq!(
            check_vat_code("LT12345678A"),
            check_vat_code("LT1234567890")
        );
        assert_eq!(check_vat_code("305000001"), Err(VatCodeProblem::NoCountry));
        assert_eq!(
            check_vat_code("US123456789"),
            Err(VatCodeProblem::NoCountry)
        );
        assert_eq!(check_vat_code("ĄŽ"), Err(VatCodeProblem::NoCountry));
    }

    #[test]
    fn rates_read_as_people_write_them() {
        assert_eq!(Rate(2100).percent(), "21 %");
        assert_eq!(Rate(550).percent(), "5,5 %");
        assert_eq!(Rate(2550).percent(), "25,5 %");
        assert_eq!(Rate(0).percent(), "0 %");
    }

    #[test]
    fn a_typed_percentage_becomes_a_rate() {
        for (typed, bp) in [
            ("21", 2100),
            ("5,5", 550),
            (" 9.50 % ", 950),
            ("0", 0),
            ("100", 10_000),
            ("25,55", 2555),
        ] {
            assert_eq!(Rate::parse_percent(typed), Some(Rate(bp)), "{typed}");
        }
        for wrong in ["", "%", "-5", "100.01", "5,555", "1e2", "٢١"] {
            assert_eq!(Rate::parse_percent(wrong), None, "{wrong}");
        }
    }
}
