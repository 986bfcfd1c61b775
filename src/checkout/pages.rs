//! The checkout page and the pages shoppers return to from Paysera.

use super::discount::{DiscountForm, DiscountView};
use super::islands::{
    CheckoutTotal, LiveOrderStatus, PaymentMethodsSwitch, PointSearch, ORDER_LIVE, PAYMENT_METHODS,
    POINT_PICKER, SHIPPING_OPTIONS, SHIPPING_PRICE, TOTAL_TO_PAY, VAT_INCLUDED,
};
use super::{
    get_checkout, get_order_page, CancelOutcome, CheckoutView, MethodGroup, OrderPage, PlaceOrder,
    PointPicker,
};
use crate::domain::cart::CartView;
use crate::domain::orders::OrderStatus;
use crate::locale;
use crate::money::Money;
use crate::page::load_page;
use crate::tr;
use crate::ui::ErrorNotice;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

#[component]
pub fn CheckoutPage() -> impl IntoView {
    let query = use_query_map();
    // Rendered on the server: the form posts without JavaScript too, and placing the order answers
    // with a redirect to Paysera (or back here, with what to fix).
    let place = ServerAction::<PlaceOrder>::new();
    let checkout = Resource::new(
        move || {
            let query = query.read();
            let text = |key| query.get(key).unwrap_or_default();
            (text("country"), text("ship_to"))
        },
        |(country, ship_to)| get_checkout(country, ship_to),
    );
    view! {
        <Title text=tr!(checkout.title) />
        <Meta name="robots" content="noindex" />
        <Meta name="description" content=tr!(checkout.description) />
        <h1>{tr!(checkout.title)}</h1>
        {move || place.value().get().and_then(|r| r.err()).map(|e| view! {
            <ErrorNotice error=e />
        })}
        {load_page(checkout, move |view| {
            if view.cart.lines.is_empty() {
                return view! { <p>{tr!(cart.emptied)}</p><p><a href=locale::href("/")>{tr!(cart.start_shopping)}</a></p> }.into_any();
            }
            view! { <CheckoutForm view place /> }.into_any()
        })}
    }
}

/// A labelled text input with its error, if any, right below it.
#[component]
fn Field(
    name: &'static str,
    label: String,
    value: String,
    error: Option<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "")] autocomplete: &'static str,
) -> impl IntoView {
    let error_id = format!("{name}-error");
    let has_error = error.is_some();
    let described = has_error.then(|| error_id.clone());
    view! {
        <div class="field" class:has-error=has_error>
            <label for=name>{label}</label>
            <input id=name name=name type=kind value=value autocomplete=autocomplete
                aria-invalid=has_error.then_some("true") aria-describedby=described />
            {error.map(|e| view! { <p class="field-error" id=error_id>{e}</p> })}
        </div>
    }
}

/// A way to ship as the form offers it: its price and the total to pay with it, as the server
/// will charge them.
struct ShippingOption {
    key: String,
    label: String,
    /// The method's description, and when it is free.
    details: String,
    price: String,
    total: String,
    /// The VAT the total would hold, per rate, in words (empty without VAT).
    vat: String,
}

/// The summary's figures for one way to ship.
#[derive(Clone)]
struct Figures {
    shipping: String,
    total: String,
    vat: String,
}

impl Figures {
    /// The figures of the option `chosen`, or dashes when none is.
    fn of(options: &[ShippingOption], chosen: &str) -> Figures {
        match options.iter().find(|o| o.key == chosen) {
            Some(o) => Figures {
                shipping: o.price.clone(),
                total: o.total.clone(),
                vat: o.vat.clone(),
            },
            None => Figures {
                shipping: "—".into(),
                total: "—".into(),
                vat: String::new(),
            },
        }
    }
}

fn shipping_options(view: &CheckoutView) -> Vec<ShippingOption> {
    let off = view.discount.as_ref().map_or(0, |d| d.off.minor);
    let goods = Money::new(view.cart.total.minor - off, view.cart.total.currency);
    let total_with = |shipping: Money| {
        goods
            .checked_add(shipping)
            .map_or_else(|| "—".into(), |total| total.to_string())
    };
    view.shipping
        .iter()
        .map(|choice| ShippingOption {
            key: choice.code.clone(),
            label: choice.name.clone(),
            details: [
                choice.description.clone(),
                choice
                    .free_above
                    .map(|limit| tr!(checkout.free_from, limit))
                    .unwrap_or_default(),
            ]
            .into_iter()
            .filter(|d| !d.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
            price: choice.price.to_string(),
            total: total_with(choice.price),
            vat: choice
                .vat
                .iter()
                .map(|share| format!("{} ({})", share.vat, share.rate.percent()))
                .collect::<Vec<_>>()
                .join(" · "),
        })
        .collect()
}

/// The shipping choices for the country the order goes to. Each radio button carries its price
/// and the total with it, for the summary's island to show when it is picked.
#[component]
fn ShippingFieldset(
    options: Vec<ShippingOption>,
    chosen: String,
    error: Option<String>,
) -> impl IntoView {
    let none = options.is_empty().then(|| {
        view! { <p class="field-error">{tr!(checkout.no_shipping)}</p> }
    });
    view! {
        <fieldset id=SHIPPING_OPTIONS>
            <legend>{tr!(checkout.shipping)}</legend>
            {none}
            {options.into_iter().map(|option| {
                let id = format!("shipping-{}", option.key);
                let label_for = id.clone();
                let checked = option.key == chosen;
                view! {
                    <label class="method" for=label_for>
                        <input type="radio" id=id name="shipping" value=option.key checked=checked
                            data-price=option.price.clone() data-total=option.total data-vat=option.vat />
                        <span>{option.label}" — "{option.price}
                            {(!option.details.is_empty()).then(|| view! { <small class="method-details">{option.details}</small> })}
                        </span>
                    </label>
                }
            }).collect_view()}
            {error.map(|e| view! { <p class="field-error">{e}</p> })}
        </fieldset>
    }
}

/// The pick-up point list of the carriers whose methods serve the country, with the phone the
/// carrier texts; a search narrows the list (live with JavaScript, on "Find" without). Always
/// in the page when such a method is offered, so a shopper without JavaScript can pick a point
/// whichever method is checked; the server requires it only for those methods.
#[component]
fn PointFieldset(
    picker: Option<PointPicker>,
    form: super::CheckoutForm,
    errors: [Option<String>; 3],
) -> impl IntoView {
    let [phone, point, _] = errors;
    let Some(picker) = picker else {
        return view! { <div id=POINT_PICKER></div> }.into_any();
    };
    let shown: usize = picker.groups.iter().map(|g| g.points.len()).sum();
    let total = picker.total;
    let none = (shown == 0 && total > 0)
        .then(|| view! { <p class="muted">{tr!(checkout.point.none)}</p> });
    let chosen = form.point.clone();
    let has_error = point.is_some();
    view! {
        <fieldset id=POINT_PICKER class="pickup-point" data-methods=picker.methods.join(" ")>
            <legend>{tr!(checkout.point.title)}</legend>
            <p class="muted">{tr!(checkout.point.why)}</p>
            <PointSearch>
                <div class="field point-search">
                    <label for="point_search">{tr!(checkout.point.search)}</label>
                    <input id="point_search" name="point_search" type="search" value=form.point_search autocomplete="off" placeholder=tr!(checkout.point.search_hint) />
                    <button type="submit" name="find_points" value="1" formnovalidate="">{tr!(checkout.point.find)}</button>
                </div>
                <div class="field" class:has-error=has_error>
                    <label for="point-select">{tr!(checkout.field.point)}" "<small class="muted">{tr!(checkout.point.shown, shown, total)}</small></label>
                    <select id="point-select" name="point" aria-invalid=has_error.then_some("true")>
                        <option value="">{tr!(checkout.point.choose)}</option>
                        {picker.groups.into_iter().map(|group| view! {
                            <optgroup label=group.city>
                                {group.points.into_iter().map(|(value, text)| {
                                    let selected = value == chosen;
                                    view! { <option value=value selected=selected>{text}</option> }
                                }).collect_view()}
                            </optgroup>
                        }).collect_view()}
                    </select>
                    {none}
                    {point.map(|e| view! { <p class="field-error">{e}</p> })}
                </div>
            </PointSearch>
            <Field name="phone" label=tr!(checkout.field.phone).into() kind="tel" autocomplete="tel" value=form.phone error=phone />
        </fieldset>
    }
    .into_any()
}

/// A discount code's row in a summary: what it took off the goods, or that shipping was free.
fn discount_row(discount: DiscountView) -> impl IntoView {
    let (what, amount) = if discount.free_shipping {
        (
            tr!(discount.free_shipping, code = discount.code),
            String::new(),
        )
    } else {
        (
            tr!(discount.line, code = discount.code),
            format!("−{}", discount.off),
        )
    };
    view! { <dt>{what}</dt><dd data-testid="discount">{amount}</dd> }
}

/// The order summary's figures: the subtotal, and the shipping and total for the chosen way to
/// ship (the island follows the other choices).
#[component]
fn SummaryTotals(
    subtotal: String,
    discount: Option<DiscountView>,
    figures: Figures,
    with_vat: bool,
) -> impl IntoView {
    let discount = discount.map(discount_row);
    view! {
        <CheckoutTotal>
            <dl>
                <dt>{tr!(cart.subtotal)}</dt>
                <dd data-testid="checkout-subtotal">{subtotal}</dd>
                {discount}
                <dt>{tr!(checkout.shipping)}</dt>
                <dd data-figure=SHIPPING_PRICE data-testid="checkout-shipping">{figures.shipping}</dd>
                <dt>{tr!(checkout.total_to_pay)}</dt>
                <dd data-figure=TOTAL_TO_PAY class="total" data-testid="checkout-total">{figures.total}</dd>
                {with_vat.then(|| view! {
                    <dt class="muted">{tr!(checkout.vat_included)}</dt>
                    <dd class="muted" data-figure=VAT_INCLUDED data-testid="checkout-vat">{figures.vat}</dd>
                })}
            </dl>
        </CheckoutTotal>
    }
}

/// What the payment part of the form shows.
struct PaymentChoices {
    chosen: String,
    /// Whose payment methods are listed.
    methods_country: String,
    countries: Vec<(String, String)>,
    groups: Vec<MethodGroup>,
    unavailable: bool,
    smsbank: bool,
    error: Option<String>,
}

/// "Choose at Paysera", SMS bank and Paysera's methods for one country, with links to the other
/// countries' lists (the island swaps the list in place; without JavaScript the link reloads).
#[component]
fn PaymentFieldset(payment: PaymentChoices) -> impl IntoView {
    let chosen = payment.chosen;
    let radio = move |value: String, title: String, logo: Option<String>| {
        let id = format!(
            "payment-{}",
            if value.is_empty() { "paysera" } else { &value }
        );
        let label_for = id.clone();
        let checked = chosen == value;
        view! {
            <label class="method" for=label_for>
                <input type="radio" id=id name="payment" value=value checked=checked />
                {logo.map(|src| view! { <img src=src alt="" width="48" height="24" loading="lazy" /> })}
                <span>{title}</span>
            </label>
        }
    };
    let country_links = payment.countries.iter().map(|(code, title)| {
        let current = *code == payment.methods_country;
        view! {
            <a href=locale::href(&format!("/checkout?country={code}")) aria-current=current.then_some("true")>{title.clone()}</a>
        }
    }).collect_view();
    let has_countries = !payment.countries.is_empty();
    view! {
        <fieldset>
            <legend>{tr!(checkout.payment)}</legend>
            <PaymentMethodsSwitch>
                <div id=PAYMENT_METHODS>
                    {has_countries.then(|| view! {
                        <nav class="method-countries" aria-label=tr!(checkout.methods_of)>{country_links}</nav>
                    })}
                    {radio(String::new(), tr!(checkout.choose_at_paysera).into(), None)}
                    {payment.smsbank.then(|| radio("smsbank".into(), tr!(checkout.smsbank).into(), None))}
                    {payment.groups.into_iter().map(|group| view! {
                        <div class="method-group">
                            <h2 class="method-group-title">{group.title}</h2>
                            {group.methods.into_iter().map(|m| radio(m.key, m.title, m.logo_url)).collect_view()}
                        </div>
                    }).collect_view()}
                    {payment.unavailable.then(|| view! {
                        <p class="muted">{tr!(checkout.methods_unavailable)}</p>
                    })}
                </div>
            </PaymentMethodsSwitch>
            {payment.error.map(|e| view! { <p class="field-error">{e}</p> })}
        </fieldset>
    }
}

/// "Buying for a company": a plain part of the form (a `<details>` opens without JavaScript),
/// open when anything in it was typed or refused.
#[component]
fn CompanyFieldset(form: super::CheckoutForm, errors: [Option<String>; 4]) -> impl IntoView {
    let open = errors.iter().any(Option::is_some)
        || [
            &form.company,
            &form.company_code,
            &form.vat_code,
            &form.company_address,
        ]
        .iter()
        .any(|value| !value.is_empty());
    let [company, company_code, vat_code, company_address] = errors;
    view! {
        <details class="company" open=open>
            <summary>{tr!(checkout.company.title)}</summary>
            <fieldset>
                <legend class="visually-hidden">{tr!(checkout.company.title)}</legend>
                <p class="muted">{tr!(checkout.company.why)}</p>
                <Field name="company" label=tr!(checkout.field.company).into() autocomplete="organization" value=form.company error=company />
                <Field name="company_code" label=tr!(checkout.field.company_code).into() autocomplete="off" value=form.company_code error=company_code />
                <Field name="vat_code" label=tr!(checkout.field.vat_code).into() autocomplete="off" value=form.vat_code error=vat_code />
                <Field name="company_address" label=tr!(checkout.field.company_address).into() autocomplete="off" value=form.company_address error=company_address />
            </fieldset>
        </details>
    }
}

/// The country to ship to, among those a shipping method serves.
#[component]
fn CountryField(
    countries: Vec<(String, String)>,
    chosen: String,
    error: Option<String>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for="country">{tr!(checkout.field.country)}</label>
            <select id="country" name="country" autocomplete="country">
                {countries.into_iter().map(|(code, name)| {
                    let selected = chosen == code;
                    view! { <option value=code selected=selected>{name}</option> }
                }).collect_view()}
            </select>
            {error.map(|e| view! { <p class="field-error">{e}</p> })}
        </div>
    }
}

/// The terms and returns policy the shopper accepts, linked.
#[component]
fn TermsField(checked: bool, error: Option<String>) -> impl IntoView {
    let invalid = error.is_some();
    view! {
        <div class="field" class:has-error=invalid>
            <label class="checkbox"><input type="checkbox" name="terms" value="on" checked=checked />
                <span>{tr!(checkout.terms.accept)}" "<a href=locale::href("/terms") target="_blank">{tr!(checkout.terms.terms)}</a>
                " "{tr!(checkout.terms.and_read)}" "<a href=locale::href("/returns") target="_blank">{tr!(checkout.terms.returns)}</a></span></label>
            {error.map(|e| view! { <p class="field-error">{e}</p> })}
        </div>
    }
}

/// The order beside the form: its lines and totals, with the chosen shipping.
#[component]
fn CheckoutSummary(
    cart: CartView,
    discount: (Option<DiscountView>, Option<String>),
    figures: Figures,
    with_vat: bool,
) -> impl IntoView {
    let (applied, error) = discount;
    view! {
        <aside class="cart-summary" aria-label=tr!(checkout.summary)>
            <h2>{tr!(checkout.your_order)}</h2>
            <ul class="summary-lines">
                {cart.lines.iter().map(|l| view! {
                    <li><span>{format!("{} × {}", l.quantity, l.name)}</span><span>{l.line_total.to_string()}</span></li>
                }).collect_view()}
            </ul>
            <SummaryTotals subtotal=cart.total.to_string() discount=applied.clone() figures with_vat />
            <DiscountForm applied error page="checkout" />
        </aside>
    }
}

#[component]
fn CheckoutForm(view: CheckoutView, place: ServerAction<PlaceOrder>) -> impl IntoView {
    let form = view.form.clone();
    let [email, first_name, last_name, street, city, postcode, country, company, company_code, vat_code, company_address, shipping, payment, phone, point, point_search, terms] =
        std::array::from_fn(|i| match super::CheckoutForm::TYPED.get(i) {
            Some((field, _)) => view.error(field),
            None => view.error("terms"),
        });
    let options = shipping_options(&view);
    let figures = Figures::of(&options, &form.shipping);
    let with_vat = options.iter().any(|o| !o.vat.is_empty());
    let pay_total = figures.total.clone();
    let payment = PaymentChoices {
        chosen: form.payment.clone(),
        methods_country: view.methods_country.clone(),
        countries: view.countries_with_methods.clone(),
        groups: view.method_groups.clone(),
        unavailable: view.methods_unavailable,
        smsbank: view.smsbank,
        error: payment,
    };
    let CheckoutView {
        cart,
        checkout_key,
        shipping_countries,
        discount,
        discount_error,
        points,
        ..
    } = view;
    view! {
        <div class="checkout">
            <ActionForm action=place attr:class="checkout-form">
                <input type="hidden" name="checkout_key" value=checkout_key />
                <fieldset>
                    <legend>{tr!(checkout.contact)}</legend>
                    <Field name="email" label=tr!(checkout.field.email).into() kind="email" autocomplete="email" value=form.email.clone() error=email />
                    <Field name="first_name" label=tr!(checkout.field.first_name).into() autocomplete="given-name" value=form.first_name.clone() error=first_name />
                    <Field name="last_name" label=tr!(checkout.field.last_name).into() autocomplete="family-name" value=form.last_name.clone() error=last_name />
                </fieldset>
                <fieldset>
                    <legend>{tr!(checkout.address)}</legend>
                    <Field name="street" label=tr!(checkout.field.street).into() autocomplete="street-address" value=form.street.clone() error=street />
                    <Field name="city" label=tr!(checkout.field.city).into() autocomplete="address-level2" value=form.city.clone() error=city />
                    <Field name="postcode" label=tr!(checkout.field.postcode).into() autocomplete="postal-code" value=form.postcode.clone() error=postcode />
                    <CountryField countries=shipping_countries chosen=form.country.clone() error=country />
                </fieldset>
                <CompanyFieldset form=form.clone() errors=[company, company_code, vat_code, company_address] />
                <ShippingFieldset options chosen=form.shipping.clone() error=shipping />
                <PointFieldset picker=points form=form.clone() errors=[phone, point, point_search] />
                <PaymentFieldset payment />
                <TermsField checked=form.terms error=terms />
                // Also right above the button: on a phone the summary is far below it.
                <p class="pay-total">{tr!(checkout.total_to_pay)}": "<strong data-figure=TOTAL_TO_PAY>{pay_total}</strong></p>
                <button type="submit" class="button-primary">{tr!(checkout.place)}</button>
            </ActionForm>
            <CheckoutSummary cart discount=(discount, discount_error) figures with_vat />
        </div>
    }
}

fn status_text(order: &OrderPage) -> &'static str {
    match order.status {
        OrderStatus::Paid => tr!(order.status.paid),
        OrderStatus::PendingPayment if order.awaiting_bank => tr!(order.status.awaiting_bank),
        OrderStatus::PendingPayment => tr!(order.status.pending),
        OrderStatus::Cancelled => tr!(order.status.cancelled),
        OrderStatus::Expired => tr!(order.status.expired),
    }
}

#[component]
pub fn AcceptPage() -> impl IntoView {
    let query = use_query_map();
    let order = Resource::new(
        move || query.read().get("order").unwrap_or_default(),
        get_order_page,
    );
    view! {
        <Title text=tr!(order.thank_you_title) />
        <Meta name="robots" content="noindex" />
        {load_page(order, |order| {
            let pending = order.status == OrderStatus::PendingPayment;
            let status = status_text(&order);
            view! {
                <section class="order-status">
                    <h1>{tr!(order.thank_you, number = order.number)}</h1>
                    <LiveOrderStatus>
                        <div id=ORDER_LIVE data-pending=pending.then_some("true")>
                            <p class="status-line" data-testid="order-status" role="status">{status}</p>
                            {pending.then(|| view! {
                                <p class="muted">{tr!(order.updates_itself)}" "<a href="">{tr!(order.reload)}</a></p>
                            })}
                        </div>
                    </LiveOrderStatus>
                    {pending.then(|| view! {
                        // Without JavaScript the page reloads itself; the link is for the impatient.
                        <noscript><meta http-equiv="refresh" content="5" /></noscript>
                    })}
                    <OrderSummary order />
                </section>
            }
            .into_any()
        })}
    }
}

#[component]
fn OrderSummary(order: OrderPage) -> impl IntoView {
    let point = (!order.pickup_point.is_empty()).then(|| {
        view! { <p data-testid="order-point">{tr!(checkout.point.title)}": "{order.pickup_point.clone()}</p> }
    });
    view! {
        <div class="cart-summary">
            {point}
            <ul class="summary-lines">
                {order.lines.into_iter().map(|(name, quantity, total)| view! {
                    <li><span>{format!("{quantity} × {name}")}</span><span>{total.to_string()}</span></li>
                }).collect_view()}
            </ul>
            <dl>
                {order.discount.map(discount_row)}
                <dt>{tr!(checkout.shipping)}</dt><dd>{order.shipping.to_string()}</dd>
                <dt>{tr!(cart.total)}</dt><dd class="total" data-testid="order-total">{order.total.to_string()}</dd>
                {order.vat.into_iter().map(|share| view! {
                    <dt class="muted">{tr!(vat.included, rate = share.rate.percent())}</dt>
                    <dd class="muted" data-testid="order-vat">{share.vat.to_string()}</dd>
                }).collect_view()}
            </dl>
            {(!order.documents.is_empty()).then(|| view! {
                <ul class="order-documents" data-testid="order-documents">
                    {order.documents.into_iter().map(|document| {
                        let number = document.number;
                        let label = if document.credit_note {
                            tr!(order.credit_note_link, number)
                        } else {
                            tr!(order.invoice_link, number)
                        };
                        view! { <li><a href=document.href rel="external" download>{label}</a></li> }
                    }).collect_view()}
                </ul>
            })}
        </div>
    }
}

#[component]
pub fn CancelPage() -> impl IntoView {
    let query = use_query_map();
    let outcome = move || {
        query
            .read()
            .get("outcome")
            .and_then(|o| CancelOutcome::from_key(&o))
    };
    let order = Resource::new(
        move || query.read().get("order").unwrap_or_default(),
        get_order_page,
    );
    view! {
        <Title text=tr!(order.cancelled_title) />
        <Meta name="robots" content="noindex" />
        {load_page(order, move |order| {
            let number = order.number;
            match outcome() {
                Some(CancelOutcome::AlreadyPaid) => view! {
                    <h1>{tr!(order.already_paid_title)}</h1>
                    <p data-testid="cancel-outcome">{tr!(order.already_paid, number)}</p>
                }.into_any(),
                Some(CancelOutcome::Cancelled) => view! {
                    <h1>{tr!(order.cancelled_title)}</h1>
                    <p data-testid="cancel-outcome">{tr!(order.cancelled, number)}</p>
                    <p><a href=locale::href("/cart")>{tr!(order.back_to_cart)}</a></p>
                }.into_any(),
                _ => view! {
                    <h1>{tr!(order.closed_title)}</h1>
                    <p data-testid="cancel-outcome">{tr!(order.closed, number)}</p>
                    <p><a href=locale::href("/")>{tr!(errors.back_to_shop)}</a></p>
                }.into_any(),
            }
        })}
    }
}
