//! `turgus backup PATH` and `turgus restore PATH`: the database and the product photos, copied
//! while the shop serves, and put back while it does not.
//!
//! The backup is SQLite's `VACUUM INTO`: a consistent snapshot taken inside one read transaction,
//! so orders and payments being written meanwhile are either wholly in it or not at all. The photos
//! are copied after it (a photo uploaded in between is extra, never missing from an order's page:
//! the database does not know it yet). A restore refuses to run while a shop holds the database's
//! lock, checks the copy's integrity first, and keeps the database it replaces beside it.
//!
//! SQLite only: a shop on PostgreSQL is backed up with `pg_dump` and its data folder
//! (`docs/deploy.md`).

use crate::config::Storage;
use std::path::{Path, PathBuf};

const DATABASE_FILE: &str = "turgus.db";
const MEDIA_DIR: &str = "media";

/// What a backup wrote.
#[derive(Debug)]
pub struct Summary {
    pub database_bytes: u64,
    pub media_files: u64,
}

/// Writes a backup of the shop into the new folder `target` (it must not exist, or be empty).
pub async fn backup(storage: &Storage, target: &Path) -> Result<Summary, String> {
    let database = database_file(storage)?;
    if !database.is_file() {
        return Err(format!("there is no database at {}", database.display()));
    }
    if target.exists()
        && std::fs::read_dir(target)
            .map_err(|e| format!("{}: {e}", target.display()))?
            .next()
            .is_some()
    {
        return Err(format!("{} exists and is not empty", target.display()));
    }
    crate::files::create_private_dir(target).map_err(|e| format!("{}: {e}", target.display()))?;
    let copy = target.join(DATABASE_FILE);
    let pool = crate::db::sqlite::connect(storage.database_url.expose())
        .await
        .map_err(|e| e.to_string())?;
    let vacuumed = sqlx::query("VACUUM INTO $1")
        .bind(copy.to_string_lossy().as_ref())
        .execute(&pool)
        .await;
    pool.close().await;
    vacuumed.map_err(|e| format!("cannot copy the database: {e}"))?;
    crate::files::make_private(&copy).map_err(|e| format!("{}: {e}", copy.display()))?;
    let media_files = copy_tree(&storage.data_dir.join(MEDIA_DIR), &target.join(MEDIA_DIR))?;
    let database_bytes = std::fs::metadata(&copy).map(|m| m.len()).unwrap_or(0);
    Ok(Summary {
        database_bytes,
        media_files,
    })
}

/// Puts the backup in `source` back. Refused while a shop is running on the database.
pub async fn restore(storage: &Storage, source: &Path) -> Result<PathBuf, String> {
    let copy = source.join(DATABASE_FILE);
    if !std::fs::symlink_metadata(&copy).is_ok_and(|m| m.is_file()) {
        return Err(format!("{} has no {DATABASE_FILE}", source.display()));
    }
    // Before anything changes: a backup is only plain files and folders.
    check_plain_tree(&source.join(MEDIA_DIR))?;
    let database = database_file(storage)?;
    // Held until the restore is done: a shop starting meanwhile is refused too.
    let _lock = crate::db::lock(storage.database_url.expose()).map_err(|e| match e {
        crate::db::LockError::Held(_) => format!(
            "the shop is running on {}; stop it before restoring",
            database.display()
        ),
        other => other.to_string(),
    })?;
    check_integrity(&copy).await?;
    let kept = crate::db::sibling(
        &database,
        &format!(".before-restore-{}", crate::clock::unix_seconds()),
    );
    if database.exists() {
        // A checkpoint folds the WAL into the file, so the kept copy is whole.
        let pool = crate::db::sqlite::connect(storage.database_url.expose())
            .await
            .map_err(|e| e.to_string())?;
        let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&pool)
            .await;
        pool.close().await;
        std::fs::rename(&database, &kept).map_err(|e| format!("{}: {e}", database.display()))?;
    }
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(crate::db::sibling(&database, suffix));
    }
    let incoming = crate::db::sibling(&database, ".restoring");
    crate::files::copy_private(&copy, &incoming)
        .map_err(|e| format!("{}: {e}", incoming.display()))?;
    std::fs::rename(&incoming, &database).map_err(|e| format!("{}: {e}", database.display()))?;
    let media = storage.data_dir.join(MEDIA_DIR);
    if source.join(MEDIA_DIR).is_dir() {
        if media.exists() {
            let old = storage.data_dir.join(format!(
                "media.before-restore-{}",
                crate::clock::unix_seconds()
            ));
            std::fs::rename(&media, &old).map_err(|e| format!("{}: {e}", media.display()))?;
        }
        copy_tree(&source.join(MEDIA_DIR), &media)?;
    }
    Ok(kept)
}

async fn check_integrity(copy: &Path) -> Result<(), String> {
    use sqlx::ConnectOptions;
    let mut connection = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(copy)
        .read_only(true)
        .connect()
        .await
        .map_err(|e| format!("{} is not a readable database: {e}", copy.display()))?;
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut connection)
        .await
        .map_err(|e| format!("{} is not a readable database: {e}", copy.display()))?;
    if verdict != "ok" {
        return Err(format!("{} is damaged: {verdict}", copy.display()));
    }
    Ok(())
}

/// The SQLite file the shop's database is.
fn database_file(storage: &Storage) -> Result<PathBuf, String> {
    if crate::db::is_postgres_url(storage.database_url.expose()) {
        return Err(
            "the shop's database is PostgreSQL: back it up with pg_dump, and its \
                    data folder with any file copy (docs/deploy.md)"
                .into(),
        );
    }
    crate::db::database_path(storage.database_url.expose())
        .ok_or_else(|| "TURGUS_DATABASE_URL does not name a database file".into())
}

/// Refuses anything under `root` that is not a plain file or folder (a symbolic link, a device,
/// a socket), naming it. Links are never followed: a link in a backup's photos would publish the
/// file it points to (`/etc/hostname`) under `/media/`, and one to a folder above it would be
/// copied into itself until the stack overflowed. A missing `root` is fine (no photos).
fn check_plain_tree(root: &Path) -> Result<(), String> {
    let Ok(metadata) = std::fs::symlink_metadata(root) else {
        return Ok(());
    };
    if metadata.is_file() {
        return Ok(());
    }
    if !metadata.is_dir() {
        return Err(not_plain(root));
    }
    for entry in std::fs::read_dir(root).map_err(|e| format!("{}: {e}", root.display()))? {
        let entry = entry.map_err(|e| format!("{}: {e}", root.display()))?;
        check_plain_tree(&entry.path())?;
    }
    Ok(())
}

fn not_plain(path: &Path) -> String {
    format!(
        "{} is not a plain file or folder (a symbolic link?); refused",
        path.display()
    )
}

/// Copies the files under `from` into `to` (created, for the shop's user alone); a missing `from`
/// copies nothing. Anything that is not a plain file or folder is refused, never followed.
fn copy_tree(from: &Path, to: &Path) -> Result<u64, String> {
    if !std::fs::symlink_metadata(from).is_ok_and(|m| m.is_dir()) {
        return Ok(0);
    }
    crate::files::create_private_dir(to).map_err(|e| format!("{}: {e}", to.display()))?;
    let mut copied = 0;
    for entry in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let entry = entry.map_err(|e| format!("{}: {e}", from.display()))?;
        let path = entry.path();
        let destination = to.join(entry.file_name());
        let kind = entry
            .file_type()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if kind.is_dir() {
            copied += copy_tree(&path, &destination)?;
        } else if kind.is_file() {
            crate::files::copy_private(&path, &destination)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            copied += 1;
        } else {
            return Err(not_plain(&path));
        }
    }
    Ok(copied)
}
