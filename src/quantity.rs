//! Quantities as shoppers type them, parsed once at the edge.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How many of one product a cart line (or an order line) holds: at least 1, at most [`Quantity::MAX`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Quantity(u32);

#[derive(Debug, PartialEq, Eq)]
pub enum QuantityError {
    NotANumber,
    TooSmall,
    TooLarge,
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuantityError::NotANumber => f.write_str(crate::tr!(cart.quantity_not_number)),
            QuantityError::TooSmall => f.write_str(crate::tr!(cart.quantity_too_small)),
            QuantityError::TooLarge => {
                f.write_str(&crate::tr!(cart.quantity_too_large, max = Quantity::MAX))
            }
        }
    }
}

impl Quantity {
    /// More than a shop sells to one household; far below where any total could overflow.
    pub const MAX: u32 = 999;

    pub fn get(self) -> u32 {
        self.0
    }

    /// Parses what a form sent: digits, optionally signed and surrounded by spaces.
    pub fn parse(raw: &str) -> Result<Quantity, QuantityError> {
        let raw = raw.trim();
        let digits = raw.strip_prefix(['+', '-']).unwrap_or(raw);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(QuantityError::NotANumber);
        }
        if raw.starts_with('-') {
            return Err(QuantityError::TooSmall);
        }
        // Too many digits for u32 is still a number, just a far too large one.
        let value = digits.parse::<u64>().unwrap_or(u64::MAX);
        Quantity::try_from(value)
    }

    /// Adds to a line, refusing (rather than capping) a sum above the maximum.
    pub fn checked_add(self, other: Quantity) -> Option<Quantity> {
        Quantity::try_from(u64::from(self.0) + u64::from(other.0)).ok()
    }
}

impl TryFrom<u64> for Quantity {
    type Error = QuantityError;

    fn try_from(value: u64) -> Result<Quantity, QuantityError> {
        match value {
            0 => Err(QuantityError::TooSmall),
            v if v > u64::from(Quantity::MAX) => Err(QuantityError::TooLarge),
            v => Ok(Quantity(v as u32)),
        }
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_numbers() {
        assert_eq!(Quantity::parse("1").unwrap().get(), 1);
        assert_eq!(Quantity::parse(" 12 ").unwrap().get(), 12);
        assert_eq!(Quantity::parse("+3").unwrap().get(), 3);
        assert_eq!(Quantity::parse("007").unwrap().get(), 7);
        assert_eq!(Quantity::parse("999").unwrap().get(), 999);
    }

    #[test]
    fn refuses_zero_and_negatives() {
        for raw in ["0", "-1", "-0", "-999999999999999999999"] {
            assert_eq!(Quantity::parse(raw), Err(QuantityError::TooSmall), "{raw}");
        }
    }

    #[test]
    fn refuses_huge_numbers() {
        for raw in ["1000", "4294967296", "99999999999999999999999999"] {
            assert_eq!(Quantity::parse(raw), Err(QuantityError::TooLarge), "{raw}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_number() {
        for raw in [
            "", " ", "abc", "1.5", "1,5", "1e3", "0x10", "½", "１", "--1", "1 2", "NaN",
        ] {
            assert_eq!(
                Quantity::parse(raw),
                Err(QuantityError::NotANumber),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn sums_refuse_to_pass_the_maximum() {
        let q = |n| Quantity::parse(n).unwrap();
        assert_eq!(q("500").checked_add(q("499")), Some(q("999")));
        assert_eq!(q("500").checked_add(q("500")), None);
    }
}
