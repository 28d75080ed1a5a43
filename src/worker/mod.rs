//! Worker processes: corescope re-executes its own binary with the hidden
//! subcommand [`WORKER_SUBCOMMAND`]; the child runs [`worker_main`], which
//! answers task frames on stdin with result frames on stdout until stdin
//! closes. [`process::WorkerProcess`] is the parent's handle on one child.

pub mod codec;
pub mod process;
pub mod protocol;

use std::io::{self, BufReader, BufWriter, Write};

use crate::measure::clock::{monotonic_ns, process_cpu_ns};
use crate::workload::run_task;
use protocol::{FromWorker, ProtocolError, ToWorker, read_frame_with, write_frame};

/// The hidden subcommand that turns the binary into a worker.
pub const WORKER_SUBCOMMAND: &str = "__worker";

/// The worker's loop: greet, then compute each task as it arrives.
///
/// Returns when stdin closes or a `Shutdown` arrives. Never prints: stdout
/// carries frames only.
pub fn worker_main() -> Result<(), ProtocolError> {
    crate::platform::die_with_parent();
    let stdin = io::stdin();
    let mut input = BufReader::with_capacity(256 * 1024, stdin.lock());
    let stdout = io::stdout();
    let mut output = BufWriter::with_capacity(256 * 1024, stdout.lock());

    write_frame(
        &mut output,
        &FromWorker::Hello {
            version: protocol::PROTOCOL_VERSION,
            pid: std::process::id(),
            cpu_ns: process_cpu_ns(),
        },
    )?;
    output.flush()?;

    let mut frame = Vec::new();
    loop {
        let message = read_frame_with(&mut input, &mut frame, |body| {
            codec::decode_borrowed::<ToWorker<'_>>(body)
        });
        let reply = match message? {
            None | Some(ToWorker::Shutdown) => return Ok(()),
            Some(ToWorker::Task { task, payload }) => {
                let start_ns = monotonic_ns();
                let out = run_task(&task, &payload);
                let end_ns = monotonic_ns();
                FromWorker::Done {
                    index: task.index,
                    value: out.value,
                    start_ns,
                    end_ns,
                    cpu_ns: process_cpu_ns(),
                    payload: serde_bytes::ByteBuf::from(out.payload),
                }
            }
        };
        write_frame(&mut output, &reply)?;
        output.flush()?;
    }
}
