//! The built-in Paysera sandbox (sandbox mode only): it plays Paysera's pay page, and sends signed
//! callbacks over HTTP to the shop's callback URL, server to server, exactly as Paysera does — so
//! the whole purchase can be tried offline, through the same code paths as a live payment.

use super::payments::{SandboxKeys, SANDBOX_METHODS_XML};
use crate::money::{Currency, Money};
use crate::paysera::encoding::{
    decode_base64, encode_base64, http_build_query, parse_str, php_urlencode,
};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
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

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(status: StatusCode, body: String) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Paysera sandbox</title><link rel=\"stylesheet\" href=\"/pkg/turgus.css\"></head><body>\
         <div class=\"sandbox-banner\" role=\"note\">SANDBOX — no real money</div><main class=\"container sandbox-pay\">{body}</main></body></html>"
    );
    (status, Html(html)).into_response()
}

/// Checks `sign` as Paysera does, then decodes the request; refuses with a page otherwise.
fn open_request<'a>(
    state: &'a AppState,
    signed: &Signed,
) -> Result<(&'a SandboxKeys, BTreeMap<String, String>), Box<Response>> {
    let Some(keys) = &state.payments.sandbox else {
        return Err(Box::new(StatusCode::NOT_FOUND.into_response()));
    };
    let refuse = |problem: &str| {
        page(
            StatusCode::BAD_REQUEST,
            format!("<h1>Payment refused</h1><p>{}</p>", escape(problem)),
        )
    };
    let expected =
        crate::paysera::request::md5_hex(&[signed.data.as_bytes(), keys.password.as_bytes()]);
    if expected != signed.sign {
        return Err(Box::new(refuse("The request's signature is wrong.")));
    }
    let query = decode_base64(&signed.data)
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| Box::new(refuse("The request's data is not readable.")))?;
    Ok((keys, parse_str(&query)))
}

async fn pay_page(State(state): State<AppState>, Query(signed): Query<Signed>) -> Response {
    let (_, request) = match open_request(&state, &signed) {
        Ok(opened) => opened,
        Err(refusal) => return *refusal,
    };
    let get = |key: &str| request.get(key).map(String::as_str).unwrap_or("");
    let amount = match (
        get("amount").parse::<i64>(),
        Currency::from_code(get("currency")),
    ) {
        (Ok(minor), Some(currency)) => Money::new(minor, currency).to_string(),
        _ => format!("{} {}", get("amount"), get("currency")),
    };
    let method = match get("payment") {
        "" => "not chosen yet (the shopper picks here)".to_owned(),
        "smsbank" => "SMS bank (smsbank)".to_owned(),
        other => other.to_owned(),
    };
    let button = |outcome: &str, label: &str, class: &str| {
        format!(
            "<form method=\"post\" action=\"/sandbox/paysera/pay\"><input type=\"hidden\" name=\"data\" value=\"{}\">\
             <input type=\"hidden\" name=\"sign\" value=\"{}\"><input type=\"hidden\" name=\"outcome\" value=\"{outcome}\">\
             <button type=\"submit\" class=\"{class}\">{label}</button></form>",
            escape(&signed.data),
            escape(&signed.sign)
        )
    };
    page(
        StatusCode::OK,
        format!(
            "<h1>Paysera sandbox</h1><p>This page plays Paysera. Choose what happens to the payment; the sandbox then \
             sends a signed callback to the shop, server to server, and returns you to the shop.</p>\
             <dl class=\"sandbox-details\"><dt>Order</dt><dd data-testid=\"sandbox-order\">{}</dd><dt>Amount</dt><dd data-testid=\"sandbox-amount\">{}</dd>\
             <dt>Payment method</dt><dd data-testid=\"sandbox-method\">{}</dd><dt>Payer</dt><dd>{}</dd></dl>\
             <div class=\"sandbox-outcomes\">{}{}{}{}{}</div>",
            escape(get("orderid")),
            escape(&amount),
            escape(&method),
            escape(get("p_email")),
            button("pay", "Pay", "button-primary"),
            button("test", "Pay as a test payment", ""),
            button("accepted_then_paid", "Accepted by the bank, then paid", ""),
            button("declined", "Decline", ""),
            button("cancel", "Cancel and return to the shop", "button-link"),
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

async fn outcome(State(state): State<AppState>, Form(signed): Form<Signed>) -> Response {
    let (keys, request) = match open_request(&state, &signed) {
        Ok(opened) => opened,
        Err(refusal) => return *refusal,
    };
    let get = |key: &str| request.get(key).cloned().unwrap_or_default();
    let (statuses, test, back_to): (&[&str], &str, String) = match signed.outcome.as_str() {
        "pay" => (&["1"], "0", get("accepturl")),
        "test" => (&["1"], "1", get("accepturl")),
        "accepted_then_paid" => (&["2", "1"], "0", get("accepturl")),
        "declined" => (&["0"], "0", get("cancelurl")),
        "cancel" => (&[], "0", get("cancelurl")),
        _ => return page(StatusCode::BAD_REQUEST, "<h1>Unknown outcome</h1>".into()),
    };
    let request_id = rand::random::<u32>().to_string();
    for status in statuses {
        let params: Vec<(String, String)> = [
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
            ("requestid", request_id.clone()),
            ("payamount", get("amount")),
            ("paycurrency", get("currency")),
            ("name", get("p_firstname")),
            ("surename", get("p_lastname")),
            ("version", get("version")),
            ("type", "macro".into()),
            ("status", (*status).to_owned()),
            ("test", test.to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let callback_url = get("callbackurl");
        let separator = if callback_url.contains('?') { '&' } else { '?' };
        let url = format!(
            "{callback_url}{separator}{}",
            signed_callback(&params, keys)
        );
        let delivered = async {
            let response = reqwest::Client::new()
                .get(&url)
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
        .await;
        if let Err(problem) = delivered {
            tracing::warn!(%problem, "sandbox callback not accepted");
            return page(
                StatusCode::BAD_GATEWAY,
                format!(
                    "<h1>The callback was not accepted</h1><p>{}</p><p>Check TURGUS_PUBLIC_URL: the sandbox calls {}.</p><p><a href=\"{}\">Back to the shop</a></p>",
                    escape(&problem),
                    escape(&callback_url),
                    escape(&back_to)
                ),
            );
        }
    }
    Redirect::to(&back_to).into_response()
}
