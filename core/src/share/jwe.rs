//! JWE compact serialisation with `alg: dir`, `enc: A256GCM` (RFC 7516), as SMART Health
//! Links require. `ring` does the AES-256-GCM; the additional data is the ASCII of the
//! base64url protected header, as the RFC says. Decryption also accepts `zip: DEF`
//! (raw DEFLATE of the plaintext), which some SHL senders use.

use crate::{Error, Result};
use data_encoding::BASE64URL_NOPAD;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use serde_json::{json, Value};

fn key(raw: &[u8]) -> Result<LessSafeKey> {
    if raw.len() != 32 {
        return Err(Error::invalid("key", "must be 32 bytes"));
    }
    Ok(LessSafeKey::new(UnboundKey::new(&AES_256_GCM, raw).map_err(|_| Error::Crypto("bad AES key"))?))
}

/// Encrypts `plaintext` under the 32-byte `raw_key`. `cty` goes into the header
/// (e.g. `application/fhir+json`).
pub fn encrypt(raw_key: &[u8], plaintext: &[u8], cty: Option<&str>) -> Result<String> {
    let mut header = json!({"alg": "dir", "enc": "A256GCM"});
    if let Some(c) = cty {
        header["cty"] = Value::String(c.to_string());
    }
    let header_b64 = BASE64URL_NOPAD.encode(header.to_string().as_bytes());
    let mut iv = [0u8; 12];
    crate::crypto::random_fill(&mut iv)?;
    let mut buf = plaintext.to_vec();
    let tag = key(raw_key)?
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(iv),
            Aad::from(header_b64.as_bytes()),
            &mut buf,
        )
        .map_err(|_| Error::Crypto("JWE encryption failed"))?;
    Ok(format!(
        "{header_b64}..{}.{}.{}",
        BASE64URL_NOPAD.encode(&iv),
        BASE64URL_NOPAD.encode(&buf),
        BASE64URL_NOPAD.encode(tag.as_ref())
    ))
}

/// The decoded protected header of a compact JWE (without decrypting).
pub fn header(compact: &str) -> Result<Value> {
    let h = compact.split('.').next().unwrap_or_default();
    let bytes =
        BASE64URL_NOPAD.decode(h.as_bytes()).map_err(|_| Error::invalid("jwe", "header is not base64url"))?;
    serde_json::from_slice(&bytes).map_err(|_| Error::invalid("jwe", "header is not JSON"))
}

/// Decrypts a compact JWE made with `alg: dir`, `enc: A256GCM`. Any change to header,
/// IV, ciphertext or tag fails authentication.
pub fn decrypt(raw_key: &[u8], compact: &str) -> Result<Vec<u8>> {
    let parts: Vec<&str> = compact.trim().split('.').collect();
    if parts.len() != 5 {
        return Err(Error::invalid("jwe", "compact JWE has five parts"));
    }
    let h = header(compact)?;
    if h["alg"] != "dir" || h["enc"] != "A256GCM" {
        return Err(Error::invalid("jwe", "only alg dir with enc A256GCM is supported"));
    }
    if !parts[1].is_empty() {
        return Err(Error::invalid("jwe", "alg dir has an empty encrypted key"));
    }
    let d = |s: &str| {
        BASE64URL_NOPAD.decode(s.as_bytes()).map_err(|_| Error::invalid("jwe", "a part is not base64url"))
    };
    let iv: [u8; 12] = d(parts[2])?.try_into().map_err(|_| Error::invalid("jwe", "IV must be 12 bytes"))?;
    let mut buf = d(parts[3])?;
    buf.extend_from_slice(&d(parts[4])?);
    let plain = key(raw_key)?
        .open_in_place(Nonce::assume_unique_for_key(iv), Aad::from(parts[0].as_bytes()), &mut buf)
        .map_err(|_| Error::Undecryptable)?
        .to_vec();
    if h["zip"] == "DEF" {
        return miniz_oxide::inflate::decompress_to_vec(&plain)
            .map_err(|_| Error::invalid("jwe", "zip DEF payload does not inflate"));
    }
    Ok(plain)
}
