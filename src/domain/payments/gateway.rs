//! How the shop talks to Paysera: a live project from the configuration, or, with
//! `TURGUS_SANDBOX=1`, the built-in sandbox with its own key pair and password kept in the
//! database (shared by every instance on it).

use crate::config::{PayseraConfig, Secret};
use crate::locale::Locale;
use crate::paysera::callback::CallbackVerifier;
use crate::paysera::methods::{self, MethodsList};
use crate::paysera::{PayseraPublicKey, SignaturePolicy};
use crate::paysera_sources::MethodsSource;
use crate::paysera_sources::{public_key, KeySource};
use leptos_i18n::td_string;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::RsaPrivateKey;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// The sandbox's project number (Paysera's are six digits; this one can never be confused with one).
pub const SANDBOX_PROJECT_ID: u64 = 1;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The merchant's Paysera project (which may be asked for test payments: see
    /// `Payments::test_payments`).
    Live,
    Sandbox,
}

/// Everything the checkout and the callback endpoint need to deal with Paysera.
pub struct Payments {
    pub mode: Mode,
    pub verifier: CallbackVerifier,
    pub pay_url: String,
    /// Where the public key came from, for the merchant's dashboard.
    pub key_source: KeyOrigin,
    pub methods: Methods,
    /// Present in sandbox mode: the sandbox signs callbacks as Paysera would.
    pub sandbox: Option<SandboxKeys>,
}

/// Where the checkout's payment-methods list comes from.
pub enum Methods {
    Paysera(MethodsSource),
    /// The sandbox's own list.
    Sandbox(Arc<MethodsList>),
}

impl Methods {
    pub async fn list(&self) -> Result<Arc<MethodsList>, String> {
        match self {
            Methods::Paysera(source) => source.get().await,
            Methods::Sandbox(list) => Ok(list.clone()),
        }
    }
}

/// The sandbox's methods list, served at `/sandbox/paysera/methods.xml` too.
pub const SANDBOX_METHODS_XML: &str = include_str!("sandbox-methods.xml");

/// The sandbox's signing key, known to the shop only because the sandbox plays Paysera.
pub struct SandboxKeys {
    pub private_key: RsaPrivateKey,
    pub password: String,
}

const SANDBOX_KEY: &str = "sandbox_private_key";
const SANDBOX_PASSWORD: &str = "sandbox_password";

/// Loads (or, on first start, creates) the sandbox's key pair and password. They are kept in the
/// database, so that every instance of the shop on it signs and checks with the same pair (a
/// callback the sandbox sent through one instance is checked by whichever receives it). A shop
/// that kept them in the data folder's `sandbox/` (before they moved) brings that pair along.
pub async fn sandbox_keys(pool: &crate::db::Db, data_dir: &Path) -> Result<SandboxKeys, String> {
    let stored =
        |error: sqlx::Error| format!("cannot keep the sandbox's keys in the database: {error}");
    if let Some(keys) = stored_sandbox_keys(pool).await.map_err(stored)? {
        return keys;
    }
    let (pem, password) = match sandbox_keys_from_folder(data_dir)? {
        Some(old) => old,
        None => {
            let private_key = RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048)
                .map_err(|e| format!("cannot make a sandbox key: {e}"))?;
            let pem = private_key
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(|e| format!("cannot encode the sandbox key: {e}"))?;
            (pem.to_string(), crate::tokens::random_hex(16))
        }
    };
    // Two instances starting together each make a pair; the first to commit is kept by both.
    let mut tx = pool.begin().await.map_err(stored)?;
    for (key, value) in [(SANDBOX_KEY, &pem), (SANDBOX_PASSWORD, &password)] {
        crate::on_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO shop_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(value)
        .execute(&mut *conn)
        .await
        .map(|done| done.rows_affected()))
        .map_err(stored)?;
    }
    tx.commit().await.map_err(stored)?;
    stored_sandbox_keys(pool)
        .await
        .map_err(stored)?
        .unwrap_or_else(|| Err("the sandbox's keys vanished from the database".into()))
}

/// The pair in the database, if there is one (and whether it reads).
async fn stored_sandbox_keys(
    pool: &crate::db::Db,
) -> Result<Option<Result<SandboxKeys, String>>, sqlx::Error> {
    let read = |key: &'static str| async move {
        crate::on_db!(pool, conn => sqlx::query_scalar::<_, String>(
            "SELECT value FROM shop_meta WHERE key = $1",
        )
        .bind(key)
        .fetch_optional(conn)
        .await)
    };
    let (Some(pem), Some(password)) = (read(SANDBOX_KEY).await?, read(SANDBOX_PASSWORD).await?)
    else {
        return Ok(None);
    };
    Ok(Some(
        RsaPrivateKey::from_pkcs8_pem(&pem)
            .map(|private_key| SandboxKeys {
                private_key,
                password,
            })
            .map_err(|e| format!("the sandbox's key in the database is unreadable: {e}")),
    ))
}

/// The pair an earlier version kept in the data folder, as (PEM, password).
fn sandbox_keys_from_folder(data_dir: &Path) -> Result<Option<(String, String)>, String> {
    let folder = data_dir.join("sandbox");
    let (key_file, password_file) = (
        folder.join("paysera-private.pem"),
        folder.join("paysera-password"),
    );
    if !key_file.is_file() || !password_file.is_file() {
        return Ok(None);
    }
    let read =
        |file: &Path| std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()));
    Ok(Some((
        read(&key_file)?,
        read(&password_file)?.trim().to_owned(),
    )))
}

impl Payments {
    /// Whether to ask Paysera for test payments (`test=1`, no money moves): only ever for a live
    /// project, as `TURGUS_PAYSERA_TEST` says where it is set (`pinned`), else as the merchant's
    /// setting.
    pub fn test_payments(&self, pinned: Option<bool>, setting: bool) -> bool {
        self.mode == Mode::Live && pinned.unwrap_or(setting)
    }
}

/// Sets up payments at start-up. A live project's public key must be readable (from the file, the
/// cache or Paysera): a missing or corrupt key stops start-up; it never falls back to `ss1`.
pub async fn setup(
    paysera: &PayseraConfig,
    shop: &ShopPlace<'_>,
    pool: &crate::db::Db,
) -> Result<Payments, String> {
    match &paysera.project {
        Some((project_id, password)) => live(paysera, shop, *project_id, password).await,
        None => sandbox(shop, pool).await,
    }
}

/// Where the shop is, for its payments: the data folder (cached key and methods list), the
/// currency it sells in, and its public address (the sandbox's pay page is under it).
pub struct ShopPlace<'a> {
    pub data_dir: &'a std::path::Path,
    pub currency: crate::money::Currency,
    pub public_url: &'a str,
}

/// A live Paysera project: its public key (unless the callbacks are checked otherwise) and its
/// methods list, refreshed every six hours with the last good copy kept on disk.
async fn live(
    paysera: &PayseraConfig,
    shop: &ShopPlace<'_>,
    project_id: u64,
    password: &Secret,
) -> Result<Payments, String> {
    let (public_key, key_source) = match paysera.signature {
        SignaturePolicy::Rsa => {
            let (key, source) = public_key(
                paysera.public_key_file.as_deref(),
                &paysera.public_key_url,
                shop.data_dir,
            )
            .await?;
            (Some(key), KeyOrigin::Paysera(source))
        }
        policy => (None, KeyOrigin::NotUsed(policy)),
    };
    let currency = shop.currency.code();
    Ok(Payments {
        mode: Mode::Live,
        verifier: CallbackVerifier {
            project_id,
            password: password.expose().to_owned(),
            policy: paysera.signature,
            public_key,
        },
        pay_url: paysera.pay_url.clone(),
        key_source,
        methods: Methods::Paysera(MethodsSource::new(
            crate::paysera::methods_url(&paysera.methods_url, project_id, currency),
            shop.data_dir
                .join(format!("paysera-methods-{project_id}-{currency}.xml")),
            Duration::from_secs(6 * 3600),
        )),
        sandbox: None,
    })
}

/// The built-in sandbox: its key pair (kept in the database) and a fixed methods list.
async fn sandbox(shop: &ShopPlace<'_>, pool: &crate::db::Db) -> Result<Payments, String> {
    let keys = sandbox_keys(pool, shop.data_dir).await?;
    let methods = methods::parse(SANDBOX_METHODS_XML).map_err(|e| e.to_string())?;
    let public_pem = keys
        .private_key
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| format!("cannot encode the sandbox public key: {e}"))?;
    let public_key = PayseraPublicKey::from_pem(&public_pem).map_err(|e| e.to_string())?;
    Ok(Payments {
        mode: Mode::Sandbox,
        verifier: CallbackVerifier {
            project_id: SANDBOX_PROJECT_ID,
            password: keys.password.clone(),
            policy: SignaturePolicy::Rsa,
            public_key: Some(public_key),
        },
        pay_url: format!("{}/sandbox/paysera/pay", shop.public_url),
        key_source: KeyOrigin::Sandbox,
        methods: Methods::Sandbox(Arc::new(methods)),
        sandbox: Some(keys),
    })
}

/// Where the key callbacks are checked with came from.
#[derive(Clone, Debug)]
pub enum KeyOrigin {
    /// Paysera's public key, from a file, the cache or downloaded.
    Paysera(KeySource),
    /// No key: callbacks are signed with the project's password (ss1) or encrypted with it.
    NotUsed(SignaturePolicy),
    /// The sandbox's own key pair, kept in the database.
    Sandbox,
}

impl KeyOrigin {
    /// Where the key came from, as the merchant's overview says it.
    pub fn describe(&self, locale: Locale) -> String {
        match self {
            KeyOrigin::Paysera(KeySource::File(path)) => {
                td_string!(locale, admin.home.key_file, path = path.display()).to_string()
            }
            KeyOrigin::Paysera(KeySource::Cache(path)) => {
                td_string!(locale, admin.home.key_cache, path = path.display()).to_string()
            }
            KeyOrigin::Paysera(KeySource::Downloaded(url)) => {
                td_string!(locale, admin.home.key_downloaded, url).to_string()
            }
            KeyOrigin::NotUsed(SignaturePolicy::Encrypted) => {
                td_string!(locale, admin.home.key_encrypted).to_owned()
            }
            KeyOrigin::NotUsed(_) => td_string!(locale, admin.home.key_ss1).to_owned(),
            KeyOrigin::Sandbox => td_string!(locale, admin.home.key_sandbox).to_owned(),
        }
    }
}
