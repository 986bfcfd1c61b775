//! Admin → Settings → VAT rates: the rates per country and class, each from a first day on
//! (`vat_rates`). A merchant adds a rate from today or a later day (a rate change announced for
//! next year needs no release) and may withdraw one that is not in force yet; days already past
//! are history, kept as they were, since orders placed then were charged by them. Every change is
//! in the settings' audit.

use super::store::{audit, begin_change};
use super::Editor;
use crate::error::AppError;
use crate::locale::Locale;
use leptos_i18n::td_string;

/// One rate as stored: `rate_bp` in hundredths of a percent, `valid_from` a Vilnius day.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct RateRow {
    pub country: String,
    pub tax_class: String,
    pub rate_bp: i64,
    pub valid_from: String,
}

/// Where a rate stands on a day: the one in force, one to come, or one replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateState {
    Replaced,
    InForce,
    Coming,
}

impl RateRow {
    /// Its state on `today`, among `all` (the same country's and class's decide).
    pub fn state(&self, all: &[RateRow], today: &str) -> RateState {
        if self.valid_from.as_str() > today {
            return RateState::Coming;
        }
        let latest_begun = all
            .iter()
            .filter(|r| r.country == self.country && r.tax_class == self.tax_class)
            .filter(|r| r.valid_from.as_str() <= today)
            .map(|r| r.valid_from.as_str())
            .max();
        if latest_begun == Some(self.valid_from.as_str()) {
            RateState::InForce
        } else {
            RateState::Replaced
        }
    }
}

/// Every rate, by country, class and first day.
pub async fn all(pool: &crate::db::Db) -> Result<Vec<RateRow>, AppError> {
    Ok(crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT country, tax_class, rate_bp, valid_from FROM vat_rates
         ORDER BY country, tax_class, valid_from",
    )
    .fetch_all(conn)
    .await)?)
}

/// Whether `rate` may be set on `today`: a country the shop ships to, a class, a rate from 0 to
/// 100 %, a real day not before today.
fn check(rate: &RateRow, today: &str, locale: Locale) -> Result<(), AppError> {
    let refuse = |message: &str| Err(AppError::BadRequest(message.into()));
    if !crate::countries::COUNTRIES.contains(&rate.country.as_str()) {
        return refuse(td_string!(locale, admin.vat_rates.bad_country));
    }
    if !super::ShippingMethod::is_tax_class(&rate.tax_class) {
        return refuse(td_string!(locale, admin.settings.method_tax_class));
    }
    if !(0..=10_000).contains(&rate.rate_bp) {
        return refuse(td_string!(locale, admin.vat_rates.bad_rate));
    }
    if rate.valid_from.len() != 10 || crate::clock::parse_date(&rate.valid_from).is_none() {
        return refuse(td_string!(locale, admin.vat_rates.bad_day));
    }
    if rate.valid_from.as_str() < today {
        return refuse(td_string!(locale, admin.vat_rates.past_day));
    }
    Ok(())
}

/// How the audit words a rate: `EE standard from 2027-01-01: 25 %`.
fn described(rate: &RateRow) -> String {
    format!(
        "{} {} {}: {}",
        rate.country,
        rate.tax_class,
        rate.valid_from,
        super::rate_percent(rate.rate_bp)
    )
}

/// Sets `rate` from its first day on (today or later), replacing one set for that same day.
pub async fn set(
    writer: &crate::db::Db,
    editor: Editor,
    rate: &RateRow,
    today: &str,
) -> Result<(), AppError> {
    let locale = editor.language;
    check(rate, today, locale)?;
    let (mut tx, admin_email) = begin_change(writer, editor).await?;
    crate::on_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO vat_rates (country, tax_class, rate_bp, valid_from) VALUES ($1, $2, $3, $4)
         ON CONFLICT (country, tax_class, valid_from) DO UPDATE SET rate_bp = excluded.rate_bp",
    )
    .bind(&rate.country)
    .bind(&rate.tax_class)
    .bind(rate.rate_bp)
    .bind(&rate.valid_from)
    .execute(&mut *conn)
    .await.map(|done| done.rows_affected()))?;
    let change = td_string!(locale, admin.audit.vat_rate_set, rate = described(rate));
    audit(&mut tx, &admin_email, &change).await?;
    tx.commit().await?;
    Ok(())
}

/// Withdraws a rate that is not in force yet (its first day after `today`).
pub async fn withdraw(
    writer: &crate::db::Db,
    editor: Editor,
    rate: &RateRow,
    today: &str,
) -> Result<(), AppError> {
    let locale = editor.language;
    let (mut tx, admin_email) = begin_change(writer, editor).await?;
    let removed: Option<i64> = crate::on_tx!(&mut tx, conn => sqlx::query_scalar(
        "DELETE FROM vat_rates WHERE country = $1 AND tax_class = $2 AND valid_from = $3
           AND valid_from > $4
         RETURNING rate_bp",
    )
    .bind(&rate.country)
    .bind(&rate.tax_class)
    .bind(&rate.valid_from)
    .bind(today)
    .fetch_optional(&mut *conn)
    .await)?;
    let Some(rate_bp) = removed else {
        return Err(AppError::Conflict(
            td_string!(locale, admin.vat_rates.not_withdrawable).into(),
        ));
    };
    let gone = described(&RateRow {
        rate_bp,
        ..rate.clone()
    });
    let change = td_string!(locale, admin.audit.vat_rate_withdrawn, rate = gone);
    audit(&mut tx, &admin_email, &change).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(country: &str, class: &str, bp: i64, from: &str) -> RateRow {
        RateRow {
            country: country.into(),
            tax_class: class.into(),
            rate_bp: bp,
            valid_from: from.into(),
        }
    }

    #[test]
    fn the_latest_rate_begun_is_in_force_and_later_ones_are_coming() {
        let all = [
            rate("EE", "standard", 2200, "2024-01-01"),
            rate("EE", "standard", 2400, "2025-07-01"),
            rate("EE", "standard", 2500, "2027-01-01"),
            rate("LT", "standard", 2100, "2026-01-01"),
        ];
        let states: Vec<RateState> = all.iter().map(|r| r.state(&all, "2026-12-03")).collect();
        assert_eq!(
            states,
            [
                RateState::Replaced,
                RateState::InForce,
                RateState::Coming,
                RateState::InForce
            ]
        );
    }

    #[test]
    fn a_rate_is_refused_for_a_past_day_an_unknown_country_or_out_of_range() {
        let today = "2026-12-03";
        assert!(check(
            &rate("EE", "standard", 2500, "2027-01-01"),
            today,
            Locale::en
        )
        .is_ok());
        assert!(check(
            &rate("FI", "reduced", 1350, "2026-12-03"),
            today,
            Locale::en
        )
        .is_ok());
        for wrong in [
            rate("EE", "standard", 2500, "2026-12-02"),
            rate("US", "standard", 700, "2027-01-01"),
            rate("EE", "luxury", 2500, "2027-01-01"),
            rate("EE", "standard", 10_001, "2027-01-01"),
            rate("EE", "standard", -1, "2027-01-01"),
            rate("EE", "standard", 2500, "2027-02-30"),
        ] {
            assert!(check(&wrong, today, Locale::en).is_err(), "{wrong:?}");
        }
    }

    #[test]
    fn the_audit_writes_the_rate_as_people_do() {
        assert_eq!(
            described(&rate("EE", "standard", 2400, "2025-07-01")),
            "EE standard 2025-07-01: 24 %"
        );
    }
}
