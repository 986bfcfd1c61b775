//! The catalog's pages.

use super::structured::{self, JsonLd};
use super::{get_category, get_home, get_product, search};
use crate::cart::AddToCartForm;
use crate::domain::catalog::{
    Image, Listing, ProductCard, ProductDetail, ProductOption, Sort, VariantChoice, VariantImage,
};
use crate::locale;
use crate::money::Money;
use crate::page::{cache_in_browser, load_page, Canonical};
use crate::tr;
use crate::ui::{urlencode, Pagination};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

/// Shortens a description to a meta description's usual length, at a word boundary.
fn summary(text: &str) -> String {
    const LIMIT: usize = 155;
    if text.chars().count() <= LIMIT {
        return text.to_owned();
    }
    let cut: String = text.chars().take(LIMIT).collect();
    match cut.rfind(' ') {
        Some(space) => format!("{}…", &cut[..space]),
        None => format!("{cut}…"),
    }
}

#[component]
fn ProductTile(product: ProductCard) -> impl IntoView {
    let href = locale::href(&format!("/p/{}", product.slug));
    view! {
        <li class="product-tile">
            <a href=href class="tile-link">
                // The link is named by the product's name beside the picture: the picture itself
                // is decoration here (its description is on the product page).
                {product.image.map(|image| view! {
                    <img src=image.path alt="" width="300" height="300" loading="lazy" />
                })}
                <span class="tile-name">{product.name}</span>
            </a>
            <span class="tile-price">
                {product.was.map(|was| view! { <s class="price-was" aria-label=tr!(catalog.regular_price)>{was.to_string()}</s>" " })}
                {if product.prices_differ {
                    tr!(catalog.from_price, price = product.price)
                } else {
                    product.price.to_string()
                }}
            </span>
            {(!product.in_stock).then(|| view! { <span class="badge badge-muted">{tr!(catalog.sold_out)}</span> })}
        </li>
    }
}

#[component]
fn ProductGrid(products: Vec<ProductCard>) -> impl IntoView {
    view! {
        <ul class="product-grid">
            {products.into_iter().map(|product| view! { <ProductTile product /> }).collect_view()}
        </ul>
    }
}

/// Previous/next and numbered links; `href(page)` builds each page's URL.
#[component]
pub fn HomePage() -> impl IntoView {
    cache_in_browser();
    let home = Resource::new(|| (), |_| get_home());
    view! {
        <Title text="" />
        <Meta name="description" content=tr!(catalog.home_description) />
        <Canonical path="/" />
        <section class="hero">
            <h1>{tr!(catalog.hero_title)}</h1>
            <p>{tr!(catalog.hero_text)}</p>
        </section>
        {load_page(home, |home| view! {
            <section aria-labelledby="featured-heading">
                <h2 id="featured-heading">{tr!(catalog.featured)}</h2>
                <ProductGrid products=home.featured />
            </section>
            <section aria-labelledby="new-heading">
                <h2 id="new-heading">{tr!(catalog.newest)}</h2>
                <ProductGrid products=home.newest />
            </section>
        }.into_any())}
    }
}

/// A page of a category's listing in `sort`, without the language: `/c/kitchen?sort=price&page=2`.
fn category_href(slug: String, sort: Sort) -> impl Fn(u32) -> String + Clone {
    move |page: u32| {
        let sort_key = if sort == Sort::default() {
            ""
        } else {
            sort.key()
        };
        match crate::ui::listing_query(&[("sort", sort_key)], page).as_str() {
            "" => format!("/c/{slug}"),
            query => format!("/c/{slug}?{query}"),
        }
    }
}

/// A category page's breadcrumb trail as JSON-LD (`path`: the category's, in the page's language).
#[component]
fn CategoryTrail(name: String, path: String) -> impl IntoView {
    let origin = crate::page::public_url();
    let trail = structured::breadcrumbs(&[
        (tr!(catalog.home), format!("{origin}{}", locale::href("/"))),
        (&name, format!("{origin}{path}")),
    ]);
    view! { <JsonLd value=trail /> }
}

#[component]
pub fn CategoryPage() -> impl IntoView {
    cache_in_browser();
    let params = use_params_map();
    let query = use_query_map();
    let listing = Resource::new(
        move || {
            let query = query.read();
            (
                params.read().get("slug").unwrap_or_default(),
                query.get("sort").unwrap_or_default(),
                query.get("page").unwrap_or_default(),
            )
        },
        |(slug, sort, page)| get_category(slug, sort, page),
    );
    load_page(listing, |category| {
        let slug = category.category.slug.clone();
        let sort = category.sort;
        let path = locale::href(&format!("/c/{slug}"));
        let href = category_href(slug, sort);
        let canonical = href(category.listing.page);
        let href = move |page: u32| locale::href(&href(page));
        let Listing {
            products,
            page,
            pages,
            total,
        } = category.listing;
        view! {
            <Title text=category.category.name.clone() />
            <Meta name="description" content=summary(&category.description) />
            <Canonical path=canonical />
            <CategoryTrail name=category.category.name.clone() path=path.clone() />
            <nav class="breadcrumbs" aria-label=tr!(catalog.breadcrumb)><a href=locale::href("/")>{tr!(catalog.home)}</a>" / "<span>{category.category.name.clone()}</span></nav>
            <header class="listing-header">
                <div>
                    <h1>{category.category.name}</h1>
                    <p class="muted">{category.description}</p>
                </div>
                // A GET form: works without JavaScript; with it, the router navigates in place.
                <form class="sort-form" method="get" action=path>
                    <label for="sort">{tr!(catalog.sort_by)}</label>
                    <select id="sort" name="sort">
                        {Sort::ALL.into_iter().map(|s| view! {
                            <option value=s.key() selected=s == sort>{s.label(locale::current())}</option>
                        }).collect_view()}
                    </select>
                    <button type="submit">{tr!(catalog.apply)}</button>
                </form>
            </header>
            <p class="muted" aria-live="polite">{tr!(catalog.products, count = total)}</p>
            <ProductGrid products />
            <Pagination listing_page=page pages href />
        }
        .into_any()
    })
}

#[component]
pub fn ProductPage() -> impl IntoView {
    cache_in_browser();
    let params = use_params_map();
    let product = Resource::new(
        move || params.read().get("slug").unwrap_or_default(),
        get_product,
    );
    load_page(product, |product| {
        view! { <ProductDetails product /> }.into_any()
    })
}

/// The variant a product page opens with: the one its address names (`?variant=SKU`), else the
/// first that can be bought, else the first.
fn chosen_variant(variants: &[VariantChoice], sku: Option<&str>) -> Option<VariantChoice> {
    let named = sku.and_then(|sku| variants.iter().find(|v| v.sku.eq_ignore_ascii_case(sku)));
    named
        .or_else(|| variants.iter().find(|v| v.can_be_bought()))
        .or_else(|| variants.first())
        .cloned()
}

/// One radio group per option, the chosen variant's values checked; a value no variant can be
/// bought in says it is sold out. A plain form field: it works without JavaScript.
#[component]
fn OptionPicker(
    options: Vec<ProductOption>,
    variants: Vec<VariantChoice>,
    chosen: Vec<String>,
) -> impl IntoView {
    options
        .into_iter()
        .enumerate()
        .map(|(i, option)| {
            let field = format!("option{}", i + 1);
            let choices = option.choices.iter().map(|value| {
                let id = format!("{field}-{}", crate::ui::urlencode(value));
                let available = variants
                    .iter()
                    .any(|v| v.values.get(i) == Some(value) && v.can_be_bought());
                let label = if available {
                    value.clone()
                } else {
                    tr!(catalog.variant_sold_out, value)
                };
                view! {
                    <label class="option-choice">
                        <input type="radio" id=id name=field.clone() value=value.clone()
                            checked=chosen.get(i) == Some(value) required />
                        {label}
                    </label>
                }
            });
            view! {
                <fieldset class="option-picker">
                    <legend>{option.name.clone()}</legend>
                    {choices.collect_view()}
                </fieldset>
            }
        })
        .collect_view()
}

/// How the product page words a stock figure, and its class.
fn stock_words(stock: u32) -> (&'static str, String) {
    match stock {
        0 => ("stock stock-out", tr!(catalog.sold_out).to_owned()),
        n if n <= 10 => ("stock stock-low", tr!(catalog.only_left, count = n)),
        _ => ("stock stock-in", tr!(catalog.in_stock).to_owned()),
    }
}

/// Each variant's price (and regular price while on sale), stock and photo (its own, else the
/// product's first) as the page words them, hidden: what the picker's island shows when the
/// shopper chooses other values (the server's figures and words, no request).
#[component]
fn VariantFigures(
    variants: Vec<VariantChoice>,
    main_image: Option<(String, String)>,
) -> impl IntoView {
    (!variants.is_empty()).then(|| {
        let entries = variants.into_iter().map(|variant| {
            let stock = if variant.on_sale { variant.stock } else { 0 };
            let (class, words) = stock_words(stock);
            let was = crate::domain::catalog::was(variant.price, variant.regular);
            let (image, alt) = variant
                .image
                .map(|image| (image.path, image.alt))
                .or_else(|| main_image.clone())
                .unzip();
            view! {
                <li data-values=variant.values.join("|") data-price=variant.price.to_string()
                    data-was=was.map(|was| was.to_string()).unwrap_or_default()
                    data-image=image data-image-alt=alt data-stock=words data-stock-class=class></li>
            }
        });
        view! { <ul class="variant-figures" hidden>{entries.collect_view()}</ul> }
    })
}

/// A product page's head and what machines read: title, description, canonical address, Open
/// Graph and Twitter card tags (`price`: the one the page shows), and its JSON-LD with the
/// breadcrumb trail's.
#[component]
fn ProductHead(product: ProductDetail, price: Money) -> impl IntoView {
    let origin = crate::page::public_url();
    let path = format!("/p/{}", product.slug);
    let page = format!("{origin}{}", locale::href(&path));
    let description = summary(&product.description);
    let image = product
        .images
        .first()
        .map(|image| format!("{origin}{}", image.path));
    let category = format!(
        "{origin}{}",
        locale::href(&format!("/c/{}", product.category.slug))
    );
    let trail = structured::breadcrumbs(&[
        (tr!(catalog.home), format!("{origin}{}", locale::href("/"))),
        (&product.category.name, category),
        (&product.name, page.clone()),
    ]);
    let described = structured::product(&product, &page, &origin);
    view! {
        <Title text=product.name.clone() />
        <Meta name="description" content=description.clone() />
        <Canonical path />
        <Meta property="og:type" content="product" />
        <Meta property="og:title" content=product.name.clone() />
        <Meta property="og:description" content=description.clone() />
        <Meta property="og:url" content=page />
        {image.clone().map(|image| view! { <Meta property="og:image" content=image /> })}
        <Meta property="product:price:amount" content=price.decimal() />
        <Meta property="product:price:currency" content=price.currency.code() />
        <Meta name="twitter:card" content=if image.is_some() { "summary_large_image" } else { "summary" } />
        <Meta name="twitter:title" content=product.name />
        <Meta name="twitter:description" content=description />
        {image.map(|image| view! { <Meta name="twitter:image" content=image /> })}
        <JsonLd value=described />
        <JsonLd value=trail />
    }
}

/// The price in force, and the regular price struck through beside it while on sale (kept,
/// hidden, when not: the island fills it in for a variant that is).
#[component]
fn PriceTag(price: Money, was: Option<Money>) -> impl IntoView {
    view! {
        <p class="price">
            <s class="price-was" aria-label=tr!(catalog.regular_price) hidden=was.is_none()>
                {was.map(|was| was.to_string())}
            </s>" "
            <span class="price-now">{price.to_string()}</span>
        </p>
    }
}

/// The product's photos: the chosen variant's own leads, the others follow as thumbnails.
#[component]
fn ProductGallery(mut images: Vec<Image>, chosen: Option<VariantImage>) -> impl IntoView {
    if let Some(own) = chosen.and_then(|own| images.iter().position(|i| i.path == own.path)) {
        let own = images.remove(own);
        images.insert(0, own);
    }
    let mut images = images.into_iter();
    let main_image = images.next();
    view! {
        <div class="product-gallery">
            {main_image.map(|image| view! {
                <img class="product-image" src=image.path alt=image.alt width="600" height="600" />
            })}
            <div class="thumbs">
                {images.map(|image| view! { <img src=image.path alt=image.alt width="120" height="120" loading="lazy" /> }).collect_view()}
            </div>
        </div>
    }
}

#[component]
fn ProductDetails(product: ProductDetail) -> impl IntoView {
    let query = use_query_map();
    let chosen = chosen_variant(
        &product.variants,
        query.read_untracked().get("variant").as_deref(),
    );
    let (price, was, stock) =
        chosen
            .as_ref()
            .map_or((product.price, product.was, product.stock), |v| {
                let stock = if v.on_sale { v.stock } else { 0 };
                (
                    v.price,
                    crate::domain::catalog::was(v.price, v.regular),
                    stock,
                )
            });
    let chosen_image = chosen.as_ref().and_then(|v| v.image.clone());
    let head = view! { <ProductHead product=product.clone() price /> }.into_any();
    let picker = chosen.map(|variant| {
        let (options, variants) = (product.options.clone(), product.variants.clone());
        view! { <OptionPicker options variants chosen=variant.values /> }.into_any()
    });
    // With options, the form stays while any combination can be bought: the shopper may choose
    // another one.
    let buyable = stock > 0 || product.variants.iter().any(VariantChoice::can_be_bought);
    let (stock_class, stock_text) = stock_words(stock);
    let first_image = product
        .images
        .first()
        .map(|image| (image.path.clone(), image.alt.clone()));
    let paragraphs = product
        .description
        .split("\n\n")
        .map(|p| view! { <p>{p.to_owned()}</p> })
        .collect_view();
    view! {
        {head}
        <nav class="breadcrumbs" aria-label=tr!(catalog.breadcrumb)>
            <a href=locale::href("/")>{tr!(catalog.home)}</a>" / "
            <a href=locale::href(&format!("/c/{}", product.category.slug))>{product.category.name}</a>" / "
            <span>{product.name.clone()}</span>
        </nav>
        <article class="product">
            <ProductGallery images=product.images chosen=chosen_image />
            <div class="product-info">
                <h1>{product.name.clone()}</h1>
                <PriceTag price was />
                <p class=stock_class>{stock_text}</p>
                {buyable.then(|| view! {
                    <AddToCartForm product_id=product.id max=stock.max(1) picker />
                })}
                <VariantFigures variants=product.variants main_image=first_image />
                <div class="description">{paragraphs}</div>
            </div>
        </article>
    }
}

#[component]
pub fn SearchPage() -> impl IntoView {
    cache_in_browser();
    let query = use_query_map();
    let results = Resource::new(
        move || {
            let query = query.read();
            (
                query.get("q").unwrap_or_default(),
                query.get("page").unwrap_or_default(),
            )
        },
        |(q, page)| search(q, page),
    );
    load_page(results, |results| {
        let encoded = urlencode(&results.query);
        let href = move |page: u32| {
            if page > 1 {
                locale::href(&format!("/search?q={encoded}&page={page}"))
            } else {
                locale::href(&format!("/search?q={encoded}"))
            }
        };
        let Listing {
            products,
            page,
            pages,
            total,
        } = results.listing;
        let heading = if results.query.is_empty() {
            tr!(catalog.search).to_owned()
        } else {
            tr!(catalog.results_for, query = results.query.clone())
        };
        view! {
            <Title text=heading.clone() />
            <Meta name="robots" content="noindex" />
            <h1>{heading}</h1>
            {if results.query.is_empty() {
                view! { <p class="muted">{tr!(catalog.search_hint)}</p> }.into_any()
            } else if total == 0 {
                view! { <p class="muted">{tr!(catalog.nothing_matched)}</p> }.into_any()
            } else {
                view! {
                    <p class="muted" aria-live="polite">{tr!(catalog.products_found, count = total)}</p>
                    <ProductGrid products />
                    <Pagination listing_page=page pages href />
                }.into_any()
            }}
        }
        .into_any()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_stop_at_a_word() {
        assert_eq!(summary("short"), "short");
        let long = "word ".repeat(50);
        let s = summary(&long);
        assert!(s.chars().count() <= 156 && s.ends_with("word…"), "{s}");
    }
}
