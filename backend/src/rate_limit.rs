//! A per-client-address limit on public writes (pledges, sign-ups, sign-ins). It protects
//! one process from floods; it is not a correctness rule, so it may live in memory.
//!
//! A token bucket per address: it holds up to `burst` requests and refills at `per_minute`.
//! The staff of a work unit pledge from one office address within minutes on 双日捐 day;
//! a bucket lets such a burst through (a fixed window of 20 a minute refused them) while a
//! script that keeps on is held to the sustained rate.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

use crate::error::AppError;

/// Requests per address: a bucket of `burst`, refilled at `per_minute`.
#[derive(Debug)]
pub struct RateLimiter {
    burst: f64,
    per_second: f64,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    /// A bucket of `burst` requests per address, refilled at `per_minute`. It never holds
    /// less than one minute's worth, so that `per_minute` alone keeps its old meaning.
    pub fn new(per_minute: u32, burst: u32) -> Self {
        let per_minute = f64::from(per_minute.max(1));
        Self {
            burst: f64::from(burst).max(per_minute),
            per_second: per_minute / 60.0,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `address`'s bucket; when it is empty, how many whole
    /// seconds until it holds one again.
    pub fn take(&self, address: IpAddr) -> Result<(), u64> {
        self.take_at(address, Instant::now())
    }

    /// As [`take`](Self::take), as a refusal to answer: 429 with the seconds to wait.
    pub fn check(&self, address: IpAddr) -> Result<(), AppError> {
        self.take(address)
            .map_err(|seconds| AppError::RateLimited(Some(seconds)))
    }

    fn take_at(&self, address: IpAddr, now: Instant) -> Result<(), u64> {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() > 100_000 {
            // A full bucket is the same as none.
            let (burst, rate) = (self.burst, self.per_second);
            buckets.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * rate < burst);
        }
        let bucket = buckets.entry(address).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        let refilled = now.duration_since(bucket.at).as_secs_f64() * self.per_second;
        bucket.tokens = (bucket.tokens + refilled).min(self.burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = ((1.0 - bucket.tokens) / self.per_second).ceil();
            Err((wait as u64).max(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn the_limit_holds_per_address() {
        let limiter = RateLimiter::new(2, 2);
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        assert!(limiter.take(a).is_ok());
        assert!(limiter.take(a).is_ok());
        assert_eq!(limiter.take(a), Err(30), "one more in 30 s at 2 a minute");
        assert!(limiter.take(b).is_ok());
    }

    #[test]
    fn an_office_of_five_hundred_pledging_over_ten_minutes_is_let_through() {
        let limiter = RateLimiter::new(60, 300);
        let office: IpAddr = [10, 1, 1, 1].into();
        let start = Instant::now();
        // 500 pledges, half of them in the first minute, the rest spread over nine more.
        for i in 0..500u64 {
            let at = if i < 250 {
                start + Duration::from_millis(i * 240)
            } else {
                start + Duration::from_secs(60) + Duration::from_millis((i - 250) * 2_160)
            };
            assert!(limiter.take_at(office, at).is_ok(), "pledge {i} refused");
        }
    }

    #[test]
    fn a_script_is_stopped_after_the_burst_and_held_to_the_rate() {
        let limiter = RateLimiter::new(60, 300);
        let script: IpAddr = [10, 2, 2, 2].into();
        let start = Instant::now();
        let mut let_through = 0;
        // 10,000 requests in ten seconds.
        for i in 0..10_000u64 {
            if limiter
                .take_at(script, start + Duration::from_millis(i))
                .is_ok()
            {
                let_through += 1;
            }
        }
        assert!(let_through <= 300 + 10, "{let_through} let through");
        assert_eq!(
            limiter.take_at(script, start + Duration::from_millis(10_000)),
            Err(1),
            "the next one is a second away"
        );
    }
}
