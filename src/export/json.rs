//! JSON export: the whole [`ResultSet`], indented down to its lists of
//! rows, each row (a span, a repetition, a sample) on one line; a lesson's
//! set carries its verdict (`verdict`: outcome, sentence, models, figures).
//!
//! A run of a million tasks may keep a million spans (long tasks, or
//! worker processes; short serial and thread tasks share spans).
//! Indented field by field, each took about 145 bytes (without IPC
//! stamps); on one line it takes about 90, so such a run's file stays
//! within what `ResultSet::load` reads back (`MAX_FILE_BYTES`), and the
//! file stays readable by eye above the rows.

use std::io;

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

use super::ExportError;
use super::data::{DataFormat, Exporter};
use crate::results::ResultSet;

/// The JSON format: the documented schema, which `ResultSet::load` reads
/// back.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json;

impl Exporter for Json {
    fn serialize(&self, set: &ResultSet) -> Result<Vec<u8>, ExportError> {
        let mut bytes = Vec::new();
        let mut serializer =
            serde_json::Serializer::with_formatter(&mut bytes, RowsOnOneLine::default());
        let verdict = set
            .preset
            .as_deref()
            .and_then(|name| crate::presets::find(name).ok())
            .map(|preset| crate::presets::verdict(&preset, set));
        WithVerdict { set, verdict }
            .serialize(&mut serializer)
            .map_err(|e| ExportError::Serialize {
                format: DataFormat::Json,
                reason: e.to_string(),
            })?;
        bytes.push(b'\n');
        Ok(bytes)
    }
}

/// A set with its lesson's verdict beside its own fields: `verdict` is
/// read by people and scripts, and ignored by `ResultSet::load` (the
/// verdict is worked out again from the runs wherever it is shown).
#[derive(Serialize)]
struct WithVerdict<'a> {
    #[serde(flatten)]
    set: &'a ResultSet,
    #[serde(skip_serializing_if = "Option::is_none")]
    verdict: Option<crate::presets::Verdict>,
}

/// Containers nested deeper than this are written on one line: the set
/// (1), its runs (2), a run (3), a run's lists (4), their rows (5).
const INDENTED_DEPTH: usize = 4;

/// Indents like `PrettyFormatter` down to [`INDENTED_DEPTH`], and writes
/// what lies deeper like `CompactFormatter`.
#[derive(Default)]
struct RowsOnOneLine {
    pretty: PrettyFormatter<'static>,
    /// How many containers are open.
    depth: usize,
}

impl RowsOnOneLine {
    /// Whether the container now open is written on one line.
    fn inline(&self) -> bool {
        self.depth > INDENTED_DEPTH
    }
}

impl Formatter for RowsOnOneLine {
    fn begin_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.depth += 1;
        if self.inline() {
            CompactFormatter.begin_array(writer)
        } else {
            self.pretty.begin_array(writer)
        }
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        let result = if self.inline() {
            CompactFormatter.end_array(writer)
        } else {
            self.pretty.end_array(writer)
        };
        self.depth -= 1;
        result
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if self.inline() {
            CompactFormatter.begin_array_value(writer, first)
        } else {
            self.pretty.begin_array_value(writer, first)
        }
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        if self.inline() {
            CompactFormatter.end_array_value(writer)
        } else {
            self.pretty.end_array_value(writer)
        }
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.depth += 1;
        if self.inline() {
            CompactFormatter.begin_object(writer)
        } else {
            self.pretty.begin_object(writer)
        }
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        let result = if self.inline() {
            CompactFormatter.end_object(writer)
        } else {
            self.pretty.end_object(writer)
        };
        self.depth -= 1;
        result
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if self.inline() {
            CompactFormatter.begin_object_key(writer, first)
        } else {
            self.pretty.begin_object_key(writer, first)
        }
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        if self.inline() {
            CompactFormatter.begin_object_value(writer)
        } else {
            self.pretty.begin_object_value(writer)
        }
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        if self.inline() {
            CompactFormatter.end_object_value(writer)
        } else {
            self.pretty.end_object_value(writer)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::testing::record;
    use crate::results::{MachineInfo, SpanRecord};
    use crate::spec::Model;

    #[test]
    fn rows_sit_on_one_line_each_and_the_set_reads_back() {
        let mut set = ResultSet::new(MachineInfo::detect());
        let mut run = record(Model::Threads, 2, 0.5);
        run.spans = (0..3)
            .map(|task| SpanRecord {
                worker: task % 2,
                task,
                tasks: 1,
                start_seconds: f64::from(task) * 0.1,
                end_seconds: f64::from(task) * 0.1 + 0.05,
                ipc: None,
                members: None,
            })
            .collect();
        set.runs.push(run);
        let bytes = Json.serialize(&set).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        let span_lines: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("\"start_seconds\""))
            .collect();
        assert_eq!(span_lines.len(), 3, "{text}");
        assert!(
            span_lines[0]
                .trim_start()
                .starts_with("{\"worker\":0,\"task\":0,")
        );
        // Above the rows the file is indented as before.
        assert!(text.contains("\n  \"runs\": [\n    {\n"), "{text}");
        let back: ResultSet = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back.runs[0].spans, set.runs[0].spans);
    }
}
