//! Worker processes: corescope re-executes its own binary with the hidden
//! subcommand [`WORKER_SUBCOMMAND`]; the child runs [`worker_main`], which
//! answers task frames on stdin with result frames on stdout until stdin
//! closes. [`process::WorkerProcess`] is the parent's handle on one child.

pub mod codec;
pub mod error;
pub mod nonblocking;
pub mod process;
pub mod protocol;
pub mod shm;

use std::borrow::Cow;
use std::io::{self, BufReader, BufWriter, Read, Write};

use crate::measure::clock::{monotonic_ns, process_cpu_ns};
use crate::workload::{NoCheckpoint, SharedCounter, run_task_with};
use codec::Codec;
use protocol::{
    FromWorker, PIPE_BUFFER_BYTES, ProtocolError, ToWorker, read_frame_timed, write_frame,
};

/// The hidden subcommand that turns the binary into a worker.
pub const WORKER_SUBCOMMAND: &str = "__worker";

/// Hidden, for fault-injection tests: a worker that finds this variable
/// misbehaves as it says on its first task — `panic`, `abort`, `exit:N`,
/// `hang`, `garbage` (a frame that does not decode), `huge-prefix` (a
/// length past the frame limit), `early-close` (stdout closed, then a
/// hang) or `flood` (bytes without end).
pub const FAULT_VAR: &str = "CORESCOPE_WORKER_FAULT";

/// The worker's loop: greet, then compute each task as it arrives, every
/// frame in `codec` (the parent names it on the worker's command line).
///
/// Returns when stdin closes or a `Shutdown` arrives. Never prints: stdout
/// carries frames only.
///
/// `shared` names the parent's shared files (input, output) under
/// `--transport shm`; they are mapped before the greeting.
pub fn worker_main(codec: Codec, shared: Option<(&str, &str)>) -> Result<(), ProtocolError> {
    crate::platform::die_with_parent();
    let maps = match shared {
        Some((input, output)) => Some(shm::WorkerMaps::open(input, output)?),
        None => None,
    };
    #[cfg(unix)]
    {
        let (input, output) = raw_stdio()?;
        serve(input, output, codec, maps)
    }
    #[cfg(not(unix))]
    {
        serve(io::stdin().lock(), io::stdout().lock(), codec, maps)
    }
}

/// Stdin and stdout as plain files (duplicated descriptors), so frames skip
/// the standard handles' own buffering: stdout's line buffering would split
/// a payload's writes at its newline bytes.
#[cfg(unix)]
pub(crate) fn raw_stdio() -> io::Result<(std::fs::File, std::fs::File)> {
    use std::os::fd::AsFd;
    let input = io::stdin().as_fd().try_clone_to_owned()?;
    let output = io::stdout().as_fd().try_clone_to_owned()?;
    Ok((input.into(), output.into()))
}

fn serve(
    input: impl Read,
    output: impl Write,
    codec: Codec,
    mut maps: Option<shm::WorkerMaps>,
) -> Result<(), ProtocolError> {
    let mut input = BufReader::with_capacity(PIPE_BUFFER_BYTES, input);
    let mut output = BufWriter::with_capacity(PIPE_BUFFER_BYTES, output);

    write_frame(
        codec,
        &mut output,
        &FromWorker::Hello {
            version: protocol::PROTOCOL_VERSION,
            pid: std::process::id(),
            cpu_ns: process_cpu_ns(),
        },
    )?;
    output.flush()?;

    // Reused for every frame: a payload is read into it and borrowed from it.
    let mut frame = Vec::new();
    let fault = std::env::var(FAULT_VAR).ok();
    // The `counter` workload's shared counter as this process has it: its
    // own memory, which the parent never sees.
    let counter = SharedCounter::default();
    loop {
        let message = read_frame_timed(&mut input, &mut frame, |body| {
            codec.decode_borrowed::<ToWorker<'_>>(body)
        });
        if let (Some(fault), Ok(Some((ToWorker::Task { .. }, _)))) = (&fault, &message) {
            if inject(fault, &mut output)? {
                // early-close: every handle on the pipe goes, the process stays.
                drop(output);
                #[cfg(unix)]
                {
                    use std::os::fd::AsFd;
                    let null = std::fs::File::open("/dev/null")?;
                    rustix::stdio::dup2_stdout(null.as_fd()).map_err(io::Error::from)?;
                }
                hang();
            }
        }
        // Nothing more buffered: the worker waits for the parent after this
        // task, so this reply carries its CPU time (the parent needs it
        // only once a repetition's tasks are done, and reading it is a
        // system call).
        let idle = input.buffer().is_empty();
        let reply = match message? {
            None | Some((ToWorker::Shutdown, _)) => return Ok(()),
            Some((ToWorker::Task { task, payload }, arrived)) => {
                let start_ns = monotonic_ns();
                let out = run_task_with(&task, &payload, &counter, &mut NoCheckpoint);
                if let Some(error) = out.error {
                    // The parent reports this worker's exit with the task it
                    // held; the reason goes to the inherited stderr.
                    return Err(ProtocolError::Io(io::Error::other(error)));
                }
                done(
                    &task,
                    out.value,
                    (arrived, start_ns, idle),
                    Cow::Owned(out.payload),
                )
            }
            Some((ToWorker::TaskShared { task, len }, arrived)) => {
                let (input, output) = usize::try_from(len)
                    .ok()
                    .and_then(|len| maps.as_mut()?.payload(len))
                    .ok_or_else(|| {
                        ProtocolError::Decode(format!(
                            "a shared payload of {len} bytes, beyond the shared memory"
                        ))
                    })?;
                let start_ns = monotonic_ns();
                let value = crate::workload::echo_into(&task, input, output);
                done(&task, value, (arrived, start_ns, idle), Cow::Borrowed(&[]))
            }
        };
        // With bincode straight into the buffered pipe: the payload is not
        // copied again.
        if let Err(error) = write_frame(codec, &mut output, &reply) {
            if let ProtocolError::FrameTooLarge { len, .. } = error {
                // A JSON reply can outgrow a frame even when its request
                // fitted. Announcing its length (a header the parent must
                // refuse) makes the parent fail the run with this very
                // error, rather than with a bare "worker exited".
                let header = u32::try_from(len).unwrap_or(u32::MAX);
                output.write_all(&header.to_le_bytes())?;
                output.flush()?;
            }
            return Err(error);
        }
        output.flush()?;
    }
}

/// The reply to a task whose frame `arrived`, that started at `start_ns`
/// and ends now; with the worker's CPU time when it goes `idle` after it
/// (0 otherwise: not read).
fn done<'a>(
    task: &crate::workload::Task,
    value: u64,
    (arrived, start_ns, idle): (protocol::FrameTimes, u64, bool),
    payload: Cow<'a, [u8]>,
) -> FromWorker<'a> {
    FromWorker::Done {
        index: task.index,
        value,
        received_ns: arrived.header_ns,
        read_ns: arrived.body_ns,
        start_ns,
        end_ns: monotonic_ns(),
        cpu_ns: if idle { process_cpu_ns() } else { 0 },
        payload,
    }
}

/// Sleeps for good.
fn hang() -> ! {
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
}

/// Misbehaves as [`FAULT_VAR`] asks; true asks the caller to close stdout
/// (`early-close`); returns false for an unknown fault.
#[allow(clippy::panic)]
fn inject(fault: &str, output: &mut impl Write) -> Result<bool, ProtocolError> {
    match fault {
        "panic" => panic!("injected fault"),
        "abort" => std::process::abort(),
        "hang" => hang(),
        "garbage" => {
            output.write_all(&16u32.to_le_bytes())?;
            output.write_all(&[0xff; 16])?;
            output.flush()?;
            hang()
        }
        "huge-prefix" => {
            output.write_all(&u32::MAX.to_le_bytes())?;
            output.flush()?;
            hang()
        }
        "early-close" => Ok(true),
        "flood" => loop {
            output.write_all(&[1u8; 64 * 1024])?;
        },
        other => match other.strip_prefix("exit:").and_then(|n| n.parse().ok()) {
            Some(code) => std::process::exit(code),
            None => Ok(false),
        },
    }
}
