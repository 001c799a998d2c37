//! FIT CRC (CRC-16/ARC: reflected poly 0xA001, init 0), table driven, eight bytes at a time.

const fn make_table() -> [u16; 256] {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u16;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { (c >> 1) ^ 0xA001 } else { c >> 1 };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
}

/// Slicing-by-8 tables: `T[k][b]` is the CRC of byte `b` followed by `k` zero bytes, so
/// eight table reads that do not depend on each other replace eight dependent steps.
const fn make_tables() -> [[u16; 256]; 8] {
    let mut t = [[0u16; 256]; 8];
    t[0] = make_table();
    let mut k = 1;
    while k < 8 {
        let mut i = 0;
        while i < 256 {
            let prev = t[k - 1][i];
            t[k][i] = (prev >> 8) ^ t[0][(prev & 0xFF) as usize];
            i += 1;
        }
        k += 1;
    }
    t
}

static TABLES: [[u16; 256]; 8] = make_tables();

/// Update a running FIT CRC with `data`.
#[inline]
pub fn update(mut crc: u16, data: &[u8]) -> u16 {
    let t = &TABLES;
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        let lo = c[0] ^ crc as u8;
        let hi = c[1] ^ (crc >> 8) as u8;
        crc = t[7][lo as usize]
            ^ t[6][hi as usize]
            ^ t[5][c[2] as usize]
            ^ t[4][c[3] as usize]
            ^ t[3][c[4] as usize]
            ^ t[2][c[5] as usize]
            ^ t[1][c[6] as usize]
            ^ t[0][c[7] as usize];
    }
    for &b in chunks.remainder() {
        crc = (crc >> 8) ^ t[0][((crc ^ b as u16) & 0xFF) as usize];
    }
    crc
}

/// CRC of a whole buffer.
pub fn crc16(data: &[u8]) -> u16 {
    update(0, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Garmin's reference nibble-table implementation, to cross-check the byte table.
    fn garmin_ref(mut crc: u16, byte: u8) -> u16 {
        const T: [u16; 16] = [
            0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401, 0xA001, 0x6C00, 0x7800, 0xB401,
            0x5000, 0x9C01, 0x8801, 0x4400,
        ];
        let mut tmp = T[(crc & 0xF) as usize];
        crc = (crc >> 4) & 0x0FFF;
        crc = crc ^ tmp ^ T[(byte & 0xF) as usize];
        tmp = T[(crc & 0xF) as usize];
        crc = (crc >> 4) & 0x0FFF;
        crc ^ tmp ^ T[((byte >> 4) & 0xF) as usize]
    }

    #[test]
    fn matches_garmin_reference() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7919 % 251) as u8).collect();
        let mut r = 0u16;
        for &b in &data {
            r = garmin_ref(r, b);
        }
        assert_eq!(crc16(&data), r);
        assert_eq!(crc16(b"123456789"), 0xBB3D);
    }

    /// Every split of the input (eight at a time, then the rest) gives the byte-wise CRC.
    #[test]
    fn eight_at_a_time_equals_byte_by_byte() {
        let data: Vec<u8> = (0..300u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for len in 0..data.len() {
            let mut r = 0u16;
            for &b in &data[..len] {
                r = garmin_ref(r, b);
            }
            assert_eq!(crc16(&data[..len]), r, "length {len}");
            for cut in [0, 1, 7, 8, 9, len / 2] {
                let cut = cut.min(len);
                assert_eq!(update(crc16(&data[..cut]), &data[cut..len]), r, "length {len} cut {cut}");
            }
        }
    }
}
