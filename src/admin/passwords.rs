//! Admin password hashes: Argon2id PHC strings, computed in one memory buffer reused for every hash.
//!
//! Argon2id at OWASP's minimum needs 19 MiB per hash. Allocated per hash, on whichever blocking
//! thread ran it, glibc kept those blocks in per-thread arenas: the process grew to ≈ 134 MB after a
//! few dozen logins and stayed there. One buffer, allocated once and taken under a lock, bounds the
//! whole cost to 19 MiB; a login is one hash (≈ 25 ms), so one at a time is plenty for an admin.

use crate::error::AppError;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use tokio::sync::Semaphore;

/// OWASP's minimum for Argon2id: 19 MiB, 2 passes, 1 lane. Hashes made with other parameters are
/// upgraded at the next successful login.
fn params() -> Params {
    Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters")
}

/// The one Argon2 working memory, allocated at the first hash.
static MEMORY: Mutex<Vec<Block>> = Mutex::new(Vec::new());
/// One hash at a time: each takes most of a core, and a burst of logins must not starve the shop
/// (nor queue blocking threads waiting on [`MEMORY`]).
static HASHING: Semaphore = Semaphore::const_new(1);
/// Hashes computed since start: the throttle's promise ("at most so many hashes") is checked
/// against it.
static HASHES_RUN: AtomicU64 = AtomicU64::new(0);

pub fn hashes_run() -> u64 {
    HASHES_RUN.load(Ordering::Relaxed)
}

/// Runs `argon2` over the shared memory, on a blocking thread.
async fn compute(
    argon2: Argon2<'static>,
    password: String,
    salt: Vec<u8>,
    output_len: usize,
) -> Result<Output, AppError> {
    let _permit = HASHING.acquire().await.map_err(|_| AppError::Internal)?;
    tokio::task::spawn_blocking(move || {
        HASHES_RUN.fetch_add(1, Ordering::Relaxed);
        let mut memory = MEMORY.lock().unwrap_or_else(|e| e.into_inner());
        let needed = argon2.params().block_count();
        if memory.len() < needed {
            memory.resize(needed, Block::default());
        }
        Output::init_with(output_len, |out| {
            argon2
                .hash_password_into_with_memory(password.as_bytes(), &salt, out, &mut memory[..])
                .map_err(|_| argon2::password_hash::Error::Crypto)
        })
    })
    .await
    .map_err(|_| AppError::Internal)?
    .map_err(|error| {
        tracing::error!(%error, "password hashing failed");
        AppError::Internal
    })
}

/// A new PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) for `password`.
pub async fn hash(password: String) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let mut raw_salt = [0u8; 64];
    let salt_bytes = salt
        .decode_b64(&mut raw_salt)
        .map_err(|_| AppError::Internal)?
        .to_vec();
    let params = params();
    let output = compute(
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone()),
        password,
        salt_bytes,
        Params::DEFAULT_OUTPUT_LEN,
    )
    .await?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|_| AppError::Internal)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the stored PHC string, and whether that string was made with other
/// parameters than today's (so it should be re-hashed). An unreadable string matches nothing.
pub async fn verify(stored: &str, password: String) -> Result<(bool, bool), AppError> {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return Ok((false, false));
    };
    let (Some(expected), Some(salt)) = (parsed.hash, parsed.salt) else {
        return Ok((false, false));
    };
    let algorithm = Algorithm::try_from(parsed.algorithm);
    let version = Version::try_from(parsed.version.unwrap_or(0x13));
    let stored_params = Params::try_from(&parsed);
    let (Ok(algorithm), Ok(version), Ok(stored_params)) = (algorithm, version, stored_params)
    else {
        return Ok((false, false));
    };
    let mut raw_salt = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut raw_salt) else {
        return Ok((false, false));
    };
    let current = params();
    let outdated = algorithm != Algorithm::Argon2id
        || (
            stored_params.m_cost(),
            stored_params.t_cost(),
            stored_params.p_cost(),
        ) != (current.m_cost(), current.t_cost(), current.p_cost());
    let computed = compute(
        Argon2::new(algorithm, version, stored_params),
        password,
        salt_bytes.to_vec(),
        expected.len(),
    )
    .await?;
    // `Output`'s equality is constant-time.
    Ok((computed == expected, outdated))
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordVerifier;

    #[tokio::test]
    async fn hashes_are_standard_phc_strings_that_verify_either_way() {
        let stored = hash("correct horse battery staple".into()).await.unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        // The argon2 crate's own verifier agrees with ours.
        let parsed = PasswordHash::new(&stored).unwrap();
        assert!(Argon2::default()
            .verify_password(b"correct horse battery staple", &parsed)
            .is_ok());
        assert_eq!(
            verify(&stored, "correct horse battery staple".into())
                .await
                .unwrap(),
            (true, false)
        );
        assert_eq!(
            verify(&stored, "wrong".into()).await.unwrap(),
            (false, false)
        );
        assert_eq!(
            verify("not a hash", "x".into()).await.unwrap(),
            (false, false)
        );
    }

    #[tokio::test]
    async fn hashes_made_with_other_parameters_verify_and_are_outdated() {
        use argon2::PasswordHasher;
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8, 1, 1, None).unwrap(),
        )
        .hash_password(b"pw", &SaltString::generate(&mut rand::rngs::OsRng))
        .unwrap()
        .to_string();
        assert_eq!(verify(&weak, "pw".into()).await.unwrap(), (true, true));
    }
}
