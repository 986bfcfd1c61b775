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
    /// A secret: a PostgreSQL URL carries the database's password.
    pub database_url: Secret,
    pub addr: SocketAddr,
    pub public_url: String,
    pub data_dir: PathBuf,
    pub currency: Currency,
    /// Where the built site (WASM, JS, CSS, images) lives.
    pub site_root: PathBuf,
    pub paysera: PayseraConfig,
    /// Unpaid orders expire (and release their stock) after this many minutes.
    pub order_ttl_minutes: u32,
    /// What one stranger may make the shop keep: unpaid orders, refused callbacks.
    pub limits: Limits,
    /// Reverse proxies whose `X-Forwarded-For` / `Forwarded` header names the real client.
    pub trusted_proxies: Vec<crate::net::Cidr>,
    /// On SIGTERM, how long requests in flight may take to finish.
    pub drain_seconds: u64,
    /// Where `GET /metrics` (Prometheus) is served, apart from the shop (`TURGUS_METRICS_ADDR`;
    /// none: metrics are off).
    pub metrics_addr: Option<SocketAddr>,
    /// How order e-mails leave the shop.
    pub mail: MailConfig,
    /// The language of a first visit whose browser asks for none the shop speaks.
    pub default_locale: crate::locale::Locale,
    /// Where the carriers' lists of pick-up points are downloaded from.
    pub point_feeds: PointFeeds,
    /// What the page cache may hold, in bytes (`TURGUS_PAGE_CACHE_MB`; 0: no page cache).
    pub page_cache_bytes: usize,
}

/// The carriers' public lists of parcel lockers and pick-up points, each address changeable (a
/// mirror, a test server) by its variable, and how long a download may take.
#[derive(Clone, Debug)]
pub struct PointFeeds {
    pub omniva: String,
    pub dpd: String,
    pub venipak: String,
    pub lpexpress: String,
    pub timeout: std::time::Duration,
}

impl PointFeeds {
    fn from_lookup(lookup: &impl Fn(&str) -> Option<String>) -> Result<PointFeeds, ConfigError> {
        let url = |variable: &'static str, default: &str| -> Result<String, ConfigError> {
            let url = setting(lookup, variable, default)?;
            if url.starts_with("https://") || url.starts_with("http://") {
                Ok(url)
            } else {
                Err(ConfigError {
                    variable,
                    problem: format!("`{}` is not an http(s) address", redact_url(&url)),
                })
            }
        };
        Ok(PointFeeds {
            omniva: url(
                "TURGUS_OMNIVA_POINTS_URL",
                "https://www.omniva.ee/locations.json",
            )?,
            dpd: url(
                "TURGUS_DPD_POINTS_URL",
                "https://dpdbaltics.com/PickupParcelShopData.json",
            )?,
            venipak: url(
                "TURGUS_VENIPAK_POINTS_URL",
                "https://go.venipak.lt/ws/get_pickup_points",
            )?,
            lpexpress: url(
                "TURGUS_LPEXPRESS_POINTS_URL",
                "https://api-esavitarna.post.lt/terminal/list?size=9999",
            )?,
            timeout: std::time::Duration::from_secs(u64::from(whole_number(
                lookup,
                "TURGUS_POINTS_TIMEOUT_SECONDS",
                "30",
                1..=600,
            )?)),
        })
    }
}

/// Order e-mails: the SMTP server (none: e-mails are kept, unsent, in admin → E-mails), the
/// sender, and how hard to try.
#[derive(Clone, Debug)]
pub struct MailConfig {
    /// `smtps://user:pass@host:465` or `smtp://user:pass@host:587?tls=required`; plain `smtp://`
    /// only to this machine. A secret: it carries the password.
    pub smtp_url: Option<Secret>,
    /// `Shop <shop@example.com>` or an address; required with SMTP.
    pub from: Option<String>,
    pub reply_to: Option<String>,
    /// Temporary failures are retried this many times in all, then the e-mail is marked failed.
    pub max_attempts: u32,
    /// The first retry waits this long; each next one twice as long (at most six hours).
    pub retry_seconds: u32,
    /// Sandbox mode sends e-mails over SMTP only when this says so (`TURGUS_SANDBOX_SEND_EMAIL`):
    /// in the sandbox any visitor can "pay", so any visitor could make the shop e-mail any
    /// address, greeting them with a name of the visitor's choosing. Off: they go to files.
    pub sandbox_delivery: bool,
}

/// Bounds on what anonymous traffic can make the shop hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Unpaid orders one session may hold at once (each reserves stock).
    pub unpaid_orders_per_session: u32,
    /// Unpaid orders one client address may hold at once.
    pub unpaid_orders_per_client: u32,
    /// Refused (inauthentic) callbacks are deleted after this many days; authentic ones never.
    pub refused_callback_retention_days: u32,
}

/// A secret (the Paysera project password, the SMTP and database URLs): never printed, not even
/// in debug output.
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

/// The Paysera project, or the built-in sandbox (only ever when `TURGUS_SANDBOX=1` says so).
#[derive(Clone, Debug)]
pub struct PayseraConfig {
    /// `Some` for a live project (with its password); `None` means sandbox mode, which start-up
    /// allows only with an explicit `TURGUS_SANDBOX=1`.
    pub project: Option<(u64, Secret)>,
    pub public_key_file: Option<PathBuf>,
    pub public_key_url: String,
    pub pay_url: String,
    pub methods_url: String,
    /// Ask Paysera for test payments (`test=1`): `TURGUS_PAYSERA_TEST` when set, which wins over
    /// the merchant's setting in admin → Settings.
    pub test: Option<bool>,
    pub signature: SignaturePolicy,
    /// Offer Paysera's SMS bank (`payment=smsbank`) at checkout: `TURGUS_PAYSERA_SMSBANK` when
    /// set, which wins over the merchant's setting.
    pub smsbank: Option<bool>,
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
        let get = |variable: &'static str, default: &str| setting(&lookup, variable, default);
        let Storage {
            database_url,
            public_url,
            data_dir,
            default_locale,
            currency,
        } = Storage::from_lookup(&lookup)?;

        let addr = socket_addr(&lookup, "TURGUS_ADDR", Some("127.0.0.1:3000"))?
            .expect("TURGUS_ADDR has a default");
        let site_root = PathBuf::from(get("LEPTOS_SITE_ROOT", "target/site")?);
        let paysera = PayseraConfig::from_lookup(&lookup)?;
        let order_ttl_minutes =
            whole_number(&lookup, "TURGUS_ORDER_TTL_MINUTES", "60", 1..=10_080)?;
        let limits = Limits::from_lookup(&lookup)?;
        let trusted_proxies =
            crate::net::Cidr::parse_list(&lookup("TURGUS_TRUSTED_PROXIES").unwrap_or_default())
                .map_err(|problem| ConfigError {
                    variable: "TURGUS_TRUSTED_PROXIES",
                    problem,
                })?;
        let drain_seconds = u64::from(whole_number(
            &lookup,
            "TURGUS_DRAIN_SECONDS",
            "20",
            1..=3600,
        )?);
        let mail = MailConfig::from_lookup(&lookup)?;
        let metrics_addr = socket_addr(&lookup, "TURGUS_METRICS_ADDR", None)?;
        let point_feeds = PointFeeds::from_lookup(&lookup)?;
        let page_cache_mb = whole_number(&lookup, "TURGUS_PAGE_CACHE_MB", "32", 0..=4096)?;

        Ok(Config {
            database_url,
            addr,
            public_url,
            data_dir,
            currency,
            site_root,
            paysera,
            order_ttl_minutes,
            limits,
            trusted_proxies,
            drain_seconds,
            metrics_addr,
            mail,
            default_locale,
            point_feeds,
            page_cache_bytes: page_cache_mb as usize * 1024 * 1024,
        })
    }

    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// `TURGUS_DEFAULT_LOCALE`: one of the languages in `locales/`.
fn default_locale(code: &str) -> Result<crate::locale::Locale, ConfigError> {
    crate::locale::parse(code.trim()).ok_or_else(|| ConfigError {
        variable: "TURGUS_DEFAULT_LOCALE",
        problem: format!(
            "`{code}` is not a language the shop speaks (one of: {})",
            crate::locale::all()
                .iter()
                .map(|l| crate::locale::code(*l))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })
}

impl PayseraConfig {
    fn from_lookup(lookup: &impl Fn(&str) -> Option<String>) -> Result<PayseraConfig, ConfigError> {
        let get = |variable: &'static str, default: &str| setting(lookup, variable, default);
        let switch = |variable: &'static str| on_off(lookup, variable);
        let signature = match get("TURGUS_PAYSERA_SIGNATURE", "rsa")?.as_str() {
            "rsa" => SignaturePolicy::Rsa,
            "ss1" => SignaturePolicy::Ss1,
            "encrypted" => SignaturePolicy::Encrypted,
            other => {
                return Err(ConfigError {
                    variable: "TURGUS_PAYSERA_SIGNATURE",
                    problem: format!("`{other}` is not rsa, ss1 or encrypted"),
                })
            }
        };
        Ok(PayseraConfig {
            project: paysera_project(lookup, switch("TURGUS_SANDBOX")?.unwrap_or(false))?,
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
            test: switch("TURGUS_PAYSERA_TEST")?,
            signature,
            smsbank: switch("TURGUS_PAYSERA_SMSBANK")?,
        })
    }
}

impl Limits {
    fn from_lookup(lookup: &impl Fn(&str) -> Option<String>) -> Result<Limits, ConfigError> {
        Ok(Limits {
            unpaid_orders_per_session: whole_number(
                lookup,
                "TURGUS_UNPAID_ORDERS_PER_SESSION",
                "3",
                1..=1000,
            )?,
            unpaid_orders_per_client: whole_number(
                lookup,
                "TURGUS_UNPAID_ORDERS_PER_CLIENT",
                "10",
                1..=100_000,
            )?,
            refused_callback_retention_days: whole_number(
                lookup,
                "TURGUS_REFUSED_CALLBACK_RETENTION_DAYS",
                "30",
                1..=3650,
            )?,
        })
    }
}

/// A listening address (`127.0.0.1:3000`), `default` when unset; `None` when unset without one.
fn socket_addr(
    lookup: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: Option<&str>,
) -> Result<Option<SocketAddr>, ConfigError> {
    let text = match default {
        Some(default) => setting(lookup, variable, default)?,
        None => match lookup(variable).filter(|text| !text.trim().is_empty()) {
            Some(text) => text.trim().to_owned(),
            None => return Ok(None),
        },
    };
    text.parse().map(Some).map_err(|_| ConfigError {
        variable,
        problem: format!("`{text}` is not an address like 127.0.0.1:3000"),
    })
}

/// The shop's currency from its ISO code.
fn currency(code: &str) -> Result<Currency, ConfigError> {
    Currency::from_code(code).ok_or_else(|| ConfigError {
        variable: "TURGUS_CURRENCY",
        problem: format!(
            "`{code}` is not a supported currency (one of: {})",
            Currency::ALL.map(Currency::code).join(", ")
        ),
    })
}

impl MailConfig {
    fn from_lookup(lookup: &impl Fn(&str) -> Option<String>) -> Result<MailConfig, ConfigError> {
        let mail = MailConfig {
            smtp_url: smtp_url(lookup)?,
            from: mailbox(lookup, "TURGUS_MAIL_FROM")?,
            reply_to: mailbox(lookup, "TURGUS_MAIL_REPLY_TO")?,
            max_attempts: whole_number(lookup, "TURGUS_MAIL_MAX_ATTEMPTS", "10", 1..=100)?,
            retry_seconds: whole_number(lookup, "TURGUS_MAIL_RETRY_SECONDS", "60", 1..=86_400)?,
            sandbox_delivery: on_off(lookup, "TURGUS_SANDBOX_SEND_EMAIL")?.unwrap_or(false),
        };
        if mail.smtp_url.is_some() && mail.from.is_none() {
            return Err(ConfigError {
                variable: "TURGUS_MAIL_FROM",
                problem: "is required with TURGUS_SMTP_URL: the address the shop's e-mails come \
                          from, like `Linen & Co <orders@example.com>`"
                    .into(),
            });
        }
        Ok(mail)
    }
}

/// An on/off switch, `None` when unset.
fn on_off(
    lookup: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
) -> Result<Option<bool>, ConfigError> {
    match lookup(variable).as_deref().map(str::trim) {
        None => Ok(None),
        Some("1" | "true" | "yes" | "on") => Ok(Some(true)),
        Some("0" | "false" | "no" | "off") => Ok(Some(false)),
        Some(other) => Err(ConfigError {
            variable,
            problem: format!("`{other}` is not on/off (1/0, true/false)"),
        }),
    }
}

/// A whole number within `range`, or `default` when unset.
fn whole_number(
    lookup: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: &str,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, ConfigError> {
    let text = setting(lookup, variable, default)?;
    text.parse::<u32>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| ConfigError {
            variable,
            problem: format!(
                "`{text}` is not a whole number between {} and {}",
                range.start(),
                range.end()
            ),
        })
}

/// A variable's trimmed value, or `default` when unset; set but empty is an error.
fn setting(
    lookup: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: &str,
) -> Result<String, ConfigError> {
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
}

/// Where the shop keeps its data and where it is reached: all the command-line tools (`turgus
/// admin`, `backup`, `restore`) need, without the payment set-up a serving shop requires.
#[derive(Clone, Debug)]
pub struct Storage {
    /// A secret: a PostgreSQL URL carries the database's password.
    pub database_url: Secret,
    pub public_url: String,
    pub data_dir: PathBuf,
    /// `TURGUS_DEFAULT_LOCALE`: a first visit's language, a new admin's, and the merchant notices'.
    pub default_locale: crate::locale::Locale,
    /// `TURGUS_CURRENCY`: what an imported catalog's prices are in.
    pub currency: Currency,
}

impl Storage {
    pub fn from_env() -> Result<Storage, ConfigError> {
        Storage::from_lookup(&|name: &str| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: &impl Fn(&str) -> Option<String>) -> Result<Storage, ConfigError> {
        let database_url = setting(lookup, "TURGUS_DATABASE_URL", "sqlite://data/turgus.db")?;
        if !database_url.starts_with("sqlite:") && !crate::db::is_postgres_url(&database_url) {
            return Err(ConfigError {
                variable: "TURGUS_DATABASE_URL",
                problem: format!(
                    "`{}` is neither a SQLite URL (sqlite://path/to/file.db) nor a PostgreSQL one \
                     (postgres://user:password@host/database)",
                    redact_url(&database_url)
                ),
            });
        }
        let public_url = setting(lookup, "TURGUS_PUBLIC_URL", "http://127.0.0.1:3000")?;
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
        let data_dir = PathBuf::from(setting(lookup, "TURGUS_DATA_DIR", "data")?);
        let default_locale = default_locale(&setting(lookup, "TURGUS_DEFAULT_LOCALE", "en")?)?;
        Ok(Storage {
            database_url: Secret::new(database_url),
            public_url,
            data_dir,
            default_locale,
            currency: currency(&setting(lookup, "TURGUS_CURRENCY", "EUR")?)?,
        })
    }
}

/// The live project from `TURGUS_PAYSERA_PROJECT_ID` and its password, or `None` for the sandbox.
/// The sandbox lets any visitor mark an order paid, so it is never a fallback: it needs
/// `TURGUS_SANDBOX=1`, and a half-configured live project is an error, not a sandbox.
fn paysera_project(
    lookup: &impl Fn(&str) -> Option<String>,
    sandbox: bool,
) -> Result<Option<(u64, Secret)>, ConfigError> {
    let present = |name: &str| {
        lookup(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let id = present("TURGUS_PAYSERA_PROJECT_ID")
        .map(|id| {
            id.parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| ConfigError {
                    variable: "TURGUS_PAYSERA_PROJECT_ID",
                    problem: format!("`{id}` is not a project number"),
                })
        })
        .transpose()?;
    let password = present("TURGUS_PAYSERA_PASSWORD");
    match (id, password, sandbox) {
        (None, None, true) => Ok(None),
        (Some(_), _, true) => Err(ConfigError {
            variable: "TURGUS_SANDBOX",
            problem: "is on together with TURGUS_PAYSERA_PROJECT_ID: choose one (unset \
                      TURGUS_SANDBOX for the live project, or unset the project id to try the shop \
                      in the sandbox)"
                .into(),
        }),
        (None, Some(_), _) => Err(ConfigError {
            variable: "TURGUS_PAYSERA_PROJECT_ID",
            problem: "is missing, but TURGUS_PAYSERA_PASSWORD is set: set your Paysera project \
                      number too"
                .into(),
        }),
        (None, None, false) => Err(ConfigError {
            variable: "TURGUS_PAYSERA_PROJECT_ID",
            problem: "is not set: set TURGUS_PAYSERA_PROJECT_ID and TURGUS_PAYSERA_PASSWORD for \
                      your Paysera project, or TURGUS_SANDBOX=1 to try the shop with the built-in \
                      sandbox (no real money)"
                .into(),
        }),
        (Some(_), None, false) => Err(ConfigError {
            variable: "TURGUS_PAYSERA_PASSWORD",
            problem: "is required with TURGUS_PAYSERA_PROJECT_ID".into(),
        }),
        (Some(id), Some(password), false) => Ok(Some((id, Secret::new(password)))),
    }
}

/// `TURGUS_SMTP_URL`, checked: an SMTP URL lettre understands, encrypted unless the server is on
/// this machine (a password sent in clear over a network is a password given away).
fn smtp_url(lookup: &impl Fn(&str) -> Option<String>) -> Result<Option<Secret>, ConfigError> {
    let Some(url) = lookup("TURGUS_SMTP_URL").map(|u| u.trim().to_owned()) else {
        return Ok(None);
    };
    let problem = |problem: String| ConfigError {
        variable: "TURGUS_SMTP_URL",
        problem,
    };
    if url.is_empty() {
        return Err(problem("is set but empty".into()));
    }
    let shown = redact_url(&url);
    let host = url
        .split_once("://")
        .map(|(_, rest)| rest.rsplit_once('@').map_or(rest, |(_, host)| host))
        .and_then(|rest| rest.split([':', '/', '?']).next())
        .unwrap_or("");
    let local = matches!(host, "localhost" | "127.0.0.1" | "[::1]");
    let encrypted =
        url.starts_with("smtps://") || (url.starts_with("smtp://") && url.contains("tls=required"));
    if !url.starts_with("smtps://") && !url.starts_with("smtp://") {
        return Err(problem(format!(
            "`{shown}` is not smtps://user:pass@host:465 or smtp://user:pass@host:587?tls=required"
        )));
    }
    if !encrypted && !local {
        return Err(problem(format!(
            "`{shown}` would send mail and the password unencrypted: use smtps://…:465 or add \
             ?tls=required (STARTTLS); plain smtp:// is only for a server on this machine"
        )));
    }
    lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(&url)
        .map_err(|e| problem(format!("`{shown}` is not a usable SMTP URL ({e})")))?;
    Ok(Some(Secret::new(url)))
}

/// An e-mail sender or reply address (`Name <address>` or an address), checked.
fn mailbox(
    lookup: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
) -> Result<Option<String>, ConfigError> {
    let Some(text) = lookup(variable).map(|t| t.trim().to_owned()) else {
        return Ok(None);
    };
    text.parse::<lettre::message::Mailbox>()
        .map(|_| Some(text.clone()))
        .map_err(|e| ConfigError {
            variable,
            problem: format!("`{text}` is not an e-mail address ({e})"),
        })
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

    /// The configuration from `pairs`, in the sandbox unless they name a project.
    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let live = pairs
            .iter()
            .any(|(k, _)| k.starts_with("TURGUS_PAYSERA_P") || *k == "TURGUS_SANDBOX");
        let sandbox = (!live).then_some(("TURGUS_SANDBOX", "1"));
        raw_config(&[pairs, sandbox.as_slice()].concat())
    }

    fn raw_config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn debug_output_shows_no_password_of_the_database_or_smtp() {
        let c = config(&[
            (
                "TURGUS_DATABASE_URL",
                "postgres://turgus:db-s3cret@db.example/turgus",
            ),
            (
                "TURGUS_SMTP_URL",
                "smtps://shop:mail-s3cret@mail.example:465",
            ),
            ("TURGUS_MAIL_FROM", "shop@example.lt"),
        ])
        .unwrap();
        let shown = format!(
            "{c:?} {:?}",
            Storage::from_lookup(&|name: &str| {
                (name == "TURGUS_DATABASE_URL").then(|| "postgres://u:db-s3cret@h/d".to_owned())
            })
        );
        assert!(!shown.contains("s3cret"), "{shown}");
    }

    #[test]
    fn defaults_run_the_demo_shop() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_url.expose(), "sqlite://data/turgus.db");
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.public_url, "http://127.0.0.1:3000");
        assert_eq!(c.currency, Currency::Eur);
        assert_eq!(c.default_locale, crate::locale::Locale::en);
        assert!(!c.is_https());
    }

    #[test]
    fn the_default_language_is_one_the_shop_speaks() {
        let c = config(&[("TURGUS_DEFAULT_LOCALE", "lt")]).unwrap();
        assert_eq!(c.default_locale, crate::locale::Locale::lt);
        let e = config(&[("TURGUS_DEFAULT_LOCALE", "lv")]).unwrap_err();
        assert_eq!(e.variable, "TURGUS_DEFAULT_LOCALE");
        assert!(e.problem.contains("one of: en, lt"), "{}", e.problem);
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
            ("TURGUS_UNPAID_ORDERS_PER_SESSION", "-1"),
            ("TURGUS_DRAIN_SECONDS", "soon"),
            ("TURGUS_METRICS_ADDR", "9090"),
            ("TURGUS_TRUSTED_PROXIES", "10.0.0.0/33"),
            ("TURGUS_SANDBOX", "perhaps"),
            ("TURGUS_SMTP_URL", "http://mail.example.com"),
            ("TURGUS_SMTP_URL", "smtp://user:pw@mail.example.com:587"),
            ("TURGUS_MAIL_FROM", "not an address"),
            ("TURGUS_MAIL_MAX_ATTEMPTS", "0"),
        ] {
            let error = config(&[(variable, value)]).unwrap_err();
            assert_eq!(error.variable, variable, "{value}");
        }
    }

    #[test]
    fn smtp_needs_encryption_off_this_machine_a_sender_and_keeps_its_password() {
        let from = ("TURGUS_MAIL_FROM", "Linen & Co <orders@example.com>");
        for url in [
            "smtps://user:s3cret@mail.example.com:465",
            "smtp://user:s3cret@mail.example.com:587?tls=required",
            "smtp://127.0.0.1:2525",
        ] {
            let c = config(&[("TURGUS_SMTP_URL", url), from]).unwrap();
            assert!(!format!("{c:?}").contains("s3cret"), "{url}");
        }
        let plain = config(&[
            ("TURGUS_SMTP_URL", "smtp://user:s3cret@mail.example.com"),
            from,
        ])
        .unwrap_err();
        assert!(!plain.to_string().contains("s3cret"), "{plain}");
        let no_sender = config(&[("TURGUS_SMTP_URL", "smtp://127.0.0.1:2525")]).unwrap_err();
        assert_eq!(no_sender.variable, "TURGUS_MAIL_FROM");
    }

    #[test]
    fn database_passwords_are_redacted_in_errors() {
        let error = config(&[("TURGUS_DATABASE_URL", "mysql://shop:s3cret@db/shop")]).unwrap_err();
        assert_eq!(error.variable, "TURGUS_DATABASE_URL");
        assert!(!error.to_string().contains("s3cret"), "{error}");
        assert!(config(&[("TURGUS_DATABASE_URL", "postgres://shop:s3cret@db/shop")]).is_ok());
    }

    #[test]
    fn the_sandbox_runs_only_when_asked_for_and_never_beside_a_project() {
        let unset = raw_config(&[]).unwrap_err();
        assert_eq!(unset.variable, "TURGUS_PAYSERA_PROJECT_ID");
        assert!(unset.problem.contains("TURGUS_SANDBOX=1"), "{unset}");
        let empty = raw_config(&[("TURGUS_PAYSERA_PROJECT_ID", " ")]).unwrap_err();
        assert_eq!(empty.variable, "TURGUS_PAYSERA_PROJECT_ID");
        let both = raw_config(&[
            ("TURGUS_SANDBOX", "1"),
            ("TURGUS_PAYSERA_PROJECT_ID", "123"),
            ("TURGUS_PAYSERA_PASSWORD", "hunter2"),
        ])
        .unwrap_err();
        assert_eq!(both.variable, "TURGUS_SANDBOX");
        let password_only = raw_config(&[("TURGUS_PAYSERA_PASSWORD", "hunter2")]).unwrap_err();
        assert_eq!(password_only.variable, "TURGUS_PAYSERA_PROJECT_ID");
        let in_sandbox_too =
            raw_config(&[("TURGUS_SANDBOX", "1"), ("TURGUS_PAYSERA_PASSWORD", "x")]).unwrap_err();
        assert_eq!(in_sandbox_too.variable, "TURGUS_PAYSERA_PROJECT_ID");
        assert!(raw_config(&[("TURGUS_SANDBOX", "1")])
            .unwrap()
            .paysera
            .project
            .is_none());
    }

    #[test]
    fn limits_have_defaults_and_can_be_changed() {
        let c = config(&[]).unwrap();
        assert_eq!(
            c.limits,
            Limits {
                unpaid_orders_per_session: 3,
                unpaid_orders_per_client: 10,
                refused_callback_retention_days: 30,
            }
        );
        assert_eq!(c.drain_seconds, 20);
        assert!(c.trusted_proxies.is_empty());
        let c = config(&[
            ("TURGUS_UNPAID_ORDERS_PER_SESSION", "1"),
            ("TURGUS_TRUSTED_PROXIES", "127.0.0.1, ::1 ,10.0.0.0/8"),
        ])
        .unwrap();
        assert_eq!(c.limits.unpaid_orders_per_session, 1);
        assert_eq!(c.trusted_proxies.len(), 3);
        assert_eq!(
            config(&[("TURGUS_PAYSERA_SIGNATURE", "encrypted")])
                .unwrap()
                .paysera
                .signature,
            SignaturePolicy::Encrypted
        );
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
    fn without_a_project_the_shop_is_in_sandbox_mode_with_rsa_and_the_switches_left_to_settings() {
        let c = config(&[]).unwrap();
        assert!(c.paysera.project.is_none());
        assert_eq!(c.paysera.signature, SignaturePolicy::Rsa);
        assert_eq!((c.paysera.smsbank, c.paysera.test), (None, None));
        let c = config(&[
            ("TURGUS_PAYSERA_SMSBANK", "off"),
            ("TURGUS_PAYSERA_TEST", "1"),
        ])
        .unwrap();
        assert_eq!(
            (c.paysera.smsbank, c.paysera.test),
            (Some(false), Some(true))
        );
        assert_eq!(c.order_ttl_minutes, 60);
    }

    #[test]
    fn https_public_url_is_detected_and_trailing_slash_dropped() {
        let c = config(&[("TURGUS_PUBLIC_URL", "https://shop.example.com/")]).unwrap();
        assert_eq!(c.public_url, "https://shop.example.com");
        assert!(c.is_https());
    }
}
