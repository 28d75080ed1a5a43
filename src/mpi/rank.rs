//! An MPI rank of corescope: the binary under `mpirun` with the hidden
//! subcommand [`super::RANK_SUBCOMMAND`] (built with the `mpi` feature).
//!
//! Rank 0 coordinates and computes nothing: it reads the run from
//! corescope over its stdin (forwarded by `mpirun`), learns every worker
//! rank's host, pid and cores (aligning each rank's clock: one round trip
//! where it shares this kernel, a few where that trip shows another clock
//! or the rank is on another host), says `Ready`, then per repetition hands tasks
//! to the worker ranks by the run's schedule — the same [`TaskSource`] as
//! the `processes` dispatcher: `static` chunks decided up front, `queue`
//! the next chunk to whichever rank answers first — one task per message,
//! the next as soon as a result is in. It reports finished tasks in
//! batches and the repetition's figures on its stdout. Every other rank
//! answers task messages with result messages until told to stop.
//!
//! Bytes are counted where they are handed to and taken from MPI: the
//! length of every message the coordinator sends and receives, per worker
//! rank. A rank that fails writes why on its stderr (which `mpirun`
//! forwards) and aborts the whole job: returning alone would leave it
//! waiting in `MPI_Finalize` for ranks that wait for it.

use std::borrow::Cow;
use std::io::{BufReader, BufWriter, Read, Write};
use std::time::{Duration, Instant};

use ::mpi::point_to_point::{Message, Status};
use ::mpi::topology::SimpleCommunicator;
use ::mpi::traits::*;

use super::clock::{self, ClockOffset, RoundTrip};
use super::protocol::{
    BATCH_INTERVAL_NS, BATCH_TASKS, FromCoordinator, JobInfo, MPI_PROTOCOL_VERSION, RankAbout,
    RankInfo, RankTraffic, RepEnd, Tag, TaskReport, ToCoordinator,
};
use crate::engine::schedule::{Cursor, TaskSource};
use crate::measure::clock::{monotonic_ns, process_cpu_ns};
use crate::spec::RunSpec;
use crate::worker::codec::Codec;
use crate::worker::protocol::{
    FromWorker, MAX_FRAME_BYTES, PIPE_BUFFER_BYTES, ProtocolError, ToWorker, read_frame,
    write_frame,
};
use crate::workload::{Task, make_payload, run_task};

/// A waiting rank probes without pause this long, then naps between
/// probes: Open MPI's blocking probe would spin on a core (yielding it at
/// best), taking CPU from the ranks computing beside it; `processes`'
/// dispatcher sleeps in the kernel while it waits.
const SPIN: Duration = Duration::from_micros(50);
/// The first nap, doubled after each empty probe up to [`MAX_NAP`]: a
/// result waits at most about that long to be seen.
const FIRST_NAP: Duration = Duration::from_micros(10);
const MAX_NAP: Duration = Duration::from_micros(100);

/// Waits for a message that `probe` matches, spinning briefly, then
/// napping between probes.
fn wait_for(mut probe: impl FnMut() -> Option<(Message, Status)>) -> (Message, Status) {
    let start = Instant::now();
    let mut nap = FIRST_NAP;
    loop {
        if let Some(found) = probe() {
            return found;
        }
        if start.elapsed() < SPIN {
            std::hint::spin_loop();
        } else {
            std::thread::sleep(nap);
            nap = (nap * 2).min(MAX_NAP);
        }
    }
}

/// Why a rank gave up.
#[derive(Debug, thiserror::Error)]
pub enum RankError {
    #[error("MPI could not be initialised")]
    Init,
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
    #[error("corescope speaks MPI protocol {found}, this rank speaks {expected}")]
    Version { found: u32, expected: u32 },
    #[error("rank {rank} sent {what}")]
    Peer { rank: i32, what: String },
    #[error("corescope sent {0} at the wrong moment")]
    Unexpected(&'static str),
}

/// The rank's program: coordinate (rank 0) or serve tasks (the others).
pub fn rank_main(codec: Codec) -> Result<(), RankError> {
    crate::platform::die_with_parent();
    let universe = ::mpi::initialize().ok_or(RankError::Init)?;
    let world = universe.world();
    let rank = world.rank();
    let outcome = if rank == 0 {
        coordinate(&world, codec)
    } else {
        serve(&world, codec)
    };
    if let Err(error) = outcome {
        let _ = writeln!(std::io::stderr(), "corescope rank {rank}: {error}");
        world.abort(1);
    }
    // Dropping the universe finalises MPI, with every other rank.
    Ok(())
}

/// This host, as the job's records name it.
fn about() -> RankAbout {
    RankAbout {
        host: ::mpi::environment::processor_name().unwrap_or_else(|_| "unknown host".to_string()),
        boot_id: clock::boot_id(),
        pid: std::process::id(),
        cpus: std::thread::available_parallelism()
            .map_or(1, |n| u32::try_from(n.get()).unwrap_or(u32::MAX)),
    }
}

/// Receives a probed message into `buf` (resized to its length). A
/// message over the frame limit is refused (left unreceived: the job is
/// about to abort).
fn receive(message: Message, status: &Status, buf: &mut Vec<u8>) -> Result<usize, RankError> {
    let len = usize::try_from(status.count(u8::equivalent_datatype())).unwrap_or(usize::MAX);
    if len > MAX_FRAME_BYTES as usize {
        std::mem::forget(message);
        return Err(ProtocolError::FrameTooLarge {
            len: len as u64,
            max: MAX_FRAME_BYTES,
        }
        .into());
    }
    buf.resize(len, 0);
    message.matched_receive_into(&mut buf[..]);
    Ok(len)
}

/// Encodes a message between ranks, refusing one over the frame limit.
fn encode<M: serde::Serialize>(
    codec: Codec,
    message: &M,
    buf: &mut Vec<u8>,
) -> Result<(), RankError> {
    buf.clear();
    codec.encode_into(message, buf)?;
    if buf.len() > MAX_FRAME_BYTES as usize {
        return Err(ProtocolError::FrameTooLarge {
            len: buf.len() as u64,
            max: MAX_FRAME_BYTES,
        }
        .into());
    }
    Ok(())
}

/// A worker rank: introduce itself, then answer clock pings and tasks
/// until `Shutdown`.
fn serve(world: &SimpleCommunicator, codec: Codec) -> Result<(), RankError> {
    let coordinator = world.process_at_rank(0);
    let mut out = Vec::new();
    encode(codec, &about(), &mut out)?;
    coordinator.send_with_tag(&out[..], Tag::About as i32);
    let mut body = Vec::new();
    loop {
        let (message, status) = wait_for(|| coordinator.immediate_matched_probe());
        let received_ns = monotonic_ns();
        receive(message, &status, &mut body)?;
        let read_ns = monotonic_ns();
        let tag = status.tag();
        if tag == Tag::Clock as i32 {
            coordinator.send_with_tag(&monotonic_ns().to_le_bytes()[..], Tag::Clock as i32);
            continue;
        }
        if tag != Tag::Work as i32 {
            return Err(RankError::Peer {
                rank: 0,
                what: format!("a message with tag {tag}"),
            });
        }
        let (task, payload) = match codec.decode_borrowed::<ToWorker<'_>>(&body)? {
            ToWorker::Shutdown => return Ok(()),
            ToWorker::Task { task, payload } => (task, payload),
            // Payloads reach a rank in its messages; shared memory is the
            // processes pool's transport only.
            ToWorker::TaskShared { .. } => {
                return Err(RankError::Peer {
                    rank: 0,
                    what: "a task in shared memory".to_string(),
                });
            }
        };
        let start_ns = monotonic_ns();
        let result = run_task(&task, &payload);
        let end_ns = monotonic_ns();
        let reply = FromWorker::Done {
            index: task.index,
            value: result.value,
            received_ns,
            read_ns,
            start_ns,
            end_ns,
            cpu_ns: process_cpu_ns(),
            payload: Cow::Owned(result.payload),
        };
        encode(codec, &reply, &mut out)?;
        coordinator.send_with_tag(&out[..], Tag::Result as i32);
    }
}

/// Rank 0: the conversation with corescope, reporting a failure to it
/// before the job aborts.
fn coordinate(world: &SimpleCommunicator, codec: Codec) -> Result<(), RankError> {
    let (input, output) = stdio().map_err(ProtocolError::from)?;
    let mut input = BufReader::with_capacity(PIPE_BUFFER_BYTES, input);
    let mut output = BufWriter::with_capacity(PIPE_BUFFER_BYTES, output);
    let outcome = converse(world, codec, &mut input, &mut output);
    if let Err(error) = &outcome {
        let message = FromCoordinator::Error {
            message: error.to_string(),
        };
        let _ = write_frame(codec, &mut output, &message);
        let _ = output.flush();
    }
    outcome
}

/// Stdin and stdout as plain files, so frames skip std's line buffering.
#[cfg(unix)]
fn stdio() -> std::io::Result<(std::fs::File, std::fs::File)> {
    crate::worker::raw_stdio()
}

#[cfg(not(unix))]
fn stdio() -> std::io::Result<(std::io::Stdin, std::io::Stdout)> {
    Ok((std::io::stdin(), std::io::stdout()))
}

fn converse(
    world: &SimpleCommunicator,
    codec: Codec,
    input: &mut impl Read,
    output: &mut impl Write,
) -> Result<(), RankError> {
    let spec = match read_frame::<_, ToCoordinator>(codec, input)? {
        Some(ToCoordinator::Start { version, spec }) if version == MPI_PROTOCOL_VERSION => spec,
        Some(ToCoordinator::Start { version, .. }) => {
            return Err(RankError::Version {
                found: version,
                expected: MPI_PROTOCOL_VERSION,
            });
        }
        // corescope went away before the run began.
        None | Some(ToCoordinator::Shutdown) => return Job::start(world, codec)?.shutdown(),
        Some(_) => return Err(RankError::Unexpected("a request before the run")),
    };
    let mut job = Job::start(world, codec)?;
    reply(codec, output, &FromCoordinator::Ready(job.info.clone()))?;
    let payload = make_payload(spec.workload.payload_bytes as usize);
    loop {
        match read_frame::<_, ToCoordinator>(codec, input)? {
            Some(ToCoordinator::Rep) => job.repetition(&spec, &payload, output)?,
            Some(ToCoordinator::Ping) => {
                let now_ns = monotonic_ns();
                reply(codec, output, &FromCoordinator::Pong { now_ns })?;
            }
            Some(ToCoordinator::Shutdown) | None => return job.shutdown(),
            Some(ToCoordinator::Start { .. }) => return Err(RankError::Unexpected("a second run")),
        }
    }
}

/// Writes one frame to corescope and flushes it.
fn reply(
    codec: Codec,
    output: &mut impl Write,
    message: &FromCoordinator,
) -> Result<(), RankError> {
    write_frame(codec, output, message)?;
    output.flush().map_err(ProtocolError::from)?;
    Ok(())
}

/// The coordinator's view of the job.
struct Job<'w> {
    world: &'w SimpleCommunicator,
    codec: Codec,
    info: JobInfo,
    /// Per worker: its clock against the coordinator's.
    clocks: Vec<ClockOffset>,
    /// Per worker: its CPU time at its last result.
    cpu_ns: Vec<u64>,
    out: Vec<u8>,
    body: Vec<u8>,
}

/// One worker's state within a repetition.
#[derive(Debug, Clone, Default)]
struct Slot {
    cursor: Cursor,
    running: Option<u32>,
    /// When the running task was handed out.
    handed_ns: u64,
    traffic: RankTraffic,
}

impl<'w> Job<'w> {
    /// Hears every worker rank introduce itself and aligns its clock.
    fn start(world: &'w SimpleCommunicator, codec: Codec) -> Result<Job<'w>, RankError> {
        let own = about();
        let mut ranks = vec![RankInfo {
            rank: 0,
            host: own.host,
            boot_id: own.boot_id.clone(),
            pid: own.pid,
            cpus: own.cpus,
            clock_offset_ns: 0,
            clock_round_trip_ns: 0,
        }];
        let mut clocks = Vec::new();
        let mut body = Vec::new();
        for rank in 1..world.size() {
            let process = world.process_at_rank(rank);
            let (message, status) = process.matched_probe_with_tag(Tag::About as i32);
            receive(message, &status, &mut body)?;
            let about: RankAbout = codec.decode(&body)?;
            let same_kernel = clock::same_kernel(&own.boot_id, &about.boot_id);
            let offset = clock::align(same_kernel, || clock_trip(world, rank))?;
            clocks.push(offset);
            ranks.push(RankInfo {
                rank: u32::try_from(rank).unwrap_or(0),
                host: about.host,
                boot_id: about.boot_id,
                pid: about.pid,
                cpus: about.cpus,
                clock_offset_ns: offset.offset_ns,
                clock_round_trip_ns: offset.round_trip_ns,
            });
        }
        let library = ::mpi::environment::library_version().unwrap_or_default();
        Ok(Job {
            world,
            codec,
            info: JobInfo {
                version: MPI_PROTOCOL_VERSION,
                library,
                ranks,
            },
            cpu_ns: vec![0; clocks.len()],
            clocks,
            out: Vec::new(),
            body,
        })
    }

    fn workers(&self) -> usize {
        self.clocks.len()
    }

    /// Hands worker `w` its next task, if the schedule has one for it.
    fn hand_out(
        &mut self,
        w: usize,
        spec: &RunSpec,
        payload: &[u8],
        source: &TaskSource,
        slot: &mut Slot,
    ) -> Result<(), RankError> {
        let Some(index) = source.claim(w as u32, &mut slot.cursor) else {
            return Ok(());
        };
        let task = Task {
            workload: spec.workload.workload,
            size: spec.workload.size,
            index,
            tasks: spec.workload.tasks,
            io_percent: spec.workload.io_percent,
            sharing: spec.workload.sharing,
            // `net` is refused for MPI ranks (see `engine::start_executor`).
            port: 0,
        };
        let message = ToWorker::Task {
            task,
            payload: Cow::Borrowed(payload),
        };
        encode(self.codec, &message, &mut self.out)?;
        let rank = i32::try_from(w + 1).unwrap_or(i32::MAX);
        slot.handed_ns = monotonic_ns();
        self.world
            .process_at_rank(rank)
            .send_with_tag(&self.out[..], Tag::Work as i32);
        slot.traffic.to_rank += self.out.len() as u64;
        slot.traffic.messages += 1;
        slot.running = Some(index);
        Ok(())
    }

    /// Waits for the next result: the worker it came from and its report.
    fn next_result(&mut self, slots: &mut [Slot]) -> Result<(usize, TaskReport, u64), RankError> {
        let any = self.world.any_process();
        let (message, status) =
            wait_for(|| any.immediate_matched_probe_with_tag(Tag::Result as i32));
        let reply_ns = monotonic_ns();
        let rank = status.source_rank();
        let len = receive(message, &status, &mut self.body)?;
        let replied_ns = monotonic_ns();
        let w = usize::try_from(rank - 1).unwrap_or(usize::MAX);
        let Some(slot) = slots.get_mut(w) else {
            return Err(RankError::Peer {
                rank,
                what: "a result, but it is no worker".to_string(),
            });
        };
        slot.traffic.from_rank += len as u64;
        slot.traffic.messages += 1;
        let FromWorker::Done {
            index,
            value,
            received_ns,
            read_ns,
            start_ns,
            end_ns,
            cpu_ns,
            ..
        } = self.codec.decode_borrowed::<FromWorker<'_>>(&self.body)?
        else {
            return Err(RankError::Peer {
                rank,
                what: "a hello in the middle of a run".to_string(),
            });
        };
        let returned_ns = monotonic_ns();
        if slot.running.take() != Some(index) {
            return Err(RankError::Peer {
                rank,
                what: format!("a result for task {index}, which it was not running"),
            });
        }
        // The worker's stamps lie between the hand-out and the answer.
        let clock = self.clocks[w];
        let local = |ns| clock.to_local_between(ns, slot.handed_ns, reply_ns);
        let report = TaskReport {
            index,
            worker: w as u32,
            value,
            received_ns: local(received_ns),
            read_ns: local(read_ns),
            start_ns: local(start_ns),
            end_ns: local(end_ns),
            reply_ns,
            replied_ns,
            returned_ns,
        };
        Ok((w, report, cpu_ns))
    }

    /// One repetition: every task handed out and its result in, reported
    /// to corescope in batches, then the figures.
    fn repetition(
        &mut self,
        spec: &RunSpec,
        payload: &[u8],
        output: &mut impl Write,
    ) -> Result<(), RankError> {
        let workers = self.workers();
        let source = TaskSource::new(
            spec.schedule,
            spec.workload.tasks,
            spec.chunk,
            workers as u32,
        );
        let mut slots = vec![Slot::default(); workers];
        let cpu_before = process_cpu_ns();
        let workers_cpu_before: u64 = self.cpu_ns.iter().sum();
        let mut batch = Vec::new();
        let start_ns = monotonic_ns();
        let mut reported_ns = start_ns;
        for (w, slot) in slots.iter_mut().enumerate() {
            self.hand_out(w, spec, payload, &source, slot)?;
        }
        for _ in 0..spec.workload.tasks {
            let (w, report, cpu_ns) = self.next_result(&mut slots)?;
            self.cpu_ns[w] = cpu_ns;
            batch.push(report);
            self.hand_out(w, spec, payload, &source, &mut slots[w])?;
            if batch.len() >= BATCH_TASKS || report.returned_ns - reported_ns >= BATCH_INTERVAL_NS {
                reply(
                    self.codec,
                    output,
                    &FromCoordinator::Tasks(std::mem::take(&mut batch)),
                )?;
                reported_ns = monotonic_ns();
            }
        }
        let end_ns = monotonic_ns();
        let workers_cpu = self
            .cpu_ns
            .iter()
            .sum::<u64>()
            .saturating_sub(workers_cpu_before);
        let cpu_ns = process_cpu_ns().saturating_sub(cpu_before) + workers_cpu;
        if !batch.is_empty() {
            reply(self.codec, output, &FromCoordinator::Tasks(batch))?;
        }
        let end = RepEnd {
            start_ns,
            end_ns,
            cpu_ns,
            traffic: slots.iter().map(|s| s.traffic).collect(),
        };
        reply(self.codec, output, &FromCoordinator::RepEnd(end))
    }

    /// Tells every worker rank to stop.
    fn shutdown(mut self) -> Result<(), RankError> {
        encode(self.codec, &ToWorker::Shutdown, &mut self.out)?;
        for rank in 1..self.world.size() {
            self.world
                .process_at_rank(rank)
                .send_with_tag(&self.out[..], Tag::Work as i32);
        }
        Ok(())
    }
}

/// One clock round trip to worker `rank`: an empty message out, its
/// monotonic clock back.
fn clock_trip(world: &SimpleCommunicator, rank: i32) -> Result<RoundTrip, RankError> {
    let process = world.process_at_rank(rank);
    let sent_ns = monotonic_ns();
    process.send_with_tag(&[0u8; 0][..], Tag::Clock as i32);
    let (stamp, _) = process.receive_vec_with_tag::<u8>(Tag::Clock as i32);
    let received_ns = monotonic_ns();
    let remote: [u8; 8] = stamp.as_slice().try_into().map_err(|_| RankError::Peer {
        rank,
        what: format!("a clock reading of {} bytes", stamp.len()),
    })?;
    Ok(RoundTrip {
        sent_ns,
        remote_ns: u64::from_le_bytes(remote),
        received_ns,
    })
}
