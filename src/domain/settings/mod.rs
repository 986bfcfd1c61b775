//! The merchant's shop as the merchant set it up (admin → Settings): who the seller is, how the
//! shop ships, its legal texts and its payment switches. Stored in the database ([`store`]), so a
//! merchant changes them without a rebuild; the storefront reads them through a short-lived
//! cache. Legal texts are Markdown, rendered to sanitised HTML ([`markdown`]).

/// Where a seller may be: the countries whose VAT rates the shop is seeded with (`vat_rates`).
pub const SELLER_COUNTRIES: [&str; 3] = ["LT", "LV", "EE"];

#[cfg(feature = "ssr")]
pub mod markdown;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod vat_rates;

use crate::error::AppError;
use crate::locale::Locale;
use crate::money::Money;
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};

/// The admin changing the settings: named in the audit (by e-mail), and written to in their
/// language (refusals, and the audit's own words).
#[derive(Clone, Copy, Debug)]
pub struct Editor {
    pub admin_id: i64,
    pub language: Locale,
}

/// The seller, as shoppers must be able to see it (EU consumer law: who sells, where to reach them).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Seller {
    pub shop_name: String,
    pub legal_name: String,
    pub company_code: String,
    pub vat_code: String,
    pub address: String,
    pub contact_email: String,
    pub contact_phone: String,
}

/// The three legal texts a shop publishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalPage {
    Terms,
    Privacy,
    Returns,
}

impl LegalPage {
    pub const ALL: [LegalPage; 3] = [LegalPage::Terms, LegalPage::Privacy, LegalPage::Returns];

    pub fn slug(self) -> &'static str {
        match self {
            LegalPage::Terms => "terms",
            LegalPage::Privacy => "privacy",
            LegalPage::Returns => "returns",
        }
    }

    pub fn parse(slug: &str) -> Option<LegalPage> {
        LegalPage::ALL.into_iter().find(|p| p.slug() == slug)
    }

    /// The page a URL names, or 404 (said in `locale`).
    pub fn from_slug(slug: &str, locale: Locale) -> Result<LegalPage, AppError> {
        LegalPage::parse(slug)
            .ok_or_else(|| AppError::NotFound(td_string!(locale, errors.no_such_page).into()))
    }

    pub fn title(self, locale: Locale) -> &'static str {
        match self {
            LegalPage::Terms => td_string!(locale, legal.terms),
            LegalPage::Privacy => td_string!(locale, legal.privacy),
            LegalPage::Returns => td_string!(locale, legal.returns),
        }
    }

    /// Where shoppers read it, without the language (`locale::href` adds it).
    pub fn path(self) -> String {
        format!("/{}", self.slug())
    }
}

/// A legal page ready to show: its Markdown already rendered and sanitised on the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalText {
    pub html: String,
    /// Still the demo's placeholder, not the merchant's text.
    pub placeholder: bool,
    pub updated_at: String,
}

/// One change to the settings, as the audit keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct SettingsChange {
    pub at: String,
    pub admin_email: String,
    pub change: String,
}

/// A way to ship, as the merchant set it up. Prices are in the shop's currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ShippingMethod {
    pub id: i64,
    /// What the checkout form posts.
    pub code: String,
    /// As the merchant wrote them; read for checkout, in the shopper's language where the
    /// merchant gave one (`store::ActiveMethods`).
    pub name: String,
    pub description: String,
    pub price_minor: i64,
    /// ISO 3166 alpha-2 codes, comma-separated.
    pub countries: String,
    /// Free when the goods come to at least this much.
    pub free_above_minor: Option<i64>,
    pub active: bool,
    pub position: i64,
    /// Its VAT class's key (`standard` unless the merchant says otherwise).
    pub tax_class: String,
    /// A carrier's code: delivered to one of its pick-up points, which the shopper picks; none:
    /// to the shopper's address.
    pub carrier: Option<String>,
}

/// A rate in hundredths of a percent as people write it (`5,5 %`).
pub fn rate_percent(bp: i64) -> String {
    u32::try_from(bp).map_or_else(
        |_| bp.to_string(),
        |bp| crate::domain::vat::Rate(bp).percent(),
    )
}

impl ShippingMethod {
    /// Its VAT class: the shipping is charged at that class's rate.
    pub fn tax_class(&self) -> crate::domain::vat::TaxClass {
        crate::domain::vat::TaxClass::from_key(&self.tax_class).unwrap_or_default()
    }

    /// Whether `key` names a VAT class (a method's form is checked against it).
    pub fn is_tax_class(key: &str) -> bool {
        crate::domain::vat::TaxClass::from_key(key).is_some()
    }

    /// Whether `code` names a carrier whose points a method may deliver to.
    pub fn is_carrier(code: &str) -> bool {
        crate::domain::pickup_points::Carrier::parse(code).is_some()
    }

    /// The name shoppers know the carrier `code` by.
    pub fn carrier_name(code: &str) -> Option<&'static str> {
        crate::domain::pickup_points::Carrier::parse(code).map(|c| c.name())
    }

    /// The carrier whose pick-up points it delivers to, if it does.
    pub fn carrier(&self) -> Option<crate::domain::pickup_points::Carrier> {
        self.carrier
            .as_deref()
            .and_then(crate::domain::pickup_points::Carrier::parse)
    }

    pub fn serves(&self, country: &str) -> bool {
        self.countries.split(',').any(|c| c == country)
    }

    /// What shipping costs for goods worth `goods`: the price, or nothing above the free limit.
    pub fn price_for(&self, goods: Money) -> Money {
        match self.free_above_minor {
            Some(limit) if goods.minor >= limit => Money::zero(goods.currency),
            _ => Money::new(self.price_minor, goods.currency),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn courier() -> ShippingMethod {
        ShippingMethod {
            id: 1,
            code: "courier".into(),
            name: "Courier".into(),
            description: String::new(),
            price_minor: 390,
            countries: "LT,LV".into(),
            free_above_minor: Some(5000),
            active: true,
            position: 0,
            tax_class: "standard".into(),
            carrier: None,
        }
    }

    #[test]
    fn a_method_serves_its_countries_and_is_free_above_its_limit() {
        let method = courier();
        assert!(method.serves("LT") && method.serves("LV"));
        assert!(!method.serves("L") && !method.serves("EE") && !method.serves("LT,LV"));
        let eur = |minor| Money::new(minor, Currency::Eur);
        assert_eq!(method.price_for(eur(4999)), eur(390));
        assert_eq!(method.price_for(eur(5000)), eur(0));
        let never_free = ShippingMethod {
            free_above_minor: None,
            ..courier()
        };
        assert_eq!(never_free.price_for(eur(1_000_000)), eur(390));
    }

    #[test]
    fn legal_pages_have_one_slug_each() {
        for page in LegalPage::ALL {
            assert_eq!(LegalPage::parse(page.slug()), Some(page));
        }
        assert_eq!(LegalPage::parse("contact"), None);
    }
}
