//! The shop's files are its user's alone: folders `0700`, files `0600`.
//!
//! The data folder holds the database and its WAL (live session ids, password hashes, customers'
//! details, the sandbox's key), the sandbox's e-mails and the photos; backups hold the same. With
//! the usual umask (022) they were readable by every local user, any of whom could then take over
//! the logged-in admin's session. The binary sets its umask to 077 at start ([`private_umask`]),
//! which covers every file it or SQLite makes (the WAL and SHM files too); the places that
//! create the data's folders and files also ask for these modes themselves, so the library used
//! from elsewhere (the tests) is as strict, and a copy does not carry a looser source mode over.

use std::io;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::Path;

/// Sets the process's umask to 077: whatever it creates from now on is its user's alone.
pub fn private_umask() {
    // SAFETY: umask only swaps the process's file-creation mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

/// Creates `path` and any missing parents, the new ones `0700`.
pub fn create_private_dir(path: &Path) -> io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
}

/// Writes `bytes` to `path` (created `0600`, or truncated).
pub async fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .await?;
    file.write_all(bytes).await?;
    file.flush().await
}

/// Makes an existing file `0600` (a copy keeps its source's mode; SQLite's `VACUUM INTO` uses
/// the umask).
pub fn make_private(path: &Path) -> io::Result<()> {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

/// Copies `from` to `to`, which ends up `0600`.
pub fn copy_private(from: &Path, to: &Path) -> io::Result<u64> {
    let bytes = std::fs::copy(from, to)?;
    make_private(to)?;
    Ok(bytes)
}

/// Takes group and other access away from an existing path (a shop set up before this): a
/// folder becomes `0700`, a file `0600`. Whether anything changed.
pub fn tighten(path: &Path) -> io::Result<bool> {
    let metadata = std::fs::metadata(path)?;
    let mode = metadata.permissions().mode();
    if mode & 0o077 == 0 {
        return Ok(false);
    }
    let private = if metadata.is_dir() { 0o700 } else { 0o600 };
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(private))?;
    Ok(true)
}
