//! The discount code a shopper applies in the cart or the checkout: kept in the session, shown
//! with the figures the server works out (`domain::discounts`), and taken into the order when it
//! is placed, where the use is taken. Plain forms: the same with and without JavaScript.
//!
//! Codes are guessable secrets, so wrong ones are throttled: at most [`WRONG_PER_SESSION`] per
//! session and [`WRONG_PER_CLIENT`] per client address (IPv6: per /64) in
//! [`WRONG_WINDOW_SECONDS`]; past either, no code is looked at until the window ends. A wrong code
//! gets the same answer whether or not a similar one exists.

#[cfg(feature = "ssr")]
use crate::domain::cart::CartView;
#[cfg(feature = "ssr")]
use crate::domain::discounts::{self, Applied, Refusal};
use crate::error::AppError;
use crate::money::Money;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Wrong codes one session may try in a window.
pub const WRONG_PER_SESSION: u32 = 10;
/// Wrong codes one client address may try in a window, over all its sessions.
pub const WRONG_PER_CLIENT: u32 = 30;
pub const WRONG_WINDOW_SECONDS: u64 = 15 * 60;

#[cfg(feature = "ssr")]
const CODE_KEY: &str = "discount_code";
#[cfg(feature = "ssr")]
const WRONG_KEY: &str = "discount_wrong";
/// Why the last code a plain form sent was refused, shown once on the page it goes back to.
#[cfg(feature = "ssr")]
const REFUSED_KEY: &str = "discount_refused";

/// The code applied to the cart, as the checkout and cart show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountView {
    pub code: String,
    /// Off the goods.
    pub off: Money,
    pub free_shipping: bool,
}

/// The cart's lines as a code looks at them (lines with a problem are not ordered).
#[cfg(feature = "ssr")]
fn lines_of(cart: &CartView) -> Vec<discounts::Line> {
    cart.lines
        .iter()
        .filter(|line| line.problem.is_none())
        .map(|line| discounts::Line {
            product_id: line.product_id,
            gross: line.line_total.minor,
        })
        .collect()
}

/// The code in the session and what it takes off `cart` now, and the message to show once: why
/// the last code sent was refused, or why the session's code no longer applies (the cart changed,
/// it expired, it was used up), which takes it out of the session.
#[cfg(feature = "ssr")]
pub async fn applied(
    session: &tower_sessions::Session,
    pool: &crate::db::Db,
    cart: &CartView,
) -> Result<(Option<(DiscountView, Applied)>, Option<String>), AppError> {
    let refused = session.remove::<String>(REFUSED_KEY).await?;
    let Some(code) = session.get::<String>(CODE_KEY).await? else {
        return Ok((None, refused));
    };
    match evaluate(pool, &code, cart).await? {
        Ok(applied) => {
            let view = DiscountView {
                code,
                off: Money::new(applied.goods, cart.total.currency),
                free_shipping: applied.free_shipping,
            };
            Ok((Some((view, applied)), None))
        }
        Err(refusal) => {
            session.remove::<String>(CODE_KEY).await?;
            Ok((None, Some(refusal.message(crate::locale::current()))))
        }
    }
}

/// What `code` would take off `cart` today, or why nothing.
#[cfg(feature = "ssr")]
async fn evaluate(
    pool: &crate::db::Db,
    code: &str,
    cart: &CartView,
) -> Result<Result<Applied, Refusal>, AppError> {
    let Some(terms) = discounts::uses::find(pool, code).await? else {
        return Ok(Err(Refusal::Unknown));
    };
    if terms.max_uses.is_some_and(|max| terms.uses >= max) {
        return Ok(Err(Refusal::UsedUp));
    }
    Ok(discounts::apply(
        &terms,
        &lines_of(cart),
        &crate::domain::vat::today(),
    ))
}

/// The per-client count of wrong codes the shop keeps (`AppState::wrong_codes`).
#[cfg(feature = "ssr")]
pub fn wrong_codes_limit() -> std::sync::Arc<crate::rate_limit::PerClient> {
    let window = std::time::Duration::from_secs(WRONG_WINDOW_SECONDS);
    std::sync::Arc::new(crate::rate_limit::PerClient::new(WRONG_PER_CLIENT, window))
}

/// After placement: a refused code is dropped from the session, so the form sent again orders
/// without it.
#[cfg(feature = "ssr")]
pub async fn forget_if_refused<T>(
    session: &tower_sessions::Session,
    placed: &Result<T, AppError>,
) -> Result<(), AppError> {
    if let Err(AppError::CodeRefused(_)) = placed {
        forget(session).await?;
    }
    Ok(())
}

/// The code the order takes, if one is applied.
#[cfg(feature = "ssr")]
pub async fn code_for_order(session: &tower_sessions::Session) -> Result<Option<String>, AppError> {
    Ok(session.get::<String>(CODE_KEY).await?)
}

/// After placement refused the code (used up meanwhile, …): the session drops it, so the shopper
/// orders without it by sending the form again.
#[cfg(feature = "ssr")]
pub async fn forget(session: &tower_sessions::Session) -> Result<(), AppError> {
    session.remove::<String>(CODE_KEY).await?;
    Ok(())
}

/// Whether this session or client has had its wrong codes for now; counts one more when `wrong`.
#[cfg(feature = "ssr")]
async fn throttled(
    session: &tower_sessions::Session,
    wrong_codes: &crate::rate_limit::PerClient,
    client: std::net::IpAddr,
) -> Result<bool, AppError> {
    let now = crate::clock::unix_seconds();
    let (began, count) = session
        .get::<(u64, u32)>(WRONG_KEY)
        .await?
        .unwrap_or((now, 0));
    let in_window = now.saturating_sub(began) < WRONG_WINDOW_SECONDS;
    Ok(in_window && count >= WRONG_PER_SESSION || wrong_codes.exhausted(client))
}

/// Counts a wrong code against the session and the client.
#[cfg(feature = "ssr")]
async fn count_wrong(
    session: &tower_sessions::Session,
    wrong_codes: &crate::rate_limit::PerClient,
    client: std::net::IpAddr,
) -> Result<(), AppError> {
    let now = crate::clock::unix_seconds();
    let (began, count) = session
        .get::<(u64, u32)>(WRONG_KEY)
        .await?
        .unwrap_or((now, 0));
    let counted = if now.saturating_sub(began) < WRONG_WINDOW_SECONDS {
        (began, count.saturating_add(1))
    } else {
        (now, 1)
    };
    session.insert(WRONG_KEY, counted).await?;
    wrong_codes.admit(client);
    Ok(())
}

/// Sends a plain form back to the page it came from (`cart` or the checkout).
#[cfg(feature = "ssr")]
fn back_to(page: &str) {
    if crate::state::is_plain_form_post() {
        let path = if page == "cart" { "/cart" } else { "/checkout" };
        leptos_axum::redirect(&crate::locale::href(path));
    }
}

/// Applies `code` to the session's cart: kept when it applies, refused with its reason when not.
#[server(endpoint = "checkout/discount")]
pub async fn apply_discount(code: String, #[server(default)] page: String) -> Result<(), AppError> {
    let (session, state) = crate::state::session_and_state().await?;
    let client = crate::state::client_ip().await?;
    if throttled(&session, &state.wrong_codes, client).await? {
        return refused(&session, &page, Refusal::Throttled).await;
    }
    let cart = crate::cart::session::view(&session, &state.pool, state.config.currency).await?;
    let outcome = match discounts::normalise(&code) {
        Some(code) => evaluate(&state.pool, &code, &cart).await?.map(|_| code),
        None => Err(Refusal::Unknown),
    };
    match outcome {
        Ok(code) => {
            session.insert(CODE_KEY, code).await?;
            back_to(&page);
            Ok(())
        }
        Err(refusal) => {
            if refusal == Refusal::Unknown {
                count_wrong(&session, &state.wrong_codes, client).await?;
            }
            refused(&session, &page, refusal).await
        }
    }
}

/// A refused code: a plain form goes back to its page, which says why once; a script is told.
#[cfg(feature = "ssr")]
async fn refused(
    session: &tower_sessions::Session,
    page: &str,
    refusal: Refusal,
) -> Result<(), AppError> {
    let message = refusal.message(crate::locale::current());
    if !crate::state::is_plain_form_post() {
        return Err(AppError::CodeRefused(message));
    }
    session.insert(REFUSED_KEY, message).await?;
    back_to(page);
    Ok(())
}

/// The code applied to the session's cart (the cart page shows it), and why the last one sent was
/// refused, once.
#[server(endpoint = "checkout/discount/current")]
pub async fn current_discount() -> Result<(Option<DiscountView>, Option<String>), AppError> {
    let (session, state) = crate::state::session_and_state().await?;
    let cart = crate::cart::session::view(&session, &state.pool, state.config.currency).await?;
    let (applied, message) = applied(&session, &state.pool, &cart).await?;
    Ok((applied.map(|(view, _)| view), message))
}

/// Takes the code off the cart.
#[server(endpoint = "checkout/discount/remove")]
pub async fn remove_discount(#[server(default)] page: String) -> Result<(), AppError> {
    let session = crate::state::session().await?;
    session.remove::<String>(CODE_KEY).await?;
    back_to(&page);
    Ok(())
}

/// The code field, or the applied code with its discount and a button to remove it; `page` says
/// where the form sends the shopper back to. Plain forms, posted with or without JavaScript.
#[component]
pub fn DiscountForm(
    applied: Option<DiscountView>,
    error: Option<String>,
    page: &'static str,
) -> impl IntoView {
    let apply = ServerAction::<ApplyDiscount>::new();
    let remove = ServerAction::<RemoveDiscount>::new();
    match applied {
        Some(applied) => view! {
            <ActionForm action=remove attr:class="discount-form" attr:data-testid="discount-applied">
                <input type="hidden" name="page" value=page />
                <p>{crate::tr!(discount.applied, code = applied.code)}
                    {(applied.off.minor > 0).then(|| format!(" −{}", applied.off))}</p>
                <button type="submit" class="button-link">{crate::tr!(discount.remove)}</button>
            </ActionForm>
        }
        .into_any(),
        None => view! {
            <ActionForm action=apply attr:class="discount-form">
                <input type="hidden" name="page" value=page />
                <label for="discount-code">{crate::tr!(discount.label)}</label>
                <input id="discount-code" name="code" maxlength="32" autocomplete="off" autocapitalize="characters" />
                <button type="submit">{crate::tr!(discount.apply)}</button>
                {error.map(|e| view! { <p class="field-error" role="alert" data-testid="discount-error">{e}</p> })}
            </ActionForm>
        }
        .into_any(),
    }
}
