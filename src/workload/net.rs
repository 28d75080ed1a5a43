//! `net`: real I/O. Each task is one request to corescope's slow service on
//! the loopback interface (see `crate::net_service`): connect, send the
//! request, wait for the answer, read it to the end. The service answers
//! after `--size` milliseconds with `--payload` bytes, so the wait is a
//! real socket wait, with real system calls around it, where `sleep` is the
//! idealised one.
//!
//! The request is 12 bytes: the task's index (`u32`, little-endian) and the
//! wait in milliseconds (`u64`). The reply is [`reply_for`]: the echo
//! pattern with the task's index in its last bytes, so every task's value
//! (FNV-1a of the reply) proves the service answered that very request.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::Duration;

use super::{Checkpoint, fnv1a, make_payload};

/// The request's length on the wire.
pub const REQUEST_BYTES: usize = 12;
/// The longest wait a request may ask for (the service refuses longer).
pub const MAX_WAIT_MS: u64 = 60_000;
/// How long a client waits on the socket beyond the asked-for wait before
/// it gives up on the service.
pub const SLACK: Duration = Duration::from_secs(30);

/// A request's bytes: the task's index and the wait it asks for.
pub fn encode_request(index: u32, wait_ms: u64) -> [u8; REQUEST_BYTES] {
    let mut bytes = [0u8; REQUEST_BYTES];
    bytes[..4].copy_from_slice(&index.to_le_bytes());
    bytes[4..].copy_from_slice(&wait_ms.to_le_bytes());
    bytes
}

/// The index and wait of a request's bytes.
pub fn decode_request(bytes: &[u8; REQUEST_BYTES]) -> (u32, u64) {
    let mut index = [0u8; 4];
    let mut wait = [0u8; 8];
    index.copy_from_slice(&bytes[..4]);
    wait.copy_from_slice(&bytes[4..]);
    (u32::from_le_bytes(index), u64::from_le_bytes(wait))
}

/// The service's answer to task `index`: `len` bytes of the echo pattern,
/// the last (up to four) of them replaced by the index's little-endian bytes.
pub fn reply_for(index: u32, len: usize) -> Vec<u8> {
    let mut reply = make_payload(len);
    let tail = len.min(4);
    reply[len - tail..].copy_from_slice(&index.to_le_bytes()[..tail]);
    reply
}

/// The service's address on the loopback interface.
pub fn service_addr(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

/// One task, blocking: connects to the service on `port`, asks for a wait
/// of `wait_ms` and returns the FNV-1a of the reply (read to its end, at
/// most `max_reply` bytes). The whole exchange counts as one blocking wait
/// for `checkpoint` (a simulated GIL is released around it, as CPython
/// releases its GIL around socket calls).
pub fn request<C: Checkpoint>(
    port: u16,
    index: u32,
    wait_ms: u64,
    max_reply: u64,
    checkpoint: &mut C,
) -> io::Result<u64> {
    let mut result = Err(io::Error::other("the request was not sent"));
    checkpoint.blocking(&mut || result = exchange(port, index, wait_ms, max_reply));
    result.map(|reply| fnv1a(&reply))
}

fn exchange(port: u16, index: u32, wait_ms: u64, max_reply: u64) -> io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(service_addr(port))?;
    let timeout = Duration::from_millis(wait_ms) + SLACK;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(SLACK))?;
    stream.set_nodelay(true)?;
    stream.write_all(&encode_request(index, wait_ms))?;
    read_reply(&mut stream, max_reply)
}

/// Reads a reply to its end, refusing one longer than `max_reply` bytes.
fn read_reply(stream: &mut impl Read, max_reply: u64) -> io::Result<Vec<u8>> {
    let mut reply = Vec::new();
    stream
        .take(max_reply.saturating_add(1))
        .read_to_end(&mut reply)?;
    check_length(reply, max_reply)
}

/// Refuses a reply longer than `max_reply` bytes.
pub fn check_length(reply: Vec<u8>, max_reply: u64) -> io::Result<Vec<u8>> {
    if reply.len() as u64 > max_reply {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("the service sent more than {max_reply} bytes"),
        ));
    }
    Ok(reply)
}

/// [`request`] as a future on a tokio runtime: the same bytes, the same
/// value, but the wait suspends this task instead of blocking its thread.
pub async fn request_async(port: u16, index: u32, wait_ms: u64, max_reply: u64) -> io::Result<u64> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(service_addr(port)).await?;
        stream.set_nodelay(true)?;
        stream.write_all(&encode_request(index, wait_ms)).await?;
        let mut reply = Vec::new();
        (&mut stream)
            .take(max_reply.saturating_add(1))
            .read_to_end(&mut reply)
            .await?;
        check_length(reply, max_reply)
    };
    let timeout = Duration::from_millis(wait_ms) + SLACK;
    match tokio::time::timeout(timeout, exchange).await {
        Ok(reply) => reply.map(|reply| fnv1a(&reply)),
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "the service did not answer in time",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_round_trip_and_replies_carry_the_index() {
        assert_eq!(decode_request(&encode_request(7, 50)), (7, 50));
        let reply = reply_for(0x0403_0201, 10);
        assert_eq!(reply.len(), 10);
        assert_eq!(&reply[6..], &[1, 2, 3, 4]);
        assert_eq!(&reply[..6], &make_payload(10)[..6]);
        assert_eq!(reply_for(0x0403_0201, 2), vec![1, 2]);
        assert!(reply_for(9, 0).is_empty());
    }

    #[test]
    fn a_reply_over_the_limit_is_refused() {
        let mut long: &[u8] = &[0u8; 20];
        assert!(read_reply(&mut long, 10).is_err());
        let mut fits: &[u8] = &[0u8; 10];
        assert_eq!(read_reply(&mut fits, 10).unwrap().len(), 10);
    }
}
