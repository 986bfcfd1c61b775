//! What the islands do in the browser, in one place and kept small: post a server-rendered form
//! with `fetch` (the same server function a JavaScript-free post reaches, asked for JSON instead
//! of a redirect), and refresh a piece of the page from the server's HTML for the same page.
//!
//! Why HTML from the server rather than rendering in the browser: the page's markup stays in one
//! place (the server components), and the WASM stays a fraction of the size it would be with the
//! cart table, its forms and Leptos' server-function client compiled in (measured: 211 KB gzipped
//! with those, 101 KB without; see docs/performance.md). For the same reason the islands take no
//! props (Leptos decodes props with serde_json, which with its error formatting was another 10 KB
//! gzipped): what they need is in the server's HTML, and answers are read with the browser's own
//! `JSON.parse`.

use crate::error::AppError;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DomParser, Element, FormData, HtmlFormElement, Request, RequestInit, Response, SupportedType,
    UrlSearchParams,
};

/// Whatever failed in the browser (the network, an unreadable answer) is, for the shopper, a
/// failure on our side: the message says to try again.
fn failed(_: JsValue) -> AppError {
    AppError::Internal
}

async fn send(url: &str, init: &RequestInit) -> Result<(u16, String), AppError> {
    let request = Request::new_with_str_and_init(url, init).map_err(failed)?;
    let window = web_sys::window().ok_or(AppError::Internal)?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(failed)?
        .dyn_into()
        .map_err(failed)?;
    let text = JsFuture::from(response.text().map_err(failed)?)
        .await
        .map_err(failed)?
        .as_string()
        .unwrap_or_default();
    Ok((response.status(), text))
}

/// Calls the server function at `url` with `body`, as a script does (asking for JSON rather than
/// a redirect): its answer on success, its own error (with its message) otherwise.
async fn call(url: &str, body: &UrlSearchParams) -> Result<JsValue, AppError> {
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(body);
    let headers = web_sys::Headers::new().map_err(failed)?;
    headers.set("Accept", "application/json").map_err(failed)?;
    init.set_headers(&headers);
    let (status, text) = send(url, &init).await?;
    let answer = js_sys::JSON::parse(&text).unwrap_or(JsValue::NULL);
    if (200..300).contains(&status) {
        Ok(answer)
    } else {
        Err(app_error(&answer))
    }
}

/// Posts `form` to its server function and returns what it said ("Added…").
pub async fn post_form(form: &HtmlFormElement) -> Result<String, AppError> {
    let data = FormData::new_with_form(form).map_err(failed)?;
    let body = UrlSearchParams::new_with_str_sequence_sequence(&data).map_err(failed)?;
    Ok(call(&form.action(), &body)
        .await?
        .as_string()
        .unwrap_or_default())
}

/// An `AppError` as the server encodes it (`{"Conflict": "Sorry, only 5…"}`, or `"Internal"`).
fn app_error(answer: &JsValue) -> AppError {
    let entry = js_sys::Object::entries(&js_sys::Object::from(answer.clone())).get(0);
    let kind = js_sys::Array::from(&entry).get(0).as_string();
    let message = js_sys::Array::from(&entry).get(1).as_string();
    match (kind.as_deref(), message) {
        (Some("BadRequest"), Some(m)) => AppError::BadRequest(m),
        (Some("NotFound"), Some(m)) => AppError::NotFound(m),
        (Some("Conflict"), Some(m)) => AppError::Conflict(m),
        (Some("Unauthorized"), Some(m)) => AppError::Unauthorized(m),
        (Some("TooManyRequests"), Some(m)) => AppError::TooManyRequests(m),
        _ => AppError::Internal,
    }
}

/// Sets the text of every element `selector` matches.
pub fn set_text(selector: &str, text: &str) {
    let Some(found) = document().and_then(|d| d.query_selector_all(selector).ok()) else {
        return;
    };
    for index in 0..found.length() {
        if let Some(node) = found.item(index) {
            node.set_text_content(Some(text));
        }
    }
}

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// The page at `url` as the server renders it now, parsed but not shown.
pub async fn page(url: &str) -> Result<web_sys::Document, AppError> {
    let init = RequestInit::new();
    let (_, html) = send(url, &init).await?;
    DomParser::new()
        .map_err(failed)?
        .parse_from_string(&html, SupportedType::TextHtml)
        .map_err(failed)
}

/// Replaces the element with `id` in this page (its attributes and contents) with the same
/// element in `fresh`, and returns the new one (or `None` if either page lacks it).
pub fn replace(fresh: &web_sys::Document, id: &str) -> Option<Element> {
    let new = fresh.get_element_by_id(id)?;
    element(id)?.set_outer_html(&new.outer_html());
    element(id)
}

/// The element with `id` in this page.
pub fn element(id: &str) -> Option<Element> {
    document()?.get_element_by_id(id)
}

/// The form an event (a submit) came from.
pub fn form_of(event: &web_sys::Event) -> Option<HtmlFormElement> {
    event.target()?.dyn_into().ok()
}

/// The variant a product page's picker now names (`event` is the change of one of its values):
/// its price, regular price (while on sale), stock and photo, from the list the server wrote
/// beside the picker (`data-values`, `data-price`, `data-was`, `data-stock`, `data-stock-class`,
/// `data-image`, `data-image-alt`), are shown in place of the last one's.
pub fn show_chosen_variant(event: &web_sys::Event) {
    let Some(root) = event
        .target()
        .and_then(|target| target.dyn_into::<Element>().ok())
        .and_then(|element| element.closest(".product").ok().flatten())
    else {
        return;
    };
    let chosen = chosen_values(&root);
    let Ok(entries) = root.query_selector_all("[data-values]") else {
        return;
    };
    let found = (0..entries.length())
        .filter_map(|i| entries.item(i)?.dyn_into::<Element>().ok())
        .find(|entry| entry.get_attribute("data-values").as_deref() == Some(chosen.as_str()));
    let Some(found) = found else {
        return;
    };
    let shown = |selector: &str| root.query_selector(selector).ok().flatten();
    let figure = |attribute: &str| found.get_attribute(attribute).unwrap_or_default();
    for (selector, attribute) in [
        (".price-now", "data-price"),
        (".price-was", "data-was"),
        (".stock", "data-stock"),
    ] {
        if let Some(element) = shown(selector) {
            element.set_text_content(Some(&figure(attribute)));
        }
    }
    if let Some(was) = shown(".price-was") {
        let _ = was.toggle_attribute_with_force("hidden", figure("data-was").is_empty());
    }
    if let Some(stock) = shown(".stock") {
        stock.set_class_name(&figure("data-stock-class"));
    }
    if let (Some(image), image_path) = (shown(".product-image"), figure("data-image")) {
        if !image_path.is_empty() {
            let _ = image.set_attribute("src", &image_path);
            let _ = image.set_attribute("alt", &figure("data-image-alt"));
        }
    }
}

/// The checked values of the picker in `root`, in option order, joined as the server's list joins
/// them (`M|Navy`).
fn chosen_values(root: &Element) -> String {
    let mut chosen = String::new();
    for selector in [
        "input[name=option1]:checked",
        "input[name=option2]:checked",
        "input[name=option3]:checked",
    ] {
        let Some(input) = root
            .query_selector(selector)
            .ok()
            .flatten()
            .and_then(|element| element.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            break;
        };
        if !chosen.is_empty() {
            chosen.push('|');
        }
        chosen.push_str(&input.value());
    }
    chosen
}
