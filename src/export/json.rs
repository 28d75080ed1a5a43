//! JSON export: the whole [`ResultSet`], pretty-printed.

use super::ExportError;
use super::data::{DataFormat, Exporter};
use crate::results::ResultSet;

/// The JSON format: the documented schema, which `ResultSet::load` reads
/// back.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json;

impl Exporter for Json {
    fn serialize(&self, set: &ResultSet) -> Result<Vec<u8>, ExportError> {
        let mut bytes = serde_json::to_vec_pretty(set).map_err(|e| ExportError::Serialize {
            format: DataFormat::Json,
            reason: e.to_string(),
        })?;
        bytes.push(b'\n');
        Ok(bytes)
    }
}
