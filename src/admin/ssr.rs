//! Admin accounts: Argon2id password hashes, login throttling, and the session check every admin
//! page and server function goes through.

use crate::error::AppError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use sqlx::SqlitePool;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tower_sessions::Session;

const SESSION_KEY: &str = "admin_id";
const SEEN_KEY: &str = "admin_seen";
/// An admin session ends after this long without a request.
const ADMIN_IDLE: Duration = Duration::from_secs(2 * 3600);
/// How often the last-seen time is written back.
const SEEN_PRECISION: Duration = Duration::from_secs(60);
/// The one message for an unknown e-mail and a wrong password: which one it was is not told.
pub const LOGIN_FAILED: &str = "Wrong e-mail or password.";
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Argon2id with OWASP's minimum (19 MiB, 2 passes, 1 lane). Hashes made with other parameters
/// are upgraded at the next successful login.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// At most two hashes at once: each takes 19 MiB and most of a core, and a burst of logins must
/// not starve the shop.
static HASHING: Semaphore = Semaphore::const_new(2);

async fn on_hashing_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let _permit = HASHING.acquire().await.map_err(|_| AppError::Internal)?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| AppError::Internal)
}

pub async fn hash_password(password: String) -> Result<String, AppError> {
    on_hashing_thread(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await?
    .map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        AppError::Internal
    })
}

/// Creates (or, for an existing e-mail, re-passwords) an admin account.
pub async fn create_admin(pool: &SqlitePool, email: &str, password: &str) -> Result<(), AppError> {
    let email = email.trim();
    if crate::checkout::ssr::Email::parse(email).is_none() {
        return Err(AppError::BadRequest(
            "That is not an e-mail address.".into(),
        ));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::BadRequest(format!(
            "The password needs at least {MIN_PASSWORD_CHARS} characters."
        )));
    }
    let hash = hash_password(password.to_owned()).await?;
    sqlx::query(
        "INSERT INTO admins (email, password_hash) VALUES ($1, $2)
         ON CONFLICT (email) DO UPDATE SET password_hash = excluded.password_hash",
    )
    .bind(email)
    .bind(hash)
    .execute(pool)
    .await?;
    Ok(())
}

/// A real hash to check unknown e-mails against, so they cost as much time as known ones.
static DUMMY_HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();

/// Failed logins, per account and per client address: a few are free, then each waits longer,
/// then the key is refused for a while. It always lifts, so the owner is never locked out for good.
struct Failures {
    count: u32,
    last: Instant,
}

static FAILURES: LazyLock<Mutex<HashMap<String, Failures>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));
const FREE_FAILURES: u32 = 3;
const REFUSE_AFTER: u32 = 8;
const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);

/// How long to slow this attempt down, or `Err` if the key is refused for now.
fn throttle(keys: &[String]) -> Result<Duration, AppError> {
    let mut failures = FAILURES.lock().unwrap_or_else(|e| e.into_inner());
    failures.retain(|_, f| f.last.elapsed() < FORGET_AFTER);
    let worst = keys
        .iter()
        .filter_map(|k| failures.get(k))
        .map(|f| f.count)
        .max()
        .unwrap_or(0);
    if worst >= REFUSE_AFTER {
        return Err(AppError::TooManyRequests(
            "Too many failed logins. Please try again in 15 minutes.".into(),
        ));
    }
    Ok(Duration::from_millis(
        250 * u64::from(worst.saturating_sub(FREE_FAILURES)).pow(2),
    ))
}

fn record_failure(keys: &[String]) {
    let mut failures = FAILURES.lock().unwrap_or_else(|e| e.into_inner());
    for key in keys {
        let entry = failures.entry(key.clone()).or_insert(Failures {
            count: 0,
            last: Instant::now(),
        });
        entry.count += 1;
        entry.last = Instant::now();
    }
}

fn forget_failures(account_key: &str) {
    FAILURES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(account_key);
}

/// Checks an e-mail and password; on success the session gets a new id (no fixation) and the
/// admin's id. Unknown e-mails cost a hash too, so timing does not tell them apart.
pub async fn login(
    pool: &SqlitePool,
    session: &Session,
    client: &str,
    email: &str,
    password: &str,
) -> Result<(), AppError> {
    let account_key = format!("account:{}", email.trim().to_lowercase());
    let keys = [account_key.clone(), format!("client:{client}")];
    tokio::time::sleep(throttle(&keys)?).await;

    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT id, password_hash FROM admins WHERE email = $1")
            .bind(email.trim())
            .fetch_optional(pool)
            .await?;
    let stored = match &row {
        Some((_, hash)) => hash.clone(),
        None => DUMMY_HASH
            .get_or_try_init(|| hash_password("no such admin".into()))
            .await?
            .clone(),
    };
    let candidate = password.to_owned();
    let (valid, outdated) = on_hashing_thread(move || {
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return (false, false);
        };
        let valid = argon2()
            .verify_password(candidate.as_bytes(), &parsed)
            .is_ok();
        let current = argon2();
        let outdated = parsed.algorithm != argon2::ARGON2ID_IDENT
            || Params::try_from(&parsed)
                .map(|p| p != *current.params())
                .unwrap_or(true);
        (valid, outdated)
    })
    .await?;

    let Some((admin_id, _)) = row.filter(|_| valid) else {
        record_failure(&keys);
        tracing::warn!(client, "failed admin login");
        return Err(AppError::Unauthorized(LOGIN_FAILED.into()));
    };
    forget_failures(&account_key);
    if outdated {
        let hash = hash_password(password.to_owned()).await?;
        sqlx::query("UPDATE admins SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(admin_id)
            .execute(pool)
            .await?;
    }
    session.cycle_id().await?;
    session.insert(SESSION_KEY, admin_id).await?;
    session.insert(SEEN_KEY, now_seconds()).await?;
    Ok(())
}

fn now_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

pub async fn logout(session: &Session) -> Result<(), AppError> {
    session.remove::<i64>(SESSION_KEY).await?;
    session.remove::<u64>(SEEN_KEY).await?;
    session.cycle_id().await?;
    Ok(())
}

/// The logged-in admin's id, or 401. Every admin page and server function starts here. An admin
/// idle for longer than two hours is logged out.
pub async fn require_admin(session: &Session) -> Result<i64, AppError> {
    let refused = || AppError::Unauthorized("Please log in as the shop's admin.".into());
    let admin_id = session.get::<i64>(SESSION_KEY).await?.ok_or_else(refused)?;
    let seen = session.get::<u64>(SEEN_KEY).await?.unwrap_or(0);
    if now_seconds().saturating_sub(seen) > ADMIN_IDLE.as_secs() {
        logout(session).await?;
        return Err(refused());
    }
    // Each insert is a durable write to the session store; a page makes several calls, and the
    // idle limit is counted in hours, so once a minute is precise enough.
    if now_seconds().saturating_sub(seen) >= SEEN_PRECISION.as_secs() {
        session.insert(SEEN_KEY, now_seconds()).await?;
    }
    Ok(admin_id)
}

/// Where to go after logging in: only a path on this site (`/admin/...`), never another host.
pub fn safe_next(next: &str) -> String {
    let next = next.trim();
    let same_site = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control() || c.is_whitespace());
    if same_site {
        next.to_owned()
    } else {
        "/admin".to_owned()
    }
}

const SETUP_TOKEN_KEY: &str = "admin_setup_token";

/// While the shop has no admin, a one-time setup link lets the first person holding it (the one
/// who can read the server's log) create the owner's account. A new link at every start.
pub async fn setup_link(pool: &SqlitePool, public_url: &str) -> Result<Option<String>, AppError> {
    let (admins,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM admins")
        .fetch_one(pool)
        .await?;
    if admins > 0 {
        sqlx::query("DELETE FROM shop_meta WHERE key = $1")
            .bind(SETUP_TOKEN_KEY)
            .execute(pool)
            .await?;
        return Ok(None);
    }
    let token = crate::tokens::random_hex(24);
    sqlx::query("INSERT INTO shop_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bind(SETUP_TOKEN_KEY)
        .bind(&token)
        .execute(pool)
        .await?;
    Ok(Some(format!("{public_url}/admin/setup?token={token}")))
}

/// Creates the owner's account through the setup link, once, and logs them in.
pub async fn set_up_owner(
    pool: &SqlitePool,
    session: &Session,
    client: &str,
    token: &str,
    email: &str,
    password: &str,
) -> Result<(), AppError> {
    let invalid = || {
        AppError::NotFound(
            "This setup link is no longer valid. Use `turgus admin create` instead.".into(),
        )
    };
    let stored: Option<String> = sqlx::query_scalar("SELECT value FROM shop_meta WHERE key = $1")
        .bind(SETUP_TOKEN_KEY)
        .fetch_optional(pool)
        .await?;
    let stored = stored.ok_or_else(invalid)?;
    if !crate::tokens::same_secret(&stored, token) {
        return Err(invalid());
    }
    // Claim the link first: of two people racing with it, only one creates an account.
    let claimed = sqlx::query("DELETE FROM shop_meta WHERE key = $1 AND value = $2")
        .bind(SETUP_TOKEN_KEY)
        .bind(&stored)
        .execute(pool)
        .await?
        .rows_affected();
    if claimed != 1 {
        return Err(invalid());
    }
    if let Err(error) = create_admin(pool, email, password).await {
        // A typo in the form should not burn the link.
        sqlx::query("INSERT OR IGNORE INTO shop_meta (key, value) VALUES ($1, $2)")
            .bind(SETUP_TOKEN_KEY)
            .bind(&stored)
            .execute(pool)
            .await?;
        return Err(error);
    }
    login(pool, session, client, email, password).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_accepts_only_paths_on_this_site() {
        assert_eq!(safe_next("/admin/orders?page=2"), "/admin/orders?page=2");
        for evil in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "javascript:alert(1)",
            "",
            "/ /x",
            "/\t/evil.example",
        ] {
            assert_eq!(safe_next(evil), "/admin", "{evil:?}");
        }
    }

    #[test]
    fn throttling_slows_then_refuses_then_forgets() {
        let keys = ["account:throttle-test@example.com".to_owned()];
        assert_eq!(throttle(&keys).unwrap(), Duration::ZERO);
        for _ in 0..FREE_FAILURES {
            record_failure(&keys);
        }
        assert_eq!(
            throttle(&keys).unwrap(),
            Duration::ZERO,
            "a few mistakes are free"
        );
        record_failure(&keys);
        assert!(
            throttle(&keys).unwrap() > Duration::ZERO,
            "then each attempt waits"
        );
        for _ in 0..REFUSE_AFTER {
            record_failure(&keys);
        }
        assert!(
            throttle(&keys).is_err(),
            "then the account is refused for a while"
        );
        forget_failures(&keys[0]);
        assert!(throttle(&keys).is_ok());
    }
}
