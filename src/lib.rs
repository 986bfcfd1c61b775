//! Turgus: a self-hosted shop for merchants who take payments through Paysera.
//!
//! Organised by feature: `catalog` and `cart` own their pages, server functions and (in their
//! `ssr` submodules) their queries. `app` is the page shell and route table; `server` starts it all.

pub mod admin;
pub mod app;
#[cfg(feature = "hydrate")]
pub mod browser;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod error;
pub mod mail;
pub mod money;
pub mod orders;
pub mod settings;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod assets;
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
pub mod sessions;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod tokens;

/// The WASM entry point. Pages are rendered on the server; only the islands (`#[island]`) come to
/// life in the browser, and only their code is in the WASM.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // Lets browser tests (and curious people) see that the page is live: clicks made before
    // hydration would otherwise be lost. Leptos' loader hydrates the islands right after this
    // returns, without waiting on anything but microtasks, so a zero timeout runs once it is done.
    leptos::prelude::set_timeout(
        || {
            if let Some(body) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.body())
            {
                let _ = body.set_attribute("data-hydrated", "true");
            }
        },
        std::time::Duration::ZERO,
    );
}
