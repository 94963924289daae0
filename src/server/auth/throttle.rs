//! Login throttling: failed logins are counted per account and per client IP in
//! a fixed window (`LOGIN_WINDOW_SEC`); past `LOGIN_MAX_FAILURES` (account) or
//! `LOGIN_MAX_FAILURES_PER_IP` (IP), logins for that key answer 429 with
//! `Retry-After` until the window ends, even with the right password.
//!
//! One trait, [`LoginThrottle`], so a Redis-backed counter (shared by replicas,
//! for `REDIS_URL`) can replace the in-process [`MemoryThrottle`] without
//! touching the login route.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A boxed future, so the trait stays object-safe for an async (Redis) backend.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A counter key and its limit.
#[derive(Clone, Debug)]
pub struct Key {
    /// `account:<email>` or `ip:<address>`.
    pub name: String,
    /// Failures allowed in a window.
    pub limit: u32,
}

/// Failed-login counting.
pub trait LoginThrottle: Send + Sync {
    /// Seconds until a login for these keys may be tried again, if any is locked.
    fn blocked<'a>(&'a self, keys: &'a [Key]) -> BoxFuture<'a, Option<u64>>;
    /// Counts a failure against every key.
    fn failed<'a>(&'a self, keys: &'a [Key]) -> BoxFuture<'a, ()>;
    /// Forgets the failures of a key (the account, after a successful login).
    fn succeeded<'a>(&'a self, key: &'a Key) -> BoxFuture<'a, ()>;
}

struct Window {
    start: Instant,
    failures: u32,
}

/// The in-process throttle: one replica's counts.
pub struct MemoryThrottle {
    window: Duration,
    // std Mutex: held for a map lookup, never across an await.
    counts: Mutex<HashMap<String, Window>>,
}

/// Entries kept before expired ones are swept.
const SWEEP_AT: usize = 10_000;

impl MemoryThrottle {
    /// A throttle with this window.
    pub fn new(window: Duration) -> Self {
        Self {
            window,
            counts: Mutex::new(HashMap::new()),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, Window>) -> T) -> T {
        let mut map = match self.counts.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut map)
    }
}

impl LoginThrottle for MemoryThrottle {
    fn blocked<'a>(&'a self, keys: &'a [Key]) -> BoxFuture<'a, Option<u64>> {
        let now = Instant::now();
        let wait = self.with(|map| {
            keys.iter()
                .filter_map(|k| {
                    let w = map.get(&k.name)?;
                    let elapsed = now.duration_since(w.start);
                    (elapsed < self.window && w.failures >= k.limit)
                        .then(|| (self.window - elapsed).as_secs().max(1))
                })
                .max()
        });
        Box::pin(async move { wait })
    }

    fn failed<'a>(&'a self, keys: &'a [Key]) -> BoxFuture<'a, ()> {
        let now = Instant::now();
        self.with(|map| {
            if map.len() >= SWEEP_AT {
                map.retain(|_, w| now.duration_since(w.start) < self.window);
            }
            for k in keys {
                let w = map.entry(k.name.clone()).or_insert(Window {
                    start: now,
                    failures: 0,
                });
                if now.duration_since(w.start) >= self.window {
                    *w = Window {
                        start: now,
                        failures: 0,
                    };
                }
                w.failures = w.failures.saturating_add(1);
            }
        });
        Box::pin(async {})
    }

    fn succeeded<'a>(&'a self, key: &'a Key) -> BoxFuture<'a, ()> {
        self.with(|map| map.remove(&key.name));
        Box::pin(async {})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn locks_after_the_limit_and_success_clears_the_account() {
        let t = MemoryThrottle::new(Duration::from_secs(60));
        let keys = [
            Key {
                name: "account:a".into(),
                limit: 2,
            },
            Key {
                name: "ip:1".into(),
                limit: 3,
            },
        ];
        assert_eq!(t.blocked(&keys).await, None);
        t.failed(&keys).await;
        assert_eq!(t.blocked(&keys).await, None);
        t.failed(&keys).await;
        let wait = t.blocked(&keys).await.unwrap();
        assert!((1..=60).contains(&wait));
        t.succeeded(&keys[0]).await;
        assert_eq!(t.blocked(&keys).await, None);
        t.failed(&keys).await; // the IP's third
        assert!(t.blocked(&keys[1..]).await.is_some());
    }

    #[tokio::test]
    async fn windows_expire() {
        let t = MemoryThrottle::new(Duration::from_millis(1));
        let keys = [Key {
            name: "ip:1".into(),
            limit: 1,
        }];
        t.failed(&keys).await;
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(t.blocked(&keys).await, None);
    }
}
