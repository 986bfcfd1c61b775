//! Start-up configuration from the environment (and a `.env` file when present).
//!
//! Every variable has a default that runs the demo shop. A value that is present but wrong stops
//! start-up with a message naming the variable: silently falling back could, say, serve a live shop
//! from a throw-away database.

use crate::money::Currency;
use crate::paysera::SignaturePolicy;
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
    pub paysera: PayseraConfig,
    /// Unpaid orders expire (and release their stock) after this many minutes.
    pub order_ttl_minutes: u32,
}

/// A secret (the Paysera project password): never printed, not even in debug output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Secret {
        Secret(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The Paysera project. Without a project id the shop runs against its built-in sandbox.
#[derive(Clone, Debug)]
pub struct PayseraConfig {
    /// `Some` for a live project (with its password); `None` means sandbox mode.
    pub project: Option<(u64, Secret)>,
    pub public_key_file: Option<PathBuf>,
    pub public_key_url: String,
    pub pay_url: String,
    pub methods_url: String,
    /// Ask Paysera for test payments (`test=1`).
    pub test: bool,
    pub signature: SignaturePolicy,
    /// Offer Paysera's SMS bank (`payment=smsbank`) at checkout.
    pub smsbank: bool,
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

        let flag = |variable: &'static str, default: bool| -> Result<bool, ConfigError> {
            match lookup(variable).as_deref().map(str::trim) {
                None => Ok(default),
                Some("1" | "true" | "yes" | "on") => Ok(true),
                Some("0" | "false" | "no" | "off") => Ok(false),
                Some(other) => Err(ConfigError {
                    variable,
                    problem: format!("`{other}` is not on/off (1/0, true/false)"),
                }),
            }
        };
        let project = match lookup("TURGUS_PAYSERA_PROJECT_ID")
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
        {
            None => None,
            Some(id) => {
                let id =
                    id.parse::<u64>()
                        .ok()
                        .filter(|id| *id > 0)
                        .ok_or_else(|| ConfigError {
                            variable: "TURGUS_PAYSERA_PROJECT_ID",
                            problem: format!("`{id}` is not a project number"),
                        })?;
                let password = lookup("TURGUS_PAYSERA_PASSWORD")
                    .filter(|p| !p.trim().is_empty())
                    .ok_or(ConfigError {
                        variable: "TURGUS_PAYSERA_PASSWORD",
                        problem: "is required with TURGUS_PAYSERA_PROJECT_ID".into(),
                    })?;
                Some((id, Secret::new(password.trim().to_owned())))
            }
        };
        let signature = match get("TURGUS_PAYSERA_SIGNATURE", "rsa")?.as_str() {
            "rsa" => SignaturePolicy::Rsa,
            "ss1" => SignaturePolicy::Ss1,
            other => {
                return Err(ConfigError {
                    variable: "TURGUS_PAYSERA_SIGNATURE",
                    problem: format!("`{other}` is not rsa or ss1"),
                })
            }
        };
        let paysera = PayseraConfig {
            project,
            public_key_file: lookup("TURGUS_PAYSERA_PUBLIC_KEY_FILE")
                .filter(|f| !f.trim().is_empty())
                .map(PathBuf::from),
            public_key_url: get(
                "TURGUS_PAYSERA_PUBLIC_KEY_URL",
                crate::paysera::PUBLIC_KEY_URL,
            )?,
            pay_url: get("TURGUS_PAYSERA_PAY_URL", crate::paysera::PAY_URL)?,
            methods_url: get(
                "TURGUS_PAYSERA_METHODS_URL",
                crate::paysera::METHODS_BASE_URL,
            )?,
            test: flag("TURGUS_PAYSERA_TEST", false)?,
            signature,
            smsbank: flag("TURGUS_PAYSERA_SMSBANK", true)?,
        };
        let ttl = get("TURGUS_ORDER_TTL_MINUTES", "60")?;
        let order_ttl_minutes = ttl
            .parse::<u32>()
            .ok()
            .filter(|m| (1..=10_080).contains(m))
            .ok_or_else(|| ConfigError {
                variable: "TURGUS_ORDER_TTL_MINUTES",
                problem: format!("`{ttl}` is not a number of minutes between 1 and 10080"),
            })?;

        Ok(Config {
            database_url,
            addr,
            public_url,
            data_dir,
            currency,
            site_root,
            paysera,
            order_ttl_minutes,
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
            ("TURGUS_PAYSERA_PROJECT_ID", "abc"),
            ("TURGUS_PAYSERA_SIGNATURE", "md5"),
            ("TURGUS_PAYSERA_TEST", "maybe"),
            ("TURGUS_ORDER_TTL_MINUTES", "0"),
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
    fn a_project_id_needs_its_password_which_is_never_printed() {
        let error = config(&[("TURGUS_PAYSERA_PROJECT_ID", "123")]).unwrap_err();
        assert_eq!(error.variable, "TURGUS_PAYSERA_PASSWORD");
        let c = config(&[
            ("TURGUS_PAYSERA_PROJECT_ID", "123"),
            ("TURGUS_PAYSERA_PASSWORD", "hunter2"),
        ])
        .unwrap();
        assert_eq!(
            c.paysera.project.as_ref().map(|(id, p)| (*id, p.expose())),
            Some((123, "hunter2"))
        );
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn without_a_project_the_shop_is_in_sandbox_mode_with_rsa_and_smsbank() {
        let c = config(&[]).unwrap();
        assert!(c.paysera.project.is_none());
        assert_eq!(c.paysera.signature, SignaturePolicy::Rsa);
        assert!(c.paysera.smsbank && !c.paysera.test);
        assert_eq!(c.order_ttl_minutes, 60);
    }

    #[test]
    fn https_public_url_is_detected_and_trailing_slash_dropped() {
        let c = config(&[("TURGUS_PUBLIC_URL", "https://shop.example.com/")]).unwrap();
        assert_eq!(c.public_url, "https://shop.example.com");
        assert!(c.is_https());
    }
}
