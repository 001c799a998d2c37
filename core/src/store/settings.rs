//! Owner settings (insight switches and the like) as sealed JSON documents by name.

use super::{ad, Record};
use crate::{Error, Result};
use rusqlite::OptionalExtension;

impl Record {
    /// Reads a setting document, or `None` if it was never written.
    pub fn setting<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<Option<T>> {
        let lookup = self.lookup.tag("setting", name);
        let body: Option<Vec<u8>> = self.read(|c| Ok(c.query_row("SELECT body FROM settings WHERE lookup = ?1", [&lookup], |r| r.get(0)).optional()?))?;
        match body {
            None => Ok(None),
            Some(b) => {
                let plain = self.cipher.open(&b, &ad("settings", "body", name))?;
                serde_json::from_slice(&plain).map(Some).map_err(|_| Error::Corrupt("a setting could not be read"))
            }
        }
    }

    pub fn set_setting<T: serde::Serialize>(&self, name: &str, value: &T) -> Result<()> {
        let plain = serde_json::to_vec(value).map_err(|_| Error::invalid("setting", "cannot be encoded"))?;
        let body = self.cipher.seal(&plain, &ad("settings", "body", name))?;
        self.write(|tx| {
            tx.execute("INSERT OR REPLACE INTO settings(lookup, body) VALUES (?1, ?2)", rusqlite::params![self.lookup.tag("setting", name), body])?;
            Ok(())
        })
    }
}
