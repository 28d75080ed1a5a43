//! The one place that knows the wire encodings, so they can be swapped
//! without touching the protocol or the engine: [`Codec::Bincode`]
//! (bincode 2, compact binary, the default) or [`Codec::Json`] (text through
//! serde_json), a knob that shows what serialization itself costs.
//!
//! Both encode the same serde messages. Payloads are `serde_bytes`, which
//! bincode writes as the raw bytes and JSON as an array of numbers
//! (`[0,16,255,…]`, 2 to 4 characters per byte): that is the honest cost of
//! a text codec. JSON is meant for payloads up to a few MiB: a frame holds
//! at most [`MAX_FRAME_BYTES`], and a payload over about 16 MiB encodes past
//! it, which fails the run with [`ProtocolError::FrameTooLarge`].

use std::io::{self, Write};

use bincode::enc::write::SizeWriter;
use bincode::error::EncodeError;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use super::error::ProtocolError;
use crate::limits::MAX_FRAME_BYTES;

/// How protocol messages are encoded inside frames.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Codec {
    /// bincode 2: payload bytes as they are, a few bytes around them.
    #[default]
    Bincode,
    /// JSON: every payload byte written as a decimal number and parsed back.
    Json,
}

impl Codec {
    /// Both codecs, in menu order.
    pub const ALL: [Codec; 2] = [Codec::Bincode, Codec::Json];

    /// The name used on the command line and in result files.
    pub fn name(self) -> &'static str {
        match self {
            Codec::Bincode => "bincode",
            Codec::Json => "json",
        }
    }

    /// One line on what the codec is, for menus and help.
    pub fn describe(self) -> &'static str {
        match self {
            Codec::Bincode => "compact binary: payload bytes cross as they are",
            Codec::Json => "text: every payload byte written as a number, then parsed",
        }
    }

    /// Whether [`Codec::encoded_len`] measures a message without encoding
    /// it. Bincode counts byte strings by their length; JSON must format
    /// every number to know its length, as costly as encoding.
    pub fn measures_cheaply(self) -> bool {
        self == Codec::Bincode
    }

    /// The number of bytes `message` encodes to (see
    /// [`Codec::measures_cheaply`] for what it costs).
    pub fn encoded_len<M: Serialize>(self, message: &M) -> Result<usize, ProtocolError> {
        match self {
            Codec::Bincode => encoded_len(message),
            Codec::Json => self.encode_to(message, &mut io::sink()),
        }
    }

    /// Encodes `message` straight into `out`; returns the bytes written.
    ///
    /// With bincode, byte strings reach `out` as one `write_all` of the
    /// caller's slice, so a buffered writer passes large payloads to the
    /// pipe without copying them.
    pub fn encode_to<M: Serialize, W: Write>(
        self,
        message: &M,
        out: &mut W,
    ) -> Result<usize, ProtocolError> {
        match self {
            Codec::Bincode => encode_to(message, out),
            Codec::Json => {
                let mut counted = CountingWriter {
                    inner: out,
                    bytes: 0,
                };
                serde_json::to_writer(&mut counted, message).map_err(json_encode_error)?;
                Ok(counted.bytes)
            }
        }
    }

    /// Appends the encoding of `message` to `out`.
    pub fn encode_into<M: Serialize>(
        self,
        message: &M,
        out: &mut Vec<u8>,
    ) -> Result<(), ProtocolError> {
        self.encode_to(message, out).map(|_| ())
    }

    /// Decodes an owned message that must fill `body` exactly.
    pub fn decode<M: DeserializeOwned>(self, body: &[u8]) -> Result<M, ProtocolError> {
        match self {
            Codec::Bincode => decode(body),
            // serde_json rejects anything but whitespace after the message.
            Codec::Json => {
                serde_json::from_slice(body).map_err(|e| ProtocolError::Decode(e.to_string()))
            }
        }
    }

    /// Decodes a message that may borrow from `body`. Bincode borrows
    /// payloads in place; JSON has to parse them into new buffers.
    pub fn decode_borrowed<'de, M: Deserialize<'de>>(
        self,
        body: &'de [u8],
    ) -> Result<M, ProtocolError> {
        match self {
            Codec::Bincode => decode_borrowed(body),
            Codec::Json => {
                serde_json::from_slice(body).map_err(|e| ProtocolError::Decode(e.to_string()))
            }
        }
    }
}

impl_named!(Codec, "codec");

fn json_encode_error(error: serde_json::Error) -> ProtocolError {
    if error.is_io() {
        // The pipe broke under the encoder: an i/o failure, not a bad message.
        ProtocolError::Io(error.into())
    } else {
        ProtocolError::Encode(error.to_string())
    }
}

/// Counts the bytes serde_json writes, which it does not report itself.
struct CountingWriter<'a, W> {
    inner: &'a mut W,
    bytes: usize,
}

impl<W: Write> Write for CountingWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn config() -> impl bincode::config::Config {
    // The limit stops a forged length inside a frame from allocating more
    // than a frame may hold.
    bincode::config::standard().with_limit::<{ MAX_FRAME_BYTES as usize }>()
}

fn encode_error(error: EncodeError) -> ProtocolError {
    match error {
        // The pipe broke under the encoder: an i/o failure, not a bad message.
        EncodeError::Io { inner, .. } => ProtocolError::Io(inner),
        other => ProtocolError::Encode(other.to_string()),
    }
}

// bincode: the number of bytes `message` encodes to, found without encoding
// it anywhere (byte strings count their length, they are not copied).
fn encoded_len<M: Serialize>(message: &M) -> Result<usize, ProtocolError> {
    let mut size = SizeWriter::default();
    bincode::serde::encode_into_writer(message, &mut size, config()).map_err(encode_error)?;
    Ok(size.bytes_written)
}

fn encode_to<M: Serialize, W: Write>(message: &M, out: &mut W) -> Result<usize, ProtocolError> {
    bincode::serde::encode_into_std_write(message, out, config()).map_err(encode_error)
}

fn decode<M: DeserializeOwned>(body: &[u8]) -> Result<M, ProtocolError> {
    let (message, used) = bincode::serde::decode_from_slice(body, config())
        .map_err(|e| ProtocolError::Decode(e.to_string()))?;
    check_used(used, body.len())?;
    Ok(message)
}

fn decode_borrowed<'de, M: Deserialize<'de>>(body: &'de [u8]) -> Result<M, ProtocolError> {
    let (message, used) = bincode::serde::borrow_decode_from_slice(body, config())
        .map_err(|e| ProtocolError::Decode(e.to_string()))?;
    check_used(used, body.len())?;
    Ok(message)
}

fn check_used(used: usize, len: usize) -> Result<(), ProtocolError> {
    if used == len {
        Ok(())
    } else {
        Err(ProtocolError::Decode(format!(
            "{} trailing bytes after the message",
            len - used
        )))
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::worker::protocol::{FromWorker, ToWorker};
    use crate::workload::{Task, Workload};

    fn task() -> Task {
        Task {
            workload: Workload::Echo,
            size: 3,
            index: 41,
            tasks: 64,
            io_percent: 0,
            port: 0,
            sharing: crate::workload::Sharing::Isolated,
        }
    }

    fn payload() -> Vec<u8> {
        (0..=255u8).chain([0, 7, 255]).collect()
    }

    #[test]
    fn names_parse_back() {
        for codec in Codec::ALL {
            assert_eq!(codec.name().parse::<Codec>().unwrap(), codec);
            assert_eq!(codec.to_string(), codec.name());
        }
        assert_eq!(" JSON ".parse::<Codec>().unwrap(), Codec::Json);
        assert!("msgpack".parse::<Codec>().is_err());
        assert_eq!(Codec::default(), Codec::Bincode);
        assert_eq!(serde_json::to_string(&Codec::Json).unwrap(), "\"json\"");
    }

    #[test]
    fn tasks_round_trip_in_both_codecs() {
        let payload = payload();
        for codec in Codec::ALL {
            let message = ToWorker::Task {
                task: task(),
                payload: Cow::Borrowed(&payload),
            };
            let mut body = Vec::new();
            codec.encode_into(&message, &mut body).unwrap();
            assert_eq!(codec.encoded_len(&message).unwrap(), body.len(), "{codec}");
            match codec.decode_borrowed::<ToWorker<'_>>(&body).unwrap() {
                ToWorker::Task {
                    task: back,
                    payload: bytes,
                } => {
                    assert_eq!(back, task(), "{codec}");
                    assert_eq!(&bytes[..], &payload[..], "{codec}");
                }
                other => panic!("{codec}: decoded {other:?}"),
            }
            let mut body = Vec::new();
            codec.encode_into(&ToWorker::Shutdown, &mut body).unwrap();
            assert!(matches!(
                codec.decode_borrowed::<ToWorker<'_>>(&body).unwrap(),
                ToWorker::Shutdown
            ));
        }
    }

    #[test]
    fn results_round_trip_in_both_codecs() {
        let payload = payload();
        for codec in Codec::ALL {
            let done = FromWorker::Done {
                index: 41,
                value: u64::MAX - 1,
                received_ns: 5,
                read_ns: 7,
                start_ns: 10,
                end_ns: 20,
                cpu_ns: 30,
                payload: Cow::Borrowed(&payload),
            };
            let mut body = Vec::new();
            let written = codec.encode_to(&done, &mut body).unwrap();
            assert_eq!(written, body.len(), "{codec}");
            match codec.decode_borrowed::<FromWorker<'_>>(&body).unwrap() {
                FromWorker::Done {
                    index,
                    value,
                    received_ns,
                    read_ns,
                    start_ns,
                    end_ns,
                    cpu_ns,
                    payload: bytes,
                } => {
                    assert_eq!(
                        (index, value, received_ns, read_ns, start_ns, end_ns, cpu_ns),
                        (41, u64::MAX - 1, 5, 7, 10, 20, 30),
                        "{codec}"
                    );
                    assert_eq!(&bytes[..], &payload[..], "{codec}");
                }
                FromWorker::Hello { .. } => panic!("{codec}: decoded Hello"),
            }
            let hello = FromWorker::Hello {
                version: 9,
                pid: 1234,
                cpu_ns: 5,
            };
            let mut body = Vec::new();
            codec.encode_into(&hello, &mut body).unwrap();
            assert!(matches!(
                codec.decode_borrowed::<FromWorker<'_>>(&body).unwrap(),
                FromWorker::Hello {
                    version: 9,
                    pid: 1234,
                    cpu_ns: 5
                }
            ));
        }
    }

    #[test]
    fn owned_messages_round_trip_in_both_codecs() {
        for codec in Codec::ALL {
            let mut body = Vec::new();
            codec.encode_into(&task(), &mut body).unwrap();
            assert_eq!(codec.decode::<Task>(&body).unwrap(), task(), "{codec}");
            body.push(b'x');
            assert!(codec.decode::<Task>(&body).is_err(), "{codec}");
        }
    }

    #[test]
    fn json_writes_payload_bytes_as_numbers() {
        let message = ToWorker::Task {
            task: task(),
            payload: Cow::Borrowed(&[0, 16, 255]),
        };
        let mut body = Vec::new();
        Codec::Json.encode_into(&message, &mut body).unwrap();
        let text = String::from_utf8(body).unwrap();
        assert!(text.contains("\"payload\":[0,16,255]"), "{text}");
        // A 10 kB payload costs ~3.6 characters per byte in JSON, ~1 in bincode.
        let payload = crate::workload::make_payload(10_000);
        let big = ToWorker::Task {
            task: task(),
            payload: Cow::Borrowed(&payload),
        };
        let bincode = Codec::Bincode.encoded_len(&big).unwrap();
        let json = Codec::Json.encoded_len(&big).unwrap();
        assert!(bincode < 10_000 + 32, "{bincode}");
        assert!(json > 3 * 10_000, "{json}");
    }

    #[test]
    fn trailing_bytes_and_garbage_are_rejected() {
        for codec in Codec::ALL {
            let mut body = Vec::new();
            codec.encode_into(&ToWorker::Shutdown, &mut body).unwrap();
            body.push(b'x');
            assert!(
                matches!(
                    codec.decode_borrowed::<ToWorker<'_>>(&body),
                    Err(ProtocolError::Decode(_))
                ),
                "{codec}"
            );
            assert!(
                matches!(
                    codec.decode_borrowed::<ToWorker<'_>>(&[0xff; 16]),
                    Err(ProtocolError::Decode(_))
                ),
                "{codec}"
            );
        }
        // A JSON "byte" out of range is an error, not a wrap-around.
        let mut body = Vec::new();
        let message = ToWorker::Task {
            task: task(),
            payload: Cow::Borrowed(&[0, 16, 255]),
        };
        Codec::Json.encode_into(&message, &mut body).unwrap();
        let text = String::from_utf8(body).unwrap().replace("255]", "256]");
        assert!(
            Codec::Json
                .decode_borrowed::<ToWorker<'_>>(text.as_bytes())
                .is_err()
        );
    }
}
