//! Admin accounts: Argon2id password hashes, login throttling, and the session check every admin
//! page and server function goes through ([`admin_only`]).

use super::passwords;
use super::throttle;
use crate::error::AppError;
use crate::locale::Locale;
use std::net::IpAddr;
use std::time::Duration;
use tower_sessions::Session;

const SESSION_KEY: &str = "admin_id";
const SEEN_KEY: &str = "admin_seen";
/// The admin's `session_epoch` at login: a password change bumps it, ending older sessions.
const EPOCH_KEY: &str = "admin_epoch";
/// The admin's language (a code from `locales/`), which the admin's pages speak
/// ([`in_admins_language`]).
const LANGUAGE_KEY: &str = "admin_language";
/// An admin session ends after this long without a request.
const ADMIN_IDLE: Duration = Duration::from_secs(2 * 3600);
/// How often the last-seen time is written back.
const SEEN_PRECISION: Duration = Duration::from_secs(60);
pub const MIN_PASSWORD_CHARS: usize = 12;

/// The e-mail (trimmed) and the password's hash, once both are checked.
pub(super) async fn checked_and_hashed<'a>(
    email: &'a str,
    password: &str,
) -> Result<(&'a str, String), AppError> {
    let email = email.trim();
    checked_credentials(email, password)?;
    Ok((email, passwords::hash(password.to_owned()).await?))
}

fn checked_credentials(email: &str, password: &str) -> Result<(), AppError> {
    if crate::email::Email::parse(email).is_none() {
        return Err(AppError::BadRequest(
            crate::tr!(admin.login.not_an_email).into(),
        ));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::BadRequest(crate::tr!(
            admin.login.short_password,
            count = MIN_PASSWORD_CHARS
        )));
    }
    Ok(())
}

/// Creates (or, for an existing e-mail, re-passwords) an admin account: the command line's
/// `turgus admin create`, run by whoever operates the server. A new password ends the account's
/// existing sessions, and an admin made this way ends the setup link.
pub async fn create_admin(
    pool: &crate::db::Db,
    email: &str,
    password: &str,
    language: Locale,
) -> Result<(), AppError> {
    let (email, hash) = checked_and_hashed(email, password).await?;
    // One account per address, whatever its capitalisation: SQLite's column is COLLATE NOCASE,
    // PostgreSQL's unique index is on lower(email).
    let unique = if pool.is_postgres() {
        "lower(email)"
    } else {
        "email"
    };
    let mut tx = pool.begin().await?;
    // First: on PostgreSQL this waits for a setup that holds the link, so the two never both
    // find the shop without an owner.
    end_setup_link(&mut tx).await?;
    let on_conflict = format!(
        "ON CONFLICT ({unique}) DO UPDATE SET password_hash = excluded.password_hash,
                                             language = excluded.language,
                                             session_epoch = admins.session_epoch + 1"
    );
    insert_admin(&mut tx, (email, &hash, language), &on_conflict).await?;
    tx.commit().await?;
    Ok(())
}

/// Inserts an admin account; `on_conflict` says what an existing one with the e-mail does
/// (empty: the insert fails).
pub(super) async fn insert_admin(
    tx: &mut crate::db::Tx,
    (email, hash, language): (&str, &str, Locale),
    on_conflict: &str,
) -> Result<(), AppError> {
    crate::on_tx!(tx, conn => sqlx::query(&format!(
        "INSERT INTO admins (email, password_hash, language) VALUES ($1, $2, $3) {on_conflict}"
    ))
    .bind(email)
    .bind(hash)
    .bind(crate::locale::code(language))
    .execute(&mut *conn)
    .await
    .map(|done| done.rows_affected()))?;
    Ok(())
}

/// Deletes the setup link (`setup_link`): an admin now exists. Called first in the transaction
/// that creates one, so that on PostgreSQL it waits for a setup in progress (which holds the row).
pub async fn end_setup_link(tx: &mut crate::db::Tx) -> Result<(), AppError> {
    crate::on_tx!(tx, conn => sqlx::query("DELETE FROM admin_setup_link")
        .execute(&mut *conn)
        .await
        .map(|done| done.rows_affected()))?;
    Ok(())
}

/// Sets a new password for an existing admin and ends all of that admin's sessions.
pub async fn change_password(
    pool: &crate::db::Db,
    email: &str,
    password: &str,
) -> Result<(), AppError> {
    let (email, hash) = checked_and_hashed(email, password).await?;
    let changed = crate::on_db!(pool, conn => sqlx::query(
        "UPDATE admins SET password_hash = $1, session_epoch = session_epoch + 1
         WHERE lower(email) = lower($2)",
    )
    .bind(hash)
    .bind(email)
    .execute(conn)
    .await.map(|done| done.rows_affected()))?;
    if changed == 0 {
        return Err(AppError::NotFound(format!(
            "There is no admin {email}; create one with `turgus admin create --email {email}`."
        )));
    }
    Ok(())
}

/// A real hash to check unknown e-mails against, so they cost as much time as known ones.
static DUMMY_HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();

#[derive(sqlx::FromRow)]
struct AdminRow {
    id: i64,
    password_hash: String,
    session_epoch: i64,
    language: String,
}

/// Checks an e-mail and password; on success the session gets a new id (no fixation) and the
/// admin's id. Unknown e-mails cost a hash too, so timing does not tell them apart. The attempt is
/// counted (and perhaps delayed or refused) before anything is hashed.
pub async fn login(
    pool: &crate::db::Db,
    session: &Session,
    client: IpAddr,
    email: &str,
    password: &str,
) -> Result<(), AppError> {
    let attempt = throttle::begin(client, email)?;
    tokio::time::sleep(attempt.wait).await;

    let row: Option<AdminRow> = crate::on_db!(pool, conn => sqlx::query_as("SELECT id, password_hash, session_epoch, language FROM admins WHERE lower(email) = lower($1)")
            .bind(email.trim())
            .fetch_optional(conn)
            .await)?;
    let stored = match &row {
        Some(admin) => admin.password_hash.clone(),
        None => DUMMY_HASH
            .get_or_try_init(|| passwords::hash("no such admin".into()))
            .await?
            .clone(),
    };
    let (valid, outdated) = passwords::verify(&stored, password.to_owned()).await?;
    let Some(admin) = row.filter(|_| valid) else {
        attempt.failed();
        tracing::warn!(%client, "failed admin login");
        return Err(AppError::Unauthorized(
            crate::tr!(admin.login.failed).into(),
        ));
    };
    attempt.succeeded();
    if outdated {
        let hash = passwords::hash(password.to_owned()).await?;
        crate::on_db!(pool, conn => sqlx::query("UPDATE admins SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(admin.id)
            .execute(conn)
            .await.map(|done| done.rows_affected()))?;
    }
    session.cycle_id().await?;
    session.insert(SESSION_KEY, admin.id).await?;
    session.insert(EPOCH_KEY, admin.session_epoch).await?;
    session.insert(LANGUAGE_KEY, &admin.language).await?;
    session
        .insert(SEEN_KEY, crate::clock::unix_seconds())
        .await?;
    Ok(())
}

pub async fn logout(session: &Session) -> Result<(), AppError> {
    // A stranger's logout has nothing to end, and must not make a stored session.
    if session.get::<i64>(SESSION_KEY).await?.is_none() {
        return Ok(());
    }
    session.remove::<i64>(SESSION_KEY).await?;
    session.remove::<i64>(EPOCH_KEY).await?;
    session.remove::<u64>(SEEN_KEY).await?;
    session.remove::<String>(LANGUAGE_KEY).await?;
    session.cycle_id().await?;
    Ok(())
}

/// The logged-in admin's id, or 401. Every admin page and server function starts here. An admin
/// idle for longer than two hours, deleted, or whose password changed since logging in, is logged
/// out.
pub async fn require_admin(pool: &crate::db::Db, session: &Session) -> Result<i64, AppError> {
    let refused = || AppError::Unauthorized(crate::tr!(admin.login.please).into());
    let admin_id = session.get::<i64>(SESSION_KEY).await?.ok_or_else(refused)?;
    let seen = session.get::<u64>(SEEN_KEY).await?.unwrap_or(0);
    let epoch = session.get::<i64>(EPOCH_KEY).await?;
    let current: Option<i64> = crate::on_db!(pool, conn => sqlx::query_scalar("SELECT session_epoch FROM admins WHERE id = $1")
        .bind(admin_id)
        .fetch_optional(conn)
        .await)?;
    let stale = current.is_none() || current != epoch;
    if stale || crate::clock::unix_seconds().saturating_sub(seen) > ADMIN_IDLE.as_secs() {
        logout(session).await?;
        return Err(refused());
    }
    // Each insert is a durable write to the session store; a page makes several calls, and the
    // idle limit is counted in hours, so once a minute is precise enough.
    if crate::clock::unix_seconds().saturating_sub(seen) >= SEEN_PRECISION.as_secs() {
        session
            .insert(SEEN_KEY, crate::clock::unix_seconds())
            .await?;
    }
    Ok(admin_id)
}

/// The shop and the logged-in admin's id, or 401. Every admin server function starts here: the
/// pages are not the guard, the functions behind them are.
pub async fn admin_only() -> Result<(crate::state::AppState, i64), AppError> {
    let (session, state) = crate::state::session_and_state().await?;
    let admin_id = require_admin(&state.pool, &session).await?;
    Ok((state, admin_id))
}

/// Sets the logged-in admin's language, for their account and this session's pages.
pub async fn set_language(
    pool: &crate::db::Db,
    session: &Session,
    admin_id: i64,
    language: Locale,
) -> Result<(), AppError> {
    let code = crate::locale::code(language);
    crate::on_db!(pool, conn => sqlx::query("UPDATE admins SET language = $1 WHERE id = $2")
        .bind(code)
        .bind(admin_id)
        .execute(conn)
        .await
        .map(|done| done.rows_affected()))?;
    session.insert(LANGUAGE_KEY, code).await?;
    Ok(())
}

/// Middleware inside the session layer: an admin page or server function speaks its admin's
/// language (kept in the session at login); before logging in, the browser's (the language edge
/// worked that out). Other addresses are left as the edge found them, and load no session.
pub async fn in_admins_language(
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let session = super::is_admin_path(request.uri().path())
        .then(|| request.extensions().get::<Session>().cloned())
        .flatten();
    if let Some(session) = session {
        if let Some(chosen) = admins_language(&session).await {
            if let Some(found) = request
                .extensions_mut()
                .get_mut::<crate::locale::middleware::RequestLocale>()
            {
                found.locale = chosen;
            }
        }
    }
    next.run(request).await
}

async fn admins_language(session: &Session) -> Option<Locale> {
    let code = session.get::<String>(LANGUAGE_KEY).await.ok()??;
    crate::locale::parse(&code)
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
}
