//! Sessions this process resolved in the last few seconds.
//!
//! Every request resolves its session. Under load that lookup was one
//! database round trip per request, and with SQLite each round trip is a
//! hand-off to the connection's worker thread. Ending a session or changing
//! a user through this store forgets what it changed at once. A change made
//! by another process (a second server on the same database) is seen here
//! within `TTL`, and no entry outlives its session's expiry.

use crate::users::User;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long a resolved session is trusted without asking the database.
const TTL: Duration = Duration::from_secs(5);
/// Past this many entries, expired ones are swept out on insert.
const SWEEP_AT: usize = 4096;

#[derive(Default)]
pub(crate) struct SessionCache {
    entries: Mutex<HashMap<String, Entry>>,
    /// Bumped by every forget: a lookup that read the database before a
    /// session ended must not cache what it read after.
    generation: AtomicU64,
}

struct Entry {
    user: User,
    until: Instant,
}

impl SessionCache {
    /// The user behind `token_sha256`, if resolved recently enough.
    pub(crate) fn get(&self, token_sha256: &str) -> Option<User> {
        // A poisoned lock is a miss: the database answers instead.
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(token_sha256)?;
        (entry.until > Instant::now()).then(|| entry.user.clone())
    }

    /// Taken before reading a session from the database, and handed to
    /// [`SessionCache::put`] with what was read.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Remembers `user` for `token_sha256`, for `TTL` or until the session
    /// expires in `expires_in`, whichever is sooner; unless something was
    /// forgotten since `read_at` (a [`SessionCache::generation`]).
    pub(crate) fn put(&self, token_sha256: &str, user: &User, expires_in: Duration, read_at: u64) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if self.generation() != read_at {
            return;
        }
        let now = Instant::now();
        if entries.len() >= SWEEP_AT {
            entries.retain(|_, e| e.until > now);
        }
        let entry = Entry {
            user: user.clone(),
            until: now + TTL.min(expires_in),
        };
        entries.insert(token_sha256.to_string(), entry);
    }

    pub(crate) fn forget(&self, token_sha256: &str) {
        self.forget_where(|key, _| key == token_sha256);
    }

    pub(crate) fn forget_user(&self, user_id: i64) {
        self.forget_where(|_, user| user.id == user_id);
    }

    fn forget_where(&self, stale: impl Fn(&str, &User) -> bool) {
        // A poisoned lock makes every `get` miss, so nothing stale is served.
        if let Ok(mut entries) = self.entries.lock() {
            self.generation.fetch_add(1, Ordering::SeqCst);
            entries.retain(|key, e| !stale(key, &e.user));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users::Role;

    fn user(id: i64) -> User {
        User {
            id,
            username: format!("user{id}"),
            display_name: format!("User {id}"),
            role: Role::Pharmacist,
            patient_id: None,
            active: true,
            created_at: "2026-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn a_session_is_kept_until_forgotten() {
        let cache = SessionCache::default();
        assert!(cache.get("a").is_none());
        cache.put("a", &user(1), Duration::from_secs(3600), 0);
        cache.put("b", &user(2), Duration::from_secs(3600), 0);
        assert_eq!(cache.get("a").map(|u| u.id), Some(1));
        cache.forget("a");
        assert!(cache.get("a").is_none());
        assert_eq!(cache.get("b").map(|u| u.id), Some(2));
    }

    #[test]
    fn forgetting_a_user_forgets_all_their_sessions() {
        let cache = SessionCache::default();
        cache.put("a", &user(1), Duration::from_secs(3600), 0);
        cache.put("b", &user(1), Duration::from_secs(3600), 0);
        cache.put("c", &user(2), Duration::from_secs(3600), 0);
        cache.forget_user(1);
        assert!(cache.get("a").is_none() && cache.get("b").is_none());
        assert!(cache.get("c").is_some());
    }

    #[test]
    fn a_lookup_older_than_a_forget_is_not_cached() {
        let cache = SessionCache::default();
        let read_at = cache.generation();
        cache.forget("a");
        cache.put("a", &user(1), Duration::from_secs(3600), read_at);
        assert!(cache.get("a").is_none());
    }

    #[test]
    fn no_entry_outlives_its_session() {
        let cache = SessionCache::default();
        cache.put("a", &user(1), Duration::ZERO, 0);
        assert!(cache.get("a").is_none());
    }

    #[test]
    fn expired_entries_are_swept_once_the_cache_is_full() {
        let cache = SessionCache::default();
        for i in 0..SWEEP_AT {
            cache.put(&i.to_string(), &user(1), Duration::ZERO, 0);
        }
        cache.put("live", &user(2), Duration::from_secs(3600), 0);
        let entries = cache.entries.lock().map(|e| e.len()).unwrap_or_default();
        assert_eq!(entries, 1);
    }
}
