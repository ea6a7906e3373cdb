//! The load driver: N concurrent clients repeat one request for a bounded time.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What one run measured.
#[derive(Debug, Clone)]
pub struct Figures {
    /// What was measured.
    pub name: String,
    /// Requests that succeeded.
    pub ok: u64,
    /// Requests that failed (wrong status or transport error).
    pub errors: u64,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// Latencies of the successful requests, sorted.
    pub latencies: Vec<Duration>,
}

impl Figures {
    /// Successful requests per second.
    pub fn throughput(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The latency below which `q` (0–1) of the requests finished.
    pub fn percentile(&self, q: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let index = ((self.latencies.len() as f64 - 1.0) * q).round() as usize;
        self.latencies[index.min(self.latencies.len() - 1)]
    }

    /// The figures of two runs of the same measurement as one.
    pub fn merge(mut self, other: Self) -> Self {
        self.ok += other.ok;
        self.errors += other.errors;
        self.elapsed += other.elapsed;
        self.latencies.extend(other.latencies);
        self.latencies.sort_unstable();
        self
    }

    /// One line: throughput, p50, p99, errors.
    pub fn line(&self) -> String {
        format!(
            "{:<28} {:>10.1} req/s   p50 {:>8.2} ms   p99 {:>8.2} ms   ok {:>7}   errors {}",
            self.name,
            self.throughput(),
            self.percentile(0.50).as_secs_f64() * 1000.0,
            self.percentile(0.99).as_secs_f64() * 1000.0,
            self.ok,
            self.errors
        )
    }
}

/// Runs `request` from `clients` concurrent tasks for `duration` (after a short warm-up)
/// and gathers the figures. `request` returns whether the answer was the expected one.
pub async fn drive<F, Fut>(name: &str, clients: usize, duration: Duration, request: F) -> Figures
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send,
{
    let request = Arc::new(request);
    // Warm-up: connections opened, caches filled; not counted.
    let warm_until = Instant::now() + Duration::from_millis(500);
    let mut warm = Vec::new();
    for client in 0..clients {
        let request = request.clone();
        warm.push(tokio::spawn(async move {
            while Instant::now() < warm_until {
                request(client).await;
            }
        }));
    }
    for task in warm {
        task.await.ok();
    }
    let started = Instant::now();
    let until = started + duration;
    let mut tasks = Vec::new();
    for client in 0..clients {
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            while Instant::now() < until {
                let t = Instant::now();
                if request(client).await {
                    latencies.push(t.elapsed());
                } else {
                    errors += 1;
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        if let Ok((l, e)) = task.await {
            latencies.extend(l);
            errors += e;
        }
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    Figures {
        name: name.to_owned(),
        ok: latencies.len() as u64,
        errors,
        elapsed,
        latencies,
    }
}
