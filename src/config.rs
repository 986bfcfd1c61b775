//! Start-up configuration from the environment (and a `.env` file when present).
//!
//! Every variable has a default that runs the demo shop. A value that is present but wrong stops
//! start-up with a message naming the variable: silently falling back could, say, serve a live shop
//! from a throw-away database.

use crate::money::Currency;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub addr: SocketAddr,
    pub public_url: String,
    pub data_dir: PathBuf,
    pub currency: Currency,
    /// Where the built site (WASM, JS, CSS, images) lives.
    pub site_root: PathBuf,
}

#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.variable, self.problem)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup`, so tests can pass a map instead of the environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |variable: &'static str, default: &str| {
            let value = lookup(variable).unwrap_or_else(|| default.to_owned());
            let trimmed = value.trim().to_owned();
            if trimmed.is_empty() {
                Err(ConfigError {
                    variable,
                    problem: "is set but empty".into(),
                })
            } else {
                Ok(trimmed)
            }
        };

        let database_url = get("TURGUS_DATABASE_URL", "sqlite://data/turgus.db")?;
        if !database_url.starts_with("sqlite:") {
            return Err(ConfigError {
                variable: "TURGUS_DATABASE_URL",
                problem: format!(
                    "`{}` is not a SQLite URL (sqlite://path/to/file.db); PostgreSQL support is not built yet",
                    redact_url(&database_url)
                ),
            });
        }

        let addr_text = get("TURGUS_ADDR", "127.0.0.1:3000")?;
        let addr = addr_text.parse().map_err(|_| ConfigError {
            variable: "TURGUS_ADDR",
            problem: format!("`{addr_text}` is not an address like 127.0.0.1:3000"),
        })?;

        let public_url = get("TURGUS_PUBLIC_URL", "http://127.0.0.1:3000")?;
        let public_url = public_url.trim_end_matches('/').to_owned();
        let host = public_url
            .strip_prefix("https://")
            .or_else(|| public_url.strip_prefix("http://"));
        if host.is_none_or(|h| h.is_empty() || h.contains(['/', '?', '#', ' '])) {
            return Err(ConfigError {
                variable: "TURGUS_PUBLIC_URL",
                problem: format!(
                    "`{public_url}` is not a base URL like https://shop.example.com (no path)"
                ),
            });
        }

        let data_dir = PathBuf::from(get("TURGUS_DATA_DIR", "data")?);

        let currency_code = get("TURGUS_CURRENCY", "EUR")?;
        let currency = Currency::from_code(&currency_code).ok_or_else(|| ConfigError {
            variable: "TURGUS_CURRENCY",
            problem: format!(
                "`{currency_code}` is not a supported currency (one of: {})",
                Currency::ALL.map(Currency::code).join(", ")
            ),
        })?;

        let site_root = PathBuf::from(get("LEPTOS_SITE_ROOT", "target/site")?);

        Ok(Config {
            database_url,
            addr,
            public_url,
            data_dir,
            currency,
            site_root,
        })
    }

    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// Hides a password in `scheme://user:password@host` so it never reaches a log or an error.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}://***@{}", &url[..scheme_end], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_run_the_demo_shop() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_url, "sqlite://data/turgus.db");
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.public_url, "http://127.0.0.1:3000");
        assert_eq!(c.currency, Currency::Eur);
        assert!(!c.is_https());
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (variable, value) in [
            ("TURGUS_ADDR", "localhost"),
            ("TURGUS_CURRENCY", "XYZ"),
            ("TURGUS_PUBLIC_URL", "shop.example.com"),
            ("TURGUS_PUBLIC_URL", "https://shop.example.com/path"),
            ("TURGUS_DATABASE_URL", "mysql://x"),
            ("TURGUS_DATA_DIR", "  "),
        ] {
            let error = config(&[(variable, value)]).unwrap_err();
            assert_eq!(error.variable, variable, "{value}");
        }
    }

    #[test]
    fn database_passwords_are_redacted_in_errors() {
        let error =
            config(&[("TURGUS_DATABASE_URL", "postgres://shop:s3cret@db/shop")]).unwrap_err();
        assert!(!error.to_string().contains("s3cret"), "{error}");
    }

    #[test]
    fn https_public_url_is_detected_and_trailing_slash_dropped() {
        let c = config(&[("TURGUS_PUBLIC_URL", "https://shop.example.com/")]).unwrap();
        assert_eq!(c.public_url, "https://shop.example.com");
        assert!(c.is_https());
    }
}
