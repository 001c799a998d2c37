//! QR codes for a link, as SVG and as PNG. The `qrcode` crate makes the matrix; the PNG
//! is written here (1-bit greyscale, one zlib stream via miniz_oxide) to avoid an image
//! library.

use crate::{Error, Result};

const QUIET: usize = 4;

fn matrix(text: &str) -> Result<(usize, Vec<bool>)> {
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

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// A PNG QR code, `scale` pixels per module.
pub fn png(text: &str, scale: usize) -> Result<Vec<u8>> {
    let (w, dark) = matrix(text)?;
    let scale = scale.clamp(1, 32);
    let px = (w + 2 * QUIET) * scale;
    let row_bytes = px.div_ceil(8);
    let mut raw = Vec::with_capacity((row_bytes + 1) * px);
    for py in 0..px {
        raw.push(0); // filter: none
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
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&(px as u32).to_be_bytes());
    ihdr.extend_from_slice(&(px as u32).to_be_bytes());
    ihdr.extend_from_slice(&[1, 0, 0, 0, 0]); // 1-bit greyscale, deflate, no filter, no interlace
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &miniz_oxide::deflate::compress_to_vec_zlib(&raw, 9));
    chunk(&mut out, b"IEND", &[]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn crc_matches_known_value() {
        assert_eq!(super::crc32(b"IEND"), 0xae42_6082);
    }
}
