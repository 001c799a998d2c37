//! [`Secret<T>`]: the one wrapper for tokens, keys, passcodes and pairing secrets.
//!
//! - **Zeroised on drop** (`T: Zeroize`), so a dropped token does not linger in freed memory.
//! - **`[REDACTED]` in `Debug`**, so `{:?}` of any struct holding one (a grant, a connection,
//!   share options) never prints it, and neither do logs or error messages built from Debug.
//! - **Deserialize, but no `Serialize`.** Reading a stored grant or a token response just
//!   works; writing a secret out must be asked for per field with
//!   `#[serde(serialize_with = "phr_secret::expose")]` (or [`expose_opt`] for an `Option`),
//!   so a new struct cannot put one on the wire or in a log by accident. The serialised form
//!   is exactly that of `T`, so stored JSON stays byte-compatible.
//! - The value is read with [`Secret::expose_secret`], a name that is easy to grep and review.
//!
//! Why our own type and not the `secrecy` crate: see docs/adr/0028-one-secret-type.md
//! (in short: stored grants need `PartialEq` and field-level serialisation of
//! `Option<String>` secrets, which `secrecy` 0.10 does not offer for `String`).

#![forbid(unsafe_code)]

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A secret value: see the crate documentation.
pub struct Secret<T: Zeroize>(T);

impl<T: Zeroize> Secret<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret itself. Call it only where the value must leave: a request, a key
    /// derivation, the FFI boundary, a field that is serialised on purpose.
    pub fn expose_secret(&self) -> &T {
        &self.0
    }

    /// For filling a secret in place (random bytes), so no copy is left behind.
    pub fn expose_secret_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: Zeroize + Default> Secret<T> {
    /// Moves the value out (the wrapper is left holding a zeroised default).
    pub fn into_exposed(mut self) -> T {
        std::mem::take(&mut self.0)
    }
}

impl<T: Zeroize + Default> Default for Secret<T> {
    fn default() -> Self {
        Self(T::default())
    }
}

impl<T: Zeroize> Drop for Secret<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<T: Zeroize> ZeroizeOnDrop for Secret<T> {}

impl<T: Zeroize> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl<T: Zeroize + Clone> Clone for Secret<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

// Equality is for tests and for comparing stored records; no authentication decision in
// phr compares secrets this way (the relay compares salted passcode hashes).
impl<T: Zeroize + PartialEq> PartialEq for Secret<T> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<T: Zeroize + Eq> Eq for Secret<T> {}

impl<T: Zeroize> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret<String> {
    fn from(value: &str) -> Self {
        Self(value.to_string())
    }
}

impl<'de, T: Zeroize + Deserialize<'de>> Deserialize<'de> for Secret<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(Self)
    }
}

/// `#[serde(serialize_with = "phr_secret::expose")]`: writes the secret as its plain value,
/// on purpose (stored grants, the `shlink:/` payload, a request body).
pub fn expose<T: Zeroize + Serialize, S: Serializer>(secret: &Secret<T>, s: S) -> Result<S::Ok, S::Error> {
    secret.0.serialize(s)
}

/// [`expose`] for an optional secret.
pub fn expose_opt<T: Zeroize + Serialize, S: Serializer>(
    secret: &Option<Secret<T>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    secret.as_ref().map(|x| &x.0).serialize(s)
}

/// A secret string, the common case.
pub type SecretString = Secret<String>;
/// Secret bytes (keys).
pub type SecretVec = Secret<Vec<u8>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Stored {
        #[serde(serialize_with = "expose")]
        key: SecretString,
        #[serde(default, serialize_with = "expose_opt", skip_serializing_if = "Option::is_none")]
        token: Option<SecretString>,
        bytes: Option<u8>,
    }

    #[test]
    fn debug_is_redacted_and_json_round_trips_byte_for_byte() {
        let s = Stored { key: "SENTINEL-KEY-4411".into(), token: Some("SENTINEL-TOK-9".into()), bytes: None };
        let dbg = format!("{s:?} {:?}", SecretVec::new(b"SENTINEL-BYTES".to_vec()));
        assert!(!dbg.contains("SENTINEL"), "{dbg}");
        assert!(dbg.contains("[REDACTED]"));
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, r#"{"key":"SENTINEL-KEY-4411","token":"SENTINEL-TOK-9","bytes":null}"#);
        let back: Stored = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
        let none: Stored = serde_json::from_str(r#"{"key":"k","bytes":1}"#).unwrap();
        assert_eq!(serde_json::to_string(&none).unwrap(), r#"{"key":"k","bytes":1}"#);
    }

    #[test]
    fn into_exposed_gives_the_value_back() {
        let s = SecretString::from("abc");
        assert_eq!(s.expose_secret(), "abc");
        assert_eq!(s.clone().into_exposed(), "abc");
        assert_ne!(s, SecretString::from("abd"));
    }
}
