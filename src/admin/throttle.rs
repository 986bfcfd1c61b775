//! Login throttling: per client address, a few attempts are free, then each waits longer, then the
//! address is refused for a while; per account, attempts are only ever slowed, never refused.
//!
//! An attempt is counted *before* its password is hashed, under one lock, and given back when it
//! succeeds: however many wrong logins arrive at once, at most [`REFUSE_AFTER`] hashes run per
//! address per window. The account is delayed rather than locked, so a stranger hammering the
//! owner's e-mail from one address cannot keep the owner, at another address, out. Both tables
//! are bounded: old entries are forgotten, and when full the stalest goes first.
//!
//! The tables are in memory, per instance: behind a load balancer with N instances a stranger
//! gets up to N times the attempts (docs/deploy.md says so). Passwords are Argon2id, so even that
//! stays far from guessing one.

use crate::error::AppError;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

/// Attempts per address that run without waiting.
pub const FREE_ATTEMPTS: u32 = 3;
/// Attempts per address within [`FORGET_AFTER`] before the address is refused.
pub const REFUSE_AFTER: u32 = 8;
pub const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);
/// The longest wait one attempt is given; an account already booked further ahead is busy.
const MAX_WAIT: Duration = Duration::from_secs(30);
const MAX_ACCOUNT_SPACING: Duration = Duration::from_secs(5);
/// Entries kept per table, whatever e-mails and addresses are tried.
const MAX_ENTRIES: usize = 10_000;

#[derive(Clone, Copy)]
struct Entry {
    /// Per address: attempts not given back. Per account: failures.
    count: u32,
    last: Instant,
    /// Per account: when the next attempt may run (attempts are spaced, not refused).
    next_slot: Instant,
}

#[derive(Default)]
struct Tables {
    clients: HashMap<String, Entry>,
    accounts: HashMap<String, Entry>,
}

static TABLES: LazyLock<Mutex<Tables>> = LazyLock::new(Mutex::default);

/// The wait before an attempt, after `count` earlier ones: none for the first few, then growing.
fn spacing(count: u32) -> Duration {
    Duration::from_millis(250 * u64::from(count.saturating_sub(FREE_ATTEMPTS)).pow(2))
}

/// The table entry for `key`, made room for when the table is full.
fn entry<'a>(table: &'a mut HashMap<String, Entry>, key: &str, now: Instant) -> &'a mut Entry {
    if !table.contains_key(key) && table.len() >= MAX_ENTRIES {
        table.retain(|_, e| now.duration_since(e.last) < FORGET_AFTER);
        if table.len() >= MAX_ENTRIES {
            let stalest = table
                .iter()
                .min_by_key(|(_, e)| e.last)
                .map(|(k, _)| k.clone());
            if let Some(stalest) = stalest {
                table.remove(&stalest);
            }
        }
    }
    let fresh = Entry {
        count: 0,
        last: now,
        next_slot: now,
    };
    let entry = table.entry(key.to_owned()).or_insert(fresh);
    if now.duration_since(entry.last) >= FORGET_AFTER {
        *entry = fresh;
    }
    entry
}

/// IPv6 hosts usually hold a whole /64: counted as one.
fn client_key(client: IpAddr) -> String {
    match client {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

fn account_key(email: &str) -> String {
    email.trim().to_lowercase().chars().take(254).collect()
}

/// A counted login attempt. Say how it ended: a success gives the address's attempt back and
/// clears the account's failures; a failure adds to the account's.
pub struct Attempt {
    client: String,
    account: String,
    /// How long to wait before hashing.
    pub wait: Duration,
}

/// Counts an attempt from `client` at `email`, or refuses it (429) when the address has used up
/// its attempts, or the account is booked too far ahead.
pub fn begin(client: IpAddr, email: &str) -> Result<Attempt, AppError> {
    let now = Instant::now();
    let client = client_key(client);
    let account = account_key(email);
    let mut tables = TABLES.lock().unwrap_or_else(|e| e.into_inner());
    let by_client = entry(&mut tables.clients, &client, now);
    if by_client.count >= REFUSE_AFTER {
        return Err(AppError::TooManyRequests(
            crate::tr!(admin.login.too_many).into(),
        ));
    }
    let client_wait = spacing(by_client.count);
    let by_account = entry(&mut tables.accounts, &account, now);
    let slot = by_account.next_slot.max(now);
    let account_wait = slot - now;
    if account_wait > MAX_WAIT {
        return Err(AppError::TooManyRequests(
            crate::tr!(admin.login.account_busy).into(),
        ));
    }
    by_account.next_slot = slot + spacing(by_account.count).min(MAX_ACCOUNT_SPACING);
    let by_client = entry(&mut tables.clients, &client, now);
    by_client.count += 1;
    by_client.last = now;
    Ok(Attempt {
        client,
        account,
        wait: client_wait.max(account_wait),
    })
}

impl Attempt {
    pub fn succeeded(self) {
        let mut tables = TABLES.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(by_client) = tables.clients.get_mut(&self.client) {
            by_client.count = by_client.count.saturating_sub(1);
        }
        tables.accounts.remove(&self.account);
    }

    pub fn failed(self) {
        let now = Instant::now();
        let mut tables = TABLES.lock().unwrap_or_else(|e| e.into_inner());
        let by_account = entry(&mut tables.accounts, &self.account, now);
        by_account.count += 1;
        by_account.last = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn an_address_is_slowed_then_refused_and_successes_give_attempts_back() {
        let client = ip("192.0.2.10");
        begin(client, "unit-a@example.com").unwrap().succeeded();
        for n in 0..REFUSE_AFTER {
            let attempt = begin(client, "unit-b@example.com").unwrap();
            assert_eq!(
                attempt.wait > Duration::ZERO,
                n > FREE_ATTEMPTS,
                "attempt {n}"
            );
            attempt.failed();
        }
        // The first attempt succeeded and gave its count back: exactly REFUSE_AFTER failures ran.
        assert!(begin(client, "unit-b@example.com").is_err());
    }

    #[test]
    fn an_account_is_delayed_for_everyone_but_never_refused_for_another_address() {
        for n in 0..REFUSE_AFTER {
            begin(ip(&format!("198.51.100.{n}")), "unit-owner@example.com")
                .unwrap()
                .failed();
        }
        let owner = begin(ip("203.0.113.77"), "UNIT-OWNER@example.com").unwrap();
        assert!(owner.wait <= MAX_WAIT);
        owner.succeeded();
        let after = begin(ip("203.0.113.77"), "unit-owner@example.com").unwrap();
        assert!(
            after.wait <= MAX_ACCOUNT_SPACING,
            "failures forgotten after a success"
        );
    }

    #[test]
    fn tables_stay_bounded_whatever_is_tried() {
        let mut table = HashMap::new();
        let start = Instant::now();
        for n in 0..(MAX_ENTRIES + 50) {
            let now = start + Duration::from_millis(n as u64);
            entry(&mut table, &format!("unit-{n}@example.com"), now).count += 1;
        }
        assert_eq!(table.len(), MAX_ENTRIES);
        assert!(
            !table.contains_key("unit-0@example.com"),
            "the stalest went first"
        );
        assert!(table.contains_key(&format!("unit-{}@example.com", MAX_ENTRIES + 49)));
    }

    #[test]
    fn ipv6_hosts_count_per_64_block() {
        assert_eq!(
            client_key(ip("2001:db8:1:2:aaaa::1")),
            client_key(ip("2001:db8:1:2:bbbb::9"))
        );
        assert_ne!(
            client_key(ip("2001:db8:1:2::1")),
            client_key(ip("2001:db8:1:3::1"))
        );
    }
}
