//! The emergency card as pictures: a wallet card at print size (85.6 x 54 mm, ID-1, at
//! 300 dpi, PNG and SVG) with the printed lines a paramedic reads first (allergies,
//! medications, blood group, emergency contact) and the emergency link's QR code, and a
//! phone lock-screen image with the QR code (health text only if the owner chooses: a lock
//! screen is public). The QR code opens the link, whose content `share::emergency` keeps
//! current; the printed lines are as of when the card was made.

use super::glyphs;
use super::qr::{matrix, QUIET};
use super::ShareOutcome;
use crate::{Error, Result};

/// ID-1 card at 300 dpi: 85.6 mm x 54 mm.
pub const WALLET_PX: (u32, u32) = (1011, 638);
/// A common phone screen (iPhone 12 to 14).
pub const LOCK_SCREEN_PX: (u32, u32) = (1170, 2532);

/// A white canvas with an NHS-blue band at the top (`band` px), as RGB bytes.
fn blank((w, h): (u32, u32), band: u32) -> Vec<u8> {
    let mut raw = Vec::with_capacity((w * h * 3) as usize);
    for py in 0..h {
        let rgb = if py < band { BLUE } else { [255, 255, 255] };
        for _ in 0..w {
            raw.extend_from_slice(&rgb);
        }
    }
    raw
}

/// The QR code of `text`, `side` px square (whole modules, so at most that), at (`x`, `y`).
fn draw_qr(raw: &mut [u8], w: u32, text: &str, side: u32, (x, y): (u32, u32)) -> Result<()> {
    let (n, dark) = matrix(text)?;
    let modules = u32::try_from(n + 2 * QUIET).map_err(|_| Error::invalid("qr", "too large"))?;
    let scale = (side / modules).max(1);
    let quiet = u32::try_from(QUIET).unwrap_or(4);
    for py in y..y + modules * scale {
        for px in x..x + modules * scale {
            let (mx, my) = ((px - x) / scale, (py - y) / scale);
            let on = mx >= quiet
                && my >= quiet
                && mx < modules - quiet
                && my < modules - quiet
                && dark[((my - quiet) * (modules - 2 * quiet) + (mx - quiet)) as usize];
            let i = ((py * w + px) * 3) as usize;
            if let Some(p) = raw.get_mut(i..i + 3) {
                p.copy_from_slice(if on { &[0, 0, 0] } else { &[255, 255, 255] });
            }
        }
    }
    Ok(())
}

/// 8-bit RGB PNG at 300 dpi, so a print dialog prints the card at its true size.
fn encode(raw: &[u8], (w, h): (u32, u32)) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::High);
    enc.set_pixel_dims(Some(png::PixelDimensions { xppu: 11_811, yppu: 11_811, unit: png::Unit::Meter }));
    let encoded = enc.write_header().and_then(|mut wr| {
        wr.write_image_data(raw)?;
        wr.finish()
    });
    encoded.map_err(|_| Error::invalid("card", "the PNG could not be encoded"))?;
    Ok(out)
}

const BLUE: [u8; 3] = [0x00, 0x5e, 0xb8];
const INK: [u8; 3] = [0x21, 0x2b, 0x32];

/// Where the wallet card's printed lines go: left of the QR code, in bold type 42 px high
/// (10 pt at 300 dpi), one every 58 px.
pub const WALLET_TEXT: TextBlock =
    TextBlock { x: 36, first_baseline: 188, px: 42.0, step: 58, max_width: 526 };
/// The wallet card's QR code: 400 px (34 mm) square on the right.
const WALLET_QR: (u32, (u32, u32)) = (400, (WALLET_PX.0 - 400 - 30, 140));

/// A column of printed lines: left edge, first baseline, type size, line step, widest line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TextBlock {
    pub x: u32,
    pub first_baseline: u32,
    pub px: f32,
    pub step: u32,
    pub max_width: u32,
}

/// The lines as they are printed, with their type size: at most [`MAX_LINES`]; a long line
/// is set smaller (down to four fifths of the size) before it is shortened with "…".
pub fn printed_lines(lines: &[String], block: TextBlock) -> Result<Vec<(String, f32)>> {
    let max = block.max_width as f32;
    let smallest = block.px * 0.8;
    let mut out = Vec::new();
    for l in lines.iter().take(MAX_LINES) {
        let mut px = block.px;
        while px > smallest && glyphs::width(l, px)? > max {
            px -= 1.0;
        }
        out.push((glyphs::fit(l, px, max)?, px));
    }
    Ok(out)
}

fn draw_lines(c: &mut glyphs::Canvas<'_>, lines: &[String], block: TextBlock) -> Result<()> {
    for (i, (l, px)) in printed_lines(lines, block)?.iter().enumerate() {
        let y = block.first_baseline + block.step * i as u32;
        glyphs::draw(c, l, block.x as f32, y as f32, *px, INK)?;
    }
    Ok(())
}

/// The wallet card at 300 dpi: the title in the blue band, the printed `lines` (allergies,
/// medications, blood group, emergency contact: [`card_lines`]) in large bold type on the
/// left, the QR code on the right and what it is for beneath.
pub fn wallet_png(share: &ShareOutcome, lines: &[String]) -> Result<Vec<u8>> {
    let (w, h) = WALLET_PX;
    let mut raw = blank(WALLET_PX, 110);
    let (side, at) = WALLET_QR;
    draw_qr(&mut raw, w, &share.viewer_url, side, at)?;
    let mut c = glyphs::Canvas { rgb: &mut raw, w, h };
    let title = glyphs::fit(crate::strings::text("card.title"), 46.0, (w - 60) as f32)?;
    glyphs::draw(&mut c, &title, 36.0, 74.0, 46.0, [255, 255, 255])?;
    draw_lines(&mut c, lines, WALLET_TEXT)?;
    let scan = glyphs::fit(crate::strings::text("card.scan"), 28.0, (w - 72) as f32)?;
    glyphs::draw(&mut c, &scan, 36.0, (h - 30) as f32, 28.0, INK)?;
    encode(&raw, WALLET_PX)
}

/// Where the lock-screen image's lines go when the owner chooses to show them: above the
/// QR code, clear of the clock.
pub const LOCK_TEXT: TextBlock = TextBlock { x: 90, first_baseline: 760, px: 58.0, step: 84, max_width: 990 };

/// The lock-screen image: the QR code in the lower middle, clear of the clock. A lock screen
/// is public, so it carries no health text unless the owner chose to show `lines` on it.
pub fn lock_screen_png(share: &ShareOutcome, lines: Option<&[String]>) -> Result<Vec<u8>> {
    let (w, h) = LOCK_SCREEN_PX;
    let side = w * 2 / 3;
    let mut raw = blank(LOCK_SCREEN_PX, 0);
    draw_qr(&mut raw, w, &share.viewer_url, side, ((w - side) / 2, h / 2))?;
    if let Some(lines) = lines {
        let mut c = glyphs::Canvas { rgb: &mut raw, w, h };
        draw_lines(&mut c, lines, LOCK_TEXT)?;
    }
    encode(&raw, LOCK_SCREEN_PX)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The wallet card as SVG at its true size (85.6 x 54 mm): a title, up to six `lines`
/// (allergies, medications: [`card_lines`]) and the QR code.
pub fn wallet_svg(share: &ShareOutcome, lines: &[String]) -> Result<String> {
    let title = crate::strings::text("card.title");
    let qr = super::qr::svg(&share.viewer_url)?;
    let inner = qr.split_once("<rect").map(|(_, rest)| format!("<rect{rest}")).unwrap_or_default();
    let inner = inner.trim_end().trim_end_matches("</svg>");
    let (n, _) = matrix(&share.viewer_url)?;
    let modules = n + 2 * QUIET;
    let mut text = String::new();
    for (i, l) in lines.iter().take(MAX_LINES).enumerate() {
        text.push_str(&format!(
            "<text x=\"3\" y=\"{}\" font-size=\"2.6\" font-family=\"sans-serif\">{}</text>",
            17 + i * 5,
            esc(&l.chars().take(34).collect::<String>())
        ));
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"85.6mm\" height=\"54mm\" viewBox=\"0 0 85.6 54\">\
<rect width=\"85.6\" height=\"54\" rx=\"3\" fill=\"#fff\" stroke=\"#999\" stroke-width=\"0.2\"/>\
<rect width=\"85.6\" height=\"9\" fill=\"#005eb8\"/>\
<text x=\"3\" y=\"6.3\" font-size=\"4\" font-family=\"sans-serif\" fill=\"#fff\" font-weight=\"bold\">{}</text>{text}\
<svg x=\"52\" y=\"13\" width=\"31\" height=\"31\" viewBox=\"0 0 {modules} {modules}\" shape-rendering=\"crispEdges\">{inner}</svg>\
<text x=\"52\" y=\"50\" font-size=\"2.2\" font-family=\"sans-serif\">{}</text></svg>\n",
        esc(title),
        esc(crate::strings::text("card.scan"))
    ))
}

/// The most lines a card prints (the SVG and the PNGs alike).
pub const MAX_LINES: usize = 7;

/// The lines a printed card carries, at most [`MAX_LINES`]: each allergy, then each current
/// medication, then the blood group and the emergency contact (each if the owner recorded
/// it in a section they keep shareable). If allergies and medications do not all fit, a
/// line says how many more the QR code shows.
pub fn card_lines(record: &crate::Record) -> Result<Vec<String>> {
    use crate::record::{EntryValue, PrivacyLevel};
    let text = crate::strings::text;
    let shown = |section: &str| -> Result<Vec<crate::record::Entry>> {
        let s = record.sections()?.into_iter().find(|s| s.id == section);
        if !s.is_some_and(|s| s.enabled && s.privacy != PrivacyLevel::Private) {
            return Ok(Vec::new());
        }
        let all = record.list_entries(section, crate::store::ListOptions::default())?;
        Ok(all.into_iter().filter(|e| !e.hidden && e.deleted_at.is_none()).collect())
    };
    let mut allergies = Vec::new();
    for e in shown("allergies")? {
        if let EntryValue::Allergy { substance, .. } = &e.value {
            allergies.push(text("card.allergy").replace("{substance}", substance));
        }
    }
    let today = chrono::Utc::now().date_naive();
    let mut medications = Vec::new();
    for e in shown("medications")? {
        if let EntryValue::Medication { name, stop, .. } = &e.value {
            if stop.is_none_or(|s| s >= today) {
                medications.push(text("card.medication").replace("{name}", name));
            }
        }
    }
    let mut last = Vec::new();
    if let Some(EntryValue::BloodGroup { group }) = shown("blood_group")?.pop().map(|e| e.value) {
        last.push(text("card.blood_group").replace("{group}", &group.to_string()));
    }
    for e in shown("contacts")? {
        if let EntryValue::Contact { name, phone: Some(phone), emergency_contact: true, .. } = &e.value {
            // The number on a line of its own, so it is never cut off.
            last.push(text("card.contact").replace("{name}", name));
            last.push(phone.clone());
            break;
        }
    }
    let room = MAX_LINES - last.len();
    let total = allergies.len() + medications.len();
    let mut out = Vec::new();
    if total <= room {
        out.extend(allergies);
        out.extend(medications);
    } else {
        // Too many to print: allergies and medications share the room fairly, and the last
        // line says how many more the QR code shows.
        let room = room - 1;
        let a = allergies.len().min(room.div_ceil(2).max(room - medications.len().min(room)));
        let m = (room - a).min(medications.len());
        out.extend(allergies.into_iter().take(a));
        out.extend(medications.into_iter().take(m));
        out.push(text("card.more").replace("{count}", &(total - a - m).to_string()));
    }
    out.extend(last);
    Ok(out)
}
