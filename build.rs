//! Compiles the translations in `locales/` into the `i18n` module (leptos_i18n): one file per
//! language, named by its code. Adding a language is adding a file; English is the reference that
//! every other file must match key for key (`tests/languages.rs` checks it).
//!
//! This calls leptos_i18n's own parser and code generator (the crates its `leptos_i18n_build`
//! wraps, pinned to the same release). The wrapper also carries ICU's data generator, with its
//! downloader and a WASM interpreter: about a hundred crates more to compile on a fresh machine,
//! for a feature the shop does not use.

use leptos_i18n_parser::parse_locales::options::{Config, ParseOptions};
use leptos_i18n_parser::parse_locales::parse_locales;
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
    let parsed = parse_locales(None, config)?;
    for warning in parsed.diag.warnings().iter() {
        println!("cargo::warning={warning}");
    }
    for error in parsed.diag.errors().iter() {
        println!("cargo::error={error}");
    }
    for path in parsed.tracked_files.iter().flatten() {
        println!("cargo::rerun-if-changed={path}");
    }
    let code = leptos_i18n_codegen::gen_code(&parsed, None, false, None, false)?;
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("no OUT_DIR")?).join("i18n");
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("mod.rs"), code.to_string())?;
    Ok(())
}
