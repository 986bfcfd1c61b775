//! The checkout's islands: the live total beside the form (with the ways to ship to the chosen
//! country), the payment methods' country switch, and the accept page's status line. They render
//! on the server with what is true at that moment; in the browser they follow the shopper's
//! choices and the payment's progress, with what the server says. None decides anything: the
//! totals shown are the server's, computed again when the order is placed, and only Paysera's
//! callback pays.

use leptos::prelude::*;

/// The figures [`CheckoutTotal`] keeps up to date: elements with `data-figure` set to these.
pub const SHIPPING_PRICE: &str = "shipping";
pub const TOTAL_TO_PAY: &str = "total";
pub const VAT_INCLUDED: &str = "vat";

/// The checkout's shipping fieldset: [`CheckoutTotal`] brings the methods for another country
/// into it.
pub const SHIPPING_OPTIONS: &str = "shipping-options";

/// Around the checkout's summary: when the shopper picks another way to ship, shows its price,
/// the total with it and the VAT that total holds. Each shipping radio button carries the figures
/// (`data-price`, `data-total`, `data-vat`), worked out and written by the server, so the browser does no arithmetic on
/// money. When the shopper picks another country, the ways to ship there come from the server
/// (without JavaScript, the order is checked against the country when it is sent).
#[island]
pub fn CheckoutTotal(children: Children) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let listener = window_event_listener(leptos::ev::change, move |event| {
            let Some(target) = event.target() else { return };
            if let Some(input) = target.dyn_ref::<web_sys::HtmlInputElement>() {
                if input.name() == "shipping" {
                    show_figures(input);
                }
            } else if let Some(select) = target.dyn_ref::<web_sys::HtmlSelectElement>() {
                if select.name() == "country" {
                    let url = crate::locale::href(&format!("/checkout?ship_to={}", select.value()));
                    leptos::task::spawn_local(async move {
                        if let Ok(page) = crate::browser::page(&url).await {
                            crate::browser::replace(&page, SHIPPING_OPTIONS);
                            crate::browser::replace(&page, POINT_PICKER);
                            let chosen = crate::browser::element(SHIPPING_OPTIONS)
                                .and_then(|f| f.query_selector("input:checked").ok().flatten())
                                .and_then(|c| c.dyn_into::<web_sys::HtmlInputElement>().ok());
                            if let Some(chosen) = chosen {
                                show_figures(&chosen);
                            }
                        }
                    });
                }
            }
        });
        on_cleanup(move || listener.remove());
    }
    children()
}

/// Shows the shipping price and total a shipping radio button carries.
#[cfg(feature = "hydrate")]
fn show_figures(input: &web_sys::HtmlInputElement) {
    for (attribute, id) in [
        ("data-price", SHIPPING_PRICE),
        ("data-total", TOTAL_TO_PAY),
        ("data-vat", VAT_INCLUDED),
    ] {
        let figure = input.get_attribute(attribute).unwrap_or_default();
        crate::browser::set_text(&format!("[data-figure={id}]"), &figure);
    }
}

/// The checkout's pick-up point fieldset: [`CheckoutTotal`] brings the points of another country
/// into it, and [`PointSearch`] narrows its list.
pub const POINT_PICKER: &str = "point";

/// Around the pick-up point list: narrows it as the shopper types, by the same rule as the
/// server's search (`domain::pickup_points::Search`) applied to what each entry shows and its
/// city, hiding the points that do not match. The list is already in the page; nothing is
/// fetched. Without JavaScript the search narrows the list when the form's search is sent.
#[island]
pub fn PointSearch(children: Children) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let listener = window_event_listener(leptos::ev::input, move |event| {
            let typed = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                .filter(|input| input.name() == "point_search");
            if let Some(input) = typed {
                narrow(&crate::domain::pickup_points::Search::parse(&input.value()));
            }
        });
        on_cleanup(move || listener.remove());
    }
    children()
}

/// Hides the list's points (and cities) that `search` does not match.
#[cfg(feature = "hydrate")]
fn narrow(search: &crate::domain::pickup_points::Search) {
    use wasm_bindgen::JsCast;
    let Some(groups) = crate::browser::element(POINT_PICKER)
        .and_then(|picker| picker.query_selector_all("optgroup").ok())
    else {
        return;
    };
    for i in 0..groups.length() {
        let Some(group) = groups
            .item(i)
            .and_then(|g| g.dyn_into::<web_sys::Element>().ok())
        else {
            continue;
        };
        let city = group.get_attribute("label").unwrap_or_default();
        let options = group.children();
        let mut shown = 0;
        for j in 0..options.length() {
            let Some(option) = options.item(j) else {
                continue;
            };
            let text = format!("{city} {}", option.text_content().unwrap_or_default());
            let hit = search.matches(&crate::domain::pickup_points::fold(&text));
            let _ = option.toggle_attribute_with_force("hidden", !hit);
            shown += usize::from(hit);
        }
        let _ = group.toggle_attribute_with_force("hidden", shown == 0);
    }
}

/// The element [`PaymentMethodsSwitch`] refreshes: the country links and the methods.
pub const PAYMENT_METHODS: &str = "payment-methods";

/// Around the checkout's payment methods: a link to another country's methods brings that list
/// from the server into the page, leaving everything typed in the form as it is (without
/// JavaScript the link loads the checkout page for that country).
#[island]
pub fn PaymentMethodsSwitch(children: Children) -> impl IntoView {
    let switch = move |event: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let link = event
                .target()
                .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
                .and_then(|element| element.closest(".method-countries a").ok().flatten());
            if let Some(href) = link.and_then(|link| link.get_attribute("href")) {
                event.prevent_default();
                leptos::task::spawn_local(async move {
                    if let Ok(page) = crate::browser::page(&href).await {
                        crate::browser::replace(&page, PAYMENT_METHODS);
                    }
                });
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = event;
    };
    view! { <div on:click=switch>{children()}</div> }
}

/// The element the accept page's island refreshes; `data-pending` while the payment is open.
pub const ORDER_LIVE: &str = "order-live";

/// Around the accept page's status: while the payment is pending, the browser asks the server
/// for the page again every two seconds and shows its new status (without JavaScript the page
/// reloads itself instead).
#[island]
pub fn LiveOrderStatus(children: Children) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    if let Ok(handle) = set_interval_with_handle(
        || {
            let pending = crate::browser::element(ORDER_LIVE)
                .is_some_and(|live| live.has_attribute("data-pending"));
            if pending {
                leptos::task::spawn_local(async {
                    let here = window().location().href().unwrap_or_default();
                    if let Ok(page) = crate::browser::page(&here).await {
                        crate::browser::replace(&page, ORDER_LIVE);
                    }
                });
            }
        },
        std::time::Duration::from_secs(2),
    ) {
        on_cleanup(move || handle.clear());
    }
    children()
}
