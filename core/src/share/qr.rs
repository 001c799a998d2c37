//! QR codes for a link, as SVG and as PNG. The `qrcode` crate makes the matrix; the SVG is
//! one path written here, the PNG (1-bit greyscale) is encoded by the `png` crate.

use crate::{Error, Result};

pub(crate) const QUIET: usize = 4;

pub(crate) fn matrix(text: &str) -> Result<(usize, Vec<bool>)> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|_| Error::invalid("qr", "the link is too long for a QR code"))?;
    let w = code.width();
    let dark = code.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
    Ok((w, dark))
}

/// An SVG QR code (one path, crisp at any size).
pub fn svg(text: &str) -> Result<String> {
    let (w, dark) = matrix(text)?;
    let size = w + 2 * QUIET;
    let mut path = String::new();
    for y in 0..w {
        for x in 0..w {
            if dark[y * w + x] {
                path.push_str(&format!("M{} {}h1v1h-1z", x + QUIET, y + QUIET));
            }
        }
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" width=\"{px}\" height=\"{px}\" shape-rendering=\"crispEdges\">\
<rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>\n",
        px = size * 8
    ))
}

/// A PNG QR code, `scale` pixels per module.
pub fn png(text: &str, scale: usize) -> Result<Vec<u8>> {
    let (w, dark) = matrix(text)?;
    let scale = scale.clamp(1, 32);
    let px = (w + 2 * QUIET) * scale;
    let row_bytes = px.div_ceil(8);
    let mut raw = Vec::with_capacity(row_bytes * px);
    for py in 0..px {
        let my = (py / scale) as isize - QUIET as isize;
        let mut row = vec![0xffu8; row_bytes];
        for pxi in 0..px {
            let mx = (pxi / scale) as isize - QUIET as isize;
            let is_dark = mx >= 0
                && my >= 0
                && (mx as usize) < w
                && (my as usize) < w
                && dark[my as usize * w + mx as usize];
            if is_dark {
                row[pxi / 8] &= !(0x80 >> (pxi % 8));
            }
        }
        raw.extend_from_slice(&row);
    }
    let side = u32::try_from(px).map_err(|_| Error::invalid("qr", "the image is too large"))?;
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, side, side);
    enc.set_color(png::ColorType::Grayscale);
    enc.set_depth(png::BitDepth::One);
    enc.set_compression(png::Compression::High);
    let encoded = enc.write_header().and_then(|mut w| {
        w.write_image_data(&raw)?;
        w.finish()
    });
    // Writing to a Vec cannot fail for I/O; an error here is a size mismatch (our bug).
    encoded.map_err(|_| Error::invalid("qr", "the PNG could not be encoded"))?;
    Ok(out)
}
