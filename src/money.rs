//! Money as integer minor units plus an ISO 4217 currency code. No floats anywhere: amounts are
//! summed and multiplied as `i64` with overflow checks, and formatted digit by digit.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An ISO 4217 currency that Turgus knows how to price and format.
///
/// The list is closed on purpose: every currency here has two decimal places, so a stored
/// `price_minor` always means cents. Paysera settles all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Currency {
    Eur,
    Usd,
    Gbp,
    Pln,
    Czk,
    Sek,
    Nok,
    Dkk,
    Chf,
    Bgn,
    Ron,
}

/// Where the symbol goes and which separators a currency's shoppers expect.
struct Style {
    code: &'static str,
    symbol: &'static str,
    symbol_first: bool,
    decimal: char,
    group: char,
}

const NBSP: char = '\u{a0}';

impl Currency {
    pub const ALL: [Currency; 11] = [
        Currency::Eur,
        Currency::Usd,
        Currency::Gbp,
        Currency::Pln,
        Currency::Czk,
        Currency::Sek,
        Currency::Nok,
        Currency::Dkk,
        Currency::Chf,
        Currency::Bgn,
        Currency::Ron,
    ];

    fn style(self) -> Style {
        let european = |code, symbol| Style {
            code,
            symbol,
            symbol_first: false,
            decimal: ',',
            group: NBSP,
        };
        let english = |code, symbol| Style {
            code,
            symbol,
            symbol_first: true,
            decimal: '.',
            group: ',',
        };
        match self {
            Currency::Eur => european("EUR", "€"),
            Currency::Usd => english("USD", "$"),
            Currency::Gbp => english("GBP", "£"),
            Currency::Pln => european("PLN", "zł"),
            Currency::Czk => european("CZK", "Kč"),
            Currency::Sek => european("SEK", "kr"),
            Currency::Nok => european("NOK", "kr"),
            Currency::Dkk => european("DKK", "kr."),
            Currency::Chf => Style {
                code: "CHF",
                symbol: "CHF",
                symbol_first: true,
                decimal: '.',
                group: '\'',
            },
            Currency::Bgn => european("BGN", "лв."),
            Currency::Ron => european("RON", "lei"),
        }
    }

    pub fn code(self) -> &'static str {
        self.style().code
    }

    /// Parses an upper-case ISO code such as `EUR`.
    pub fn from_code(code: &str) -> Option<Currency> {
        Currency::ALL.into_iter().find(|c| c.code() == code)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An amount of money: minor units (cents) in one currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub const fn new(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    pub fn zero(currency: Currency) -> Money {
        Money::new(0, currency)
    }

    /// `None` on overflow or when the currencies differ: a total must never silently wrap or mix.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        if self.currency != other.currency {
            return None;
        }
        Some(Money::new(
            self.minor.checked_add(other.minor)?,
            self.currency,
        ))
    }

    pub fn checked_mul(self, times: u32) -> Option<Money> {
        Some(Money::new(
            self.minor.checked_mul(i64::from(times))?,
            self.currency,
        ))
    }
}

/// The largest price the admin accepts: ten million in major units. Far above any shop's
/// price, far below where sums of many lines could overflow.
pub const MAX_PRICE_MINOR: i64 = 1_000_000_000;

/// Why a typed amount was refused; the page that asked says so in its reader's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AmountError {
    /// Not digits with at most two decimals (`12.50`, `12,5`).
    NotAnAmount,
    /// More than [`MAX_PRICE_MINOR`] (this, in the currency asked for).
    TooLarge(Money),
}

impl AmountError {
    /// The refusal of `typed` as a form says it, in `locale`.
    pub fn refusal(self, locale: crate::locale::Locale, typed: &str) -> crate::error::AppError {
        use leptos_i18n::td_string;
        let text = typed.trim();
        crate::error::AppError::BadRequest(match self {
            AmountError::NotAnAmount => td_string!(locale, admin.form.not_an_amount, text),
            AmountError::TooLarge(max) => td_string!(locale, admin.form.too_large, text, max),
        })
    }
}

impl Money {
    /// Reads an amount typed by a person, such as `12.50`, `12,5`, `1 234,00` or `7`, exactly
    /// (no floats): at most two decimals, not negative, at most [`MAX_PRICE_MINOR`].
    pub fn parse_decimal(text: &str, currency: Currency) -> Result<Money, AmountError> {
        let cleaned: String = text
            .trim()
            .chars()
            .filter(|c| !matches!(*c, ' ' | NBSP | '\''))
            .collect();
        let invalid = || AmountError::NotAnAmount;
        let (whole, fraction) = match cleaned.rsplit_once(['.', ',']) {
            Some((whole, fraction)) => (whole, fraction),
            None => (cleaned.as_str(), ""),
        };
        let digits_only = |part: &str| part.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() && fraction.is_empty()
            || !digits_only(whole)
            || !digits_only(fraction)
            || fraction.len() > 2
        {
            return Err(invalid());
        }
        let too_large = || AmountError::TooLarge(Money::new(MAX_PRICE_MINOR, currency));
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| too_large())?
        };
        let cents: i64 = format!("{fraction:0<2}").parse().map_err(|_| invalid())?;
        let minor = whole
            .checked_mul(100)
            .and_then(|m| m.checked_add(cents))
            .filter(|m| *m <= MAX_PRICE_MINOR)
            .ok_or_else(too_large)?;
        Ok(Money::new(minor, currency))
    }

    /// The amount as a plain decimal, `1234.50`: for form fields and spreadsheets.
    pub fn decimal(&self) -> String {
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl fmt::Display for Money {
    /// Formats for shoppers, e.g. `12,50 €`, `1 234,00 €` or `$12.50` (non-breaking spaces).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let style = self.currency.style();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let whole = (abs / 100).to_string();
        let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
        for (i, digit) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i).is_multiple_of(3) {
                grouped.push(style.group);
            }
            grouped.push(digit);
        }
        let number = format!("{grouped}{}{:02}", style.decimal, abs % 100);
        if style.symbol_first {
            let gap = if style.symbol.chars().count() > 1 {
                " "
            } else {
                ""
            };
            write!(f, "{sign}{}{gap}{number}", style.symbol)
        } else {
            write!(f, "{sign}{number}{NBSP}{}", style.symbol)
        }
    }
}

/// `total` shared out in proportion to `weights` (all ≥ 0), in whole units: each gets the floor of
/// its exact share (`total × weight / Σ weights`), and the units left over go one each to the
/// largest remainders, the earlier on a tie. The shares add up to `total` exactly. `None` when a
/// weight or the total is negative or a sum overflows; all zeros when the weights sum to zero.
/// One rule for every split of an amount across lines: VAT within a rate (`domain::vat`), a
/// discount across the lines it applies to (`domain::discounts`).
pub fn share_out(total: i64, weights: &[i64]) -> Option<Vec<i64>> {
    if total < 0 || weights.iter().any(|&w| w < 0) {
        return None;
    }
    let sum: i128 = weights.iter().map(|&w| i128::from(w)).sum();
    if sum == 0 {
        return Some(vec![0; weights.len()]);
    }
    let mut shares = Vec::with_capacity(weights.len());
    let mut rests = Vec::with_capacity(weights.len());
    for (i, &weight) in weights.iter().enumerate() {
        let exact = i128::from(total) * i128::from(weight);
        shares.push(i64::try_from(exact / sum).ok()?);
        rests.push((exact % sum, i));
    }
    // Largest remainder first; `sort_by_key` is stable, so ties keep the given order.
    rests.sort_by_key(|rest| std::cmp::Reverse(rest.0));
    let given: i64 = shares.iter().try_fold(0i64, |sum, &s| sum.checked_add(s))?;
    for &(_, i) in rests.iter().take(usize::try_from(total - given).ok()?) {
        shares[i] += 1;
    }
    Some(shares)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(minor: i64, currency: Currency) -> String {
        Money::new(minor, currency).to_string().replace(NBSP, " ")
    }

    #[test]
    fn euro_uses_comma_and_trailing_symbol() {
        assert_eq!(shown(1250, Currency::Eur), "12,50 €");
        assert_eq!(shown(5, Currency::Eur), "0,05 €");
        assert_eq!(shown(0, Currency::Eur), "0,00 €");
        assert_eq!(shown(123_456_789, Currency::Eur), "1 234 567,89 €");
        assert_eq!(shown(-1999, Currency::Eur), "-19,99 €");
    }

    #[test]
    fn english_currencies_put_the_symbol_first() {
        assert_eq!(shown(1250, Currency::Usd), "$12.50");
        assert_eq!(shown(100_000, Currency::Gbp), "£1,000.00");
        assert_eq!(shown(99, Currency::Chf), "CHF 0.99");
    }

    #[test]
    fn extremes_format_without_overflow() {
        assert_eq!(
            shown(i64::MIN, Currency::Usd),
            "-$92,233,720,368,547,758.08"
        );
        assert_eq!(
            shown(i64::MAX, Currency::Pln),
            "92 233 720 368 547 758,07 zł"
        );
    }

    #[test]
    fn sums_refuse_overflow_and_mixed_currencies() {
        let eur = Money::new(i64::MAX, Currency::Eur);
        assert_eq!(eur.checked_add(Money::new(1, Currency::Eur)), None);
        assert_eq!(
            Money::new(1, Currency::Eur).checked_add(Money::new(1, Currency::Usd)),
            None
        );
        assert_eq!(
            Money::new(250, Currency::Eur).checked_mul(3),
            Some(Money::new(750, Currency::Eur))
        );
        assert_eq!(eur.checked_mul(2), None);
    }

    #[test]
    fn typed_amounts_are_read_exactly() {
        let read = |text| Money::parse_decimal(text, Currency::Eur).map(|m| m.minor);
        assert_eq!(read("12.50"), Ok(1250));
        assert_eq!(read("12,5"), Ok(1250));
        assert_eq!(read(" 1 234,00 "), Ok(123_400));
        assert_eq!(read("7"), Ok(700));
        assert_eq!(read(".99"), Ok(99));
        assert_eq!(read("0.10"), Ok(10));
        assert_eq!(read("10000000"), Ok(MAX_PRICE_MINOR));
        for bad in [
            "",
            "-1",
            "1.234",
            "12.5.0",
            "abc",
            "1e3",
            "10000000.01",
            "99999999999999999999",
            "+5",
        ] {
            assert!(read(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(Money::new(123_405, Currency::Eur).decimal(), "1234.05");
        assert_eq!(Money::new(-5, Currency::Eur).decimal(), "-0.05");
    }

    #[test]
    fn currency_codes_round_trip() {
        for currency in Currency::ALL {
            assert_eq!(Currency::from_code(currency.code()), Some(currency));
        }
        assert_eq!(Currency::from_code("eur"), None);
        assert_eq!(Currency::from_code("XYZ"), None);
    }
}
