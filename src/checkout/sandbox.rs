//! The built-in Paysera sandbox (sandbox mode only): it plays Paysera's pay page, and sends signed
//! callbacks over HTTP to the shop's callback URL, server to server, exactly as Paysera does — so
//! the whole purchase can be tried offline, through the same code paths as a live payment.
//!
//! Like Paysera, it speaks the language the shop asked for (`lang=LIT`); a request it cannot read
//! is refused in the shopper's language (`locale`).

use crate::domain::payments::gateway::{SandboxKeys, SANDBOX_METHODS_XML};
use crate::locale::{self, middleware::RequestLocale, Locale};
use crate::money::{Currency, Money};
use crate::paysera::encoding::{
    decode_base64, encode_base64, http_build_query, parse_str, php_urlencode,
};
use crate::state::AppState;
use crate::text::escape_html;
use axum::extract::{Extension, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use leptos_i18n::td_string;
use rsa::signature::{SignatureEncoding, Signer};
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/sandbox/paysera/pay", get(pay_page).post(outcome))
        .route(
            "/sandbox/paysera/methods.xml",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "application/xml")],
                    SANDBOX_METHODS_XML,
                )
            }),
        )
        .with_state(state)
}

#[derive(Deserialize)]
struct Signed {
    #[serde(default)]
    data: String,
    #[serde(default)]
    sign: String,
    #[serde(default)]
    outcome: String,
}

fn page(language: Locale, status: StatusCode, body: String) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><link rel=\"stylesheet\" href=\"/pkg/turgus.css\"></head><body>\
         <div class=\"sandbox-banner\" role=\"note\">{}</div><main class=\"container sandbox-pay\">{body}</main></body></html>",
        locale::code(language),
        td_string!(language, sandbox.title),
        td_string!(language, sandbox.banner),
    );
    (status, Html(html)).into_response()
}

/// A signed request the sandbox checked and decoded, and the language its pages speak.
struct Opened<'a> {
    keys: &'a SandboxKeys,
    request: BTreeMap<String, String>,
    language: Locale,
}

impl Opened<'_> {
    /// The request's parameter `key`, or "" when it has none.
    fn get(&self, key: &str) -> &str {
        self.request.get(key).map(String::as_str).unwrap_or("")
    }
}

/// Checks `sign` as Paysera does, then decodes the request; refuses with a page (in `shopper`'s
/// language) otherwise.
fn open_request<'a>(
    state: &'a AppState,
    signed: &Signed,
    shopper: Locale,
) -> Result<Opened<'a>, Box<Response>> {
    let Some(keys) = &state.payments.sandbox else {
        return Err(Box::new(StatusCode::NOT_FOUND.into_response()));
    };
    let refuse = |problem: &str| {
        let title = td_string!(shopper, sandbox.refused);
        let body = format!("<h1>{title}</h1><p>{}</p>", escape_html(problem));
        page(shopper, StatusCode::BAD_REQUEST, body)
    };
    let expected =
        crate::paysera::request::md5_hex(&[signed.data.as_bytes(), keys.password.as_bytes()]);
    if expected != signed.sign {
        return Err(Box::new(refuse(td_string!(shopper, sandbox.bad_signature))));
    }
    let query = decode_base64(&signed.data)
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| Box::new(refuse(td_string!(shopper, sandbox.unreadable))))?;
    let request = parse_str(&query);
    Ok(Opened {
        keys,
        language: asked_language(&request, shopper),
        request,
    })
}

/// The language the shop asked Paysera to speak (`lang=LIT`), else the shopper's.
fn asked_language(request: &BTreeMap<String, String>, shopper: Locale) -> Locale {
    request
        .get("lang")
        .and_then(|lang| locale::from_paysera(lang))
        .unwrap_or(shopper)
}

async fn pay_page(
    State(state): State<AppState>,
    Extension(shopper): Extension<RequestLocale>,
    Query(signed): Query<Signed>,
) -> Response {
    let opened = match open_request(&state, &signed, shopper.locale) {
        Ok(opened) => opened,
        Err(refusal) => return *refusal,
    };
    let (language, get) = (opened.language, |key| opened.get(key));
    let amount = match (
        get("amount").parse::<i64>(),
        Currency::from_code(get("currency")),
    ) {
        (Ok(minor), Some(currency)) => Money::new(minor, currency).to_string(),
        _ => format!("{} {}", get("amount"), get("currency")),
    };
    let method = match get("payment") {
        "" => td_string!(language, sandbox.method_not_chosen).to_owned(),
        "smsbank" => format!("{} (smsbank)", td_string!(language, checkout.smsbank)),
        other => other.to_owned(),
    };
    let button = |outcome: &str, label: &str, class: &str| {
        format!(
            "<form method=\"post\" action=\"/sandbox/paysera/pay\"><input type=\"hidden\" name=\"data\" value=\"{}\">\
             <input type=\"hidden\" name=\"sign\" value=\"{}\"><input type=\"hidden\" name=\"outcome\" value=\"{outcome}\">\
             <button type=\"submit\" class=\"{class}\">{label}</button></form>",
            escape_html(&signed.data),
            escape_html(&signed.sign)
        )
    };
    page(
        language,
        StatusCode::OK,
        format!(
            "<h1>{}</h1><p>{}</p>\
             <dl class=\"sandbox-details\"><dt>{}</dt><dd data-testid=\"sandbox-order\">{}</dd><dt>{}</dt><dd data-testid=\"sandbox-amount\">{}</dd>\
             <dt>{}</dt><dd data-testid=\"sandbox-method\">{}</dd><dt>{}</dt><dd>{}</dd></dl>\
             <div class=\"sandbox-outcomes\">{}{}{}{}{}</div>",
            td_string!(language, sandbox.title),
            td_string!(language, sandbox.intro),
            td_string!(language, sandbox.order),
            escape_html(get("orderid")),
            td_string!(language, sandbox.amount),
            escape_html(&amount),
            td_string!(language, sandbox.method),
            escape_html(&method),
            td_string!(language, sandbox.payer),
            escape_html(get("p_email")),
            button("pay", td_string!(language, sandbox.pay), "button-primary"),
            button("test", td_string!(language, sandbox.pay_test), ""),
            button("accepted_then_paid", td_string!(language, sandbox.accepted_then_paid), ""),
            button("declined", td_string!(language, sandbox.decline), ""),
            button("cancel", td_string!(language, sandbox.cancel), "button-link"),
        ),
    )
}

/// Signs callback parameters as Paysera would: `data` with ss1, ss2 and ss3.
pub fn signed_callback(params: &[(String, String)], keys: &SandboxKeys) -> String {
    let data = encode_base64(
        http_build_query(params.iter().map(|(k, v)| (k.as_str(), v.as_str()))).as_bytes(),
    );
    let ss1 = crate::paysera::request::md5_hex(&[data.as_bytes(), keys.password.as_bytes()]);
    let ss2 = rsa::pkcs1v15::SigningKey::<sha1::Sha1>::new(keys.private_key.clone())
        .sign(data.as_bytes())
        .to_bytes();
    let ss3 = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(keys.private_key.clone())
        .sign(data.as_bytes())
        .to_bytes();
    format!(
        "data={}&ss1={ss1}&ss2={}&ss3={}",
        php_urlencode(&data),
        php_urlencode(&encode_base64(&ss2)),
        php_urlencode(&encode_base64(&ss3))
    )
}

async fn outcome(
    State(state): State<AppState>,
    Extension(shopper): Extension<RequestLocale>,
    Form(signed): Form<Signed>,
) -> Response {
    let opened = match open_request(&state, &signed, shopper.locale) {
        Ok(opened) => opened,
        Err(refusal) => return *refusal,
    };
    let (keys, language) = (opened.keys, opened.language);
    let get = |key: &str| opened.get(key).to_owned();
    let (statuses, test, back_to): (&[&str], &str, String) = match signed.outcome.as_str() {
        "pay" => (&["1"], "0", get("accepturl")),
        "test" => (&["1"], "1", get("accepturl")),
        "accepted_then_paid" => (&["2", "1"], "0", get("accepturl")),
        "declined" => (&["0"], "0", get("cancelurl")),
        "cancel" => (&[], "0", get("cancelurl")),
        _ => {
            let title = td_string!(language, sandbox.unknown_outcome);
            return page(
                language,
                StatusCode::BAD_REQUEST,
                format!("<h1>{title}</h1>"),
            );
        }
    };
    let request_id = rand::random::<u32>().to_string();
    for status in statuses {
        let params = callback_params(&opened.request, &request_id, status, test);
        let callback_url = get("callbackurl");
        let separator = if callback_url.contains('?') { '&' } else { '?' };
        let url = format!(
            "{callback_url}{separator}{}",
            signed_callback(&params, keys)
        );
        if let Err(problem) = deliver(&url).await {
            tracing::warn!(%problem, "sandbox callback not accepted");
            return not_accepted(language, &problem, &callback_url, &back_to);
        }
    }
    Redirect::to(&back_to).into_response()
}

/// The callback Paysera would send for the paid request, with `status` and `test` as the chosen
/// outcome says.
fn callback_params(
    request: &BTreeMap<String, String>,
    request_id: &str,
    status: &str,
    test: &str,
) -> Vec<(String, String)> {
    let get = |key: &str| request.get(key).cloned().unwrap_or_default();
    [
        ("projectid", get("projectid")),
        ("orderid", get("orderid")),
        ("lang", get("lang").to_lowercase()),
        ("amount", get("amount")),
        ("currency", get("currency")),
        (
            "payment",
            Some(get("payment"))
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| "hanza".into()),
        ),
        ("country", get("country")),
        ("p_email", get("p_email")),
        ("requestid", request_id.to_owned()),
        ("payamount", get("amount")),
        ("paycurrency", get("currency")),
        ("name", get("p_firstname")),
        ("surename", get("p_lastname")),
        ("version", get("version")),
        ("type", "macro".into()),
        ("status", status.to_owned()),
        ("test", test.to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// Sends one callback to the shop, as Paysera does; the shop must answer `OK`.
async fn deliver(url: &str) -> Result<(), String> {
    let response = reqwest::Client::new()
        .get(url)
        .timeout(std::time::Duration::from_secs(10))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    if status.is_success() && body == "OK" {
        Ok(())
    } else {
        Err(format!("the shop answered {status}: {body}"))
    }
}

/// The shop did not answer the sandbox's callback `OK`: what it said, and where the sandbox
/// called (a wrong `TURGUS_PUBLIC_URL` is the usual cause).
fn not_accepted(language: Locale, problem: &str, callback_url: &str, back_to: &str) -> Response {
    let check = td_string!(language, sandbox.check_url, url = callback_url);
    page(
        language,
        StatusCode::BAD_GATEWAY,
        format!(
            "<h1>{}</h1><p>{}</p><p>{}</p><p><a href=\"{}\">{}</a></p>",
            td_string!(language, sandbox.not_accepted),
            escape_html(problem),
            escape_html(&check),
            escape_html(back_to),
            td_string!(language, errors.back_to_shop),
        ),
    )
}
