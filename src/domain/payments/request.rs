//! What Paysera is asked for a placed order: its exact total (the server's, from the database),
//! where to send the shopper back in their language, who pays, what the bank statement says, and
//! until when the pay links work.

use crate::domain::orders::place::{NewOrder, PlacedOrder};
use crate::locale::{self, Locale};
use crate::paysera::request::{Payer, PaymentRequest};

/// What the request needs to know about the shop.
pub struct Shop<'a> {
    /// `TURGUS_PUBLIC_URL`: the accept, cancel and callback addresses are under it.
    pub public_url: &'a str,
    /// The shop's name, as the merchant set it: the start of the payment purpose.
    pub name: &'a str,
    /// Unpaid orders expire after this; Paysera's pay links stop then too.
    pub order_ttl_minutes: u32,
    /// Ask for a test payment (it never pays an order).
    pub test: bool,
}

/// The request for `placed`, made from `order` at `now` (seconds since the epoch).
pub fn for_order(shop: &Shop, order: &NewOrder, placed: &PlacedOrder, now: i64) -> PaymentRequest {
    let expires = now + i64::from(shop.order_ttl_minutes) * 60;
    let public = shop.public_url;
    let back = |page: &str| {
        let path = format!("/checkout/{page}?order={}", placed.public_token);
        format!("{public}{}", locale::localized(order.locale, &path))
    };
    let customer = &order.customer;
    PaymentRequest {
        order_id: placed.number.to_string(),
        accept_url: back("accept"),
        cancel_url: back("cancel"),
        callback_url: format!("{public}/paysera/callback"),
        amount_minor: u64::try_from(placed.total.minor).ok(),
        currency: Some(placed.total.currency.code().to_owned()),
        payment: order.payment_method.clone(),
        country: Some(customer.country.to_lowercase()),
        lang: Some(locale::paysera_lang(order.locale).into()),
        paytext: Some(paytext(shop.name, order.locale)),
        payer: Payer {
            first_name: Some(customer.first_name.clone()),
            last_name: Some(customer.last_name.clone()),
            email: Some(customer.email.as_str().to_owned()),
            ..Payer::default()
        },
        test: shop.test,
        // Pay links stop working when the order expires, where the method honours it.
        time_limit: Some(crate::paysera::request::time_limit(now, expires)),
        ..PaymentRequest::default()
    }
}

/// The payment purpose the shopper sees at Paysera and on their bank statement. Paysera requires
/// its `[order_nr]` and `[site_name]` (the project's website) in it; the shop's name comes first,
/// cut so that the whole stays within Paysera's 255 bytes (bytes, not characters: a shop named in
/// Lithuanian takes more).
pub fn paytext(shop_name: &str, language: Locale) -> String {
    let suffix = leptos_i18n::td_string!(language, checkout.paytext);
    let mut name = String::new();
    for c in shop_name.chars().filter(|c| !c.is_control()) {
        if name.len() + c.len_utf8() + suffix.len() > 255 {
            break;
        }
        name.push(c);
    }
    format!("{name}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::paytext;

    #[test]
    fn the_payment_purpose_fits_paysera_in_bytes_whatever_the_shop_is_called() {
        assert_eq!(
            paytext("Lino namai", crate::locale::Locale::en),
            "Lino namai: order nr. [order_nr] ([site_name])"
        );
        for name in ["ž".repeat(80), "𝄞".repeat(80), "a\r\nb".into()] {
            let text = paytext(&name, crate::locale::Locale::lt);
            assert!(text.len() <= 255, "{} bytes", text.len());
            assert!(text.ends_with("[order_nr] ([site_name])") && !text.contains('\n'));
        }
    }
}
