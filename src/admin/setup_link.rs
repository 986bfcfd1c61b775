//! The one-time link that creates the shop owner's account on a fresh install.
//!
//! Start-up prints it to the log while the shop has no admin. Whoever can read that log holds
//! it, so it is kept as narrow as it can be: it works only while the shop has no admin, only once,
//! and for [`VALID_HOURS`]; creating an admin any other way (`turgus admin create`, which calls
//! [`end_setup_link`](super::auth::end_setup_link)) deletes it; and it only ever creates an
//! account, never re-passwords one. Of two people racing with it, one gets the account: both the
//! claim and the check that no admin exists happen in one transaction, which holds the link's row.
//!
//! Kept in the database (`admin_setup_link`, migration 0009), not made anew by each start: every
//! instance of the shop prints the same link, and it works whichever instance the owner reaches.

use super::auth::{checked_and_hashed, end_setup_link as end, insert_admin, login};
use crate::db::Tx;
use crate::error::AppError;
use crate::locale::Locale;
use std::net::IpAddr;
use tower_sessions::Session;

/// How long a printed link stays valid. A start after that prints a new one.
pub const VALID_HOURS: i64 = 24;

/// The link to print at start-up, or `None` when the shop already has an admin (then any link
/// left over is deleted). A link still valid is reused; an expired one is replaced.
pub async fn at_start(pool: &crate::db::Db, public_url: &str) -> Result<Option<String>, AppError> {
    let mut tx = pool.begin().await?;
    if admins(&mut tx).await? > 0 {
        end(&mut tx).await?;
        tx.commit().await?;
        return Ok(None);
    }
    crate::on_tx!(&mut tx, conn => sqlx::query("DELETE FROM admin_setup_link WHERE expires_at <= $1")
        .bind(crate::clock::now())
        .execute(&mut *conn)
        .await
        .map(|done| done.rows_affected()))?;
    crate::on_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO admin_setup_link (id, token, expires_at) VALUES (1, $1, $2)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(crate::tokens::random_hex(24))
    .bind(crate::clock::now_plus(VALID_HOURS * 3600))
    .execute(&mut *conn)
    .await
    .map(|done| done.rows_affected()))?;
    let token: String = crate::on_tx!(&mut tx, conn => sqlx::query_scalar(
        "SELECT token FROM admin_setup_link WHERE id = 1",
    )
    .fetch_one(&mut *conn)
    .await)?;
    tx.commit().await?;
    Ok(Some(format!("{public_url}/admin/setup?token={token}")))
}

async fn admins(tx: &mut Tx) -> Result<i64, AppError> {
    Ok(
        crate::on_tx!(tx, conn => sqlx::query_scalar("SELECT COUNT(*) FROM admins")
        .fetch_one(&mut *conn)
        .await)?,
    )
}

/// Creates the owner's account through the setup link and logs them in. Refused (404, nothing
/// changed) when the link is wrong, expired or used, or when the shop has an admin already. A
/// typo in the form (a short password) is refused before the link is touched.
pub async fn set_up_owner(
    pool: &crate::db::Db,
    session: &Session,
    client: IpAddr,
    token: &str,
    (email, password, language): (&str, &str, Locale),
) -> Result<(), AppError> {
    let (email, hash) = checked_and_hashed(email, password).await?;
    let mut tx = pool.begin().await?;
    claim(&mut tx, token).await?;
    if admins(&mut tx).await? > 0 {
        return Err(no_longer_valid());
    }
    // A plain insert: the setup link never updates an existing account.
    insert_admin(&mut tx, (email, &hash, language), "").await?;
    tx.commit().await?;
    login(pool, session, client, email, password).await
}

/// Takes the link if `token` is it and it has not expired: its row is locked, then deleted, so a
/// second setup (or `turgus admin create`) waits for this transaction and then finds none.
async fn claim(tx: &mut Tx, token: &str) -> Result<(), AppError> {
    let lock = tx.for_update();
    let stored: Option<(String, String)> = crate::on_tx!(tx, conn => sqlx::query_as(&format!(
        "SELECT token, expires_at FROM admin_setup_link WHERE id = 1{lock}"
    ))
    .fetch_optional(&mut *conn)
    .await)?;
    let Some((stored, expires_at)) = stored else {
        return Err(no_longer_valid());
    };
    if !crate::tokens::same_secret(&stored, token) || expires_at <= crate::clock::now() {
        return Err(no_longer_valid());
    }
    end(tx).await
}

fn no_longer_valid() -> AppError {
    AppError::NotFound(crate::tr!(admin.setup.no_longer_valid).into())
}
