//! The worker protocol: versioned messages in length-prefixed frames.
//!
//! A frame is a little-endian `u32` body length, then the body (one message
//! in the run's [`Codec`], which both ends are told). A length over
//! [`MAX_FRAME_BYTES`], a stream that ends inside a frame, or a body that
//! does not decode is a [`ProtocolError`]: never a panic, and never an
//! allocation of whatever size a corrupt header announces (bodies are read
//! in bounded steps). A sender never writes a frame over the limit: it fails
//! with [`ProtocolError::FrameTooLarge`] instead.
//!
//! With bincode both ends avoid copying payloads: [`write_frame`] encodes a
//! message straight into its writer (a payload reaches the pipe as one write
//! of the caller's slice), and [`read_frame_with`] reads a body straight
//! into a reusable buffer that borrowed decoding then points into.

use std::borrow::Cow;
use std::io::{self, Read, Write};

use serde::{Deserialize, Serialize, de::DeserializeOwned};

use super::codec::Codec;
pub use super::error::ProtocolError;
pub use crate::limits::MAX_FRAME_BYTES;
use crate::measure::clock::monotonic_ns;
use crate::workload::Task;

/// Bumped whenever a message changes shape; parent and worker must agree.
pub const PROTOCOL_VERSION: u32 = 6;

/// Bytes of framing added to every message (the length header).
pub const FRAME_HEADER_BYTES: u64 = 4;

/// Capacity of the buffered reader and writer on each end of a pipe: one
/// Linux pipe's default capacity. Small frames batch in it; a payload-sized
/// read or write meets an empty buffer and goes straight to the pipe, since
/// `BufReader` and `BufWriter` bypass their buffer for requests at least
/// their capacity.
pub const PIPE_BUFFER_BYTES: usize = 64 * 1024;

/// Parent → worker.
#[derive(Debug, Serialize, Deserialize)]
pub enum ToWorker<'a> {
    /// Compute this task. The payload is borrowed when sending, so the
    /// parent copies it only into the frame.
    Task {
        task: Task,
        #[serde(borrow, with = "serde_bytes")]
        payload: Cow<'a, [u8]>,
    },
    /// Finish and exit (closing stdin does the same).
    Shutdown,
    /// Compute this echo task on the first `len` bytes of the shared input
    /// (`--transport shm`, see [`super::shm`]), leaving the result in this
    /// worker's shared output; the reply's payload is empty.
    TaskShared { task: Task, len: u64 },
}

/// Worker → parent.
#[derive(Debug, Serialize, Deserialize)]
pub enum FromWorker<'a> {
    /// Sent once at start: the worker is ready.
    Hello { version: u32, pid: u32, cpu_ns: u64 },
    /// A task finished: its value, when its frame's header arrived and when
    /// its body was read, its compute span (all on the shared monotonic
    /// clock), the worker's CPU time so far, and the echo payload (owned when
    /// the worker sends it, borrowed from the frame when the parent reads it).
    /// `cpu_ns` is read only when no further task is buffered (the worker
    /// waits after this reply), else 0: the last reply before a worker
    /// waits always carries it.
    Done {
        index: u32,
        value: u64,
        received_ns: u64,
        read_ns: u64,
        start_ns: u64,
        end_ns: u64,
        cpu_ns: u64,
        #[serde(borrow, with = "serde_bytes")]
        payload: Cow<'a, [u8]>,
    },
}

impl FromWorker<'_> {
    /// The message with its echo payload left behind (empty), so it can
    /// outlive the frame it was read from without copying the payload. The
    /// parent never needs the bytes themselves: their hash is `value`.
    pub fn without_payload(self) -> FromWorker<'static> {
        match self {
            FromWorker::Hello {
                version,
                pid,
                cpu_ns,
            } => FromWorker::Hello {
                version,
                pid,
                cpu_ns,
            },
            FromWorker::Done {
                index,
                value,
                received_ns,
                read_ns,
                start_ns,
                end_ns,
                cpu_ns,
                payload: _,
            } => FromWorker::Done {
                index,
                value,
                received_ns,
                read_ns,
                start_ns,
                end_ns,
                cpu_ns,
                payload: Cow::Borrowed(&[]),
            },
        }
    }
}

/// A frame body is read in steps of at least this many bytes: the first
/// step is all a header can make the reader reserve before bytes arrive.
const READ_STEP: usize = 1024 * 1024;

/// A body length checked against the frame limit.
fn checked_len(body_len: u64) -> Result<u32, ProtocolError> {
    u32::try_from(body_len)
        .ok()
        .filter(|&len| len <= MAX_FRAME_BYTES)
        .ok_or(ProtocolError::FrameTooLarge {
            len: body_len,
            max: MAX_FRAME_BYTES,
        })
}

/// The body length `message` will have in a frame, checked against the
/// limit. Cheap with bincode (payloads are measured, not encoded); with
/// JSON as costly as encoding (see [`Codec::measures_cheaply`]).
pub fn frame_len<M: Serialize>(codec: Codec, message: &M) -> Result<u32, ProtocolError> {
    checked_len(codec.encoded_len(message)? as u64)
}

/// Encodes `message` as one complete frame (header included) in a new
/// buffer (of exactly the frame's size with bincode).
pub fn encode_frame<M: Serialize>(codec: Codec, message: &M) -> Result<Vec<u8>, ProtocolError> {
    let header = FRAME_HEADER_BYTES as usize;
    if !codec.measures_cheaply() {
        // Measuring would cost a whole encoding: encode once behind a
        // placeholder header, then check the length and fill it in.
        let mut frame = vec![0u8; header];
        codec.encode_into(message, &mut frame)?;
        let len = checked_len((frame.len() - header) as u64)?;
        frame[..header].copy_from_slice(&len.to_le_bytes());
        return Ok(frame);
    }
    let len = frame_len(codec, message)?;
    let mut frame = Vec::with_capacity(header + len as usize);
    frame.extend_from_slice(&len.to_le_bytes());
    codec.encode_into(message, &mut frame)?;
    Ok(frame)
}

/// Writes one frame into `writer`; returns the bytes written, header
/// included. A frame over the limit writes nothing and is an error.
///
/// With bincode the message is encoded straight into `writer` (no
/// intermediate buffer: give it a `BufWriter` so small fields do not each
/// cost a system call). JSON is encoded into a buffer first, since its
/// length is only known once it is encoded.
pub fn write_frame<W: Write, M: Serialize>(
    codec: Codec,
    writer: &mut W,
    message: &M,
) -> Result<usize, ProtocolError> {
    if !codec.measures_cheaply() {
        let frame = encode_frame(codec, message)?;
        writer.write_all(&frame)?;
        return Ok(frame.len());
    }
    let len = frame_len(codec, message)?;
    writer.write_all(&len.to_le_bytes())?;
    let written = codec.encode_to(message, writer)?;
    if written != len as usize {
        // The stream is now out of step; the caller must give it up.
        return Err(ProtocolError::Encode(format!(
            "message encoded to {written} bytes, its header said {len}"
        )));
    }
    Ok(FRAME_HEADER_BYTES as usize + written)
}

/// Reads one frame body into `buf` and decodes it with `decode`.
///
/// `buf` is scratch space meant to be reused from frame to frame: the body
/// is read straight into it and `decode` sees exactly the body, but `buf`
/// keeps its longest length so far (memory is zeroed once, not per frame)
/// and what lies past the body is stale. It only grows as bytes arrive —
/// first to at most 1 MiB, then at most doubling — so a lying header costs
/// no more memory than the bytes really sent.
///
/// `Ok(None)` means the stream ended cleanly between frames.
pub fn read_frame_with<'b, R: Read, M>(
    reader: &mut R,
    buf: &'b mut Vec<u8>,
    decode: impl FnOnce(&'b [u8]) -> Result<M, ProtocolError>,
) -> Result<Option<M>, ProtocolError> {
    Ok(read_frame_timed(reader, buf, decode)?.map(|(message, _)| message))
}

/// When a frame arrived, on the shared monotonic clock: the overhead
/// breakdown and the timeline split a task's life at these instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FrameTimes {
    /// The whole header was read: the body starts to flow.
    pub header_ns: u64,
    /// The whole body was read, before decoding.
    pub body_ns: u64,
}

/// [`read_frame_with`], also saying when the header and the body arrived.
pub fn read_frame_timed<'b, R: Read, M>(
    reader: &mut R,
    buf: &'b mut Vec<u8>,
    decode: impl FnOnce(&'b [u8]) -> Result<M, ProtocolError>,
) -> Result<Option<(M, FrameTimes)>, ProtocolError> {
    let mut header = [0u8; 4];
    let mut got = 0;
    while got < header.len() {
        match reader.read(&mut header[got..]) {
            Ok(0) if got == 0 => return Ok(None),
            Ok(0) => {
                return Err(ProtocolError::Truncated {
                    expected: FRAME_HEADER_BYTES,
                    got: got as u64,
                });
            }
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    let header_ns = monotonic_ns();
    let len = u32::from_le_bytes(header);
    if len > MAX_FRAME_BYTES {
        return Err(ProtocolError::FrameTooLarge {
            len: u64::from(len),
            max: MAX_FRAME_BYTES,
        });
    }
    let len = len as usize;
    let mut filled = 0;
    while filled < len {
        if filled == buf.len() {
            let grown = len.min(filled + filled.max(READ_STEP));
            buf.resize(grown, 0);
        }
        let end = len.min(buf.len());
        // One read straight into the body: a BufReader with nothing
        // buffered passes a large request to the pipe without copying.
        match reader.read(&mut buf[filled..end]) {
            Ok(0) => {
                return Err(ProtocolError::Truncated {
                    expected: len as u64,
                    got: filled as u64,
                });
            }
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    let times = FrameTimes {
        header_ns,
        body_ns: monotonic_ns(),
    };
    decode(&buf[..len]).map(|message| Some((message, times)))
}

/// Reads one owned message (`Ok(None)` at a clean end of stream).
pub fn read_frame<R: Read, M: DeserializeOwned>(
    codec: Codec,
    reader: &mut R,
) -> Result<Option<M>, ProtocolError> {
    let mut buf = Vec::new();
    read_frame_with(reader, &mut buf, |body| codec.decode(body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::Workload;

    fn task_frame(payload: &[u8]) -> Vec<u8> {
        encode_frame(
            Codec::Bincode,
            &ToWorker::Task {
                task: Task {
                    workload: Workload::Echo,
                    size: 1,
                    index: 7,
                    tasks: 8,
                    io_percent: 0,
                    port: 0,
                    sharing: crate::workload::Sharing::Isolated,
                },
                payload: Cow::Borrowed(payload),
            },
        )
        .unwrap()
    }

    fn read_task(bytes: &[u8]) -> Result<Option<(Task, Vec<u8>)>, ProtocolError> {
        let mut reader = bytes;
        let mut buf = Vec::new();
        read_frame_with(&mut reader, &mut buf, |body| {
            Codec::Bincode
                .decode_borrowed::<ToWorker<'_>>(body)
                .map(|m| match m {
                    ToWorker::Task { task, payload } => Some((task, payload.into_owned())),
                    ToWorker::Shutdown | ToWorker::TaskShared { .. } => None,
                })
        })
        .map(Option::flatten)
    }

    #[test]
    fn frames_round_trip_with_small_overhead() {
        let payload = vec![9u8; 1000];
        let frame = task_frame(&payload);
        assert!(
            frame.len() >= 1000 + 4 && frame.len() < 1000 + 32,
            "{}",
            frame.len()
        );
        let (task, back) = read_task(&frame).unwrap().unwrap();
        assert_eq!(task.index, 7);
        assert_eq!(back, payload);
    }

    #[test]
    fn clean_eof_is_none() {
        assert!(read_task(&[]).unwrap().is_none());
    }

    #[test]
    fn oversized_length_is_rejected_without_allocating() {
        let mut bytes = u32::MAX.to_le_bytes().to_vec();
        bytes.extend_from_slice(b"xx");
        assert!(matches!(
            read_task(&bytes),
            Err(ProtocolError::FrameTooLarge { .. })
        ));
    }

    #[test]
    fn truncated_frames_are_rejected() {
        let frame = task_frame(&[1, 2, 3]);
        for cut in [2, 5, frame.len() - 1] {
            assert!(
                matches!(
                    read_task(&frame[..cut]),
                    Err(ProtocolError::Truncated { .. })
                ),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn garbage_bodies_are_rejected() {
        // A plausible length and random-looking bytes.
        let mut bytes = 16u32.to_le_bytes().to_vec();
        bytes.extend_from_slice(&[0xff; 16]);
        assert!(matches!(read_task(&bytes), Err(ProtocolError::Decode(_))));
        // A valid message followed by junk inside the same frame.
        let mut frame = task_frame(&[1]);
        frame.push(0);
        let len = (frame.len() - 4) as u32;
        frame[..4].copy_from_slice(&len.to_le_bytes());
        assert!(matches!(read_task(&frame), Err(ProtocolError::Decode(_))));
    }

    #[test]
    fn a_forged_inner_length_does_not_allocate() {
        // Variant 0 (Task), then a task, then a payload length of ~2^60.
        let mut body = Vec::new();
        Codec::Bincode
            .encode_into(
                &Task {
                    workload: Workload::Echo,
                    size: 0,
                    index: 0,
                    tasks: 1,
                    io_percent: 0,
                    port: 0,
                    sharing: crate::workload::Sharing::Isolated,
                },
                &mut body,
            )
            .unwrap();
        let mut message = vec![0u8];
        message.extend_from_slice(&body);
        message.extend_from_slice(&[0xfd, 0, 0, 0, 0, 0, 0, 0, 0x10]);
        let mut frame = (message.len() as u32).to_le_bytes().to_vec();
        frame.extend_from_slice(&message);
        assert!(read_task(&frame).is_err());
    }

    /// Hands out at most `step` bytes per read, like a pipe under load.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.step).min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    fn sample_payload() -> Vec<u8> {
        (0..5000u32).map(|i| (i % 251) as u8).collect()
    }

    /// A result frame carrying `payload`, as a worker sends it.
    fn sample_done(payload: &[u8]) -> FromWorker<'_> {
        FromWorker::Done {
            index: 3,
            value: u64::MAX,
            received_ns: 0,
            read_ns: 0,
            start_ns: 1,
            end_ns: 2,
            cpu_ns: 3,
            payload: Cow::Borrowed(payload),
        }
    }

    #[test]
    fn write_frame_streams_the_same_bytes_as_encode_frame() {
        let payload = sample_payload();
        let message = sample_done(&payload);
        let mut streamed = Vec::new();
        let written = write_frame(Codec::Bincode, &mut streamed, &message).unwrap();
        let framed = encode_frame(Codec::Bincode, &message).unwrap();
        assert_eq!(streamed, framed);
        assert_eq!(written, framed.len());
        assert_eq!(
            framed.capacity(),
            framed.len(),
            "encode_frame sizes exactly"
        );
        assert_eq!(
            frame_len(Codec::Bincode, &message).unwrap() as usize,
            framed.len() - FRAME_HEADER_BYTES as usize
        );
    }

    #[test]
    fn results_decode_in_place_and_drop_their_payload() {
        let payload = vec![5u8; 300];
        let frame = encode_frame(
            Codec::Bincode,
            &FromWorker::Done {
                index: 1,
                value: 42,
                received_ns: 0,
                read_ns: 0,
                start_ns: 10,
                end_ns: 20,
                cpu_ns: 30,
                payload: Cow::Owned(payload.clone()),
            },
        )
        .unwrap();
        let mut reader = &frame[..];
        let mut buf = Vec::new();
        let message = read_frame_with(&mut reader, &mut buf, |body| {
            Codec::Bincode.decode_borrowed::<FromWorker<'_>>(body)
        })
        .unwrap()
        .unwrap();
        let FromWorker::Done { ref payload, .. } = message else {
            panic!("{message:?}");
        };
        assert!(matches!(payload, Cow::Borrowed(p) if *p == [5u8; 300]));
        let FromWorker::Done { value, payload, .. } = message.without_payload() else {
            panic!("not Done");
        };
        assert_eq!(value, 42);
        assert!(payload.is_empty());
    }

    #[test]
    fn json_frames_round_trip_and_cost_more_than_bincode() {
        let payload = sample_payload();
        let message = sample_done(&payload);
        let mut streamed = Vec::new();
        let written = write_frame(Codec::Json, &mut streamed, &message).unwrap();
        let framed = encode_frame(Codec::Json, &message).unwrap();
        assert_eq!(streamed, framed);
        assert_eq!(written, framed.len());
        assert_eq!(
            frame_len(Codec::Json, &message).unwrap() as usize,
            framed.len() - FRAME_HEADER_BYTES as usize
        );
        let bincode = encode_frame(Codec::Bincode, &message).unwrap();
        assert!(framed.len() > 2 * bincode.len(), "{}", framed.len());
        let mut reader = &framed[..];
        let mut buf = Vec::new();
        let back = read_frame_with(&mut reader, &mut buf, |body| {
            Codec::Json.decode_borrowed::<FromWorker<'_>>(body)
        })
        .unwrap()
        .unwrap();
        let FromWorker::Done {
            value, payload: p, ..
        } = back
        else {
            panic!("not Done");
        };
        assert_eq!((value, &p[..]), (u64::MAX, &payload[..]));
    }

    #[test]
    fn an_oversized_json_frame_is_refused_before_anything_is_written() {
        // 255 takes 4 characters with its comma: 17 MiB of it is 68 MiB of
        // JSON, over the limit that 17 MiB of bincode stays far below.
        let payload = vec![255u8; 17 << 20];
        let message = ToWorker::Task {
            task: Task {
                workload: Workload::Echo,
                size: 1,
                index: 0,
                tasks: 1,
                io_percent: 0,
                port: 0,
                sharing: crate::workload::Sharing::Isolated,
            },
            payload: Cow::Borrowed(&payload),
        };
        assert!(write_frame(Codec::Bincode, &mut io::sink(), &message).is_ok());
        let mut out = Vec::new();
        let error = write_frame(Codec::Json, &mut out, &message).unwrap_err();
        assert!(
            matches!(error, ProtocolError::FrameTooLarge { len, max }
                if len > u64::from(max) && max == MAX_FRAME_BYTES),
            "{error}"
        );
        assert!(error.to_string().contains("limit"), "{error}");
        assert!(
            out.is_empty(),
            "nothing of a refused frame reaches the pipe"
        );
    }

    #[test]
    fn frames_arriving_in_pieces_and_a_reused_buffer_read_back_exactly() {
        // A big frame, then smaller ones, in one stream: stale bytes left in
        // the reused buffer must never show through.
        let payloads: Vec<Vec<u8>> = [3000usize, 10, 0, 1200]
            .iter()
            .map(|&n| (0..n).map(|i| (i * 7 % 256) as u8).collect())
            .collect();
        let mut stream = Vec::new();
        for p in &payloads {
            stream.extend_from_slice(&task_frame(p));
        }
        for step in [1, 3, 4096] {
            let mut reader = Trickle {
                bytes: &stream,
                step,
            };
            let mut buf = Vec::new();
            for p in &payloads {
                let back = read_frame_with(&mut reader, &mut buf, |body| {
                    Codec::Bincode
                        .decode_borrowed::<ToWorker<'_>>(body)
                        .map(|m| match m {
                            ToWorker::Task { payload, .. } => payload.into_owned(),
                            ToWorker::Shutdown | ToWorker::TaskShared { .. } => Vec::new(),
                        })
                })
                .unwrap()
                .unwrap();
                assert_eq!(&back, p, "step {step}");
            }
            let end = read_frame_with(&mut reader, &mut buf, |_| Ok(())).unwrap();
            assert!(end.is_none(), "step {step}");
        }
    }

    #[test]
    fn a_lying_header_reserves_at_most_one_step() {
        // A legal but huge length followed by a few bytes, then the end.
        let mut bytes = MAX_FRAME_BYTES.to_le_bytes().to_vec();
        bytes.extend_from_slice(&[0u8; 10]);
        let mut reader = &bytes[..];
        let mut buf = Vec::new();
        let result = read_frame_with(&mut reader, &mut buf, |_| Ok(()));
        assert!(
            matches!(
                result,
                Err(ProtocolError::Truncated { got: 10, expected }) if expected == u64::from(MAX_FRAME_BYTES)
            ),
            "{result:?}"
        );
        assert!(buf.capacity() <= READ_STEP, "{}", buf.capacity());
    }
}
