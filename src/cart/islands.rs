//! The cart's islands: the only cart code that ships to the browser. The forms themselves are
//! server-rendered plain forms (they post and redirect, so the cart works without JavaScript);
//! these islands wrap them and, in the browser, send them with `fetch` instead, so adding to the
//! cart and changing quantities update the page in place (`browser.rs`).
//!
//! Islands are hydrated one by one and do not share context, so the header's badge learns of a
//! change through a window event ([`CART_CHANGED`]) rather than a shared signal.

use crate::error::AppError;
use crate::ui::ErrorNotice;
use leptos::prelude::*;

/// Dispatched on `window` with the cart's new unit count as its `detail`.
#[cfg(feature = "hydrate")]
const CART_CHANGED: &str = "turgus:cart-changed";

/// Tells the header's badge how many units the cart now holds.
#[cfg(feature = "hydrate")]
fn announce_count(count: u32) {
    let init = web_sys::CustomEventInit::new();
    init.set_detail(&wasm_bindgen::JsValue::from(count));
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(CART_CHANGED, &init) {
        let _ = window().dispatch_event(&event);
    }
}

/// The id of the header's unit count, which [`CartBadge`] keeps up to date.
pub const CART_COUNT: &str = "cart-count";

/// Around the header's link to the cart: keeps its unit count up to date as the islands change
/// the cart.
#[island]
pub fn CartBadge(children: Children) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let listener = window_event_listener_untyped(CART_CHANGED, move |event| {
            let detail = event
                .dyn_ref::<web_sys::CustomEvent>()
                .and_then(|event| event.detail().as_f64());
            if let (Some(units), Some(badge)) = (detail, crate::browser::element(CART_COUNT)) {
                let units = (units as u32).to_string();
                badge.set_text_content(Some(&units));
                let _ = badge.set_attribute("aria-label", &format!("{units} items"));
            }
        });
        on_cleanup(move || listener.remove());
    }
    children()
}

/// What the last cart action said ("Added…", "Only 3 left…").
type Notice = RwSignal<Option<Result<String, AppError>>>;

fn notice_view(notice: Notice) -> impl IntoView {
    move || {
        notice.get().map(|result| match result {
            Ok(message) => view! {
                <div class="notice notice-ok" role="status">
                    <span>{message}</span>" "<a href="/cart">"View cart"</a>
                </div>
            }
            .into_any(),
            Err(error) => view! { <ErrorNotice error /> }.into_any(),
        })
    }
}

/// Sends the submitted form with `fetch`, shows its answer, then lets `after` update the page.
/// Without JavaScript (or on the server) nothing is intercepted: the form posts as it is.
#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
fn enhance<F, Fut>(notice: Notice, after: F) -> impl Fn(leptos::ev::SubmitEvent) + 'static
where
    F: Fn() -> Fut + Copy + 'static,
    Fut: std::future::Future<Output = ()> + 'static,
{
    move |event| {
        #[cfg(feature = "hydrate")]
        if let Some(form) = crate::browser::form_of(&event) {
            event.prevent_default();
            leptos::task::spawn_local(async move {
                let answer = crate::browser::post_form(&form).await;
                let succeeded = answer.is_ok();
                notice.set(Some(answer));
                if succeeded {
                    after().await;
                }
            });
        }
    }
}

/// The cart's unit count as the server has it now (from `get_cart`, without rendering a page).
#[cfg(feature = "hydrate")]
async fn announce_server_count() {
    use leptos::server_fn::ServerFn;
    if let Some(units) = crate::browser::number_from(super::GetCart::PATH, "item_count").await {
        announce_count(units as u32);
    }
}

/// Around the product page's "Add to cart" form: with JavaScript the page stays and says what was
/// added; without, the form posts and lands on the cart.
#[island]
pub fn AddToCartEnhanced(children: Children) -> impl IntoView {
    let notice: Notice = RwSignal::new(None);
    let submit = enhance(notice, || async {
        #[cfg(feature = "hydrate")]
        announce_server_count().await;
    });
    view! {
        {notice_view(notice)}
        <div on:submit=submit>{children()}</div>
    }
}

/// Around the cart page's lines and totals: after each change the lines and totals are
/// refreshed from the server's rendering of the cart (prices always come from the database).
#[island]
pub fn CartEnhanced(children: Children) -> impl IntoView {
    let notice: Notice = RwSignal::new(None);
    let submit = enhance(notice, || async {
        #[cfg(feature = "hydrate")]
        if let Ok(page) = crate::browser::page("/cart").await {
            let count = crate::browser::replace(&page, super::pages::CART_CONTENTS)
                .and_then(|contents| contents.get_attribute("data-item-count"))
                .and_then(|count| count.parse().ok());
            if let Some(count) = count {
                announce_count(count);
            }
        }
    });
    view! {
        {notice_view(notice)}
        <div on:submit=submit>{children()}</div>
    }
}
