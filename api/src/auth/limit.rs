//! Sign-in throttling per client address, in front of the per-account
//! lockout the store keeps: the lockout stops guessing one password, this
//! stops spraying many accounts from one place.

use governor::clock::DefaultClock;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;

use crate::error::ApiError;

pub struct LoginLimiter(RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock>);

impl LoginLimiter {
    /// `per_minute` attempts per address, all usable at once.
    pub fn new(per_minute: NonZeroU32) -> Self {
        LoginLimiter(RateLimiter::keyed(Quota::per_minute(per_minute)))
    }

    pub fn check(&self, address: IpAddr) -> Result<(), ApiError> {
        self.0.check_key(&address).map_err(|_| {
            ApiError::TooManyRequests("too many sign-in attempts from here; wait a minute".into())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_per_address() {
        let limiter = LoginLimiter::new(NonZeroU32::MIN.saturating_add(1));
        let a = IpAddr::from([10, 0, 0, 1]);
        let b = IpAddr::from([10, 0, 0, 2]);
        assert!(limiter.check(a).is_ok());
        assert!(limiter.check(a).is_ok());
        assert!(limiter.check(a).is_err());
        assert!(limiter.check(b).is_ok());
    }
}
