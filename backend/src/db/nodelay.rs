//! TCP_NODELAY on the sockets of the PostgreSQL connections.
//!
//! sqlx 0.9.0 no longer turns Nagle's algorithm off (sqlx issue 4335; fixed after that
//! release): a statement longer than one TLS record (16 KiB) leaves its tail waiting for the
//! server's delayed ACK, 40 ms, so that a roster's 1,000-row inserts each took 40 ms more
//! than they cost. sqlx gives no access to its socket, so after each new connection the
//! process finds that socket among its own file descriptors — the one whose ports are
//! those the server reports for the connection — and sets the option on it. Only on Linux,
//! and only where it can: through a proxy, or over a socket file, the ports do not match
//! and the connection stays as sqlx made it (through a proxy, a warning says so once).
//!
//! sqlx's fix (transact-rs/sqlx pull request 4336, merged in July 2026) sets the option
//! again; once a release after 0.9.0 carries it, this module can go.

use sea_orm::sqlx::{self, PgConnection};

/// Sets TCP_NODELAY on the socket of `conn`, if it can find it, and says why not otherwise.
pub async fn set(conn: &mut PgConnection) {
    let Some((local, peer)) = ports(conn).await else {
        return;
    };
    match nodelay(local, peer, Some(true)) {
        Ok(Some(_)) => {}
        Ok(None) => {
            // Behind a proxy (PgBouncer, a cloud SQL proxy) the ports the server reports
            // are the proxy's, not this process's: nothing can be done here, and pledges
            // may wait 40 ms for delayed ACKs. Said once, not on every connection.
            static SAID: std::sync::Once = std::sync::Once::new();
            SAID.call_once(|| {
                tracing::warn!(
                    local_port = local,
                    server_port = peer,
                    "TCP_NODELAY not set: no socket of this process has the ports the database \
                     reports (a proxy between?); large statements may wait for delayed ACKs"
                );
            });
        }
        Err(error) => tracing::warn!(%error, "cannot set TCP_NODELAY on a database connection"),
    }
}

/// Whether the socket of `conn` has TCP_NODELAY set; `None` if it cannot be found.
pub async fn is_set(conn: &mut PgConnection) -> Option<bool> {
    let (local, peer) = ports(conn).await?;
    nodelay(local, peer, None).ok().flatten()
}

/// The connection's ports on this side and on the server's, as the server sees them;
/// `None` over a socket file, where Nagle plays no part.
async fn ports(conn: &mut PgConnection) -> Option<(u16, u16)> {
    let (local, peer) = sqlx::query_as::<_, (Option<i32>, Option<i32>)>(
        "SELECT inet_client_port(), inet_server_port()",
    )
    .fetch_one(conn)
    .await
    .ok()?;
    Some((u16::try_from(local?).ok()?, u16::try_from(peer?).ok()?))
}

/// Finds the TCP socket of this process from port `local` to port `peer`, sets its
/// TCP_NODELAY to `set` if given, and reads it; `None` if there is no such socket.
#[cfg(target_os = "linux")]
fn nodelay(local: u16, peer: u16, set: Option<bool>) -> std::io::Result<Option<bool>> {
    use rustix::net::{getpeername, getsockname, sockopt};
    use rustix::process::{PidfdFlags, PidfdGetfdFlags, getpid, pidfd_getfd, pidfd_open};
    use std::net::SocketAddr;

    let port = |addr: rustix::net::SocketAddrAny| SocketAddr::try_from(addr).ok().map(|a| a.port());
    let me = pidfd_open(getpid(), PidfdFlags::empty())?;
    for entry in std::fs::read_dir("/proc/self/fd")? {
        let entry = entry?;
        let is_socket = std::fs::read_link(entry.path())
            .is_ok_and(|target| target.to_string_lossy().starts_with("socket:"));
        let Some(fd) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
            continue;
        };
        if !is_socket {
            continue;
        }
        // A second descriptor of the same socket: options are the socket's, not the
        // descriptor's, and dropping it leaves the connection's own open.
        let Ok(socket) = pidfd_getfd(&me, fd, PidfdGetfdFlags::empty()) else {
            continue;
        };
        if getsockname(&socket).ok().and_then(port) == Some(local)
            && getpeername(&socket).ok().flatten().and_then(port) == Some(peer)
        {
            if let Some(value) = set {
                sockopt::set_tcp_nodelay(&socket, value)?;
            }
            return Ok(Some(sockopt::tcp_nodelay(&socket)?));
        }
    }
    Ok(None)
}

#[cfg(not(target_os = "linux"))]
fn nodelay(_local: u16, _peer: u16, _set: Option<bool>) -> std::io::Result<Option<bool>> {
    Ok(None)
}
