//! FIT CRC (CRC-16/ARC: reflected poly 0xA001, init 0), table driven.

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

static TABLE: [u16; 256] = make_table();

/// Update a running FIT CRC with `data`.
#[inline]
pub fn update(mut crc: u16, data: &[u8]) -> u16 {
    for &b in data {
        crc = (crc >> 8) ^ TABLE[((crc ^ b as u16) & 0xFF) as usize];
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
}
