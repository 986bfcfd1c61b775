//! The cart's server-rendered parts: the header link, the add-to-cart form, the cart page and the
//! notice that reports a failed cart action posted without JavaScript. Every form is a plain form;
//! the islands around them (`islands.rs`) send them without a page load when JavaScript runs.

use super::islands::{AddToCartEnhanced, CartEnhanced, CART_CONTENTS, CART_COUNT};
use super::{get_cart, AddToCart, EmptyCart, RemoveCartLine, UpdateCartLine};
use crate::checkout::discount::DiscountForm;
use crate::domain::cart::{CartLine, CartView};
use crate::domain::inventory::Shortfall;
use crate::error::AppError;
use crate::locale;
use crate::page::load_page;
use crate::tr;
use crate::ui::ErrorNotice;
use leptos::prelude::*;
use leptos::server_fn::error::ServerFnUrlError;
use leptos::server_fn::ServerFn;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_location;

/// A cart form posted without JavaScript that failed comes back to its page with the error in
/// the URL (`__path`, `__err`); this shows it above the page. With JavaScript the islands show
/// their own answers. Anyone can write such a URL and send it to a shopper, so only the error's
/// kind is read from it: the words are the shop's own ([`in_our_words`]), never the URL's.
#[component]
pub fn CartNotice() -> impl IntoView {
    let query = use_location().query.read_untracked();
    let error = query
        .get_str("__path")
        .filter(|path| {
            [
                AddToCart::PATH,
                UpdateCartLine::PATH,
                RemoveCartLine::PATH,
                EmptyCart::PATH,
            ]
            .contains(path)
        })
        .map(|_| {
            in_our_words(ServerFnUrlError::<AppError>::decode_err(
                query.get_str("__err").unwrap_or_default(),
            ))
        });
    error.map(|error| view! { <ErrorNotice error /> })
}

/// A fixed message, in the page's language, for each kind of error a cart action can end in.
fn in_our_words(error: AppError) -> AppError {
    match error {
        AppError::BadRequest(_) => AppError::BadRequest(tr!(cart.failed.bad_request).into()),
        AppError::NotFound(_) => AppError::NotFound(tr!(cart.failed.not_found).into()),
        AppError::Conflict(_) => AppError::Conflict(tr!(cart.failed.conflict).into()),
        refused @ AppError::CodeRefused(_) => refused,
        AppError::Busy | AppError::TooManyRequests(_) => AppError::Busy,
        AppError::Unauthorized(_) | AppError::Internal => AppError::Internal,
    }
}

#[component]
pub fn CartLink() -> impl IntoView {
    let count = crate::app::with_chrome(|chrome| chrome.cart_count);
    view! {
        <a href=locale::href("/cart") class="cart-link">
            <span>{tr!(cart.link)}</span>
            <span class="cart-count" id=CART_COUNT data-testid="cart-count" aria-label=tr!(cart.items, count)>
                {count}
            </span>
        </a>
    }
}

/// The product page's add-to-cart form; `picker` (for a product with options) is its option
/// choices, named `option1`…`option3`.
#[component]
pub fn AddToCartForm(product_id: i64, max: u32, picker: Option<AnyView>) -> impl IntoView {
    view! {
        <AddToCartEnhanced>
            <form method="post" action=AddToCart::PATH class="add-to-cart">
                <input type="hidden" name="product_id" value=product_id />
                {picker}
                <label for="quantity">{tr!(cart.quantity)}</label>
                <input id="quantity" type="number" name="quantity" value="1" min="1" max=max.min(crate::quantity::Quantity::MAX)
                    inputmode="numeric" required />
                <button type="submit" class="button-primary">{tr!(cart.add)}</button>
            </form>
        </AddToCartEnhanced>
    }
}

/// What the shopper can do about a line that cannot be bought as it stands.
fn problem_text(problem: Shortfall) -> String {
    match problem {
        Shortfall::Unavailable => tr!(cart.problem.unavailable).into(),
        Shortfall::SoldOut => tr!(cart.problem.sold_out).into(),
        Shortfall::OnlyLeft(n) => tr!(cart.problem.only_left, count = n),
    }
}

#[component]
pub fn CartPage() -> impl IntoView {
    let cart = Resource::new(|| (), |_| get_cart());
    let discount = Resource::new(|| (), |_| crate::checkout::discount::current_discount());
    view! {
        <Title text=tr!(cart.title) />
        <Meta name="robots" content="noindex" />
        <Meta name="description" content=tr!(cart.description) />
        <h1>{tr!(cart.title)}</h1>
        {load_page(cart, move |view| {
            view! {
            <CartEnhanced>
                <div id=CART_CONTENTS>
                    {if view.lines.is_empty() {
                        view! {
                            <p class="empty-cart">{tr!(cart.emptied)}</p>
                            <p><a href=locale::href("/")>{tr!(cart.start_shopping)}</a></p>
                        }
                        .into_any()
                    } else {
                        view! {
                            <CartContents view />
                            <Suspense>
                                {move || discount.get().and_then(Result::ok).map(|(applied, error)| view! {
                                    <DiscountForm applied error page="cart" />
                                })}
                            </Suspense>
                        }.into_any()
                    }}
                </div>
            </CartEnhanced>
            }.into_any()
        })}
    }
}

#[component]
fn CartContents(view: CartView) -> impl IntoView {
    let has_problems = view.has_problems();
    view! {
        <table class="cart-table">
            <thead>
                <tr>
                    <th scope="col">{tr!(cart.product)}</th>
                    <th scope="col">{tr!(cart.price)}</th>
                    <th scope="col">{tr!(cart.quantity)}</th>
                    <th scope="col">{tr!(cart.total)}</th>
                    <th scope="col"><span class="visually-hidden">{tr!(cart.remove)}</span></th>
                </tr>
            </thead>
            <tbody>
                {view.lines.into_iter().map(|line| view! { <CartRow line /> }).collect_view()}
            </tbody>
        </table>
        <div class="cart-summary">
            {has_problems.then(|| view! {
                <p class="line-problem">{tr!(cart.some_problems)}</p>
            })}
            <dl>
                <dt>{tr!(cart.subtotal)}</dt>
                <dd data-testid="cart-subtotal">{view.subtotal.to_string()}</dd>
                <dt>{tr!(cart.total)}</dt>
                <dd data-testid="cart-total" class="total">{view.total.to_string()}</dd>
            </dl>
            <p class="muted">{tr!(cart.shipping_later)}</p>
            {(!has_problems).then(|| view! { <a href=locale::href("/checkout") class="button-primary checkout-button">{tr!(cart.checkout)}</a> })}
            <form method="post" action=EmptyCart::PATH class="empty-form">
                <button type="submit" class="button-link">{tr!(cart.empty)}</button>
            </form>
        </div>
    }
}

#[component]
fn CartRow(line: CartLine) -> impl IntoView {
    let quantity_id = format!("quantity-{}", line.variant_id);
    let quantity_label = tr!(cart.quantity_of, name = &line.name);
    let remove_label = tr!(cart.remove_named, name = &line.name);
    view! {
        <tr class="cart-line" data-product=line.slug.clone()>
            <td class="line-product">
                {line.image.map(|image| view! { <img src=image.path alt="" width="64" height="64" /> })}
                <div>
                    <a href=locale::href(&format!("/p/{}", line.slug))>{line.name}</a>
                    {line.problem.map(|problem| view! { <p class="line-problem">{problem_text(problem)}</p> })}
                </div>
            </td>
            <td data-label=tr!(cart.price)>{line.unit_price.to_string()}</td>
            <td data-label=tr!(cart.quantity)>
                <form method="post" action=UpdateCartLine::PATH class="quantity-form">
                    <input type="hidden" name="variant_id" value=line.variant_id />
                    <label class="visually-hidden" for=quantity_id.clone()>{quantity_label}</label>
                    <input id=quantity_id type="number" name="quantity" value=line.quantity.get()
                        min="1" max=crate::quantity::Quantity::MAX inputmode="numeric" required />
                    <button type="submit">{tr!(cart.update)}</button>
                </form>
            </td>
            <td data-label=tr!(cart.total) class="line-total">{line.line_total.to_string()}</td>
            <td>
                <form method="post" action=RemoveCartLine::PATH>
                    <input type="hidden" name="variant_id" value=line.variant_id />
                    <button type="submit" class="button-link" aria-label=remove_label>{tr!(cart.remove)}</button>
                </form>
            </td>
        </tr>
    }
}
