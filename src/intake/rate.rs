//! How many comments one address may send a minute (`--per-minute`): each
//! address keeps the times of its last submissions, and the oldest are
//! forgotten when they are a minute old or when too many addresses are
//! remembered.
//!
//! Not for connections or bytes per client (`server`).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Addresses remembered before those quiet for a minute are dropped.
const MEMORY: usize = 10_000;
const MINUTE: Duration = Duration::from_secs(60);

/// Submissions per address in the last minute.
#[derive(Debug)]
pub(super) struct RateLimit {
    per_minute: usize,
    times: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl RateLimit {
    /// At most `per_minute` a minute from one address; 0 for no limit.
    pub(super) fn new(per_minute: u32) -> RateLimit {
        RateLimit {
            per_minute: per_minute as usize,
            times: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a submission from `address` at `now`; whether it is within
    /// the limit (one that is not is not counted).
    pub(super) fn allows(&self, address: IpAddr, now: Instant) -> bool {
        if self.per_minute == 0 {
            return true;
        }
        let mut rates = self
            .times
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if rates.len() > MEMORY {
            rates.retain(|_, times| times.back().is_some_and(|t| now - *t < MINUTE));
        }
        let times = rates.entry(address).or_default();
        while times.front().is_some_and(|t| now - *t >= MINUTE) {
            times.pop_front();
        }
        if times.len() >= self.per_minute {
            return false;
        }
        times.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_gets_its_count_a_minute() {
        let limit = RateLimit::new(2);
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        let start = Instant::now();
        assert!(limit.allows(a, start));
        assert!(limit.allows(a, start + Duration::from_secs(1)));
        assert!(!limit.allows(a, start + Duration::from_secs(2)));
        assert!(limit.allows(b, start + Duration::from_secs(2)));
        // A minute after the first, one place is free again.
        assert!(!limit.allows(a, start + Duration::from_secs(59)));
        assert!(limit.allows(a, start + Duration::from_secs(60)));
        assert!(!limit.allows(a, start + Duration::from_secs(60)));
        assert!(RateLimit::new(0).allows(a, start));
    }

    #[test]
    fn quiet_addresses_are_forgotten_when_too_many_are_remembered() {
        let limit = RateLimit::new(1);
        let start = Instant::now();
        for n in 0..=MEMORY as u32 {
            assert!(limit.allows(IpAddr::from(n.to_be_bytes()), start));
        }
        let later = start + MINUTE;
        assert!(limit.allows("198.51.100.1".parse().unwrap(), later));
        assert_eq!(limit.times.lock().unwrap().len(), 1);
    }
}
