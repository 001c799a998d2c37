//! Owner settings (insight switches and the like) as sealed JSON documents by name.

use super::{ad, Record};
use crate::{Error, Result};
use phr_model::change::Change;
use rusqlite::{Connection, OptionalExtension};

impl Record {
    /// Reads a setting document, or `None` if it was never written.
    pub fn setting<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<Option<T>> {
        let lookup = self.lookup.tag("setting", name);
        let body: Option<Vec<u8>> = self.read(|c| {
            Ok(c.query_row("SELECT body FROM settings WHERE lookup = ?1", [&lookup], |r| r.get(0))
                .optional()?)
        })?;
        match body {
            None => Ok(None),
            Some(b) => {
                let plain = self.cipher.open(&b, &ad("settings", "body", name))?;
                serde_json::from_slice(&plain)
                    .map(Some)
                    .map_err(|_| Error::Corrupt("a setting could not be read"))
            }
        }
    }

    /// Writes a setting document; settings that are not device-local sync to the owner's
    /// other devices.
    pub fn set_setting<T: serde::Serialize>(&self, name: &str, value: &T) -> Result<()> {
        let json = serde_json::to_value(value).map_err(|_| Error::invalid("setting", "cannot be encoded"))?;
        self.write(|tx| {
            self.set_setting_in(tx, name, &json)?;
            self.sync_emit(tx, Change::Setting { name: name.to_string(), json: json.clone() })?;
            Ok(())
        })
    }

    pub(super) fn setting_in<T: serde::de::DeserializeOwned>(
        &self,
        c: &Connection,
        name: &str,
    ) -> Result<Option<T>> {
        let body: Option<Vec<u8>> = c
            .query_row(
                "SELECT body FROM settings WHERE lookup = ?1",
                [self.lookup.tag("setting", name)],
                |r| r.get(0),
            )
            .optional()?;
        body.map(|b| {
            serde_json::from_slice(&self.cipher.open(&b, &ad("settings", "body", name))?)
                .map_err(|_| Error::Corrupt("a setting could not be read"))
        })
        .transpose()
    }

    /// Writes a setting inside the caller's transaction (no sync op: callers decide).
    pub(super) fn set_setting_in<T: serde::Serialize + ?Sized>(
        &self,
        c: &Connection,
        name: &str,
        value: &T,
    ) -> Result<()> {
        let plain = serde_json::to_vec(value).map_err(|_| Error::invalid("setting", "cannot be encoded"))?;
        let body = self.cipher.seal(&plain, &ad("settings", "body", name))?;
        self.observers.mark(super::RecordArea::Settings);
        c.execute(
            "INSERT OR REPLACE INTO settings(lookup, body) VALUES (?1, ?2)",
            rusqlite::params![self.lookup.tag("setting", name), body],
        )?;
        Ok(())
    }
}
