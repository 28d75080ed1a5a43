//! The harness's side of the conversation as the python executor reads
//! it: the messages of its stdout ([`HarnessMessage`]), read line by line
//! with a bound on each line by a thread of their own ([`read_lines`]);
//! whether a repetition it reported is possible ([`check_rep`]); and its
//! text quoted safely in an error ([`quote`]).

use std::io::{BufRead, BufReader, Read};

use crossbeam_channel::Sender;
use serde::Deserialize;

use crate::mpi::protocol::{JobInfo, RankTraffic};
use crate::spec::RunSpec;

/// Characters of the harness's own text quoted in an error.
const QUOTE_CHARS: usize = 200;
/// … where it says what is wrong with `--code`'s function and what to
/// change (the whole error line is cut at 600).
pub(super) const CODE_QUOTE_CHARS: usize = 420;
/// The longest stdout line read: the fixed part of any message, plus a
/// `rep` line's room per task (five numbers of at most 20 digits).
const LINE_BASE_BYTES: usize = 64 * 1024;
const LINE_BYTES_PER_TASK: usize = 128;

/// The longest line a harness running `tasks` tasks may send.
pub(super) fn max_line(tasks: u32) -> usize {
    LINE_BASE_BYTES.saturating_add(LINE_BYTES_PER_TASK.saturating_mul(tasks as usize))
}

/// One line of the harness's stdout.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub(super) enum HarnessMessage {
    Ready {
        spawn_ns: u64,
        version: String,
        /// `sys._is_gil_enabled()` (true before 3.13).
        #[serde(default = "gil_by_default")]
        gil_enabled: bool,
        #[serde(default)]
        worker_pids: Vec<u32>,
        /// python-mpi: the job's ranks, rank 0 (the harness) first.
        #[serde(default)]
        mpi: Option<JobInfo>,
        /// `--code`: what the harness found in the user's file.
        #[serde(default)]
        code: Option<CodeReady>,
    },
    Task {
        index: u32,
    },
    Rep(RepMessage),
    Error {
        message: String,
        /// A problem of `--code`'s function, said whole in `message`
        /// (the traceback on stderr adds nothing to it).
        #[serde(default)]
        code: bool,
    },
}

fn gil_by_default() -> bool {
    true
}

/// `--code`: the user's function as the harness imported it.
#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct CodeReady {
    /// `async def`.
    #[serde(default)]
    pub(super) is_async: bool,
    /// Its arguments come from the file's `inputs()`.
    #[serde(default)]
    pub(super) inputs: bool,
    /// The file's module-level code ran again in a spawned worker and
    /// printed or took long: the sentence saying so.
    #[serde(default)]
    pub(super) note: Option<String>,
}

/// One repetition as the harness measured it.
#[derive(Debug, Deserialize)]
pub(super) struct RepMessage {
    pub(super) start_ns: u64,
    pub(super) end_ns: u64,
    pub(super) cpu_ns: u64,
    /// `[task, worker, value, start_ns, end_ns]` per task.
    pub(super) tasks: Vec<(u32, u32, u64, u64, u64)>,
    pub(super) bytes_to_workers: u64,
    pub(super) bytes_from_workers: u64,
    pub(super) messages: u64,
    /// `--transport shm` (python-processes, echo): payload bytes the
    /// workers read from and wrote to `multiprocessing.shared_memory`.
    #[serde(default)]
    pub(super) bytes_shared_to_workers: u64,
    #[serde(default)]
    pub(super) bytes_shared_from_workers: u64,
    /// python-mpi: per worker rank, counted at rank 0's MPI calls.
    #[serde(default)]
    pub(super) traffic: Vec<RankTraffic>,
    /// `counter`: the shared counter as the harness read it afterwards.
    #[serde(default)]
    pub(super) counter: Option<u64>,
    /// `--code`: the digest of the repetition's results (hex SHA-256).
    #[serde(default)]
    pub(super) digest: Option<String>,
}

/// What the stdout reader thread forwards.
#[derive(Debug)]
pub(super) enum Line {
    Message(HarnessMessage),
    /// A line that is not a harness message (a stray print, garbage).
    Garbage(String),
    /// A line longer than any message can be: reading stopped there.
    TooLong {
        limit: usize,
    },
    /// stdout closed: the harness exited (or closed it).
    Closed,
}

/// Whether a repetition the harness reported is possible: every task by a
/// worker of the run, inside the repetition, ending after it started.
/// (Task indices, duplicates and counts are the log's to check.)
pub(super) fn check_rep(rep: &RepMessage, spec: &RunSpec) -> Result<(), String> {
    if rep.end_ns < rep.start_ns {
        return Err(format!(
            "it reported a repetition ending at {} ns, before its start at {} ns",
            rep.end_ns, rep.start_ns
        ));
    }
    let workers = spec.workers.max(1);
    for &(task, worker, _, start_ns, end_ns) in &rep.tasks {
        if worker >= workers {
            return Err(format!(
                "it reported task {task} done by worker {worker} of {workers}"
            ));
        }
        if !(rep.start_ns <= start_ns && start_ns <= end_ns && end_ns <= rep.end_ns) {
            return Err(format!(
                "it reported task {task} running from {start_ns} to {end_ns} ns, \
                 not inside the repetition ({} to {} ns)",
                rep.start_ns, rep.end_ns
            ));
        }
    }
    Ok(())
}

/// Reads stdout line by line, none longer than `max_line` bytes: a line
/// that outgrows it ends the reading (the executor then fails the run and
/// kills the harness), so a flood without newlines never grows memory.
pub(super) fn read_lines(stdout: impl Read, lines: &Sender<Line>, max_line: usize) {
    let mut reader = BufReader::new(stdout);
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        let limit = u64::try_from(max_line)
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        let read = (&mut reader).take(limit).read_until(b'\n', &mut buffer);
        let line = match read {
            Ok(0) | Err(_) => Line::Closed,
            Ok(n) if n > max_line => Line::TooLong { limit: max_line },
            Ok(_) => {
                let text = String::from_utf8_lossy(&buffer);
                match serde_json::from_str::<HarnessMessage>(text.trim_end()) {
                    Ok(message) => Line::Message(message),
                    Err(_) => Line::Garbage(text.into_owned()),
                }
            }
        };
        let last = matches!(line, Line::Closed | Line::TooLong { .. });
        if lines.send(line).is_err() || last {
            return;
        }
    }
}

/// The first non-empty line of text the harness sent, at most
/// [`QUOTE_CHARS`] characters, control characters made visible: safe to
/// quote in a one-line error on a terminal.
pub(super) fn quote(text: &str) -> String {
    quote_upto(text, QUOTE_CHARS)
}

/// [`quote`] with room for `chars` characters.
pub(super) fn quote_upto(text: &str, chars: usize) -> String {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("");
    let mut out: String = first
        .chars()
        .take(chars)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect();
    if first.chars().count() > chars || lines.next().is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{RawExperiment, Setting};

    fn read_all(stdout: &str, max_line: usize) -> Vec<Line> {
        let (tx, rx) = crossbeam_channel::unbounded();
        read_lines(stdout.as_bytes(), &tx, max_line);
        drop(tx);
        rx.iter().collect()
    }

    #[test]
    fn lines_become_messages_garbage_or_an_end() {
        let stdout = "{\"type\":\"task\",\"index\":3}\nnot json\n";
        let lines = read_all(stdout, 1024);
        assert!(matches!(
            lines[0],
            Line::Message(HarnessMessage::Task { index: 3 })
        ));
        assert!(matches!(&lines[1], Line::Garbage(text) if text == "not json\n"));
        assert!(matches!(lines[2], Line::Closed));
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn a_line_longer_than_any_message_ends_the_reading() {
        let flood = "x".repeat(100);
        let lines = read_all(&format!("{flood}\n{{\"type\":\"task\",\"index\":0}}\n"), 50);
        assert!(matches!(lines[..], [Line::TooLong { limit: 50 }]));
        // Room for a rep line's five numbers per task.
        assert!(max_line(1000) >= 1000 * 5 * 21);
    }

    #[test]
    fn a_ready_line_from_an_older_harness_takes_the_defaults() {
        let lines = read_all(
            "{\"type\":\"ready\",\"spawn_ns\":5,\"version\":\"3.8.0\"}\n",
            1024,
        );
        match &lines[0] {
            Line::Message(HarnessMessage::Ready {
                spawn_ns,
                gil_enabled,
                worker_pids,
                mpi,
                ..
            }) => {
                assert_eq!(*spawn_ns, 5);
                assert!(*gil_enabled, "before 3.13 the GIL is on");
                assert!(worker_pids.is_empty() && mpi.is_none());
            }
            other => panic!("not a ready message: {other:?}"),
        }
    }

    #[test]
    fn quotes_are_one_short_line_without_control_characters() {
        assert_eq!(
            quote("\n  ValueError: bad\u{1b}[0m  \nmore"),
            "ValueError: bad\u{FFFD}[0m…"
        );
        let long = "y".repeat(QUOTE_CHARS + 10);
        let quoted = quote(&long);
        assert_eq!(quoted.chars().count(), QUOTE_CHARS + 1);
        assert!(quoted.ends_with('…'));
        assert_eq!(quote("ok"), "ok");
    }

    #[test]
    fn a_repetition_outside_its_own_time_or_workers_is_refused() {
        let spec = RawExperiment::of([
            (Setting::Workload, "sqrt-sum"),
            (Setting::Models, "python-threads"),
            (Setting::Workers, "2"),
            (Setting::Schedule, "queue"),
            (Setting::Repeats, "1"),
            (Setting::Warmup, "0"),
        ])
        .validate(&[2])
        .unwrap()
        .runs()[0];
        let rep = |start_ns, end_ns, tasks| RepMessage {
            start_ns,
            end_ns,
            cpu_ns: 0,
            tasks,
            bytes_to_workers: 0,
            bytes_from_workers: 0,
            messages: 0,
            bytes_shared_to_workers: 0,
            bytes_shared_from_workers: 0,
            traffic: Vec::new(),
            counter: None,
            digest: None,
        };
        assert!(check_rep(&rep(10, 20, vec![(0, 1, 7, 12, 18)]), &spec).is_ok());
        let backwards = check_rep(&rep(20, 10, vec![]), &spec).unwrap_err();
        assert!(backwards.contains("before its start"), "{backwards}");
        let stranger = check_rep(&rep(10, 20, vec![(0, 2, 7, 12, 18)]), &spec).unwrap_err();
        assert!(stranger.contains("worker 2 of 2"), "{stranger}");
        let outside = check_rep(&rep(10, 20, vec![(0, 0, 7, 5, 18)]), &spec).unwrap_err();
        assert!(outside.contains("not inside the repetition"), "{outside}");
    }
}
