//! The emergency card as pictures: a wallet card at print size (85.6 x 54 mm, ID-1, at
//! 300 dpi) and a phone lock-screen image, each with the emergency link's QR code. The PNGs
//! carry no health text (no font rasteriser in the core): the QR code opens the link, whose
//! content `share::update_share` keeps current when medications or allergies change, so
//! the pictures never go stale. The SVG card adds the printed lines the owner chose.

use super::qr::{matrix, QUIET};
use super::ShareOutcome;
use crate::{Error, Result};

/// ID-1 card at 300 dpi: 85.6 mm x 54 mm.
pub const WALLET_PX: (u32, u32) = (1011, 638);
/// A common phone screen (iPhone 12 to 14).
pub const LOCK_SCREEN_PX: (u32, u32) = (1170, 2532);

/// A white canvas with an NHS-blue band at the top (`band` px) and the QR code of `text`,
/// `side` px square, at (`x`, `y`); 8-bit RGB PNG.
fn canvas(text: &str, (w, h): (u32, u32), band: u32, side: u32, (x, y): (u32, u32)) -> Result<Vec<u8>> {
    let (n, dark) = matrix(text)?;
    let modules = u32::try_from(n + 2 * QUIET).map_err(|_| Error::invalid("qr", "too large"))?;
    let scale = (side / modules).max(1);
    let quiet = u32::try_from(QUIET).unwrap_or(4);
    let mut raw = Vec::with_capacity((w * h * 3) as usize);
    for py in 0..h {
        for px in 0..w {
            let in_qr = px >= x && py >= y && px < x + modules * scale && py < y + modules * scale;
            let rgb = if in_qr {
                let (mx, my) = ((px - x) / scale, (py - y) / scale);
                let on = mx >= quiet
                    && my >= quiet
                    && mx < modules - quiet
                    && my < modules - quiet
                    && dark[((my - quiet) * (modules - 2 * quiet) + (mx - quiet)) as usize];
                if on {
                    [0, 0, 0]
                } else {
                    [255, 255, 255]
                }
            } else if py < band {
                [0x00, 0x5e, 0xb8]
            } else {
                [255, 255, 255]
            };
            raw.extend_from_slice(&rgb);
        }
    }
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::High);
    // 300 dpi, so a print dialog prints the card at its true size.
    enc.set_pixel_dims(Some(png::PixelDimensions { xppu: 11_811, yppu: 11_811, unit: png::Unit::Meter }));
    let encoded = enc.write_header().and_then(|mut wr| {
        wr.write_image_data(&raw)?;
        wr.finish()
    });
    encoded.map_err(|_| Error::invalid("card", "the PNG could not be encoded"))?;
    Ok(out)
}

/// The wallet card: a blue band, the QR code on the right half, at 300 dpi.
pub fn wallet_png(share: &ShareOutcome) -> Result<Vec<u8>> {
    let (w, h) = WALLET_PX;
    canvas(&share.viewer_url, WALLET_PX, 110, h - 150, (w - (h - 150) - 40, 130))
}

/// The lock-screen image: the QR code in the lower middle, clear of the clock.
pub fn lock_screen_png(share: &ShareOutcome) -> Result<Vec<u8>> {
    let (w, h) = LOCK_SCREEN_PX;
    let side = w * 2 / 3;
    canvas(&share.viewer_url, LOCK_SCREEN_PX, 0, side, ((w - side) / 2, h / 2))
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
    for (i, l) in lines.iter().take(6).enumerate() {
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

/// The lines a printed card carries: each allergy, then each current medication.
pub fn card_lines(record: &crate::Record) -> Result<Vec<String>> {
    use crate::record::EntryValue;
    let mut out = Vec::new();
    for e in record.list_entries("allergies", crate::store::ListOptions::default())? {
        if let (EntryValue::Allergy { substance, .. }, false) = (&e.value, e.hidden || e.deleted_at.is_some())
        {
            out.push(crate::strings::text("card.allergy").replace("{substance}", substance));
        }
    }
    let today = chrono::Utc::now().date_naive();
    for e in record.list_entries("medications", crate::store::ListOptions::default())? {
        if let EntryValue::Medication { name, stop, .. } = &e.value {
            if !e.hidden && e.deleted_at.is_none() && stop.is_none_or(|s| s >= today) {
                out.push(crate::strings::text("card.medication").replace("{name}", name));
            }
        }
    }
    Ok(out)
}
