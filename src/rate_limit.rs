//! At most so many events per client address per window, counted in memory.
//!
//! For what a stranger can make the shop write without any proof of who they are, such as a refused
//! Paysera callback (each one an fsync'd row): past the limit the event is only counted, not
//! stored. IPv6 clients are counted per /64, the block one subscriber is usually given (one
//! address each would be no limit at all). The table is bounded too: at most [`MAX_CLIENTS`]
//! addresses; when full, windows that ended are forgotten, then the stalest one.
//!
//! Per instance: behind N instances a client gets N times the limit, which still bounds it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Addresses remembered at once, whatever arrives.
const MAX_CLIENTS: usize = 10_000;

pub struct PerClient {
    limit: u32,
    window: Duration,
    /// Per client: when its window began, and the events in it.
    clients: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

/// What became of one event.
#[derive(Debug, PartialEq, Eq)]
pub enum Admitted {
    Yes,
    /// Over the limit: the first one of its window (worth a log line), or a later one.
    No {
        first: bool,
    },
}

impl PerClient {
    pub fn new(limit: u32, window: Duration) -> PerClient {
        PerClient {
            limit,
            window,
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an event of `client` now, and says whether it is within the limit.
    pub fn admit(&self, client: IpAddr) -> Admitted {
        self.admit_at(client, Instant::now())
    }

    /// Whether `client` has had all its events of the current window (the next would be
    /// refused), without counting one: for checking before an attempt, counting only failures.
    pub fn exhausted(&self, client: IpAddr) -> bool {
        let clients = self
            .clients
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        clients
            .get(&block_of(client))
            .is_some_and(|(began, count)| began.elapsed() < self.window && *count >= self.limit)
    }

    fn admit_at(&self, client: IpAddr, now: Instant) -> Admitted {
        let key = block_of(client);
        let mut clients = self
            .clients
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if !clients.contains_key(&key) && clients.len() >= MAX_CLIENTS {
            self.make_room(&mut clients, now);
        }
        let (began, count) = clients.entry(key).or_insert((now, 0));
        if now.duration_since(*began) >= self.window {
            (*began, *count) = (now, 0);
        }
        *count = count.saturating_add(1);
        match count.checked_sub(self.limit) {
            None | Some(0) => Admitted::Yes,
            Some(over) => Admitted::No { first: over == 1 },
        }
    }

    fn make_room(&self, clients: &mut HashMap<IpAddr, (Instant, u32)>, now: Instant) {
        clients.retain(|_, (began, _)| now.duration_since(*began) < self.window);
        if clients.len() >= MAX_CLIENTS {
            let stalest = clients.iter().min_by_key(|(_, (began, _))| *began);
            if let Some(stalest) = stalest.map(|(key, _)| *key) {
                clients.remove(&stalest);
            }
        }
    }
}

/// The address, or for IPv6 its /64.
fn block_of(client: IpAddr) -> IpAddr {
    match client {
        IpAddr::V4(_) => client,
        IpAddr::V6(v6) => {
            let mut segments = v6.segments();
            segments[4..].fill(0);
            IpAddr::V6(segments.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_limit_events_are_refused_until_the_window_ends() {
        let limit = PerClient::new(3, Duration::from_secs(60));
        let start = Instant::now();
        let client: IpAddr = "203.0.113.7".parse().unwrap();
        let other: IpAddr = "203.0.113.8".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(limit.admit_at(client, start), Admitted::Yes);
        }
        assert_eq!(limit.admit_at(client, start), Admitted::No { first: true });
        assert_eq!(limit.admit_at(client, start), Admitted::No { first: false });
        assert_eq!(limit.admit_at(other, start), Admitted::Yes);
        let later = start + Duration::from_secs(61);
        assert_eq!(limit.admit_at(client, later), Admitted::Yes);
    }

    #[test]
    fn an_ipv6_subscriber_is_one_client_and_the_table_stays_bounded() {
        let limit = PerClient::new(1, Duration::from_secs(60));
        let now = Instant::now();
        let one: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let same_block: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        assert_eq!(limit.admit_at(one, now), Admitted::Yes);
        assert_eq!(
            limit.admit_at(same_block, now),
            Admitted::No { first: true }
        );
        for n in 0..(MAX_CLIENTS as u32 + 50) {
            limit.admit_at(IpAddr::from(n.to_be_bytes()), now);
        }
        assert!(limit.clients.lock().unwrap().len() <= MAX_CLIENTS);
    }
}
