//! The shape of a compact JWE as SMART Health Links use it (`alg: dir`, `enc: A256GCM`,
//! RFC 7516): the relay cannot read the content, but it refuses what is not even shaped
//! like ciphertext, so it cannot be used to host arbitrary text.

use data_encoding::BASE64URL_NOPAD;

/// AES-GCM's 96-bit nonce and 128-bit tag.
const IV_BYTES: usize = 12;
const TAG_BYTES: usize = 16;
/// A protected header is a few fields; anything longer is not one of ours.
const MAX_HEADER_BYTES: usize = 1024;

/// True for five base64url parts: a protected header that is a JSON object with `alg`
/// `dir` and `enc` `A256GCM`, an empty encrypted key (direct encryption), a 12-byte IV, a
/// non-empty ciphertext and a 16-byte tag.
pub fn is_compact_jwe(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    let [header, key, iv, ciphertext, tag] = parts.as_slice() else {
        return false;
    };
    let decode = |p: &str| BASE64URL_NOPAD.decode(p.as_bytes()).ok();
    let header_ok = header.len() <= MAX_HEADER_BYTES * 4 / 3 + 4
        && decode(header)
            .and_then(|h| serde_json::from_slice::<serde_json::Value>(&h).ok())
            .is_some_and(|h| h["alg"] == "dir" && h["enc"] == "A256GCM");
    header_ok
        && key.is_empty()
        && decode(iv).is_some_and(|v| v.len() == IV_BYTES)
        && !ciphertext.is_empty()
        && decode(ciphertext).is_some()
        && decode(tag).is_some_and(|t| t.len() == TAG_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwe(header: &str, key: &str, iv: usize, ct: usize, tag: usize) -> String {
        let e = |b: &[u8]| BASE64URL_NOPAD.encode(b);
        format!("{}.{key}.{}.{}.{}", e(header.as_bytes()), e(&vec![1; iv]), e(&vec![2; ct]), e(&vec![3; tag]))
    }

    #[test]
    fn accepts_dir_a256gcm_and_refuses_lookalikes() {
        let good = r#"{"alg":"dir","enc":"A256GCM","cty":"application/fhir+json","zip":"DEF"}"#;
        assert!(is_compact_jwe(&jwe(good, "", 12, 40, 16)));
        for bad in [
            "a.b.c.d.".to_string(),
            "....".to_string(),
            ".....".to_string(),
            "a.b.c.d.e".to_string(),
            jwe(r#"{"alg":"RSA-OAEP","enc":"A256GCM"}"#, "", 12, 40, 16),
            jwe(r#"{"alg":"dir","enc":"A128GCM"}"#, "", 12, 40, 16),
            jwe(r#"["dir"]"#, "", 12, 40, 16),
            jwe(good, "AAAA", 12, 40, 16),
            jwe(good, "", 0, 40, 16),
            jwe(good, "", 16, 40, 16),
            jwe(good, "", 12, 0, 16),
            jwe(good, "", 12, 40, 15),
            format!("{}=", jwe(good, "", 12, 40, 16)),
            jwe(good, "", 12, 40, 16).replace('.', ".x.").to_string(),
        ] {
            assert!(!is_compact_jwe(&bad), "{bad}");
        }
    }
}
