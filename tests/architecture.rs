//! The house in layers, kept by a test: shared pieces at the bottom, the domain core above them,
//! the web on top (`src/domain/mod.rs` says why). Reads every file under `src/` as text, so a new
//! file is covered as soon as it exists:
//! - a file under `src/domain/` never names the web layer (its modules, `axum`, `leptos_axum`,
//!   `tower_sessions`, Leptos' `use_context`, `tr!` or the request's language): it takes what it
//!   uses as arguments;
//! - a domain module uses only the domain modules before it in [`DOMAIN_ORDER`], and only a flow
//!   opens a transaction in a file that uses another domain module;
//! - a shared piece (any top-level module not in [`WEB`]) uses neither the domain nor the web.

use std::path::{Path, PathBuf};

/// The web layer's top-level modules, and files of a shared module that are the web's (the
/// language switch's components). A new top-level module is a shared piece until it is listed
/// here, so the test fails if it reaches up.
const WEB: &[&str] = &[
    "locale/pages",
    "admin",
    "app",
    "assets",
    "backup",
    "browser",
    "cart",
    "catalog",
    "checkout",
    "cli",
    "health",
    "legal",
    "lib",
    "main",
    "maintenance",
    "metrics",
    "page",
    "page_cache",
    "server",
    "sessions",
    "state",
    "ui",
];

/// The domain's modules, each allowed to use only those before it.
const DOMAIN_ORDER: &[&str] = &[
    "page_changes",
    "vat",
    "pickup_points",
    "settings",
    "catalog",
    "inventory",
    "cart",
    "discounts",
    "orders",
    "invoices",
    "mail",
    "payments",
    "flows",
];

/// What domain code never names: the web layer and the request it serves.
const NOT_IN_DOMAIN: &[&str] = &[
    "axum",
    "leptos_axum",
    "tower_sessions",
    "use_context",
    "tr!",
    "locale::current",
    "locale::middleware",
];

fn source_files(folder: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            source_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The file's code without its comments (a module doc may well name what it does not use).
fn code_of(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether `word` stands in the code as a word of its own (`tr!`, not `include_str!`).
fn names(code: &str, word: &str) -> bool {
    code.match_indices(word).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + word.len()..].chars().next();
        let part_of_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !part_of_word(before) && (word.ends_with('!') || !part_of_word(after))
    })
}

/// The top-level modules a piece of code names as `crate::name`.
fn crate_modules(code: &str) -> Vec<String> {
    code.match_indices("crate::")
        .filter(|(at, _)| !code[..*at].ends_with('$'))
        .map(|(at, prefix)| {
            code[at + prefix.len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

/// Where a file sits: `("domain", Some("orders"))`, `("checkout", None)`, `("money", None)`.
fn place_of(relative: &Path) -> (String, Option<String>) {
    let parts: Vec<String> = relative
        .with_extension("")
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    let inner = (parts[0] == "domain" && parts.len() > 2).then(|| parts[1].clone());
    (parts[0].clone(), inner)
}

/// The domain modules a piece of code names as `domain::name`.
fn domain_modules(code: &str) -> Vec<String> {
    let mut found: Vec<String> = code
        .match_indices("domain::")
        .map(|(at, _)| {
            code[at + 8..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        })
        .filter(|m: &String| !m.is_empty())
        .collect();
    found.dedup();
    found
}

fn domain_rank(module: &str) -> usize {
    DOMAIN_ORDER
        .iter()
        .position(|m| *m == module)
        .unwrap_or_else(|| panic!("domain module `{module}` is not in DOMAIN_ORDER: place it"))
}

/// What one file breaks, if anything.
fn broken_rules(relative: &Path, code: &str) -> Vec<String> {
    let (top, inner) = place_of(relative);
    let file = relative.with_extension("").to_string_lossy().into_owned();
    let is_web = WEB.contains(&top.as_str()) || WEB.contains(&file.as_str());
    let named = crate_modules(code);
    let mut broken = vec![];
    if top == "domain" {
        for word in NOT_IN_DOMAIN {
            if names(code, word) {
                broken.push(format!("names `{word}`"));
            }
        }
        broken.extend(
            named
                .iter()
                .filter(|m| WEB.contains(&m.as_str()))
                .map(|m| format!("uses the web's `crate::{m}`")),
        );
        if let Some(own) = inner.as_deref().filter(|m| *m != "mod" && *m != "flows") {
            let others: Vec<String> = domain_modules(code)
                .into_iter()
                .filter(|m| m != own)
                .collect();
            if code.contains(".begin()") && !others.is_empty() {
                broken.push(format!(
                    "opens a transaction beside `domain::{}`: only flows span modules",
                    others[0]
                ));
            }
        }
        if let Some(own) = inner.filter(|m| m != "mod") {
            let rank = domain_rank(&own);
            for (at, _) in code.match_indices("domain::") {
                let used: String = code[at + 8..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !used.is_empty() && domain_rank(&used) > rank {
                    broken.push(format!(
                        "`{own}` uses `domain::{used}`, which comes after it"
                    ));
                }
            }
        }
    } else if !is_web {
        broken.extend(
            named
                .iter()
                .filter(|m| *m == "domain" || WEB.contains(&m.as_str()))
                .map(|m| format!("a shared piece uses `crate::{m}`")),
        );
    }
    broken
}

#[test]
fn no_layer_reaches_up() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![];
    source_files(&root, &mut files);
    files.sort();
    let mut broken = vec![];
    for file in &files {
        let relative = file.strip_prefix(&root).unwrap();
        for rule in broken_rules(relative, &code_of(file)) {
            broken.push(format!("src/{}: {rule}", relative.display()));
        }
    }
    assert!(broken.is_empty(), "\n{}", broken.join("\n"));
}

#[test]
fn the_rules_catch_what_they_are_about() {
    let domain = Path::new("domain/orders/place.rs");
    assert!(broken_rules(domain, "use crate::state::AppState;")[0].contains("crate::state"));
    assert!(!broken_rules(domain, "let x = tr!(cart.emptied);").is_empty());
    assert!(!broken_rules(domain, "use crate::domain::payments::gateway;").is_empty());
    let spanning = "let tx = pool.begin().await?; crate::domain::inventory::release(tx, 1)";
    assert!(!broken_rules(domain, spanning).is_empty());
    assert!(broken_rules(Path::new("domain/flows/x.rs"), spanning).is_empty());
    assert!(broken_rules(domain, "use crate::domain::catalog::Image;").is_empty());
    assert!(broken_rules(domain, "include_str!(\"placeholders/terms.md\")").is_empty());
    assert!(broken_rules(Path::new("locale/pages.rs"), "crate::ui::x()").is_empty());
    assert!(!broken_rules(Path::new("money.rs"), "use crate::domain::orders;").is_empty());
    assert!(!broken_rules(Path::new("newpiece.rs"), "crate::cart::x()").is_empty());
    assert!(broken_rules(Path::new("cart/pages.rs"), "crate::domain::orders::x()").is_empty());
}
