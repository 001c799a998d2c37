//! The `shlink:/` payload (SMART Health Links, "Construct a SMART Health Link Payload"):
//! base64url of minified JSON with `url`, `key`, `exp`, `flag`, `label`, `v`.

use crate::{Error, Result};
use data_encoding::BASE64URL_NOPAD;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
/// Field order follows the published examples (url, flag, key, exp, label, v).
pub struct ShlPayload {
    /// The manifest URL.
    pub url: String,
    /// Flags in alphabetical order: `L` long-term, `P` passcode, `U` direct file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag: Option<String>,
    /// base64url of the 32-byte content key (43 characters).
    #[serde(serialize_with = "phr_secret::expose")]
    pub key: crate::SecretString,
    /// Expiry hint, epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// At most 80 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub v: Option<u32>,
}

/// Flags in the spec's alphabetical order.
pub fn flags(long_term: bool, passcode: bool) -> String {
    let mut f = String::new();
    if long_term {
        f.push('L');
    }
    if passcode {
        f.push('P');
    }
    f
}

impl ShlPayload {
    pub fn key_bytes(&self) -> Result<Vec<u8>> {
        let k = BASE64URL_NOPAD
            .decode(self.key.expose_secret().as_bytes())
            .map_err(|_| Error::invalid("shlink", "key is not base64url"))?;
        if k.len() != 32 {
            return Err(Error::invalid("shlink", "key must be 32 bytes"));
        }
        Ok(k)
    }

    pub fn has_flag(&self, f: char) -> bool {
        self.flag.as_deref().is_some_and(|s| s.contains(f))
    }

    /// `shlink:/<base64url JSON>`.
    pub fn to_uri(&self) -> String {
        // Serialising a struct of strings and numbers cannot fail.
        let json = serde_json::to_string(self).unwrap_or_default();
        format!("shlink:/{}", BASE64URL_NOPAD.encode(json.as_bytes()))
    }

    /// The link a phone camera opens: the viewer page with the shlink in the fragment
    /// (never sent to any server).
    pub fn viewer_url(&self, viewer: &str) -> String {
        format!("{viewer}#{}", self.to_uri())
    }

    /// Parses `shlink:/...` or `https://viewer#shlink:/...`.
    pub fn parse(text: &str) -> Result<ShlPayload> {
        let t = text.trim();
        let b64 = t
            .rsplit_once("shlink:/")
            .map(|(_, b)| b)
            .ok_or_else(|| Error::invalid("shlink", "no shlink:/ in the text"))?;
        let bytes = BASE64URL_NOPAD
            .decode(b64.trim_end_matches('=').as_bytes())
            .map_err(|_| Error::invalid("shlink", "payload is not base64url"))?;
        let p: ShlPayload = serde_json::from_slice(&bytes)
            .map_err(|_| Error::invalid("shlink", "payload is not the SHL JSON"))?;
        if p.label.as_ref().is_some_and(|l| l.chars().count() > 80) {
            return Err(Error::invalid("shlink", "label longer than 80 characters"));
        }
        Ok(p)
    }
}
