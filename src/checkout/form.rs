//! The checkout form's server side: the form kept in the session and checked field by field,
//! placing the order through `domain::flows::place_order`, the order status page's data and the
//! cancel link.

use super::{
    CancelOutcome, CheckoutForm, CheckoutView, FieldError, MethodChoice, MethodGroup, OrderPage,
    ShippingChoice,
};
use crate::countries::COUNTRIES;
use crate::domain::cart::CartView;
use crate::domain::discounts::Applied;
use crate::domain::flows::place_order::place_and_sign;
use crate::domain::flows::unpaid_orders::cancel_pending;
use crate::domain::orders::place::{Company, Customer, Holder, NewOrder, Pickup};
use crate::domain::orders::OrderStatus;
use crate::domain::payments::gateway::Mode;
use crate::domain::payments::request::Shop;
use crate::domain::settings::store::ActiveMethods;
use crate::domain::settings::ShippingMethod;
use crate::domain::vat::{Rates, TaxClass, VatCodeProblem};
use crate::email::Email;
use crate::error::AppError;
use crate::locale;
use crate::money::Money;
use crate::state::AppState;
use crate::tr;
use tower_sessions::Session;

const DRAFT_KEY: &str = "checkout_draft";
/// The one-time key of the checkout form this session was shown: a form's key is accepted only
/// from the session it was given to, so a key seen elsewhere fetches nobody else's order.
const FORM_KEY: &str = "checkout_key";
/// The key of the order this session placed last: a double submission returns that order.
const PLACED_FORM_KEY: &str = "checkout_key_placed";
/// A random key naming this shopper's unpaid orders, to limit how many they hold at once.
const SHOPPER_KEY: &str = "shopper";

/// Cuts every typed field to its limit ([`CheckoutForm::TYPED`]), reporting those that were
/// longer, before anything is kept in the session.
fn cap_lengths(form: &mut CheckoutForm) -> Vec<FieldError> {
    let mut errors = vec![];
    for ((field, max), value) in CheckoutForm::TYPED.into_iter().zip(form.typed_mut()) {
        if value.chars().count() > max {
            *value = value.chars().take(max).collect();
            errors.push(FieldError {
                field: field.into(),
                message: tr!(checkout.error.too_long, count = max),
            });
        }
    }
    errors
}

/// The random token the session keeps under `name`, made on first use.
async fn session_token(session: &Session, name: &str) -> Result<String, AppError> {
    if let Some(token) = session.get::<String>(name).await? {
        return Ok(token);
    }
    let token = crate::tokens::random_hex(16);
    session.insert(name, &token).await?;
    Ok(token)
}

/// This session's form key, made when there is a cart to check out (a visitor without one gets no
/// key, and no stored session).
async fn form_key(session: &Session, cart_is_empty: bool) -> Result<String, AppError> {
    match session.get::<String>(FORM_KEY).await? {
        None if cart_is_empty => Ok(String::new()),
        _ => session_token(session, FORM_KEY).await,
    }
}

/// Whether `posted` is a key this session was given (the current form's, or the order it placed).
async fn is_own_form_key(session: &Session, posted: &str) -> Result<bool, AppError> {
    let issued = session.get::<String>(FORM_KEY).await?;
    let placed = session.get::<String>(PLACED_FORM_KEY).await?;
    Ok([issued, placed]
        .iter()
        .flatten()
        .any(|key| crate::tokens::same_secret(key, posted)))
}

/// The ways to ship `cart`, with what each costs it and the VAT the total would then hold (its
/// lines and the shipping each at its class's rate, as placement charges them).
fn shipping_choices(
    methods: Vec<ShippingMethod>,
    cart: &CartView,
    rates: &Rates,
    discount: Option<&Applied>,
) -> Vec<ShippingChoice> {
    let off = discount.map_or(0, |d| d.goods);
    let goods = Money::new(cart.total.minor - off, cart.total.currency);
    let shares = discount.map(|d| d.lines.as_slice()).unwrap_or_default();
    // Each line as charged, after its share of the discount (placement splits it the same way).
    let lines: Vec<(TaxClass, Money)> = cart
        .lines
        .iter()
        .filter(|line| line.problem.is_none())
        .enumerate()
        .map(|(i, line)| {
            let share = shares.get(i).copied().unwrap_or(0);
            (
                line.tax_class,
                Money::new(line.line_total.minor - share, goods.currency),
            )
        })
        .collect();
    let free_shipping = discount.is_some_and(|d| d.free_shipping);
    methods
        .into_iter()
        .map(|m| {
            let price = if free_shipping {
                Money::zero(goods.currency)
            } else {
                m.price_for(goods)
            };
            let with_shipping: Vec<(TaxClass, Money)> = lines
                .iter()
                .copied()
                .chain([(m.tax_class(), price)])
                .collect();
            ShippingChoice {
                price,
                free_above: m.free_above_minor.map(|l| Money::new(l, goods.currency)),
                vat: rates.vat_of(&with_shipping),
                code: m.code,
                name: m.name,
                description: m.description,
            }
        })
        .collect()
}

/// The form as last typed in this session (its errors are shown once), or a fresh one.
async fn draft(session: &Session) -> Result<(CheckoutForm, Vec<FieldError>), AppError> {
    let draft = session
        .remove::<(CheckoutForm, Vec<FieldError>)>(DRAFT_KEY)
        .await?;
    if let Some((form, _)) = &draft {
        // The values stay for the next visit; the errors were about this one.
        session
            .insert(DRAFT_KEY, (form, Vec::<FieldError>::new()))
            .await?;
    }
    Ok(draft.unwrap_or_else(|| {
        (
            CheckoutForm {
                country: "LT".into(),
                ..CheckoutForm::default()
            },
            vec![],
        )
    }))
}

pub async fn view(
    session: &Session,
    state: &AppState,
    country: &str,
    ship_to: &str,
) -> Result<CheckoutView, AppError> {
    let cart = crate::cart::session::view(session, &state.pool, state.config.currency).await?;
    let (mut form, errors) = draft(session).await?;
    let checkout_key = form_key(session, cart.lines.is_empty()).await?;
    let methods = ActiveMethods::load(&state.pool, locale::current()).await?;
    let shipping_countries = methods.countries(locale::current());
    choose_country(&mut form, ship_to, &shipping_countries);
    let sale = crate::domain::vat::Sale {
        country: &form.country,
        consumer: form.vat_code.trim().is_empty(),
    };
    let rates = crate::domain::vat::rates_today(&state.pool, sale).await?;
    let (discount, discount_error) = super::discount::applied(session, &state.pool, &cart).await?;
    let applied = discount.as_ref().map(|(_, applied)| applied);
    let country_methods = methods.for_country(&form.country);
    let points = super::pickup::picker(&state.pool, &country_methods, &form).await?;
    let shipping = shipping_choices(country_methods, &cart, &rates, applied);
    if !shipping.iter().any(|s| s.code == form.shipping) {
        form.shipping = shipping.first().map(|s| s.code.clone()).unwrap_or_default();
    }

    let methods_country = if country.len() == 2 {
        country.to_lowercase()
    } else {
        form.country.to_lowercase()
    };
    let shipping_minor = shipping
        .iter()
        .find(|s| s.code == form.shipping)
        .map_or(0, |s| s.price.minor);
    let (countries_with_methods, method_groups, methods_unavailable) =
        payment_methods(state, &methods_country, cart.total.minor + shipping_minor).await;
    let smsbank = smsbank_offered(state).await?;
    Ok(CheckoutView {
        cart,
        ship_to: form.country.clone(),
        shipping,
        shipping_countries,
        methods_country,
        countries_with_methods,
        method_groups,
        methods_unavailable,
        smsbank,
        form,
        errors,
        discount: discount.map(|(view, _)| view),
        discount_error,
        checkout_key,
        points,
    })
}

/// The country checkout shows: the one asked for (`ship_to`) if the shop ships there, else the
/// draft's, else the first the shop ships to (the select offers no other).
fn choose_country(form: &mut CheckoutForm, ship_to: &str, shipping_countries: &[(String, String)]) {
    let served = |code: &str| shipping_countries.iter().any(|(c, _)| c == code);
    if served(ship_to) {
        form.country = ship_to.to_owned();
    } else if !served(&form.country) {
        if let Some((first, _)) = shipping_countries.first() {
            form.country = first.clone();
        }
    }
}

/// Whether checkout offers SMS bank: the environment's `TURGUS_PAYSERA_SMSBANK` where set, else
/// the merchant's setting.
async fn smsbank_offered(state: &AppState) -> Result<bool, AppError> {
    Ok(match state.config.paysera.smsbank {
        Some(fixed) => fixed,
        None => state.settings.get().await?.smsbank,
    })
}

/// Paysera's methods for `country` that take `amount`, grouped, with the countries that have a
/// list; or nothing and `true` when the list cannot be had (shoppers then choose at Paysera).
async fn payment_methods(
    state: &AppState,
    country: &str,
    amount: i64,
) -> (Vec<(String, String)>, Vec<MethodGroup>, bool) {
    let currency = state.config.currency.code();
    // Paysera's list has every title in each language it has; where one is missing, the
    // library's default (Lithuanian) stands in.
    let language = locale::code(locale::current());
    let default_language = crate::paysera::methods::DEFAULT_LANGUAGE;
    match state.payments.methods.list().await {
        Ok(list) => {
            let countries = list
                .countries
                .iter()
                .map(|c| (c.code.clone(), c.title(language, default_language)))
                .collect();
            let groups = list
                .countries
                .iter()
                .filter(|c| c.code == country)
                .flat_map(|c| &c.groups)
                .map(|g| MethodGroup {
                    title: g.title(language, default_language),
                    methods: g
                        .methods
                        .iter()
                        .filter(|m| m.is_available_for(amount, currency))
                        .map(|m| MethodChoice {
                            key: m.key.clone(),
                            title: m.title(language, default_language),
                            logo_url: m.logo_url(language, default_language),
                        })
                        .collect(),
                })
                .filter(|g| !g.methods.is_empty())
                .collect();
            (countries, groups, false)
        }
        Err(problem) => {
            tracing::warn!(%problem, "no payment methods list for checkout");
            (vec![], vec![], true)
        }
    }
}

/// What the shop offers a checkout, read before the form is checked against it.
struct Offer {
    /// The active shipping methods serving the form's country.
    shipping: Vec<ShippingMethod>,
    smsbank: bool,
    /// The pick-up point the form picked, as the carrier's current list has it.
    pickup: Option<Pickup>,
}

/// A form that passed its checks, as the order takes it.
#[derive(Clone, Debug)]
struct Accepted {
    customer: Customer,
    shipping: ShippingMethod,
    company: Option<Company>,
    pickup: Option<Pickup>,
}

/// Where the order goes: for a method with a carrier, a point of that carrier in the country and
/// a phone number (normalised); else the street address. The phone, if any.
fn check_delivery(
    form: &CheckoutForm,
    offer: &Offer,
    shipping: Option<&ShippingMethod>,
    check: &mut impl FnMut(bool, &str, &str),
) -> Option<String> {
    let Some(carrier) = shipping.and_then(ShippingMethod::carrier) else {
        check_address(form, check);
        return None;
    };
    check_names(form, check);
    let point_ok = offer.pickup.as_ref().is_some_and(|p| p.carrier == carrier);
    check(point_ok, "point", tr!(checkout.error.point));
    let phone = crate::domain::pickup_points::normalise_phone(&form.phone, &form.country);
    check(phone.is_some(), "phone", tr!(checkout.error.phone));
    phone
}

/// One line of text within the field's limit (names and addresses reach e-mails and Paysera as
/// they are).
fn text_ok(value: &str, field: &str) -> bool {
    let value = value.trim();
    !value.is_empty()
        && value.chars().count() <= CheckoutForm::limit(field)
        && !value.chars().any(char::is_control)
}

/// The shopper's names.
fn check_names(form: &CheckoutForm, check: &mut impl FnMut(bool, &str, &str)) {
    check(
        text_ok(&form.first_name, "first_name"),
        "first_name",
        tr!(checkout.error.first_name),
    );
    check(
        text_ok(&form.last_name, "last_name"),
        "last_name",
        tr!(checkout.error.last_name),
    );
}

/// The names and the address lines.
fn check_address(form: &CheckoutForm, check: &mut impl FnMut(bool, &str, &str)) {
    check_names(form, check);
    let lines = [
        (&form.street, "street", tr!(checkout.error.street)),
        (&form.city, "city", tr!(checkout.error.city)),
        (&form.postcode, "postcode", tr!(checkout.error.postcode)),
    ];
    for (value, field, message) in lines {
        check(text_ok(value, field), field, message);
    }
}

/// Checks the form; every problem is reported next to its field.
fn validate(form: &CheckoutForm, offer: &Offer) -> Result<Accepted, Vec<FieldError>> {
    let mut errors = vec![];
    let mut check = |ok: bool, field: &str, message: &str| {
        if !ok {
            errors.push(FieldError {
                field: field.into(),
                message: message.into(),
            });
        }
    };
    let email = Email::parse(&form.email);
    check(email.is_some(), "email", tr!(checkout.error.email));
    let known_country = COUNTRIES.contains(&form.country.as_str());
    check(
        known_country && !offer.shipping.is_empty(),
        "country",
        tr!(checkout.error.country),
    );
    let shipping = offer.shipping.iter().find(|m| m.code == form.shipping);
    check(
        shipping.is_some() || offer.shipping.is_empty(),
        "shipping",
        tr!(checkout.error.shipping),
    );
    let phone = check_delivery(form, offer, shipping, &mut check);
    let payment_ok = form.payment.is_empty()
        || (form.payment == "smsbank" && offer.smsbank)
        || (form.payment.len() <= 20
            && form
                .payment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_'));
    check(payment_ok, "payment", tr!(checkout.error.payment));
    check(form.terms, "terms", tr!(checkout.error.terms));
    let company = company_of(form, &mut errors);
    match (email, shipping, errors.is_empty()) {
        (Some(email), Some(shipping), true) => {
            let pickup = shipping.carrier().and(offer.pickup.clone());
            Ok(Accepted {
                customer: customer_of(form, email, phone, pickup.as_ref()),
                shipping: shipping.clone(),
                company,
                pickup,
            })
        }
        _ => Err(errors),
    }
}

/// The shopper as the order keeps them: an order to a pick-up point keeps the point, not the
/// street address the form may still hold.
fn customer_of(
    form: &CheckoutForm,
    email: Email,
    phone: Option<String>,
    pickup: Option<&Pickup>,
) -> Customer {
    let address = |typed: &str| match pickup {
        Some(_) => String::new(),
        None => typed.trim().to_owned(),
    };
    Customer {
        email,
        first_name: form.first_name.trim().to_owned(),
        last_name: form.last_name.trim().to_owned(),
        street: address(&form.street),
        city: address(&form.city),
        postcode: address(&form.postcode),
        country: form.country.clone(),
        phone: phone.unwrap_or_default(),
        pickup_point: pickup.map(|p| p.point.one_line()).unwrap_or_default(),
    }
}

/// The company the shopper buys for, if they named one: its name is then required, its code and
/// address are one line of text each, and its VAT code must have its EU country's form.
fn company_of(form: &CheckoutForm, errors: &mut Vec<FieldError>) -> Option<Company> {
    let company = Company {
        name: form.company.trim().to_owned(),
        code: form.company_code.trim().to_owned(),
        vat_code: form.vat_code.trim().to_owned(),
        address: form.company_address.trim().replace(['\r', '\n'], " "),
    };
    if company == Company::default() {
        return None;
    }
    let mut refuse = |field: &str, message: String| {
        errors.push(FieldError {
            field: field.into(),
            message,
        })
    };
    if company.name.is_empty() || company.name.chars().any(char::is_control) {
        refuse("company", tr!(checkout.error.company).into());
    }
    if company.code.chars().any(char::is_control) {
        refuse("company_code", tr!(checkout.error.company_code).into());
    }
    let vat_code = match crate::domain::vat::check_vat_code(&company.vat_code) {
        _ if company.vat_code.is_empty() => String::new(),
        Ok(code) => code,
        Err(VatCodeProblem::NoCountry) => {
            refuse("vat_code", tr!(checkout.error.vat_code_country).into());
            String::new()
        }
        Err(VatCodeProblem::Format { country, example }) => {
            let name = crate::countries::country_name(locale::current(), country);
            refuse(
                "vat_code",
                tr!(checkout.error.vat_code, country = name, example),
            );
            String::new()
        }
    };
    Some(Company {
        vat_code,
        ..company
    })
}

/// Checks the form after cutting it to its limits; what is kept for the next visit (the cut
/// form and every problem) goes into the session only when there is a problem.
async fn checked(
    session: &Session,
    state: &AppState,
    mut form: CheckoutForm,
) -> Result<(CheckoutForm, Accepted), AppError> {
    let mut errors = cap_lengths(&mut form);
    let offer = Offer {
        shipping: ActiveMethods::load(&state.pool, locale::current())
            .await?
            .for_country(&form.country),
        smsbank: smsbank_offered(state).await?,
        pickup: super::pickup::picked(&state.pool, &form).await?,
    };
    let valid = validate(&form, &offer);
    if let (Ok(accepted), true) = (&valid, errors.is_empty()) {
        return Ok((form, accepted.clone()));
    }
    if let Err(more) = valid {
        let already = |field: &str| errors.iter().any(|e: &FieldError| e.field == field);
        let more: Vec<FieldError> = more.into_iter().filter(|e| !already(&e.field)).collect();
        errors.extend(more);
    }
    session.insert(DRAFT_KEY, (&form, &errors)).await?;
    Err(AppError::BadRequest(tr!(checkout.error.marked).into()))
}

/// The session's cart, if it can be ordered as it is.
async fn orderable_cart(session: &Session, state: &AppState) -> Result<CartView, AppError> {
    let cart = crate::cart::session::view(session, &state.pool, state.config.currency).await?;
    if cart.lines.is_empty() {
        return Err(AppError::BadRequest(tr!(cart.emptied).into()));
    }
    if cart.has_problems() {
        return Err(AppError::Conflict(tr!(checkout.error.cart_problems).into()));
    }
    Ok(cart)
}

/// Places the order from the session's cart and returns the Paysera URL to send the shopper to.
pub async fn place(
    session: &Session,
    state: &AppState,
    form: CheckoutForm,
    checkout_key: &str,
    client_ip: std::net::IpAddr,
) -> Result<String, AppError> {
    let (form, accepted) = checked(session, state, form).await?;
    let settings = state.settings.get().await?;
    if !is_own_form_key(session, checkout_key).await? {
        return Err(AppError::Conflict(tr!(checkout.error.stale_form).into()));
    }
    let cart = orderable_cart(session, state).await?;
    let order = NewOrder {
        lines: cart
            .lines
            .iter()
            .map(|l| (l.variant_id, l.quantity))
            .collect(),
        customer: accepted.customer,
        shipping: accepted.shipping,
        payment_method: Some(form.payment.clone()).filter(|p| !p.is_empty()),
        checkout_key: Some(checkout_key.to_owned()),
        discount_code: super::discount::code_for_order(session).await?,
        holder: Some(Holder {
            shopper_key: session_token(session, SHOPPER_KEY).await?,
            client_ip: client_ip.to_string(),
            max_unpaid_per_shopper: state.config.limits.unpaid_orders_per_session,
            max_unpaid_per_client: state.config.limits.unpaid_orders_per_client,
        }),
        sandbox: state.payments.mode == Mode::Sandbox,
        locale: locale::current(),
        company: accepted.company,
        pickup: accepted.pickup,
    };
    let shop = Shop {
        public_url: &state.config.public_url,
        name: &settings.seller.shop_name,
        order_ttl_minutes: state.config.order_ttl_minutes,
        test: state
            .payments
            .test_payments(state.config.paysera.test, settings.test_payments),
    };
    let currency = state.config.currency;
    let placed = place_and_sign(&state.writer, &state.payments, &shop, &order, currency).await;
    super::discount::forget_if_refused(session, &placed).await?;
    let (_, pay_url) = placed?;
    session.remove::<String>(FORM_KEY).await?;
    session.insert(PLACED_FORM_KEY, checkout_key).await?;
    crate::cart::session::empty(session).await?;
    session
        .remove::<(CheckoutForm, Vec<FieldError>)>(DRAFT_KEY)
        .await?;
    Ok(pay_url)
}

/// An order's head as its page shows it.
#[derive(sqlx::FromRow)]
struct PlacedOrder {
    id: i64,
    number: i64,
    status: String,
    currency: String,
    shipping_minor: i64,
    total_minor: i64,
    shipping_vat_rate_bp: Option<i64>,
    discount_code: String,
    discount_minor: i64,
    pickup_point: String,
}

pub async fn order_page(pool: &crate::db::Db, token: &str) -> Result<OrderPage, AppError> {
    use crate::domain::vat::stored_rate;
    let order: Option<PlacedOrder> = crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT id, number, status, currency, shipping_minor, total_minor, shipping_vat_rate_bp,
                discount_code, discount_minor, pickup_point
         FROM orders WHERE public_token = $1",
    )
    .bind(token)
    .fetch_optional(conn)
    .await)?;
    let order = order.ok_or_else(no_such_order)?;
    let currency = crate::money::Currency::from_code(&order.currency).ok_or(AppError::Internal)?;
    let status = OrderStatus::parse(&order.status).ok_or(AppError::Internal)?;
    let lines: Vec<(String, i64, i64, i64, Option<i64>)> = crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT name, quantity, line_total_minor, discount_minor, vat_rate_bp FROM order_lines
         WHERE order_id = $1 ORDER BY id",
    )
    .bind(order.id)
    .fetch_all(conn)
    .await)?;
    let (awaiting_bank,): (bool,) = crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM payment_callbacks WHERE order_id = $1 AND authentic = TRUE AND paysera_status = '2')",
    )
    .bind(order.id)
    .fetch_one(conn)
    .await)?;
    let money = |minor| Money::new(minor, currency);
    let shipping = money(order.shipping_minor);
    let shipping_rate = stored_rate(order.shipping_vat_rate_bp);
    let (lines, vat) = shown_lines(lines, (shipping_rate, shipping), currency);
    Ok(OrderPage {
        documents: documents(pool, order.number, token).await?,
        number: order.number,
        status,
        awaiting_bank,
        vat,
        lines,
        discount: (!order.discount_code.is_empty()).then(|| super::discount::DiscountView {
            free_shipping: order.discount_minor == 0,
            code: order.discount_code,
            off: money(order.discount_minor),
        }),
        shipping,
        total: money(order.total_minor),
        pickup_point: order.pickup_point,
    })
}

/// The order's invoice and credit note, with the shopper's links.
async fn documents(
    pool: &crate::db::Db,
    number: i64,
    token: &str,
) -> Result<Vec<super::OrderDocument>, AppError> {
    use crate::domain::invoices::document::Kind;
    let issued = crate::domain::invoices::store::of_order(pool, number).await?;
    Ok(issued
        .into_iter()
        .map(|issued| super::OrderDocument {
            number: issued.number_text(),
            credit_note: issued.kind() == Kind::CreditNote,
            href: crate::domain::invoices::document::shopper_path(token, issued.kind()),
        })
        .collect())
}

/// An order's lines as its page lists them (name, quantity, total before the discount), and its
/// VAT per rate from what they and the shipping were charged.
fn shown_lines(
    lines: Vec<(String, i64, i64, i64, Option<i64>)>,
    shipping: (Option<crate::domain::vat::Rate>, Money),
    currency: crate::money::Currency,
) -> (
    Vec<(String, u32, Money)>,
    Vec<crate::domain::vat::RateTotal>,
) {
    use crate::domain::vat::stored_rate;
    let money = |minor| Money::new(minor, currency);
    let vat = crate::domain::vat::order_vat(
        lines
            .iter()
            .map(|line| (stored_rate(line.4), money(line.2 - line.3)))
            .chain([shipping]),
    );
    let lines = lines
        .into_iter()
        .map(|(name, quantity, total, _, _)| {
            (name, u32::try_from(quantity).unwrap_or(0), money(total))
        })
        .collect();
    (lines, vat)
}

/// `GET /checkout/cancel?order=TOKEN` (Paysera's cancel link): cancels the order if it still waits
/// for payment, releases its stock and puts its items back into the cart, then redirects to the
/// page that says so (the change happens here, the page only reads).
pub async fn cancel_link(
    state: AppState,
    session: Session,
    axum::Extension(language): axum::Extension<locale::middleware::RequestLocale>,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> axum::response::Response {
    use axum::response::{IntoResponse, Redirect};
    let token = query.get("order").cloned().unwrap_or_default();
    match cancel(&session, &state.writer, &token).await {
        Ok(outcome) => Redirect::to(&locale::localized(
            language.locale,
            &format!(
                "/checkout/cancelled?order={}&outcome={}",
                crate::paysera::encoding::php_urlencode(&token),
                outcome.key()
            ),
        ))
        .into_response(),
        Err(error) => error.into_response(),
    }
}

async fn cancel(
    session: &Session,
    pool: &crate::db::Db,
    token: &str,
) -> Result<CancelOutcome, AppError> {
    let row: Option<(i64, String)> = crate::on_db!(pool, conn => sqlx::query_as("SELECT id, status FROM orders WHERE public_token = $1")
            .bind(token)
            .fetch_optional(conn)
            .await)?;
    let (id, status) = row.ok_or_else(no_such_order)?;
    if status == OrderStatus::Paid.as_str() {
        return Ok(CancelOutcome::AlreadyPaid);
    }
    match cancel_pending(pool, id).await? {
        Some(lines) => {
            crate::cart::session::restore(session, &lines).await?;
            Ok(CancelOutcome::Cancelled)
        }
        None => Ok(CancelOutcome::AlreadyClosed),
    }
}

fn no_such_order() -> AppError {
    AppError::NotFound(tr!(errors.no_such_order).into())
}

/// Keeps the form as typed (cut to its limits) for the next showing of checkout, without errors:
/// the shopper is not done with it. Where checkout is shown again: at the pick-up point list.
pub async fn keep_draft(session: &Session, mut form: CheckoutForm) -> Result<String, AppError> {
    cap_lengths(&mut form);
    session
        .insert(DRAFT_KEY, (&form, Vec::<FieldError>::new()))
        .await?;
    Ok(format!("{}#point", locale::href("/checkout")))
}

#[cfg(test)]
mod tests {
    use super::{cap_lengths, validate, CheckoutForm, Offer};

    #[test]
    fn names_and_addresses_are_one_line_of_text() {
        let form = CheckoutForm {
            email: "ona@example.lt".into(),
            first_name: "Ona\r\nBcc: victim@example.com".into(),
            last_name: "Onaitė".into(),
            street: "Gedimino pr. 1\u{0}".into(),
            city: "Vilnius".into(),
            postcode: "01103".into(),
            country: "LT".into(),
            terms: true,
            ..CheckoutForm::default()
        };
        let offer = Offer {
            shipping: vec![],
            smsbank: true,
            pickup: None,
        };
        let errors = validate(&form, &offer).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert!(
            fields.contains(&"first_name") && fields.contains(&"street"),
            "{fields:?}"
        );
        assert!(
            !fields.contains(&"last_name") && !fields.contains(&"city"),
            "{fields:?}"
        );
    }

    #[test]
    fn a_pick_up_point_method_asks_for_a_point_and_a_phone_instead_of_a_street() {
        let locker = crate::domain::settings::ShippingMethod {
            id: 2,
            code: "locker".into(),
            name: "Omniva parcel locker".into(),
            description: String::new(),
            price_minor: 250,
            countries: "LT".into(),
            free_above_minor: None,
            active: true,
            position: 0,
            tax_class: "standard".into(),
            carrier: Some("omniva".into()),
        };
        let form = CheckoutForm {
            email: "ona@example.lt".into(),
            first_name: "Ona".into(),
            last_name: "Onaitė".into(),
            country: "LT".into(),
            shipping: "locker".into(),
            phone: "call me".into(),
            terms: true,
            ..CheckoutForm::default()
        };
        let offer = Offer {
            shipping: vec![locker],
            smsbank: false,
            pickup: None,
        };
        let errors = validate(&form, &offer).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["point", "phone"]);
    }

    #[test]
    fn fields_are_cut_to_their_limits_and_reported() {
        let mut form = CheckoutForm {
            first_name: "Ą".repeat(1_000_000),
            postcode: "01103".into(),
            ..CheckoutForm::default()
        };
        let errors = cap_lengths(&mut form);
        assert_eq!(form.first_name.chars().count(), 100);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "first_name");
        assert!(errors[0].message.contains("100"), "{}", errors[0].message);
        assert_eq!(form.postcode, "01103");
    }
}
