//! Slow clients cannot lock everyone out: a half-sent request head is cut off after the
//! header-read timeout, one address holds only its share of connections, and `/health`
//! answers throughout.

use std::time::{Duration, Instant};

use tests::TestApp;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// A connection from `source` (another loopback address than the health checks' own)
/// that sends half a request head and then nothing.
async fn half_open(source: &str, port: u16) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind(format!("{source}:0").parse().expect("source"))
        .expect("bind");
    let mut stream = socket
        .connect(format!("127.0.0.1:{port}").parse().expect("server"))
        .await
        .expect("connect");
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: sunshine\r\nX-Slow: ")
        .await
        .expect("half a head");
    stream
}

/// Whether the server closed the connection within `wait`.
async fn closed_within(stream: &mut TcpStream, wait: Duration) -> bool {
    let mut buf = [0u8; 512];
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => {} // a 408 answer before the close is fine
            Err(_) => return false,
        }
    }
}

#[tokio::test]
async fn half_sent_heads_are_cut_off_and_health_answers_throughout() {
    let app = TestApp::spawn_with(&[
        ("SUNSHINE_HEADER_READ_SECONDS", "1"),
        ("SUNSHINE_MAX_CONNECTIONS_PER_ADDRESS", "20"),
    ])
    .await;
    let port: u16 = app
        .address
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let mut attack = Vec::new();
    for _ in 0..200 {
        attack.push(half_open("127.0.0.2", port).await);
    }
    // Everyone else is still answered while the 200 are held.
    for _ in 0..5 {
        let health = app.get("/health", None).await;
        assert_eq!(health.status(), 200);
    }
    // Every one of them is closed: 180 at once (over the address's share of 20), the
    // rest when their head did not arrive within the header-read timeout.
    let mut still_open = 0;
    for stream in &mut attack {
        if !closed_within(stream, Duration::from_secs(15)).await {
            still_open += 1;
        }
    }
    assert_eq!(still_open, 0, "connections left open by a slow client");
    assert_eq!(app.get("/health", None).await.status(), 200);
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed() {
    let app = TestApp::spawn_with(&[("SUNSHINE_HEADER_READ_SECONDS", "1")]).await;
    let authority = app.address.trim_start_matches("http://").to_owned();
    let mut idle = TcpStream::connect(authority).await.expect("connect");
    assert!(closed_within(&mut idle, Duration::from_secs(15)).await);
}
