//! The slow service that `net` tasks talk to: a child process of corescope's
//! own binary (the hidden subcommand [`SERVICE_SUBCOMMAND`]) listening on
//! the loopback interface, answering each request after the wait it asks
//! for with the run's `--payload` bytes.
//!
//! It is bound to 127.0.0.1 only: any other address is refused, by
//! [`NetService::start_on`] before anything starts and by the child itself.
//! It is bounded: at most [`MAX_CONNECTIONS`] connections at once (the rest
//! wait in the listen backlog), a request must arrive within
//! [`REQUEST_TIMEOUT`], no wait beyond [`net::MAX_WAIT_MS`], and the process
//! exits when its parent dies (`PR_SET_PDEATHSIG`), after [`MAX_IDLE`]
//! without a connection or after [`MAX_LIFETIME`]. Its owner, a
//! [`NetService`], kills and reaps it on `Drop`: a run that finishes, fails
//! or is cancelled leaves no service behind.
//!
//! The service itself is a current-thread tokio runtime: one thread serves
//! every waiting connection at once.

use std::io::{self, BufRead, BufReader, Read};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use crate::workload::net::{self, REQUEST_BYTES};

/// The hidden subcommand that turns the binary into the service.
pub const SERVICE_SUBCOMMAND: &str = "__net-service";
/// Most connections served at once.
pub const MAX_CONNECTIONS: usize = 4096;
/// How long a client may take to send its request.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the service waits for a connection while none is open.
pub const MAX_IDLE: Duration = Duration::from_secs(10 * 60);
/// How long the service lives at most, whatever happens.
pub const MAX_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);
/// How long its owner waits for it to say where it listens.
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// The first line the service prints: `listening 127.0.0.1:PORT`.
const LISTENING: &str = "listening ";

/// Why the service could not be had.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("the net service binds to 127.0.0.1 only, not {0}")]
    NotLoopback(String),
    #[error("'{0}' is not an address such as 127.0.0.1:0")]
    BadAddress(String),
    #[error("the net service's reply of {0} bytes is over the limit of 64MiB")]
    ReplyTooLarge(u64),
    #[error("could not start the net service: {0}")]
    Spawn(io::Error),
    #[error("the net service did not start: {0}")]
    Start(String),
    #[error("the net service failed: {0}")]
    Io(#[from] io::Error),
}

/// Parses `--bind` and refuses anything but 127.0.0.1.
pub fn loopback_addr(text: &str) -> Result<SocketAddr, ServiceError> {
    let addr: SocketAddr = text
        .trim()
        .parse()
        .map_err(|_| ServiceError::BadAddress(text.to_string()))?;
    check_loopback(addr)
}

fn check_loopback(addr: SocketAddr) -> Result<SocketAddr, ServiceError> {
    if addr.ip() != Ipv4Addr::LOCALHOST {
        return Err(ServiceError::NotLoopback(addr.to_string()));
    }
    Ok(addr)
}

/// The owner's handle on a running service; dropping it kills and reaps
/// the process.
#[derive(Debug)]
pub struct NetService {
    child: Child,
    addr: SocketAddr,
}

impl NetService {
    /// Starts `exe __net-service` on 127.0.0.1 (a free port), answering
    /// every request with `reply_bytes` bytes.
    pub fn start(exe: &Path, reply_bytes: u64) -> Result<NetService, ServiceError> {
        NetService::start_on(exe, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), reply_bytes)
    }

    /// [`Self::start`] on `bind`, which must be 127.0.0.1 (any port).
    pub fn start_on(
        exe: &Path,
        bind: SocketAddr,
        reply_bytes: u64,
    ) -> Result<NetService, ServiceError> {
        let bind = check_loopback(bind)?;
        if reply_bytes > crate::spec::MAX_PAYLOAD_BYTES {
            return Err(ServiceError::ReplyTooLarge(reply_bytes));
        }
        let mut command = Command::new(exe);
        command
            .arg(SERVICE_SUBCOMMAND)
            .args(["--bind", &bind.to_string()])
            .args(["--reply-bytes", &reply_bytes.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        #[cfg(unix)]
        {
            // Its own process group: a terminal's Ctrl-C reaches only the
            // owner, which stops the service itself.
            use std::os::unix::process::CommandExt;
            command.process_group(0);
        }
        let mut child = command.spawn().map_err(ServiceError::Spawn)?;
        let Some(stdout) = child.stdout.take() else {
            kill_and_reap(&mut child);
            return Err(ServiceError::Start("its stdout was not piped".to_string()));
        };
        match read_address(stdout, &mut child) {
            Ok(addr) => Ok(NetService { child, addr }),
            Err(error) => {
                kill_and_reap(&mut child);
                Err(error)
            }
        }
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for NetService {
    fn drop(&mut self) {
        kill_and_reap(&mut self.child);
    }
}

fn kill_and_reap(child: &mut Child) {
    // kill fails only if the child already exited; wait reaps it either way.
    let _ = child.kill();
    let _ = child.wait();
}

/// Reads the service's first line on a named thread, so a service that
/// hangs before binding cannot hang its owner past [`START_TIMEOUT`]: then
/// the child is killed, which closes the pipe and ends the thread, and the
/// thread is joined either way.
fn read_address(
    stdout: impl Read + Send + 'static,
    child: &mut Child,
) -> Result<SocketAddr, ServiceError> {
    let (tx, rx) = crossbeam_channel::bounded(1);
    let reader = std::thread::Builder::new()
        .name("corescope-net-start".to_string())
        .spawn(move || {
            let mut line = String::new();
            let read = BufReader::new(stdout).take(256).read_line(&mut line);
            let _ = tx.send(read.map(|_| line));
        })
        .map_err(ServiceError::Spawn)?;
    let outcome = match rx.recv_timeout(START_TIMEOUT) {
        Ok(Ok(line)) => parse_listening(&line),
        Ok(Err(error)) => Err(ServiceError::Io(error)),
        Err(_) => Err(ServiceError::Start(format!(
            "it did not say where it listens within {} s",
            START_TIMEOUT.as_secs()
        ))),
    };
    if outcome.is_err() {
        kill_and_reap(child);
    }
    let _ = reader.join();
    outcome
}

fn parse_listening(line: &str) -> Result<SocketAddr, ServiceError> {
    let addr = line
        .trim()
        .strip_prefix(LISTENING)
        .ok_or_else(|| ServiceError::Start(format!("it said '{}'", line.trim())))?;
    loopback_addr(addr)
}

/// The service's process: binds `bind` (127.0.0.1 only), prints where it
/// listens, then serves until it is killed, idle or too old.
pub fn service_main(bind: &str, reply_bytes: u64) -> Result<(), ServiceError> {
    crate::platform::die_with_parent();
    let bind = loopback_addr(bind)?;
    if reply_bytes > crate::spec::MAX_PAYLOAD_BYTES {
        return Err(ServiceError::ReplyTooLarge(reply_bytes));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()?;
    runtime.block_on(serve(bind, reply_bytes as usize))
}

async fn serve(bind: SocketAddr, reply_bytes: usize) -> Result<(), ServiceError> {
    let listener = tokio::net::TcpListener::bind(bind).await?;
    let addr = listener.local_addr()?;
    {
        use std::io::Write;
        let mut stdout = io::stdout().lock();
        writeln!(stdout, "{LISTENING}{addr}")?;
        stdout.flush()?;
    }
    let permits = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let lifetime = tokio::time::sleep(MAX_LIFETIME);
    tokio::pin!(lifetime);
    loop {
        // A connection is accepted only with a permit in hand: past the
        // bound, clients wait in the backlog.
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => permit.map_err(io::Error::other)?,
            () = &mut lifetime => return Ok(()),
        };
        // With no connection open, the service ends after MAX_IDLE without
        // a new one: an owner that vanished without killing it (off Linux,
        // where no death signal follows the parent) leaves it for minutes,
        // not for a day.
        let idle = permits.available_permits() + 1 == MAX_CONNECTIONS;
        let quiet = tokio::time::sleep(if idle { MAX_IDLE } else { MAX_LIFETIME });
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => accepted?,
            () = quiet => return Ok(()),
            () = &mut lifetime => return Ok(()),
        };
        tokio::spawn(async move {
            // A client that breaks off is its own business.
            let _ = answer(stream, reply_bytes).await;
            drop(permit);
        });
    }
}

async fn answer(mut stream: tokio::net::TcpStream, reply_bytes: usize) -> io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut request = [0u8; REQUEST_BYTES];
    tokio::time::timeout(REQUEST_TIMEOUT, stream.read_exact(&mut request))
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "no request"))??;
    let (index, wait_ms) = net::decode_request(&request);
    if wait_ms > net::MAX_WAIT_MS {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "wait too long"));
    }
    tokio::time::sleep(Duration::from_millis(wait_ms)).await;
    stream.set_nodelay(true)?;
    stream
        .write_all(&net::reply_for(index, reply_bytes))
        .await?;
    stream.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_127_0_0_1_is_accepted() {
        assert!(loopback_addr("127.0.0.1:0").is_ok());
        assert!(loopback_addr("127.0.0.1:8080").is_ok());
        for refused in ["0.0.0.0:0", "192.168.1.2:80", "[::1]:0", "127.0.0.2:0"] {
            assert!(
                matches!(loopback_addr(refused), Err(ServiceError::NotLoopback(_))),
                "{refused}"
            );
        }
        assert!(matches!(
            loopback_addr("localhost"),
            Err(ServiceError::BadAddress(_))
        ));
        assert!(parse_listening("listening 127.0.0.1:4321\n").is_ok());
        assert!(parse_listening("hello").is_err());
    }
}
