//! Workloads: what one task computes.
//!
//! Every task is a pure function of its [`Task`] descriptor (and, for echo,
//! its input payload) and returns a deterministic `u64` value. A run's
//! checksum folds those values in task order, so it is identical whatever
//! the model, worker count or schedule that produced them. The `counter`
//! workload also writes a counter its process's workers share
//! ([`SharedCounter`]); its task values are each task's own count, so the
//! checksum stays the same however many updates the shared counter lost.

pub mod code;
pub mod command;
mod counter;
mod echo;
mod mandelbrot;
mod mixed;
pub mod net;
mod primes;
mod sleep;
mod sqrt_sum;

use serde::{Deserialize, Serialize};

pub use code::{CodeRef, CodeTarget};
pub use command::CommandRef;
pub use counter::{CountedIn, SharedCounter, Sharing};
pub use echo::{echo_transform, make_payload, try_make_payload};
pub use mandelbrot::MAX_ITERATIONS as MANDELBROT_MAX_ITERATIONS;
pub use mixed::MixedParts;
pub use sleep::wait;

use crate::cancel::CancelToken;

/// The kinds of work a task can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Workload {
    /// The seed's `heavy(n)`: the sum of `sqrt(i)` for `i < n`, added in order.
    SqrtSum,
    /// Count of primes in the task's slice `[index·n, (index+1)·n)`, by trial division.
    Primes,
    /// One band of rows of an `n`×`n` Mandelbrot image: uneven cost per task.
    Mandelbrot,
    /// A blocking wait of `n` milliseconds: I/O-bound work.
    Sleep,
    /// A request to corescope's slow loopback service, answered after `n`
    /// ms with `--payload` bytes: real I/O-bound work.
    Net,
    /// A payload sent to the worker, transformed `n` times per byte, sent back.
    Echo,
    /// `n` ms of nominal work per task: part sqrt-sum compute, part blocking
    /// wait, the split set by `--io-percent`.
    Mixed,
    /// `n` increments of a counter per task, the counter shared as
    /// `--sharing` says: the cost and the risk of shared state.
    Counter,
    /// A Python function of the user's (`--code FILE.py:FUNCTION`): the
    /// CPython models only, and not in [`Workload::ALL`] (it is chosen by
    /// `--code`, not by name).
    Code,
    /// A shell command per task (`--command 'CMD {}'`): the models that
    /// run tasks on corescope's own threads start it as a child; not in
    /// [`Workload::ALL`] (it is chosen by `--command`).
    Command,
}

impl Workload {
    /// Every workload, in the order menus list them.
    pub const ALL: [Workload; 8] = [
        Workload::SqrtSum,
        Workload::Primes,
        Workload::Mandelbrot,
        Workload::Sleep,
        Workload::Net,
        Workload::Mixed,
        Workload::Echo,
        Workload::Counter,
    ];

    /// The name used on the command line and in result files.
    pub fn name(self) -> &'static str {
        match self {
            Workload::SqrtSum => "sqrt-sum",
            Workload::Primes => "primes",
            Workload::Mandelbrot => "mandelbrot",
            Workload::Sleep => "sleep",
            Workload::Net => "net",
            Workload::Echo => "echo",
            Workload::Mixed => "mixed",
            Workload::Counter => "counter",
            Workload::Code => "code",
            Workload::Command => "command",
        }
    }

    /// The workload names for `--help`, each with what its size means,
    /// read from [`Workload::ALL`] so the help never misses one.
    pub fn help_list() -> String {
        let names: Vec<String> = Workload::ALL
            .iter()
            .map(|w| format!("{} ({})", w.name(), w.size_meaning()))
            .collect();
        names.join(", ")
    }

    /// What `--size` means for this workload.
    pub fn size_meaning(self) -> &'static str {
        match self {
            Workload::SqrtSum => "terms summed per task",
            Workload::Primes => "numbers tested per task",
            Workload::Mandelbrot => "image width and height in pixels",
            Workload::Sleep => "milliseconds of waiting per task",
            Workload::Net => "milliseconds the service waits before answering",
            Workload::Echo => "transform passes over each payload byte",
            Workload::Mixed => "milliseconds of nominal work per task",
            Workload::Counter => "increments of the counter per task",
            Workload::Code => "unused: the function decides",
            Workload::Command => "unused: the command decides",
        }
    }

    /// A size that makes one task take roughly 10–30 ms on a laptop core, so
    /// that a default sweep takes seconds and still shows scaling.
    pub fn default_size(self) -> u64 {
        match self {
            Workload::SqrtSum => 10_000_000,
            Workload::Primes => 100_000,
            Workload::Mandelbrot => 1_200,
            Workload::Sleep | Workload::Net => 20,
            Workload::Echo => 1,
            Workload::Mixed => 20,
            Workload::Counter => 2_000_000,
            Workload::Code | Workload::Command => 0,
        }
    }

    /// The default number of tasks in a run.
    pub fn default_tasks(self) -> u32 {
        match self {
            Workload::Mandelbrot => 48,
            Workload::Counter => 8,
            Workload::Code | Workload::Command => 16,
            _ => 32,
        }
    }

    /// The smallest size that means something (echo may skip compute).
    pub fn min_size(self) -> u64 {
        match self {
            Workload::Echo | Workload::Code | Workload::Command => 0,
            _ => 1,
        }
    }

    /// Whether tasks carry a payload across to the worker and back.
    pub fn uses_payload(self) -> bool {
        self == Workload::Echo
    }

    /// Whether `--payload` means something: echo's payload, or the size of
    /// the net service's reply.
    pub fn takes_payload(self) -> bool {
        matches!(self, Workload::Echo | Workload::Net)
    }

    /// The payload used when none is given.
    pub fn default_payload(self) -> u64 {
        match self {
            Workload::Echo => 64 * 1024,
            Workload::Net => 1024,
            _ => 0,
        }
    }

    /// The largest size that means something (a net wait the service grants).
    pub fn max_size(self) -> u64 {
        match self {
            Workload::Net => net::MAX_WAIT_MS,
            _ => u64::MAX,
        }
    }
}

impl_named!(Workload, "workload");

/// One unit of work: everything a worker needs to compute it, apart from an
/// echo payload, which travels beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub workload: Workload,
    pub size: u64,
    /// Position of the task in the run (0-based); the checksum's order.
    pub index: u32,
    /// Number of tasks in the run (Mandelbrot splits its image by it).
    pub tasks: u32,
    /// `mixed`: the share of each task spent blocked, in percent.
    pub io_percent: u8,
    /// `net`: the port of the run's service on 127.0.0.1 (0 otherwise).
    #[serde(default)]
    pub port: u16,
    /// `counter`: how the workers share the counter (isolated otherwise).
    pub sharing: Sharing,
}

/// What a task returns.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TaskOutput {
    /// The deterministic result folded into the run's checksum.
    pub value: u64,
    /// Bytes sent back to the caller (echo only; empty otherwise).
    pub payload: Vec<u8>,
    /// Why the task could not be done (net: the service did not answer);
    /// the run fails with it.
    pub error: Option<String>,
}

/// Points inside a task where it may pause: the hook a simulated GIL uses
/// to hand its lock over mid-task, as CPython's eval loop does between
/// bytecodes, and to release it around blocking waits.
pub trait Checkpoint {
    /// Called every few microseconds of compute.
    fn tick(&mut self);
    /// Runs a blocking wait (standing in for I/O).
    fn blocking(&mut self, wait: &mut dyn FnMut());
    /// The run's cancel, for a task run inside corescope's own process
    /// (serial, threads, gil-threads): nothing can kill it, so it stops by
    /// itself once cancelled, its value unused. None: the task runs whole
    /// (a worker process is killed instead).
    fn cancel(&self) -> Option<&CancelToken> {
        None
    }
    /// Whether the task should end now: its run was cancelled.
    fn stopped(&self) -> bool {
        self.cancel().is_some_and(CancelToken::is_cancelled)
    }
}

/// The checkpoint of the in-process models without a global lock: tasks
/// end early on cancel, and nothing else.
#[derive(Debug, Clone, Copy)]
pub struct Cancellable<'a>(pub &'a CancelToken);

impl Checkpoint for Cancellable<'_> {
    #[inline(always)]
    fn tick(&mut self) {}
    fn blocking(&mut self, wait: &mut dyn FnMut()) {
        wait();
    }
    fn cancel(&self) -> Option<&CancelToken> {
        Some(self.0)
    }
}

/// The checkpoint of every model without a global lock: does nothing, and
/// compiles away.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoCheckpoint;

impl Checkpoint for NoCheckpoint {
    #[inline(always)]
    fn tick(&mut self) {}
    fn blocking(&mut self, wait: &mut dyn FnMut()) {
        wait();
    }
}

/// Runs one task on its own: `payload` is the echo input (ignored by other
/// workloads); a counter task counts on a counter nobody else sees.
pub fn run_task(task: &Task, payload: &[u8]) -> TaskOutput {
    run_task_with(task, payload, &SharedCounter::default(), &mut NoCheckpoint)
}

/// Runs one task, passing `checkpoint` the points where it may pause;
/// `counter` is the counter the process's workers share. Values are
/// bit-for-bit those of [`run_task`].
pub fn run_task_with<C: Checkpoint>(
    task: &Task,
    payload: &[u8],
    counter: &SharedCounter,
    checkpoint: &mut C,
) -> TaskOutput {
    match task.workload {
        Workload::SqrtSum => value_only(sqrt_sum::sqrt_sum(task.size, checkpoint).to_bits()),
        Workload::Primes => value_only(primes::count_in_slice(task.size, task.index, checkpoint)),
        Workload::Mandelbrot => value_only(mandelbrot::band_iterations(
            task.size, task.index, task.tasks, checkpoint,
        )),
        Workload::Sleep => value_only(sleep::wait_ms(task.size, checkpoint)),
        Workload::Net => {
            let max_reply = crate::limits::MAX_PAYLOAD_BYTES;
            match net::request(task.port, task.index, task.size, max_reply, checkpoint) {
                Ok(value) => value_only(value),
                Err(error) => net_failure(task, &error),
            }
        }
        Workload::Mixed => value_only(mixed::compute_then_wait(
            task.size,
            task.io_percent,
            checkpoint,
        )),
        Workload::Counter => {
            value_only(counter::count(task.size, task.sharing, counter, checkpoint))
        }
        Workload::Echo => {
            let out = echo::echo_transform(payload, task.size, checkpoint);
            TaskOutput {
                value: payload_checksum(&out),
                payload: out,
                error: None,
            }
        }
        // Validation keeps `--code` off the models that run tasks here.
        Workload::Code => TaskOutput {
            error: Some(format!(
                "task {}: a Python function runs only under the CPython models",
                task.index
            )),
            ..TaskOutput::default()
        },
        // The executors that run commands call `command::run` with the
        // run's command; validation keeps it off the others.
        Workload::Command => TaskOutput {
            error: Some(format!(
                "task {}: a command (--command) runs only under the serial and thread models",
                task.index
            )),
            ..TaskOutput::default()
        },
    }
}

/// Runs one task on corescope's own threads (serial, threads,
/// gil-threads): for a `--command` run, its child, waited for as a
/// blocking wait (so a simulated GIL is let go meanwhile, as CPython's
/// `subprocess` does); [`run_task_with`] otherwise.
pub fn run_task_here<C: Checkpoint>(
    task: &Task,
    payload: &[u8],
    counter: &SharedCounter,
    checkpoint: &mut C,
    command: Option<CommandRef>,
) -> TaskOutput {
    match command {
        Some(command) if task.workload == Workload::Command => {
            let cancel = checkpoint.cancel().cloned();
            let mut out = TaskOutput::default();
            checkpoint.blocking(&mut || out = command::run(command, task.index, cancel.as_ref()));
            out
        }
        _ => run_task_with(task, payload, counter, checkpoint),
    }
}

/// Runs one task as a future (the async models): the waits of `sleep`,
/// `net` and `mixed` suspend the task, so other tasks run meanwhile; every
/// computation runs right here and blocks the runtime's thread until done,
/// as CPU-bound code in a coroutine does, but it looks at `cancel` as it
/// goes (a blocked runtime thread cannot be interrupted, and the run's own
/// future cannot look at the flag meanwhile). Results are bit-for-bit
/// those of [`run_task`].
pub async fn run_task_async(task: &Task, payload: &[u8], cancel: &CancelToken) -> TaskOutput {
    match task.workload {
        Workload::Sleep => {
            tokio::time::sleep(std::time::Duration::from_millis(task.size)).await;
            value_only(task.size)
        }
        Workload::Net => {
            let max_reply = crate::limits::MAX_PAYLOAD_BYTES;
            match net::request_async(task.port, task.index, task.size, max_reply).await {
                Ok(value) => value_only(value),
                Err(error) => net_failure(task, &error),
            }
        }
        Workload::Mixed => {
            let parts = MixedParts::of(task.size, task.io_percent);
            let sum = sqrt_sum::sqrt_sum(parts.compute_terms, &mut Cancellable(cancel));
            tokio::time::sleep(std::time::Duration::from_micros(parts.wait_us)).await;
            value_only(parts.value(sum.to_bits()))
        }
        _ => run_task_with(
            task,
            payload,
            &SharedCounter::default(),
            &mut Cancellable(cancel),
        ),
    }
}

/// The output of a net task the service did not answer.
fn net_failure(task: &Task, error: &std::io::Error) -> TaskOutput {
    TaskOutput {
        error: Some(format!(
            "task {}: the net service on port {} did not answer: {error}",
            task.index, task.port
        )),
        ..TaskOutput::default()
    }
}

/// The compute part of a task as a task of its own, and how to turn that
/// part's value into the task's (async+processes ships only this part to a
/// worker process); `None` for a task that only waits.
pub fn compute_part(task: &Task) -> Option<(Task, MixedParts)> {
    match task.workload {
        Workload::Sleep | Workload::Net => None,
        Workload::Mixed => {
            let parts = MixedParts::of(task.size, task.io_percent);
            let compute = Task {
                workload: Workload::SqrtSum,
                size: parts.compute_terms,
                io_percent: 0,
                port: 0,
                ..*task
            };
            Some((compute, parts))
        }
        // All compute: the part is the task, its value the task's.
        _ => Some((
            *task,
            MixedParts {
                compute_terms: 0,
                wait_us: 0,
            },
        )),
    }
}

/// An echo task computed into `output` (as long as `input`) rather than a
/// new buffer: the shared-memory transport's path. Returns the value
/// [`run_task`] would.
pub fn echo_into(task: &Task, input: &[u8], output: &mut [u8]) -> u64 {
    output.copy_from_slice(input);
    echo::transform_in_place(output, task.size, &mut NoCheckpoint);
    payload_checksum(output)
}

fn value_only(value: u64) -> TaskOutput {
    TaskOutput {
        value,
        payload: Vec::new(),
        error: None,
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// An echo payload's checksum: CRC-32 (IEEE, the polynomial of zlib and
/// PNG) widened to `u64`. It must cost a small fraction of a copy, or the
/// workload would hide the transport it is meant to measure: `crc32fast`
/// folds many bytes per instruction (several GB/s), where a byte-wise hash
/// such as FNV-1a is a serial multiply chain (~1 GB/s) slower than the pipe.
/// CPython's `zlib.crc32` computes the same value.
pub fn payload_checksum(bytes: &[u8]) -> u64 {
    u64::from(crc32fast::hash(bytes))
}

/// FNV-1a of `bytes`: the net workload's reply hash (replies are short;
/// echo payloads use the faster [`payload_checksum`]).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(FNV_OFFSET, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(FNV_PRIME)
    })
}

/// Folds task values, in task order, into the run's checksum (FNV-1a over
/// each value's little-endian bytes).
pub fn checksum<I: IntoIterator<Item = u64>>(values: I) -> u64 {
    values.into_iter().fold(FNV_OFFSET, |hash, value| {
        value
            .to_le_bytes()
            .iter()
            .fold(hash, |h, &b| (h ^ u64::from(b)).wrapping_mul(FNV_PRIME))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(workload: Workload, size: u64, index: u32, tasks: u32) -> Task {
        Task {
            io_percent: 50,
            port: 0,
            sharing: Sharing::Isolated,
            workload,
            size,
            index,
            tasks,
        }
    }

    #[test]
    fn help_lists_every_workload() {
        let help = Workload::help_list();
        for w in Workload::ALL {
            assert!(help.contains(w.name()), "{help}");
        }
    }

    #[test]
    fn names_round_trip() {
        for w in Workload::ALL {
            assert_eq!(w.name().parse::<Workload>(), Ok(w));
        }
        assert!("quicksort".parse::<Workload>().is_err());
    }

    #[test]
    fn sqrt_sum_matches_the_seed() {
        // heavy(10) = sum(sqrt(i) for i in range(10)), added in order.
        let expected = (0..10).map(|i| f64::from(i).sqrt()).fold(0.0, |a, b| a + b);
        let out = run_task(&task(Workload::SqrtSum, 10, 0, 1), &[]);
        assert_eq!(f64::from_bits(out.value), expected);
    }

    #[test]
    fn primes_slices_add_up_to_pi() {
        // pi(1000) = 168, split over 4 slices of 250.
        let total: u64 = (0..4)
            .map(|i| run_task(&task(Workload::Primes, 250, i, 4), &[]).value)
            .sum();
        assert_eq!(total, 168);
    }

    #[test]
    fn mandelbrot_bands_cover_the_image_unevenly() {
        let bands: Vec<u64> = (0..4)
            .map(|i| run_task(&task(Workload::Mandelbrot, 64, i, 4), &[]).value)
            .collect();
        let whole = run_task(&task(Workload::Mandelbrot, 64, 0, 1), &[]).value;
        assert_eq!(bands.iter().sum::<u64>(), whole);
        // The set lies in the first half of the rows: those bands cost far more.
        assert!(bands[0] + bands[1] > 3 * (bands[2] + bands[3]), "{bands:?}");
    }

    #[test]
    fn echo_returns_a_transformed_payload_of_the_same_length() {
        let input = make_payload(1000);
        let out = run_task(&task(Workload::Echo, 2, 0, 1), &input);
        assert_eq!(out.payload.len(), 1000);
        assert_ne!(out.payload, input);
        let zero_passes = run_task(&task(Workload::Echo, 0, 0, 1), &input);
        assert_eq!(zero_passes.payload, input);
    }

    #[test]
    fn payload_checksum_is_zlib_crc32() {
        // zlib.crc32(b"123456789") == 0xCBF43926, the CRC-32 check value.
        assert_eq!(payload_checksum(b"123456789"), 0xcbf4_3926);
        assert_eq!(payload_checksum(&[]), 0);
    }

    #[test]
    fn echo_into_a_given_buffer_gives_run_task_s_value() {
        let input = make_payload(5000);
        let t = task(Workload::Echo, 3, 0, 1);
        let mut out = vec![0u8; 5000];
        let value = echo_into(&t, &input, &mut out);
        let expected = run_task(&t, &input);
        assert_eq!((value, out), (expected.value, expected.payload));
    }

    #[test]
    fn checksum_depends_on_order() {
        assert_ne!(checksum([1, 2]), checksum([2, 1]));
        assert_eq!(checksum([1, 2]), checksum(vec![1, 2]));
    }
}
