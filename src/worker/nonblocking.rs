//! Frames over non-blocking pipes, for a parent that serves every worker
//! from one poll loop rather than two threads per worker.
//!
//! [`Outbox`] holds what is still to be written to one worker: frames
//! queued whole, written as far as the pipe takes them. A task's echo
//! payload is never copied into it: bincode hands the payload to the writer
//! as one slice, which the outbox keeps as a share of the run's `Arc`.
//! Small frames queued back to back are coalesced, so a batch of tasks
//! costs one `write`. [`Inbox`] assembles frames from whatever each `read`
//! brought, with the same limits as the blocking reader: a header over
//! [`MAX_FRAME_BYTES`] is refused, and the buffer grows only as bytes
//! arrive (at most doubling), so a lying header reserves nothing.
//!
//! Both count bytes at the pipe: the outbox before each write (taking back
//! what the pipe did not take), the inbox as reads return.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::sync::Arc;

use serde::Serialize;

use super::codec::Codec;
use super::protocol::{FRAME_HEADER_BYTES, FrameTimes, MAX_FRAME_BYTES, ProtocolError, frame_len};
use crate::measure::clock::monotonic_ns;

/// One piece of pending output.
#[derive(Debug)]
enum Chunk {
    /// Encoded bytes, `at` of them already written.
    Owned { bytes: Vec<u8>, at: usize },
    /// A shared payload, written from where it lies.
    Shared { bytes: Arc<[u8]>, at: usize },
}

impl Chunk {
    fn rest(&self) -> &[u8] {
        match self {
            Chunk::Owned { bytes, at } => &bytes[*at..],
            Chunk::Shared { bytes, at } => &bytes[*at..],
        }
    }

    fn advance(&mut self, n: usize) {
        match self {
            Chunk::Owned { at, .. } | Chunk::Shared { at, .. } => *at += n,
        }
    }
}

/// Output still to be written to one worker's stdin.
#[derive(Debug, Default)]
pub struct Outbox {
    chunks: VecDeque<Chunk>,
}

impl Outbox {
    /// Whether everything queued has been written.
    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    /// Queues one frame of `message`. With bincode, a byte string that is
    /// `shared` (the run's payload) is queued as a share of it, not copied.
    /// A frame over the limit queues nothing and is an error.
    pub fn push<M: Serialize>(
        &mut self,
        codec: Codec,
        message: &M,
        shared: Option<&Arc<[u8]>>,
    ) -> Result<(), ProtocolError> {
        if !codec.measures_cheaply() {
            let frame = super::protocol::encode_frame(codec, message)?;
            self.push_bytes(&frame);
            return Ok(());
        }
        let len = frame_len(codec, message)?;
        self.push_bytes(&len.to_le_bytes());
        let mut writer = SegmentWriter {
            outbox: self,
            shared,
        };
        let written = codec.encode_to(message, &mut writer)?;
        if written != len as usize {
            return Err(ProtocolError::Encode(format!(
                "message encoded to {written} bytes, its header said {len}"
            )));
        }
        Ok(())
    }

    fn push_bytes(&mut self, bytes: &[u8]) {
        match self.chunks.back_mut() {
            Some(Chunk::Owned { bytes: last, .. }) => last.extend_from_slice(bytes),
            _ => self.chunks.push_back(Chunk::Owned {
                bytes: bytes.to_vec(),
                at: 0,
            }),
        }
    }

    /// Writes as much as `pipe` takes without blocking, adding each write's
    /// bytes to `counted` before it is made. Returns once everything is
    /// written or the pipe is full (`WouldBlock`); other errors are the
    /// caller's (the worker is gone).
    ///
    /// Every pending chunk (frames, and the shared payloads between them)
    /// goes in one vectored write: a task with an echo payload is its
    /// frame's head, the payload and the next frames, and writing them
    /// apart cost a system call each.
    pub fn write_to(&mut self, pipe: &mut impl Write, counted: &mut u64) -> io::Result<()> {
        while !self.chunks.is_empty() {
            let mut slices = [io::IoSlice::new(&[]); MOST_SLICES];
            let mut offered = 0u64;
            let mut count = 0;
            for (slice, chunk) in slices.iter_mut().zip(&self.chunks) {
                *slice = io::IoSlice::new(chunk.rest());
                offered += chunk.rest().len() as u64;
                count += 1;
            }
            *counted += offered;
            match pipe.write_vectored(&slices[..count]) {
                Ok(0) if offered > 0 => {
                    *counted -= offered;
                    return Err(io::ErrorKind::WriteZero.into());
                }
                Ok(n) => {
                    *counted -= offered - n as u64;
                    self.consume(n);
                }
                Err(e) => {
                    *counted -= offered;
                    return match e.kind() {
                        io::ErrorKind::WouldBlock => Ok(()),
                        io::ErrorKind::Interrupted => continue,
                        _ => Err(e),
                    };
                }
            }
        }
        Ok(())
    }
}

/// Most chunks one vectored write offers (Linux takes up to 1,024).
const MOST_SLICES: usize = 64;

impl Outbox {
    /// Drops the `n` bytes just written from the front of the queue.
    fn consume(&mut self, mut n: usize) {
        while let Some(chunk) = self.chunks.front_mut() {
            let rest = chunk.rest().len();
            if n < rest {
                chunk.advance(n);
                return;
            }
            n -= rest;
            self.chunks.pop_front();
        }
    }
}

/// The writer bincode encodes into: small writes are copied into the
/// outbox, the shared payload is queued by reference.
struct SegmentWriter<'a> {
    outbox: &'a mut Outbox,
    shared: Option<&'a Arc<[u8]>>,
}

impl Write for SegmentWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.shared {
            Some(shared)
                if !buf.is_empty()
                    && buf.as_ptr() == shared.as_ptr()
                    && buf.len() == shared.len() =>
            {
                self.outbox.chunks.push_back(Chunk::Shared {
                    bytes: Arc::clone(shared),
                    at: 0,
                });
            }
            _ => self.outbox.push_bytes(buf),
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Capacity the inbox starts with, and what it keeps free for each read.
const READ_SPACE: usize = 64 * 1024;

/// What a read brought.
#[derive(Debug, PartialEq, Eq)]
pub enum Filled {
    /// Bytes arrived (zero when the read would have blocked).
    Bytes(usize),
    /// The stream ended.
    Closed,
}

/// Frames arriving from one worker's stdout, assembled across reads.
#[derive(Debug, Default)]
pub struct Inbox {
    buf: Vec<u8>,
    /// Unread bytes are `buf[start..end]`.
    start: usize,
    end: usize,
    /// When the header of the frame at `start` had arrived, if it has.
    header_ns: Option<u64>,
    /// When the last read returned.
    read_ns: u64,
}

impl Inbox {
    /// Reads what `pipe` holds without blocking, adding it to `counted`.
    pub fn fill_from(&mut self, pipe: &mut impl Read, counted: &mut u64) -> io::Result<Filled> {
        self.make_room()?;
        loop {
            match pipe.read(&mut self.buf[self.end..]) {
                Ok(0) => return Ok(Filled::Closed),
                Ok(n) => {
                    self.end += n;
                    *counted += n as u64;
                    self.read_ns = monotonic_ns();
                    return Ok(Filled::Bytes(n));
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Filled::Bytes(0)),
                Err(e) => return Err(e),
            }
        }
    }

    /// Whether bytes of an unfinished frame are waiting (a stream that
    /// ends now ends inside a frame).
    pub fn is_mid_frame(&self) -> bool {
        self.end > self.start
    }

    /// The error for a stream that ended inside a frame.
    pub fn truncation(&self) -> ProtocolError {
        let got = (self.end - self.start) as u64;
        match self.pending_len() {
            Ok(Some(len)) => ProtocolError::Truncated {
                expected: len as u64,
                got: got - FRAME_HEADER_BYTES,
            },
            _ => ProtocolError::Truncated {
                expected: FRAME_HEADER_BYTES,
                got,
            },
        }
    }

    /// The frame being assembled: its body length once its header is in.
    fn pending_len(&self) -> Result<Option<usize>, ProtocolError> {
        let header = FRAME_HEADER_BYTES as usize;
        if self.end - self.start < header {
            return Ok(None);
        }
        let mut bytes = [0u8; 4];
        bytes.copy_from_slice(&self.buf[self.start..self.start + header]);
        let len = u32::from_le_bytes(bytes);
        if len > MAX_FRAME_BYTES {
            return Err(ProtocolError::FrameTooLarge {
                len: u64::from(len),
                max: MAX_FRAME_BYTES,
            });
        }
        Ok(Some(len as usize))
    }

    /// Room for the next read: unread bytes move to the front when the
    /// pending frame would not fit behind them, and a full buffer doubles
    /// (up to the pending frame's size), so it grows only as bytes arrive.
    /// Growing is fallible: a frame too large for the memory left (an
    /// address-space limit, say) fails the read, not the process.
    fn make_room(&mut self) -> io::Result<()> {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
        // A header over the limit is refused when the frame is taken.
        let wanted = match self.pending_len() {
            Ok(Some(len)) => FRAME_HEADER_BYTES as usize + len,
            _ => 0,
        };
        if self.start > 0 && (self.end == self.buf.len() || self.start + wanted > self.buf.len()) {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            let doubled = self.buf.len().max(READ_SPACE / 2) * 2;
            let grown = if wanted > self.end {
                wanted.min(doubled)
            } else {
                doubled
            };
            self.buf
                .try_reserve_exact(grown.saturating_sub(self.buf.len()))
                .map_err(|_| {
                    io::Error::new(
                        io::ErrorKind::OutOfMemory,
                        format!("no memory for a frame buffer of {grown} bytes"),
                    )
                })?;
            self.buf.resize(grown, 0);
        }
        Ok(())
    }

    /// The next whole frame's body, decoded with `decode`, and when its
    /// header and body arrived; `None` until a whole frame is in.
    pub fn next_frame<'b, M>(
        &'b mut self,
        decode: impl FnOnce(&'b [u8]) -> Result<M, ProtocolError>,
    ) -> Result<Option<(M, FrameTimes)>, ProtocolError> {
        let Some(len) = self.pending_len()? else {
            return Ok(None);
        };
        let header_ns = *self.header_ns.get_or_insert(self.read_ns);
        let header = FRAME_HEADER_BYTES as usize;
        if self.end - self.start < header + len {
            return Ok(None);
        }
        let body = self.start + header..self.start + header + len;
        self.start = body.end;
        self.header_ns = None;
        let times = FrameTimes {
            header_ns,
            body_ns: self.read_ns,
        };
        decode(&self.buf[body]).map(|message| Some((message, times)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::protocol::{FromWorker, ToWorker, encode_frame};
    use crate::workload::{Task, Workload};
    use std::borrow::Cow;

    fn task(index: u32) -> Task {
        Task {
            workload: Workload::Echo,
            size: 0,
            index,
            tasks: 8,
            io_percent: 0,
            port: 0,
            sharing: crate::workload::Sharing::default(),
        }
    }

    /// A pipe that takes at most `step` bytes per write, then blocks once.
    struct Trickle {
        out: Vec<u8>,
        step: usize,
        block_next: bool,
    }

    impl Write for Trickle {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.block_next = !self.block_next;
            if !self.block_next {
                return Err(io::ErrorKind::WouldBlock.into());
            }
            let n = buf.len().min(self.step);
            self.out.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn frames_and_shared_payloads_go_out_in_one_vectored_write() {
        /// A pipe that takes every slice of a vectored write at once.
        struct Gather {
            out: Vec<u8>,
            calls: usize,
        }
        impl Write for Gather {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                self.write_vectored(&[io::IoSlice::new(buf)])
            }
            fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
                self.calls += 1;
                bufs.iter().for_each(|b| self.out.extend_from_slice(b));
                Ok(bufs.iter().map(|b| b.len()).sum())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let payload: Arc<[u8]> = crate::workload::make_payload(1000).into();
        let mut outbox = Outbox::default();
        let mut expected = Vec::new();
        for i in 0..3 {
            let message = ToWorker::Task {
                task: task(i),
                payload: Cow::Borrowed(&payload[..]),
            };
            outbox
                .push(Codec::Bincode, &message, Some(&payload))
                .unwrap();
            expected.extend(encode_frame(Codec::Bincode, &message).unwrap());
        }
        let mut pipe = Gather {
            out: Vec::new(),
            calls: 0,
        };
        let mut counted = 0;
        outbox.write_to(&mut pipe, &mut counted).unwrap();
        assert!(outbox.is_empty());
        assert_eq!((pipe.out, pipe.calls), (expected.clone(), 1));
        assert_eq!(counted, expected.len() as u64);
    }

    #[test]
    fn queued_frames_are_the_blocking_encoder_s_bytes_and_counted_exactly() {
        for codec in Codec::ALL {
            let payload: Arc<[u8]> = crate::workload::make_payload(100_000).into();
            let mut outbox = Outbox::default();
            let mut expected = Vec::new();
            for i in 0..3 {
                let message = ToWorker::Task {
                    task: task(i),
                    payload: Cow::Borrowed(&payload[..]),
                };
                outbox.push(codec, &message, Some(&payload)).unwrap();
                expected.extend(encode_frame(codec, &message).unwrap());
            }
            let mut pipe = Trickle {
                out: Vec::new(),
                step: 7000,
                block_next: false,
            };
            let mut counted = 0;
            while !outbox.is_empty() {
                outbox.write_to(&mut pipe, &mut counted).unwrap();
            }
            assert_eq!(pipe.out, expected, "{codec:?}");
            assert_eq!(counted, expected.len() as u64);
        }
    }

    /// Hands out `data` in reads of at most `step` bytes, then would block.
    struct Drip<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Drip<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.data.is_empty() {
                return Err(io::ErrorKind::WouldBlock.into());
            }
            let n = buf.len().min(self.step).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn done(index: u32, payload: &[u8]) -> Vec<u8> {
        encode_frame(
            Codec::Bincode,
            &FromWorker::Done {
                index,
                value: u64::from(index),
                received_ns: 1,
                read_ns: 2,
                start_ns: 3,
                end_ns: 4,
                cpu_ns: 5,
                payload: Cow::Borrowed(payload),
            },
        )
        .unwrap()
    }

    #[test]
    fn frames_arriving_in_any_pieces_come_out_whole_and_in_order() {
        let big = crate::workload::make_payload(300_000);
        let mut stream = Vec::new();
        for i in 0..6 {
            stream.extend(done(i, if i % 2 == 0 { &big } else { &[] }));
        }
        for step in [1, 3, 4096, 70_000, 1 << 20] {
            let mut pipe = Drip {
                data: &stream,
                step,
            };
            let mut inbox = Inbox::default();
            let mut counted = 0;
            let mut seen = Vec::new();
            while seen.len() < 6 {
                inbox.fill_from(&mut pipe, &mut counted).unwrap();
                while let Some(((index, _), _)) = inbox
                    .next_frame(|body| {
                        match Codec::Bincode.decode_borrowed::<FromWorker<'_>>(body)? {
                            FromWorker::Done { index, payload, .. } => Ok((index, payload.len())),
                            FromWorker::Hello { .. } => Ok((u32::MAX, 0)),
                        }
                    })
                    .unwrap()
                {
                    seen.push(index);
                }
            }
            assert_eq!(seen, (0..6).collect::<Vec<u32>>(), "step {step}");
            assert_eq!(counted, stream.len() as u64);
            assert!(!inbox.is_mid_frame());
        }
    }

    #[test]
    fn a_lying_header_is_refused_and_reserves_nothing() {
        let mut stream = u32::MAX.to_le_bytes().to_vec();
        stream.extend([0u8; 16]);
        let mut inbox = Inbox::default();
        let mut counted = 0;
        inbox
            .fill_from(
                &mut Drip {
                    data: &stream,
                    step: 20,
                },
                &mut counted,
            )
            .unwrap();
        assert!(matches!(
            inbox.next_frame(|body| Ok(body.len())),
            Err(ProtocolError::FrameTooLarge { .. })
        ));
        let mut honest_but_huge = (MAX_FRAME_BYTES).to_le_bytes().to_vec();
        honest_but_huge.extend([0u8; 100]);
        let mut inbox = Inbox::default();
        let mut pipe = Drip {
            data: &honest_but_huge,
            step: 1 << 20,
        };
        for _ in 0..4 {
            inbox.fill_from(&mut pipe, &mut counted).unwrap();
        }
        assert!(inbox.buf.len() <= READ_SPACE, "{}", inbox.buf.len());
    }
}
