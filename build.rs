//! Compiles the translations in `locales/` into the `i18n` module (leptos_i18n): one file per
//! language, named by its code. Adding a language is adding a file; English is the reference that
//! every other file must match key for key.

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::error::Error;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=locales");
    let mut others: Vec<String> = std::fs::read_dir("locales")?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter_map(|name| name.strip_suffix(".json").map(str::to_owned))
        .filter(|code| code != "en")
        .collect();
    others.sort();
    let mut config = Config::new("en")?;
    for code in &others {
        config = config.add_locale(code)?;
    }
    // Strings, not views: pages and e-mails are written on the server with `td_string!`.
    let config = config.parse_options(ParseOptions::default().interpolate_display(true));
    let translations = TranslationsInfos::parse(config)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("no OUT_DIR")?).join("i18n");
    translations.generate_i18n_module(out)?;
    Ok(())
}
