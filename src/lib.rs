//! Turgus: a self-hosted shop for merchants who take payments through Paysera.
//!
//! Organised by feature: `catalog` and `cart` own their pages, server functions and (in their
//! `ssr` submodules) their queries. `app` is the page shell and route table; `server` starts it all.

pub mod admin;
pub mod app;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod error;
pub mod money;
pub mod orders;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod backup;
#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod limits;
#[cfg(feature = "ssr")]
pub mod maintenance;
#[cfg(feature = "ssr")]
pub mod net;
#[cfg(feature = "ssr")]
pub mod paysera;
#[cfg(feature = "ssr")]
pub mod paysera_sources;
#[cfg(feature = "ssr")]
pub mod security;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod tokens;

/// The WASM entry point: takes over the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // Lets browser tests (and curious people) see that the page is live: clicks made before
    // hydration would otherwise be lost.
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
