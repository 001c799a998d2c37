//! The emergency card's pictures: a wallet card at print size and a lock-screen image, each
//! with the link's QR code; the printed lines (SVG and PNG) follow the allergies and
//! medications, with the blood group and emergency contact; the lock screen stays text-free
//! unless the owner chooses.
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

/// The RGB pixels of a PNG, with its width.
fn pixels(png_bytes: &[u8]) -> (u32, Vec<u8>) {
    let mut r = png::Decoder::new(std::io::Cursor::new(png_bytes)).read_info().unwrap();
    let mut buf = vec![0; r.output_buffer_size().unwrap()];
    let info = r.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (info.width, buf)
}

/// Pixels darker than light grey in the rectangle [x0, x1) x [y0, y1): ink of the text.
fn inked(png_bytes: &[u8], (x0, y0, x1, y1): (u32, u32, u32, u32)) -> usize {
    let (w, buf) = pixels(png_bytes);
    (y0..y1)
        .flat_map(|y| (x0..x1).map(move |x| (x, y)))
        .filter(|(x, y)| {
            let i = ((y * w + x) * 3) as usize;
            buf[i..i + 3].iter().all(|c| *c < 160)
        })
        .count()
}

/// The leftmost and rightmost inked columns in rows [y0, y1) left of `x_max`.
fn ink_extent(png_bytes: &[u8], (y0, y1): (u32, u32), x_max: u32) -> (u32, u32) {
    let (w, buf) = pixels(png_bytes);
    let cols: Vec<u32> = (0..x_max)
        .filter(|x| {
            (y0..y1).any(|y| {
                let i = ((y * w + x) * 3) as usize;
                buf[i..i + 3].iter().all(|c| *c < 160)
            })
        })
        .collect();
    (*cols.first().unwrap(), *cols.last().unwrap())
}

fn lines() -> Vec<String> {
    vec![
        "Allergy: Penicillin".to_string(),
        "Takes: Apixaban".to_string(),
        "Takes: Metformin".to_string(),
        "Blood group: O-".to_string(),
        "Call Ada Okafor-Whitfield:".to_string(),
        "07700 900123".to_string(),
    ]
}

#[test]
fn wallet_card_and_lock_screen_carry_the_qr_code_at_print_size() {
    let out = outcome_for(&grant()).unwrap();
    let (w, h, ppm, dark) = inspect(&card::wallet_png(&out, &lines()).unwrap());
    assert_eq!((w, h), (1011, 638), "85.6 x 54 mm at 300 dpi");
    assert_eq!(ppm, Some(11_811), "300 dpi recorded for printing");
    assert!(dark > 20_000, "the QR code is drawn: {dark}");
    let (w, h, _, dark) = inspect(&card::lock_screen_png(&out, None).unwrap());
    assert_eq!((w, h), (1170, 2532));
    assert!(dark > 50_000, "{dark}");
}

#[test]
fn the_wallet_png_prints_the_lines_in_large_type() {
    let out = outcome_for(&grant()).unwrap();
    let b = card::WALLET_TEXT;
    let text_area = (b.x, b.first_baseline - 45, b.x + b.max_width, b.first_baseline + 4 * b.step + 15);
    let blank = card::wallet_png(&out, &[]).unwrap();
    let printed = card::wallet_png(&out, &lines()).unwrap();
    // PHR_CARD_OUT=folder keeps the picture to look at.
    if let Some(dir) = std::env::var_os("PHR_CARD_OUT") {
        std::fs::write(std::path::Path::new(&dir).join("wallet.png"), &printed).unwrap();
    }
    assert_eq!(inked(&blank, text_area), 0, "no lines, no ink beside the QR code");
    let ink = inked(&printed, text_area);
    assert!(ink > 10_000, "the lines are printed: {ink} inked pixels");
    // The first line's glyph run is as wide as the font lays it out (side bearings aside).
    let want = phr_core::share::glyphs::width("Allergy: Penicillin", b.px).unwrap();
    let (left, right) = ink_extent(&printed, (b.first_baseline - 40, b.first_baseline + 12), 575);
    let got = (right - left + 1) as f32;
    assert!((got - want).abs() < 8.0, "line 1 is {got} px wide, laid out as {want}");
    assert!((left as i64 - b.x as i64).abs() < 6, "starts at the margin: {left}");
    // Type 42 px high at 300 dpi: a capital is about 3 mm tall, readable at arm's length.
    assert!(b.px >= 40.0);
    // A line too long for the card is shortened with an ellipsis and stays clear of the QR code.
    let long = vec!["Takes: Co-amoxiclav 625 mg three times a day with food".to_string()];
    let shown = card::printed_lines(&long, b).unwrap();
    assert!(shown[0].0.ends_with('…') && shown[0].0.starts_with("Takes: Co-amox"), "{shown:?}");
    // A line a little too long is set smaller rather than cut; every line fits its column.
    let printed = card::printed_lines(&lines(), b).unwrap();
    assert_eq!(printed[4].0, "Call Ada Okafor-Whitfield:");
    for (text, px) in &printed {
        assert!(*px >= b.px * 0.8 && !text.ends_with('…'), "{text} at {px}");
        assert!(phr_core::share::glyphs::width(text, *px).unwrap() <= b.max_width as f32, "{text}");
    }
    let wide = card::wallet_png(&out, &long).unwrap();
    // The QR code starts at x = 581 (its quiet zone first): ink up to there would be text.
    let (_, right) = ink_extent(&wide, (b.first_baseline - 40, b.first_baseline + 12), 581);
    assert!(right < b.x + b.max_width + 4, "the line reaches {right}, into the QR code");
}

#[test]
fn the_lock_screen_shows_health_text_only_when_the_owner_chooses() {
    let out = outcome_for(&grant()).unwrap();
    let above_qr = (0, 0, 1170, 2532 / 2);
    assert_eq!(inked(&card::lock_screen_png(&out, None).unwrap(), above_qr), 0, "a lock screen is public");
    let chosen = card::lock_screen_png(&out, Some(&lines())).unwrap();
    assert!(inked(&chosen, above_qr) > 10_000);
}

#[test]
fn the_printed_card_follows_allergies_and_medications() {
    let d = tempfile::tempdir().unwrap();
    let r = Record::create(&d.path().join(DB_FILE), &RawKeyStore::new([2; 32])).unwrap();
    let out = outcome_for(&grant()).unwrap();
    let before = card::wallet_svg(&out, &card::card_lines(&r).unwrap()).unwrap();
    assert!(before.contains("width=\"85.6mm\"") && !before.contains("Penicillin"));
    r.add_entry("allergies", allergy("Penicillin"), Provenance::User).unwrap();
    let after = card::wallet_svg(&out, &card::card_lines(&r).unwrap()).unwrap();
    assert!(after.contains("Allergy: Penicillin"), "{after}");
    // The blood group and the emergency contact come last, and are always kept.
    r.add_entry(
        "blood_group",
        EntryValue::BloodGroup { group: "O-".to_string().try_into().unwrap() },
        Provenance::User,
    )
    .unwrap();
    for i in 0..8 {
        r.add_entry("allergies", allergy(&format!("Allergen {i}")), Provenance::User).unwrap();
    }
    let lines = card::card_lines(&r).unwrap();
    assert_eq!(lines.len(), card::MAX_LINES, "{lines:?}");
    assert_eq!(lines[5], "And 4 more: scan the code", "{lines:?}");
    assert_eq!(lines.last().unwrap(), "Blood group: O-");
    assert!(after.contains("Scan for my health record"));
}

fn allergy(substance: &str) -> EntryValue {
    EntryValue::Allergy {
        substance: substance.into(),
        reaction: None,
        severity: Some(Severity::Severe),
        kind: AllergyKind::Allergy,
        status: Default::default(),
        code: None,
    }
}
