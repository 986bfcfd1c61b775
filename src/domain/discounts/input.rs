//! A code's form in admin → Discounts, as typed and as checked: a percentage as people write it
//! (`10`, `12,5`), amounts in the shop's currency, days in Vilnius, limits as whole numbers.

use super::{Kind, Scope};
use crate::error::AppError;
use crate::locale::Locale;
use crate::money::{Currency, Money};
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};

/// A code's form as typed (and as the admin's page fills it in again).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeDraft {
    pub code: String,
    pub kind: String,
    pub value: String,
    pub min_goods: String,
    pub valid_from: String,
    pub valid_until: String,
    pub max_uses: String,
    pub max_uses_per_email: String,
    pub scope: String,
    /// The web addresses (slugs) of its categories or products, by the scope, as typed.
    pub scope_items: String,
    pub active: bool,
    pub note: String,
}

/// A code's form, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeInput {
    pub code: String,
    pub kind: Kind,
    pub value: i64,
    pub min_goods: Money,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub max_uses: Option<i64>,
    pub max_uses_per_email: Option<i64>,
    pub scope: Scope,
    /// The web addresses of its categories or products (none for all products).
    pub scope_slugs: Vec<String>,
    pub active: bool,
    pub note: String,
}

/// A code's value as typed: a percentage in hundredths (above 0, at most 100 %), an amount in
/// minor units (above 0), nothing for free shipping.
fn value_of(kind: Kind, typed: &str, currency: Currency) -> Option<i64> {
    match kind {
        Kind::Percent => crate::domain::vat::Rate::parse_percent(typed)
            .map(|rate| i64::from(rate.0))
            .filter(|bp| *bp > 0),
        Kind::Fixed => Money::parse_decimal(typed, currency)
            .ok()
            .map(|m| m.minor)
            .filter(|minor| *minor > 0),
        Kind::FreeShipping => Some(0),
    }
}

/// Web addresses typed with commas, spaces or lines between them: lower case, each once.
fn slugs_of(typed: &str) -> Vec<String> {
    let mut slugs: Vec<String> = typed
        .split([',', ' ', '\n', '\r'])
        .map(|slug| slug.trim().to_lowercase())
        .filter(|slug| !slug.is_empty())
        .collect();
    slugs.sort();
    slugs.dedup();
    slugs
}

fn refuse<T>(message: &str) -> Result<T, AppError> {
    Err(AppError::BadRequest(message.into()))
}

/// An optional whole number from 1 to `max`; empty is none.
fn limit(typed: &str, max: i64, message: &str) -> Result<Option<i64>, AppError> {
    match typed.trim() {
        "" => Ok(None),
        text => match text.parse::<i64>() {
            Ok(n) if (1..=max).contains(&n) => Ok(Some(n)),
            _ => refuse(message),
        },
    }
}

/// An optional Vilnius day; empty is none.
fn day(typed: &str, locale: Locale) -> Result<Option<String>, AppError> {
    match typed.trim() {
        "" => Ok(None),
        text if text.len() == 10 && crate::clock::parse_date(text).is_some() => {
            Ok(Some(text.to_owned()))
        }
        _ => refuse(td_string!(locale, admin.discounts.bad_day)),
    }
}

impl CodeInput {
    pub fn parse(
        draft: &CodeDraft,
        currency: Currency,
        locale: Locale,
    ) -> Result<CodeInput, AppError> {
        let Some(code) = super::normalise(&draft.code) else {
            return refuse(td_string!(locale, admin.discounts.bad_code));
        };
        let Some(kind) = Kind::from_key(&draft.kind) else {
            return refuse(td_string!(locale, admin.discounts.bad_kind));
        };
        let Some(value) = value_of(kind, &draft.value, currency) else {
            return refuse(td_string!(locale, admin.discounts.bad_value));
        };
        let min_goods = match draft.min_goods.trim() {
            "" => Money::zero(currency),
            typed => Money::parse_decimal(typed, currency).map_err(|_| {
                AppError::BadRequest(td_string!(locale, admin.discounts.bad_minimum).into())
            })?,
        };
        let (valid_from, valid_until) = (
            day(&draft.valid_from, locale)?,
            day(&draft.valid_until, locale)?,
        );
        if matches!((&valid_from, &valid_until), (Some(from), Some(until)) if from > until) {
            return refuse(td_string!(locale, admin.discounts.bad_day));
        }
        let uses_message = td_string!(locale, admin.discounts.bad_limit);
        let Some(scope) = Scope::from_key(&draft.scope) else {
            return refuse(td_string!(locale, admin.discounts.bad_scope));
        };
        let scope_slugs = slugs_of(&draft.scope_items);
        if scope != Scope::All && scope_slugs.is_empty() || scope_slugs.len() > 500 {
            return refuse(td_string!(locale, admin.discounts.bad_scope));
        }
        let note = draft.note.trim().to_owned();
        if note.chars().count() > 500 {
            return refuse(td_string!(locale, admin.discounts.bad_note));
        }
        Ok(CodeInput {
            code,
            kind,
            value,
            min_goods,
            valid_from,
            valid_until,
            max_uses: limit(&draft.max_uses, 10_000_000, uses_message)?,
            max_uses_per_email: limit(&draft.max_uses_per_email, 100, uses_message)?,
            scope,
            scope_slugs: if scope == Scope::All {
                vec![]
            } else {
                scope_slugs
            },
            active: draft.active,
            note,
        })
    }

    /// How the audit and the list word it: `RUDUO10: 10 % off · from 20,00 € · 2026-10-01 to
    /// 2026-11-30 · 100 uses, 1 per shopper · 2 categories · off`.
    pub fn summary(&self, locale: Locale) -> String {
        let what = match self.kind {
            Kind::Percent => td_string!(
                locale,
                admin.discounts.percent_off,
                percent = crate::domain::settings::rate_percent(self.value)
            )
            .to_string(),
            Kind::Fixed => td_string!(
                locale,
                admin.discounts.amount_off,
                amount = Money::new(self.value, self.min_goods.currency).to_string()
            )
            .to_string(),
            Kind::FreeShipping => td_string!(locale, admin.discounts.free_shipping).to_string(),
        };
        let mut parts = vec![format!("{}: {what}", self.code)];
        if self.min_goods.minor > 0 {
            parts.push(
                td_string!(
                    locale,
                    admin.discounts.from_goods,
                    amount = self.min_goods.to_string()
                )
                .to_string(),
            );
        }
        if self.valid_from.is_some() || self.valid_until.is_some() {
            let (from, until) = (
                self.valid_from.as_deref().unwrap_or("…"),
                self.valid_until.as_deref().unwrap_or("…"),
            );
            parts.push(format!("{from} – {until}"));
        }
        if let Some(max) = self.max_uses {
            parts.push(td_string!(locale, admin.discounts.uses_limit, count = max).to_string());
        }
        if let Some(max) = self.max_uses_per_email {
            parts.push(td_string!(locale, admin.discounts.per_shopper, count = max).to_string());
        }
        if self.scope != Scope::All {
            parts.push(
                td_string!(
                    locale,
                    admin.discounts.scoped,
                    count = self.scope_slugs.len()
                )
                .to_string(),
            );
        }
        if !self.active {
            parts.push(td_string!(locale, admin.discounts.off).to_string());
        }
        parts.join(" · ")
    }
}
