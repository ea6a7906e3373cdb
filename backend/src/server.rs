//! The accept loop: HTTP/1.1 connections under limits that a slow or greedy client
//! cannot use up. A connection must send its request head within a few seconds (also
//! between keep-alive requests), one address may hold only so many connections, and all
//! addresses together only so many — below the process's file-descriptor limit, so that
//! `/health` and everyone else keep being answered while someone holds connections open.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// How connections are bounded.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// A request head must arrive within this time of the connection waiting for one.
    pub header_read: Duration,
    /// Connections open at once, from all addresses.
    pub connections: usize,
    /// Connections open at once from one address.
    pub per_address: usize,
}

/// Open connections per address; a guard gives its slot back when dropped.
#[derive(Clone, Default)]
struct PerAddress(Arc<Mutex<HashMap<IpAddr, usize>>>);

struct AddressSlot {
    table: PerAddress,
    ip: IpAddr,
}

impl PerAddress {
    fn take(&self, ip: IpAddr, limit: usize) -> Option<AddressSlot> {
        let mut table = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let open = table.entry(ip).or_insert(0);
        if *open >= limit {
            return None;
        }
        *open += 1;
        Some(AddressSlot {
            table: self.clone(),
            ip,
        })
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut table = self
            .table
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(open) = table.get_mut(&self.ip) {
            *open -= 1;
            if *open == 0 {
                table.remove(&self.ip);
            }
        }
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets the requests in
/// flight finish (for at most 30 seconds).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let total = Arc::new(Semaphore::new(limits.connections.max(1)));
    let per_address = PerAddress::default();
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        // At the limit, new connections wait in the kernel's backlog, not in our memory.
        let permit = tokio::select! {
            permit = total.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of descriptors or a connection reset before accept: pause, go on.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(slot) = per_address.take(peer.ip(), limits.per_address) else {
            metrics::counter!("connections_refused_total", "why" => "per_address").increment(1);
            drop(stream);
            continue;
        };
        // Answers go out at once: with Nagle's algorithm on, a small answer written while
        // the client has not yet acknowledged the last can wait for its delayed ACK.
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "TCP_NODELAY not set");
        }
        let service = router
            .clone()
            .map_request(move |mut request: axum::http::Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            })
            .map_err(|never: Infallible| match never {});
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
            drop(slot);
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(Duration::from_secs(30), graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still in flight after 30 s: stopping anyway");
    }
}

#[cfg(test)]
mod tests {
    use super::PerAddress;

    #[test]
    fn an_address_holds_at_most_its_share_and_gets_it_back() {
        let table = PerAddress::default();
        let ip = "127.0.0.2".parse().expect("ip");
        let first = table.take(ip, 2).expect("first");
        let _second = table.take(ip, 2).expect("second");
        assert!(table.take(ip, 2).is_none(), "third refused");
        assert!(
            table.take("127.0.0.3".parse().expect("ip"), 2).is_some(),
            "another address"
        );
        drop(first);
        assert!(table.take(ip, 2).is_some(), "a slot given back");
    }
}
