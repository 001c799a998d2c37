//! SMART Health Links: JWE against the published examples, shlink payloads, QR codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured

use phr_core::share::link::{flags, ShlPayload};
use phr_core::share::{jwe, qr};

#[test]
fn decrypts_the_published_ips_example_byte_for_byte() {
    let Some(c) = phr_testkit::corpus_subdir("fhir") else { return };
    let details: serde_json::Value =
        serde_json::from_slice(&std::fs::read(c.join("shcl__IPS_IG-bundle-01-shl-details.json")).unwrap())
            .unwrap();
    let key = data_encoding::BASE64URL_NOPAD
        .decode(details["shlinkJsonPayload"]["key"].as_str().unwrap().as_bytes())
        .unwrap();
    let enc = std::fs::read_to_string(c.join("shcl__IPS_IG-bundle-01-enc.txt")).unwrap();
    let plain = jwe::decrypt(&key, &enc).unwrap();
    assert_eq!(plain, std::fs::read(c.join("shcl__IPS_IG-bundle-01.json")).unwrap());
    // And the link that carries the key parses to the same payload.
    let link = std::fs::read_to_string(c.join("shcl__IPS_IG-bundle-01-shl.txt")).unwrap();
    let p = ShlPayload::parse(&link).unwrap();
    assert_eq!(p.key.expose_secret(), details["shlinkJsonPayload"]["key"].as_str().unwrap());
    assert_eq!(p.flag.as_deref(), Some("LU"));
    assert_eq!(p.label.as_deref(), Some("Demo SHL for IPS_IG-bundle-01"));
    assert_eq!(p.to_uri(), details["shlink"].as_str().unwrap(), "same minified JSON, same field order");
}

#[test]
fn decrypts_the_spec_example_vector() {
    let Some(c) = phr_testkit::corpus_subdir("fhir") else { return };
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(c.join("shlspec__spec-example-vector.json")).unwrap()).unwrap();
    let key = data_encoding::BASE64URL_NOPAD.decode(v["key_b64url"].as_str().unwrap().as_bytes()).unwrap();
    let plain = jwe::decrypt(&key, v["jwe_compact"].as_str().unwrap()).unwrap();
    let want = v.get("plaintext").and_then(|p| p.as_str()).map(|s| s.as_bytes().to_vec());
    if let Some(w) = want {
        assert_eq!(plain, w);
    } else {
        assert!(!plain.is_empty());
    }
}

#[test]
fn round_trip_and_every_kind_of_tampering_fails() {
    let key = [42u8; 32];
    let j = jwe::encrypt(&key, b"{\"resourceType\":\"Bundle\"}", Some("application/fhir+json")).unwrap();
    assert_eq!(jwe::header(&j).unwrap()["alg"], "dir");
    assert_eq!(jwe::decrypt(&key, &j).unwrap(), b"{\"resourceType\":\"Bundle\"}");
    assert!(jwe::decrypt(&[43u8; 32], &j).is_err(), "wrong key");
    let parts: Vec<String> = j.split('.').map(String::from).collect();
    for i in [0usize, 2, 3, 4] {
        let mut p = parts.clone();
        let mut b = p[i].clone().into_bytes();
        let k = b.len() / 2;
        b[k] = if b[k] == b'A' { b'Q' } else { b'A' };
        p[i] = String::from_utf8(b).unwrap();
        assert!(jwe::decrypt(&key, &p.join(".")).is_err(), "part {i} tampered");
    }
    assert!(jwe::decrypt(&key, "a.b.c").is_err());
    // Two encryptions of the same plaintext differ (fresh IV).
    assert_ne!(jwe::encrypt(&key, b"x", None).unwrap(), jwe::encrypt(&key, b"x", None).unwrap());
}

#[test]
fn jose_interop_vector() {
    // A JWE made by npm `jose` (an independent implementation) must open with our code.
    // scripts/relay-e2e.sh passes the one it made against a live share; otherwise the test
    // makes one with relay/tests/e2e/jose-vector.mjs (npm packages installed by test-all.sh).
    let dir = tempfile::tempdir().unwrap();
    let path = match std::env::var("PHR_JOSE_VECTOR") {
        Ok(p) => std::path::PathBuf::from(p),
        Err(_) => {
            let e2e = phr_testkit::repo_root().join("relay/tests/e2e");
            if !e2e.join("node_modules/jose").is_dir() {
                phr_testkit::missing(
                    "npm jose is not installed in relay/tests/e2e (scripts/test-all.sh installs it)",
                );
                return;
            }
            let out = dir.path().join("jose-vector.json");
            let st = std::process::Command::new("node")
                .arg(e2e.join("jose-vector.mjs"))
                .arg(&out)
                .status()
                .unwrap();
            assert!(st.success(), "node jose-vector.mjs failed");
            out
        }
    };
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let key = data_encoding::BASE64URL_NOPAD.decode(v["key"].as_str().unwrap().as_bytes()).unwrap();
    let plain = jwe::decrypt(&key, v["jwe"].as_str().unwrap()).unwrap();
    assert_eq!(String::from_utf8(plain).unwrap(), v["plaintext"].as_str().unwrap());
}

#[test]
fn shlink_payload_round_trips_and_flags_are_ordered() {
    assert_eq!(flags(true, true), "LP");
    assert_eq!(flags(false, true), "P");
    let p = ShlPayload {
        url: "https://relay.example/shl/abc".into(),
        key: data_encoding::BASE64URL_NOPAD.encode(&[1u8; 32]).into(),
        exp: Some(1_900_000_000),
        flag: Some("LP".into()),
        label: Some("For Dr Okafor: review".into()),
        v: Some(1),
    };
    let uri = p.to_uri();
    assert!(uri.starts_with("shlink:/") && !uri.contains('='));
    assert_eq!(ShlPayload::parse(&uri).unwrap(), p);
    assert_eq!(ShlPayload::parse(&p.viewer_url("https://relay.example/view")).unwrap(), p);
    assert_eq!(p.key.expose_secret().len(), 43);
    assert!(ShlPayload::parse("https://example.org/no-link").is_err());
    let long = ShlPayload { label: Some("x".repeat(81)), ..p };
    assert!(ShlPayload::parse(&long.to_uri()).is_err());
}

#[test]
fn qr_codes_as_svg_and_png() {
    let text = "https://relay.example/view#shlink:/eyJ1cmwiOiJodHRwczovL3JlbGF5LmV4YW1wbGUvc2hsL2FiYyJ9";
    let svg = qr::svg(text).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("<path"));
    let png_bytes = qr::png(text, 4).unwrap();
    // Decode it back with the png crate's decoder: a valid 1-bit greyscale image whose
    // pixels are the QR matrix, 4 pixels per module, with a 4-module light quiet zone.
    let mut reader = png::Decoder::new(std::io::Cursor::new(&png_bytes)).read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.color_type, info.bit_depth), (png::ColorType::Grayscale, png::BitDepth::One));
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).unwrap();
    let modules = code.width();
    let (scale, quiet) = (4, 4);
    assert_eq!(
        (info.width, info.height),
        (((modules + 2 * quiet) * scale) as u32, ((modules + 2 * quiet) * scale) as u32)
    );
    let dark_at = |x: usize, y: usize| buf[y * info.line_size + x / 8] & (0x80 >> (x % 8)) == 0;
    let colors = code.to_colors();
    let mut dark_seen = 0;
    for my in 0..modules {
        for mx in 0..modules {
            let want = colors[my * modules + mx] == qrcode::Color::Dark;
            // The centre pixel of each module.
            let (x, y) = ((mx + quiet) * scale + scale / 2, (my + quiet) * scale + scale / 2);
            assert_eq!(dark_at(x, y), want, "module ({mx}, {my})");
            dark_seen += usize::from(want);
        }
    }
    assert!(dark_seen > 0);
    // The finder pattern's corner is dark; the quiet zone around it is light.
    assert!(dark_at(quiet * scale, quiet * scale));
    assert!(!dark_at(0, 0) && !dark_at(quiet * scale - 1, quiet * scale));
}
