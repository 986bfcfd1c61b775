//! The cart's islands: the only cart code that ships to the browser. The forms themselves are
//! server-rendered plain forms (they post and redirect, so the cart works without JavaScript);
//! these islands wrap them and, in the browser, send them with `fetch` instead, so adding to the
//! cart and changing quantities update the page in place (`browser.rs`).
//!
//! Islands are hydrated one by one and do not share context. After a change they read the cart
//! page as the server renders it now, and take from it what they show: the lines and totals, and
//! the header's unit count (with its label, whose plural the server worked out in the page's
//! language).

use crate::error::AppError;
use crate::ui::ErrorNotice;
use leptos::prelude::*;

/// The id of the header's unit count, which the islands refresh after a change.
pub const CART_COUNT: &str = "cart-count";

/// The id of the cart page's lines and totals, which the islands refresh after a change.
pub const CART_CONTENTS: &str = "cart-contents";

/// What the last cart action said ("Added…", "Only 3 left…").
type Notice = RwSignal<Option<Result<String, AppError>>>;

fn notice_view(notice: Notice) -> impl IntoView {
    move || {
        notice.get().map(|result| match result {
            Ok(message) => view! {
                <div class="notice notice-ok" role="status">
                    <span>{message}</span>" "<a href=crate::locale::href("/cart")>{crate::tr!(cart.view)}</a>
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

/// Refreshes the parts of this page that show the cart (those of `ids` it has) from the cart page
/// as the server renders it now, in this page's language.
#[cfg(feature = "hydrate")]
async fn refresh_from_cart_page(ids: &[&str]) {
    if let Ok(page) = crate::browser::page(&crate::locale::href("/cart")).await {
        for id in ids {
            crate::browser::replace(&page, id);
        }
    }
}

/// Around the product page's "Add to cart" form: with JavaScript the page stays and says what was
/// added; without, the form posts and lands on the cart.
#[island]
pub fn AddToCartEnhanced(children: Children) -> impl IntoView {
    let notice: Notice = RwSignal::new(None);
    let submit = enhance(notice, || async {
        #[cfg(feature = "hydrate")]
        refresh_from_cart_page(&[CART_COUNT]).await;
    });
    // Choosing another size or colour shows that variant's price and stock at once, without a
    // request, from the server's own figures beside the form. Without JavaScript the form still
    // names the values and the server decides.
    let changed = move |_event: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        crate::browser::show_chosen_variant(&_event);
    };
    view! {
        {notice_view(notice)}
        <div on:submit=submit on:change=changed>{children()}</div>
    }
}

/// Around the cart page's lines and totals: after each change the lines and totals are
/// refreshed from the server's rendering of the cart (prices always come from the database).
#[island]
pub fn CartEnhanced(children: Children) -> impl IntoView {
    let notice: Notice = RwSignal::new(None);
    let submit = enhance(notice, || async {
        #[cfg(feature = "hydrate")]
        refresh_from_cart_page(&[CART_CONTENTS, CART_COUNT]).await;
    });
    view! {
        {notice_view(notice)}
        <div on:submit=submit>{children()}</div>
    }
}
