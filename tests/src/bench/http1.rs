//! A lean HTTP/1.1 client for the write scenarios, as wrk is one: a keep-alive connection
//! per client, each request written in one call and its answer read by its
//! `Content-Length`. The load driver shares the two cores with the server and PostgreSQL,
//! as pgbench shares them with PostgreSQL in the reference; a general client (reqwest)
//! spent more of them per request than the server's own handler.

use std::io;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One keep-alive connection to the server under test.
#[derive(Debug)]
pub struct Connection {
    host: String,
    stream: Option<TcpStream>,
    buffer: Vec<u8>,
}

/// An answer: its status and body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Connection {
    /// A connection to `base` (`http://host:port`), opened on first use.
    pub fn new(base: &str) -> io::Result<Self> {
        let host = base
            .strip_prefix("http://")
            .ok_or_else(|| io::Error::other("only http:// is supported"))?
            .trim_end_matches('/')
            .to_owned();
        Ok(Self {
            host,
            stream: None,
            buffer: Vec::with_capacity(4096),
        })
    }

    /// `POST path` with a JSON body and extra headers. A connection the server closed is
    /// opened again once.
    pub async fn post_json(
        &mut self,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> io::Result<Answer> {
        let mut request = Vec::with_capacity(256 + body.len());
        request.extend_from_slice(
            format!("POST {path} HTTP/1.1\r\nhost: {}\r\n", self.host).as_bytes(),
        );
        for (name, value) in headers {
            request.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        request.extend_from_slice(
            format!(
                "content-type: application/json\r\ncontent-length: {}\r\n\r\n",
                body.len()
            )
            .as_bytes(),
        );
        request.extend_from_slice(body);
        match self.exchange(&request).await {
            Ok(answer) => Ok(answer),
            Err(_) => {
                self.stream = None;
                self.exchange(&request).await
            }
        }
    }

    async fn exchange(&mut self, request: &[u8]) -> io::Result<Answer> {
        if self.stream.is_none() {
            let stream = TcpStream::connect(&self.host).await?;
            stream.set_nodelay(true)?;
            self.stream = Some(stream);
        }
        let stream = self
            .stream
            .as_mut()
            .ok_or_else(|| io::Error::other("no connection"))?;
        stream.write_all(request).await?;
        self.buffer.clear();
        let (head_end, status, length, close) = loop {
            if let Some(end) = find(&self.buffer, b"\r\n\r\n") {
                let (status, length, close) = head(&self.buffer[..end])?;
                break (end + 4, status, length, close);
            }
            read_more(stream, &mut self.buffer).await?;
        };
        while self.buffer.len() < head_end + length {
            read_more(stream, &mut self.buffer).await?;
        }
        let body = self.buffer[head_end..head_end + length].to_vec();
        if close {
            self.stream = None;
        }
        Ok(Answer { status, body })
    }
}

async fn read_more(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> io::Result<()> {
    let mut chunk = [0u8; 4096];
    let n = stream.read(&mut chunk).await?;
    if n == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "connection closed",
        ));
    }
    buffer.extend_from_slice(&chunk[..n]);
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The status, the body's length and whether the server closes the connection.
fn head(head: &[u8]) -> io::Result<(u16, usize, bool)> {
    let text = std::str::from_utf8(head).map_err(io::Error::other)?;
    let mut lines = text.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| io::Error::other("no status line"))?;
    let mut length = None;
    let mut close = false;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = value.parse().ok();
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(io::Error::other("chunked answers are not read here"));
        } else if name.eq_ignore_ascii_case("connection") {
            close = value.eq_ignore_ascii_case("close");
        }
    }
    let length = length.ok_or_else(|| io::Error::other("no content-length"))?;
    Ok((status, length, close))
}

#[cfg(test)]
mod tests {
    use super::head;

    #[test]
    fn a_head_gives_status_length_and_close() {
        let (status, length, close) =
            head(b"HTTP/1.1 201 Created\r\nContent-Length: 12\r\nconnection: close")
                .expect("a well-formed head");
        assert_eq!((status, length, close), (201, 12, true));
        assert!(head(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked").is_err());
    }
}
