//! What search engines and link previews read from a catalog page: schema.org JSON-LD (a
//! `Product` with its `Offer`, or a `ProductGroup` whose `hasVariant` are the variants, and a
//! `BreadcrumbList`) and the Open Graph / Twitter card tags. Built from the same figures the page
//! shows (the price in force, the stock), every address absolute under the shop's public URL.

use crate::domain::catalog::{ProductDetail, VariantChoice};
use crate::money::Money;
use leptos::prelude::*;
use serde_json::{json, Value};

/// A JSON-LD block: a data block a browser never runs, so the page's CSP needs no hash of it.
#[component]
pub fn JsonLd(value: Value) -> impl IntoView {
    view! { <script type="application/ld+json" inner_html=script_text(&value)></script> }
}

/// JSON for a `<script type="application/ld+json">`: `<`, `>` and `&` written as `\u003c`…, so
/// no text of the merchant's (a name with `</script>`) can end the element early.
fn script_text(value: &Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn availability(stock: u32) -> &'static str {
    if stock > 0 {
        "https://schema.org/InStock"
    } else {
        "https://schema.org/OutOfStock"
    }
}

fn offer(price: Money, stock: u32, url: &str) -> Value {
    json!({
        "@type": "Offer",
        "price": price.decimal(),
        "priceCurrency": price.currency.code(),
        "availability": availability(stock),
        "itemCondition": "https://schema.org/NewCondition",
        "url": url,
    })
}

/// The schema.org property an option is, by its usual names in the shop's languages, if any.
fn varies_by(option: &str) -> Option<&'static str> {
    match option.trim().to_lowercase().as_str() {
        "size" | "dydis" => Some("size"),
        "colour" | "color" | "spalva" => Some("color"),
        "material" | "medžiaga" => Some("material"),
        "pattern" | "raštas" => Some("pattern"),
        _ => None,
    }
}

/// The product page's JSON-LD. `page` is the page's absolute address; `origin` the shop's.
pub fn product(product: &ProductDetail, page: &str, origin: &str) -> Value {
    let images: Vec<String> = product
        .images
        .iter()
        .map(|image| format!("{origin}{}", image.path))
        .collect();
    let mut described = json!({
        "@context": "https://schema.org",
        "name": product.name,
        "description": product.description,
        "image": images,
        "url": page,
    });
    if product.variants.is_empty() {
        described["@type"] = json!("Product");
        described["sku"] = json!(product.slug);
        described["offers"] = offer(product.price, product.stock, page);
        return described;
    }
    described["@type"] = json!("ProductGroup");
    described["productGroupID"] = json!(product.slug);
    let properties: Vec<Option<&str>> =
        product.options.iter().map(|o| varies_by(&o.name)).collect();
    described["variesBy"] = properties
        .iter()
        .flatten()
        .map(|p| format!("https://schema.org/{p}"))
        .collect();
    described["hasVariant"] = product
        .variants
        .iter()
        .filter(|variant| variant.on_sale)
        .map(|variant| variant_json(product, variant, (page, origin), &properties))
        .collect();
    described
}

fn variant_json(
    product: &ProductDetail,
    variant: &VariantChoice,
    (page, origin): (&str, &str),
    properties: &[Option<&str>],
) -> Value {
    let url = format!("{page}?variant={}", crate::ui::urlencode(&variant.sku));
    let mut described = json!({
        "@type": "Product",
        "name": crate::domain::catalog::line_name(
            &product.name,
            &variant.values.iter().cloned().map(Some).collect::<Vec<_>>(),
        ),
        "sku": variant.sku,
        "url": url,
        "offers": offer(variant.price, variant.stock, &url),
    });
    let image = variant
        .image
        .as_ref()
        .map(|image| image.path.clone())
        .or_else(|| product.images.first().map(|image| image.path.clone()));
    if let Some(path) = image {
        described["image"] = json!(format!("{origin}{path}"));
    }
    for (property, value) in properties.iter().zip(&variant.values) {
        if let Some(property) = property {
            described[*property] = json!(value);
        }
    }
    described
}

/// A `BreadcrumbList` of (name, absolute address) pairs, in order from the home page.
pub fn breadcrumbs(trail: &[(&str, String)]) -> Value {
    let items: Vec<Value> = (1..)
        .zip(trail)
        .map(|(position, (name, url))| {
            json!({"@type": "ListItem", "position": position, "name": name, "item": url})
        })
        .collect();
    json!({
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_merchants_text_cannot_close_the_script() {
        let text = script_text(&json!({"name": "</script><script>alert(1)</script> & more"}));
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'));
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["name"], "</script><script>alert(1)</script> & more");
    }

    #[test]
    fn options_become_schema_properties_in_either_language() {
        assert_eq!(varies_by("Dydis"), Some("size"));
        assert_eq!(varies_by(" Colour "), Some("color"));
        assert_eq!(varies_by("Spalva"), Some("color"));
        assert_eq!(varies_by("Fit"), None);
    }
}
