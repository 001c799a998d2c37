//! The emergency card's pictures: a wallet card at print size and a lock-screen image, each
//! with the link's QR code; the printed SVG follows the allergies and medications.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use chrono::Utc;
use phr_core::consent::{Grant, LinkInfo, Recipient, RecipientCategory};
use phr_core::crypto::RawKeyStore;
use phr_core::record::{AllergyKind, EntryValue, Provenance, Severity};
use phr_core::share::{card, outcome_for};
use phr_core::store::DB_FILE;
use phr_core::Record;

fn grant() -> Grant {
    let t = Utc::now();
    Grant {
        id: "g1".into(),
        recipient: Recipient {
            name: "Emergency".into(),
            role: String::new(),
            category: RecipientCategory::HealthProfessional,
        },
        sections: vec!["allergies".into()],
        purpose: "emergency".into(),
        message: None,
        start: t,
        expiry: None,
        revoked_at: None,
        created_at: t,
        link: Some(LinkInfo {
            relay_url: "https://relay.example".into(),
            link_id: "abcdefghijklmnopqrstuvwxyz012345678901234".into(),
            key: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into(),
            flag: "L".into(),
            exp: None,
            label: None,
            log_seen: 0,
            replies_seen: 0,
        }),
        replies: vec![],
        answer: None,
        disclosure: Default::default(),
    }
}

/// (width, height, pixels per metre, dark pixels) of an RGB PNG.
fn inspect(png_bytes: &[u8]) -> (u32, u32, Option<u32>, usize) {
    let dec = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut r = dec.read_info().unwrap();
    let dims = r.info().pixel_dims.map(|d| d.xppu);
    let mut buf = vec![0; r.output_buffer_size().unwrap()];
    let info = r.next_frame(&mut buf).unwrap();
    let dark = buf[..info.buffer_size()].chunks_exact(3).filter(|p| p == &[0, 0, 0]).count();
    (info.width, info.height, dims, dark)
}

#[test]
fn wallet_card_and_lock_screen_carry_the_qr_code_at_print_size() {
    let out = outcome_for(&grant()).unwrap();
    let (w, h, ppm, dark) = inspect(&card::wallet_png(&out).unwrap());
    assert_eq!((w, h), (1011, 638), "85.6 x 54 mm at 300 dpi");
    assert_eq!(ppm, Some(11_811), "300 dpi recorded for printing");
    assert!(dark > 20_000, "the QR code is drawn: {dark}");
    let (w, h, _, dark) = inspect(&card::lock_screen_png(&out).unwrap());
    assert_eq!((w, h), (1170, 2532));
    assert!(dark > 50_000, "{dark}");
}

#[test]
fn the_printed_card_follows_allergies_and_medications() {
    let d = tempfile::tempdir().unwrap();
    let r = Record::create(&d.path().join(DB_FILE), &RawKeyStore::new([2; 32])).unwrap();
    let out = outcome_for(&grant()).unwrap();
    let before = card::wallet_svg(&out, &card::card_lines(&r).unwrap()).unwrap();
    assert!(before.contains("width=\"85.6mm\"") && !before.contains("Penicillin"));
    r.add_entry(
        "allergies",
        EntryValue::Allergy {
            substance: "Penicillin".into(),
            reaction: None,
            severity: Some(Severity::Severe),
            kind: AllergyKind::Allergy,
            status: Default::default(),
            code: None,
        },
        Provenance::User,
    )
    .unwrap();
    let after = card::wallet_svg(&out, &card::card_lines(&r).unwrap()).unwrap();
    assert!(after.contains("Allergy: Penicillin"), "{after}");
    assert!(after.contains("Scan for my health record"));
}
