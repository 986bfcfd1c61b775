// The save functions take one argument per form field (the admin's forms are plain HTML forms);
// the server function macro expands them where an item-level `allow` does not reach.
#![allow(clippy::too_many_arguments)]

//! Admin → Settings: the shop's name and seller details, its VAT rates ([`vat_rates`]), its payment
//! switches, its shipping methods and its legal pages. The rules and queries are in `crate::domain::settings::store`; these server
//! functions check for an admin, read the forms and send the browser back to the page.

mod pages;
mod vat_rates;

pub use pages::{AdminLegalPage, AdminSettingsPage};

use crate::domain::settings::{LegalPage, Seller, SettingsChange};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A shipping method as the settings page edits it (amounts as typed decimals).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub description: String,
    pub price: String,
    pub countries: String,
    pub free_above: String,
    pub active: bool,
    pub position: i64,
    /// Its VAT class's key.
    pub tax_class: String,
    /// The carrier whose pick-up points it delivers to; empty: to an address.
    pub carrier: String,
    /// Its name and description in each language the shop speaks (empty where it has none of
    /// its own, and shows the method's).
    pub texts: Vec<MethodTranslation>,
}

/// A shipping method's name in one language, for the admin's form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodTranslation {
    /// The language's code (`lt`) and its name in itself (`Lietuvių`).
    pub locale: String,
    pub language: String,
    pub name: String,
    pub description: String,
}

/// A payment switch: what the merchant set, and what the environment fixes, if it does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Switch {
    pub on: bool,
    /// Set in the environment (`TURGUS_PAYSERA_…`), which wins: the admin shows it, read-only.
    pub fixed_by: Option<(String, bool)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsView {
    pub seller: Seller,
    pub smsbank: Switch,
    pub test_payments: Switch,
    pub vat_payer: bool,
    pub oss_registered: bool,
    pub seller_country: String,
    /// The invoices' and credit notes' series.
    pub series: (String, String),
    /// Test payments only mean something for a live Paysera project.
    pub sandbox: bool,
    pub currency: String,
    pub methods: Vec<MethodRow>,
    /// The countries a method may serve: (code, name).
    pub countries: Vec<(String, String)>,
    pub legal: Vec<(LegalPage, bool)>,
    pub vat_rates: Vec<vat_rates::RateView>,
    /// Newest first.
    pub changes: Vec<SettingsChange>,
}

#[server(endpoint = "admin/settings")]
pub async fn admin_settings() -> Result<SettingsView, AppError> {
    use crate::domain::settings::store;
    let (state, _) = crate::admin::auth::admin_only().await?;
    let settings = store::load(&state.pool).await?;
    let currency = state.config.currency;
    let decimal = |minor: i64| crate::money::Money::new(minor, currency).decimal();
    let texts = store::method_texts(&state.pool).await?;
    let methods = store::shipping_methods(&state.pool)
        .await?
        .into_iter()
        .map(|m| MethodRow {
            texts: translations(&texts, m.id),
            price: decimal(m.price_minor),
            free_above: m.free_above_minor.map(decimal).unwrap_or_default(),
            countries: m.countries.replace(',', ", "),
            id: m.id,
            code: m.code,
            name: m.name,
            description: m.description,
            active: m.active,
            position: m.position,
            tax_class: m.tax_class,
            carrier: m.carrier.unwrap_or_default(),
        })
        .collect();
    let placeholders = store::legal_placeholders(&state.pool).await?;
    let legal = LegalPage::ALL
        .into_iter()
        .map(|page| (page, placeholders.contains(&page)))
        .collect();
    let paysera = &state.config.paysera;
    let fixed = |name: &str, value: Option<bool>| value.map(|v| (name.to_owned(), v));
    Ok(SettingsView {
        seller: settings.seller,
        smsbank: Switch {
            on: settings.smsbank,
            fixed_by: fixed("TURGUS_PAYSERA_SMSBANK", paysera.smsbank),
        },
        test_payments: Switch {
            on: settings.test_payments,
            fixed_by: fixed("TURGUS_PAYSERA_TEST", paysera.test),
        },
        vat_payer: settings.vat_payer,
        oss_registered: settings.oss_registered,
        seller_country: settings.seller_country,
        series: (settings.invoice_series, settings.credit_note_series),
        sandbox: state.payments.sandbox.is_some(),
        currency: currency.code().to_owned(),
        methods,
        countries: crate::countries::named_countries(
            crate::locale::current(),
            crate::countries::COUNTRIES.iter().copied(),
        ),
        legal,
        vat_rates: vat_rates::rate_views(&state.pool).await?,
        changes: store::recent_changes(&state.pool).await?,
    })
}

/// Method `id`'s name in each language, as the admin's form shows them.
#[cfg(feature = "ssr")]
fn translations(
    texts: &[crate::domain::settings::store::MethodText],
    id: i64,
) -> Vec<MethodTranslation> {
    crate::locale::all()
        .iter()
        .map(|&locale| {
            let code = crate::locale::code(locale);
            let text = texts.iter().find(|t| t.method_id == id && t.locale == code);
            MethodTranslation {
                locale: code.to_owned(),
                language: crate::locale::name(locale).to_owned(),
                name: text.map(|t| t.name.clone()).unwrap_or_default(),
                description: text.map(|t| t.description.clone()).unwrap_or_default(),
            }
        })
        .collect()
}

/// After a save from a plain form: back to the settings page.
#[cfg(feature = "ssr")]
fn back_to(path: &str) {
    if crate::state::is_plain_form_post() {
        leptos_axum::redirect(path);
    }
}

#[server(endpoint = "admin/settings/save")]
pub async fn save_settings(
    shop_name: String,
    #[server(default)] legal_name: String,
    #[server(default)] company_code: String,
    #[server(default)] vat_code: String,
    #[server(default)] address: String,
    #[server(default)] contact_email: String,
    #[server(default)] contact_phone: String,
    #[server(default)] smsbank: Option<String>,
    #[server(default)] test_payments: Option<String>,
    #[server(default)] vat_payer: Option<String>,
    #[server(default)] oss_registered: Option<String>,
    #[server(default)] seller_country: String,
    #[server(default)] invoice_series: String,
    #[server(default)] credit_note_series: String,
) -> Result<(), AppError> {
    let (state, admin_id) = crate::admin::auth::admin_only().await?;
    let trimmed = |text: String| text.trim().replace("\r\n", "\n");
    let settings = crate::domain::settings::store::ShopSettings {
        seller: Seller {
            shop_name: trimmed(shop_name),
            legal_name: trimmed(legal_name),
            company_code: trimmed(company_code),
            vat_code: trimmed(vat_code),
            address: trimmed(address),
            contact_email: trimmed(contact_email),
            contact_phone: trimmed(contact_phone),
        },
        smsbank: smsbank.is_some(),
        test_payments: test_payments.is_some(),
        vat_payer: vat_payer.is_some(),
        oss_registered: oss_registered.is_some(),
        // A form from before the field (or a script leaving it out) keeps Lithuania.
        seller_country: match seller_country.trim() {
            "" => "LT".to_owned(),
            typed => typed.to_uppercase(),
        },
        // Empty (a form from before the fields): the domain keeps the series as they are.
        invoice_series: invoice_series.trim().to_uppercase(),
        credit_note_series: credit_note_series.trim().to_uppercase(),
    };
    crate::domain::settings::store::save(
        &state.writer,
        &state.settings,
        editor(admin_id),
        settings,
    )
    .await?;
    back_to("/admin/settings?saved=1");
    Ok(())
}

/// Creates (`id` 0) or changes a shipping method.
#[server(endpoint = "admin/shipping/save")]
pub async fn save_shipping_method(
    id: i64,
    name: String,
    #[server(default)] code: String,
    #[server(default)] description: String,
    #[server(default)] price: String,
    #[server(default)] countries: String,
    #[server(default)] free_above: String,
    #[server(default)] active: Option<String>,
    #[server(default)] position: String,
    #[server(default)] tax_class: String,
    #[server(default)] carrier: String,
) -> Result<(), AppError> {
    use crate::domain::settings::store::{save_method, MethodDraft, MethodInput};
    let (state, admin_id) = crate::admin::auth::admin_only().await?;
    let draft = MethodDraft {
        code,
        name,
        description,
        price,
        countries: countries
            .split([',', ' '])
            .filter(|c| !c.is_empty())
            .map(str::to_uppercase)
            .collect(),
        free_above,
        active: active.is_some(),
        position,
        tax_class,
        carrier,
    };
    let input = MethodInput::parse(&draft, state.config.currency, crate::locale::current())?;
    save_method(
        &state.writer,
        editor(admin_id),
        (id > 0).then_some(id),
        &input,
    )
    .await?;
    back_to("/admin/settings?saved=1#shipping");
    Ok(())
}

/// Names shipping method `id` in the language `locale` (an empty name: the method's own).
#[server(endpoint = "admin/shipping/text")]
pub async fn save_shipping_method_text(
    id: i64,
    locale: String,
    #[server(default)] name: String,
    #[server(default)] description: String,
) -> Result<(), AppError> {
    let (state, admin_id) = crate::admin::auth::admin_only().await?;
    let language = crate::locale::parse(&locale)
        .ok_or_else(|| AppError::BadRequest(crate::tr!(admin.settings.no_such_language).into()))?;
    crate::domain::settings::store::save_method_text(
        &state.writer,
        editor(admin_id),
        id,
        language,
        (&name, &description),
    )
    .await?;
    back_to("/admin/settings#shipping");
    Ok(())
}

#[server(endpoint = "admin/shipping/delete")]
pub async fn delete_shipping_method(id: i64) -> Result<(), AppError> {
    let (state, admin_id) = crate::admin::auth::admin_only().await?;
    crate::domain::settings::store::delete_method(&state.writer, editor(admin_id), id).await?;
    back_to("/admin/settings#shipping");
    Ok(())
}

/// The logged-in admin as the settings' audit names them, writing in their admin's language.
#[cfg(feature = "ssr")]
fn editor(admin_id: i64) -> crate::domain::settings::Editor {
    crate::domain::settings::Editor {
        admin_id,
        language: crate::locale::current(),
    }
}

/// A legal page's Markdown, for its editor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalEditor {
    pub page: LegalPage,
    pub markdown: String,
    pub placeholder: bool,
}

#[server(endpoint = "admin/legal")]
pub async fn admin_legal(slug: String) -> Result<LegalEditor, AppError> {
    let (state, _) = crate::admin::auth::admin_only().await?;
    let page = LegalPage::from_slug(&slug, crate::locale::current())?;
    let stored = crate::domain::settings::store::legal_markdown(&state.pool, page).await?;
    Ok(LegalEditor {
        page,
        markdown: stored.markdown,
        placeholder: stored.placeholder,
    })
}

#[server(endpoint = "admin/legal/save")]
pub async fn save_legal(slug: String, markdown: String) -> Result<(), AppError> {
    let (state, admin_id) = crate::admin::auth::admin_only().await?;
    let page = LegalPage::from_slug(&slug, crate::locale::current())?;
    crate::domain::settings::store::save_legal(&state.writer, editor(admin_id), page, &markdown)
        .await?;
    back_to(&format!("/admin/legal/{slug}?saved=1"));
    Ok(())
}
