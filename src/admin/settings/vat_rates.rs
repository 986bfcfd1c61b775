//! Admin → Settings → VAT rates: the table of rates per country and class, a form to set a rate
//! from a day on, and a button to withdraw one not in force yet. The rules are in
//! `crate::domain::settings::vat_rates`.

use crate::error::AppError;
use crate::tr;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A rate as the settings page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateView {
    pub country: String,
    pub tax_class: String,
    /// `21 %`.
    pub rate: String,
    pub valid_from: String,
    /// `replaced`, `in_force` or `coming`.
    pub state: String,
}

/// Every rate, with where it stands today.
#[cfg(feature = "ssr")]
pub async fn rate_views(pool: &crate::db::Db) -> Result<Vec<RateView>, AppError> {
    use crate::domain::settings::vat_rates::{all, RateState};
    let rates = all(pool).await?;
    let today = crate::domain::vat::today();
    Ok(rates
        .iter()
        .map(|rate| RateView {
            country: rate.country.clone(),
            tax_class: rate.tax_class.clone(),
            rate: crate::domain::settings::rate_percent(rate.rate_bp),
            valid_from: rate.valid_from.clone(),
            state: match rate.state(&rates, &today) {
                RateState::Replaced => "replaced",
                RateState::InForce => "in_force",
                RateState::Coming => "coming",
            }
            .to_owned(),
        })
        .collect())
}

/// The rate of a country and class from a day on, as the form sends it.
#[cfg(feature = "ssr")]
fn typed_rate(
    country: &str,
    tax_class: &str,
    rate_bp: i64,
    valid_from: &str,
) -> crate::domain::settings::vat_rates::RateRow {
    crate::domain::settings::vat_rates::RateRow {
        country: country.trim().to_uppercase(),
        tax_class: tax_class.trim().to_owned(),
        rate_bp,
        valid_from: valid_from.trim().to_owned(),
    }
}

#[server(endpoint = "admin/vat-rates/set")]
pub async fn set_vat_rate(
    country: String,
    tax_class: String,
    rate: String,
    valid_from: String,
) -> Result<(), AppError> {
    let (state, admin_id) = crate::admin::auth::admin_only().await?;
    let Some(rate) = crate::domain::vat::Rate::parse_percent(&rate) else {
        return Err(AppError::BadRequest(tr!(admin.vat_rates.bad_rate).into()));
    };
    let row = typed_rate(&country, &tax_class, i64::from(rate.0), &valid_from);
    let today = crate::domain::vat::today();
    crate::domain::settings::vat_rates::set(&state.writer, super::editor(admin_id), &row, &today)
        .await?;
    super::back_to("/admin/settings?saved=1#vat-rates");
    Ok(())
}

#[server(endpoint = "admin/vat-rates/withdraw")]
pub async fn withdraw_vat_rate(
    country: String,
    tax_class: String,
    valid_from: String,
) -> Result<(), AppError> {
    let (state, admin_id) = crate::admin::auth::admin_only().await?;
    let row = typed_rate(&country, &tax_class, 0, &valid_from);
    let today = crate::domain::vat::today();
    crate::domain::settings::vat_rates::withdraw(
        &state.writer,
        super::editor(admin_id),
        &row,
        &today,
    )
    .await?;
    super::back_to("/admin/settings?saved=1#vat-rates");
    Ok(())
}

/// The rates, oldest first per country and class, and the form that sets one.
#[component]
pub fn VatRates(
    rates: Vec<RateView>,
    countries: Vec<(String, String)>,
    set: ServerAction<SetVatRate>,
    withdraw: ServerAction<WithdrawVatRate>,
) -> impl IntoView {
    let locale = crate::locale::current();
    let class_label = move |key: &str| {
        crate::domain::vat::TaxClass::from_key(key).map_or("", |class| class.label(locale))
    };
    let rows = rates
        .into_iter()
        .map(|rate| {
            let state = match rate.state.as_str() {
                "in_force" => tr!(admin.vat_rates.in_force),
                "coming" => tr!(admin.vat_rates.coming),
                _ => tr!(admin.vat_rates.replaced),
            };
            let coming = rate.state == "coming";
            let testid = format!("vat-rate-{}-{}-{}", rate.country, rate.tax_class, rate.valid_from);
            view! {
                <tr data-testid=testid>
                    <td>{rate.country.clone()}</td>
                    <td>{class_label(&rate.tax_class)}</td>
                    <td>{rate.rate}</td>
                    <td>{rate.valid_from.clone()}</td>
                    <td>{state}</td>
                    <td>{coming.then(|| view! {
                        <ActionForm action=withdraw>
                            <input type="hidden" name="country" value=rate.country />
                            <input type="hidden" name="tax_class" value=rate.tax_class />
                            <input type="hidden" name="valid_from" value=rate.valid_from />
                            <button type="submit" class="button-link">{tr!(admin.vat_rates.withdraw)}</button>
                        </ActionForm>
                    })}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section>
            <h2 id="vat-rates">{tr!(admin.vat_rates.heading)}</h2>
            <p class="muted">{tr!(admin.vat_rates.intro)}</p>
            <table class="admin-table">
                <thead><tr>
                    <th>{tr!(admin.vat_rates.country)}</th><th>{tr!(admin.settings.method_vat_class)}</th>
                    <th>{tr!(admin.vat_rates.rate)}</th><th>{tr!(admin.vat_rates.from)}</th><th>{tr!(admin.vat_rates.state)}</th><th></th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <RateForm countries set />
        </section>
    }
}

/// Sets a rate from a day on.
#[component]
fn RateForm(countries: Vec<(String, String)>, set: ServerAction<SetVatRate>) -> impl IntoView {
    let locale = crate::locale::current();
    view! {
        <h3>{tr!(admin.vat_rates.set)}</h3>
        <ActionForm action=set attr:class="admin-filters">
            <div class="field"><label for="vat-rate-country">{tr!(admin.vat_rates.country)}</label>
                <select id="vat-rate-country" name="country">
                    {countries.into_iter().map(|(code, name)| view! { <option value=code>{name}</option> }).collect_view()}
                </select>
            </div>
            <div class="field"><label for="vat-rate-class">{tr!(admin.settings.method_vat_class)}</label>
                <select id="vat-rate-class" name="tax_class">
                    {crate::domain::vat::TaxClass::ALL.map(|class| view! { <option value=class.key()>{class.label(locale)}</option> }).collect_view()}
                </select>
            </div>
            <div class="field"><label for="vat-rate-rate">{tr!(admin.vat_rates.rate_percent)}</label>
                <input id="vat-rate-rate" name="rate" required inputmode="decimal" maxlength="8" />
            </div>
            <div class="field"><label for="vat-rate-from">{tr!(admin.vat_rates.from)}</label>
                <input id="vat-rate-from" name="valid_from" type="date" required />
            </div>
            <button type="submit">{tr!(admin.vat_rates.save)}</button>
        </ActionForm>
    }
}
