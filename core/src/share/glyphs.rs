//! Text drawn into an RGB picture, for the emergency card's PNGs: DejaVu Sans Bold (free
//! licence, `core/assets/fonts/`), rasterised by `ab_glyph` (ADR 0046). One job: measure a
//! line and paint it, dark on light, anti-aliased.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};

use crate::{Error, Result};

const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// An RGB picture being drawn: `w` x `h` pixels, 3 bytes each, row by row.
pub struct Canvas<'a> {
    pub rgb: &'a mut [u8],
    pub w: u32,
    pub h: u32,
}

fn font() -> Result<FontRef<'static>> {
    FontRef::try_from_slice(FONT).map_err(|_| Error::Corrupt("the card's font could not be read"))
}

/// The width in pixels of `text` at `px` (advances and kerning, as [`draw`] lays it out).
pub fn width(text: &str, px: f32) -> Result<f32> {
    let font = font()?;
    let f = font.as_scaled(PxScale::from(px));
    let mut x = 0.0;
    let mut prev = None;
    for c in text.chars() {
        let id = f.glyph_id(c);
        if let Some(p) = prev {
            x += f.kern(p, id);
        }
        x += f.h_advance(id);
        prev = Some(id);
    }
    Ok(x)
}

/// `text` shortened with "…" until it is at most `max` pixels wide at `px`.
pub fn fit(text: &str, px: f32, max: f32) -> Result<String> {
    if width(text, px)? <= max {
        return Ok(text.to_string());
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let cut: String = chars.iter().collect::<String>().trim_end().to_string() + "…";
        if width(&cut, px)? <= max {
            return Ok(cut);
        }
    }
    Ok(String::new())
}

/// Paints `text` with its baseline at `y`, starting at `x`, `px` high, in `rgb` colour over
/// what is there (coverage blends it in). Pixels outside the canvas are skipped.
pub fn draw(c: &mut Canvas<'_>, text: &str, x: f32, y: f32, px: f32, rgb: [u8; 3]) -> Result<()> {
    let font = font()?;
    let f = font.as_scaled(PxScale::from(px));
    let mut pen = x;
    let mut prev = None;
    for ch in text.chars() {
        let id = f.glyph_id(ch);
        if let Some(p) = prev {
            pen += f.kern(p, id);
        }
        let glyph = id.with_scale_and_position(PxScale::from(px), ab_glyph::point(pen, y));
        pen += f.h_advance(id);
        prev = Some(id);
        let Some(outline) = font.outline_glyph(glyph) else { continue };
        let b = outline.px_bounds();
        let (w, h) = (c.w, c.h);
        let rgb_buf = &mut *c.rgb;
        outline.draw(|gx, gy, cov| {
            let (px_x, px_y) = (b.min.x as i64 + i64::from(gx), b.min.y as i64 + i64::from(gy));
            if px_x < 0 || px_y < 0 || px_x >= i64::from(w) || px_y >= i64::from(h) {
                return;
            }
            let i = ((px_y as usize) * (w as usize) + px_x as usize) * 3;
            let a = cov.clamp(0.0, 1.0);
            for k in 0..3 {
                let under = f32::from(rgb_buf[i + k]);
                rgb_buf[i + k] = (under + (f32::from(rgb[k]) - under) * a).round() as u8;
            }
        });
    }
    Ok(())
}
