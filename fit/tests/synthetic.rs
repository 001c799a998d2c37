//! Hand-built FIT files exercising the protocol features one by one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr)] // test code: a failed unwrap is a failed test, and it prints what it measured
use fitstream::{self as fit, crc, BaseType, DamageReason, FieldKind, FitTime, FitValue};

/// Minimal FIT writer for tests.
#[derive(Default)]
struct W {
    data: Vec<u8>,
}

impl W {
    /// Definition: fields are (num, size, base type byte).
    fn def(
        &mut self,
        local: u8,
        global: u16,
        be: bool,
        fields: &[(u8, u8, u8)],
        dev: &[(u8, u8, u8)],
    ) -> &mut Self {
        let hdr = 0x40 | local | if dev.is_empty() { 0 } else { 0x20 };
        self.data.push(hdr);
        self.data.push(0);
        self.data.push(be as u8);
        if be {
            self.data.extend_from_slice(&global.to_be_bytes())
        } else {
            self.data.extend_from_slice(&global.to_le_bytes())
        }
        self.data.push(fields.len() as u8);
        for f in fields {
            self.data.extend_from_slice(&[f.0, f.1, f.2]);
        }
        if !dev.is_empty() {
            self.data.push(dev.len() as u8);
            for f in dev {
                self.data.extend_from_slice(&[f.0, f.1, f.2]);
            }
        }
        self
    }
    fn msg(&mut self, local: u8, body: &[u8]) -> &mut Self {
        self.data.push(local);
        self.data.extend_from_slice(body);
        self
    }
    fn cmsg(&mut self, local: u8, offset: u8, body: &[u8]) -> &mut Self {
        self.data.push(0x80 | (local << 5) | (offset & 0x1F));
        self.data.extend_from_slice(body);
        self
    }
    fn file(&self) -> Vec<u8> {
        let mut h = vec![14u8, 0x20];
        h.extend_from_slice(&2195u16.to_le_bytes());
        h.extend_from_slice(&(self.data.len() as u32).to_le_bytes());
        h.extend_from_slice(b".FIT");
        let hc = crc::crc16(&h);
        h.extend_from_slice(&hc.to_le_bytes());
        h.extend_from_slice(&self.data);
        let c = crc::crc16(&h);
        h.extend_from_slice(&c.to_le_bytes());
        h
    }
}

const TS: u32 = 1_000_000_000; // 2021-09-09T01:46:40Z as FIT time

fn le32(v: u32) -> [u8; 4] {
    v.to_le_bytes()
}

#[test]
fn base_types_little_and_big_endian_and_invalids() {
    // An unknown message (global 0xFF00) with one field of every base type.
    let types: [(u8, u8); 17] = [
        (0x00, 1),
        (0x01, 1),
        (0x02, 1),
        (0x83, 2),
        (0x84, 2),
        (0x85, 4),
        (0x86, 4),
        (0x07, 6),
        (0x88, 4),
        (0x89, 8),
        (0x0A, 1),
        (0x8B, 2),
        (0x8C, 4),
        (0x0D, 3),
        (0x8E, 8),
        (0x8F, 8),
        (0x90, 8),
    ];
    for be in [false, true] {
        let fields: Vec<(u8, u8, u8)> = types.iter().enumerate().map(|(i, t)| (i as u8, t.1, t.0)).collect();
        let mut body = Vec::new();
        let put = |body: &mut Vec<u8>, bytes: &[u8]| {
            if be {
                body.extend(bytes.iter().rev())
            } else {
                body.extend_from_slice(bytes)
            }
        };
        put(&mut body, &[3]);
        put(&mut body, &(-5i8).to_le_bytes());
        put(&mut body, &[200]);
        put(&mut body, &(-300i16).to_le_bytes());
        put(&mut body, &60000u16.to_le_bytes());
        put(&mut body, &(-70000i32).to_le_bytes());
        put(&mut body, &3_000_000_000u32.to_le_bytes());
        body.extend_from_slice(b"hi\0\0\0\0");
        put(&mut body, &1.5f32.to_le_bytes());
        put(&mut body, &(-2.25f64).to_le_bytes());
        put(&mut body, &[7]);
        put(&mut body, &513u16.to_le_bytes());
        put(&mut body, &70000u32.to_le_bytes());
        body.extend_from_slice(&[1, 2, 3]);
        put(&mut body, &(-9i64).to_le_bytes());
        put(&mut body, &(u64::MAX - 1).to_le_bytes());
        put(&mut body, &5u64.to_le_bytes());
        // and a second message where everything is invalid
        let mut inv = Vec::new();
        for (bt, size) in types {
            let b = BaseType::from_byte(bt).unwrap();
            let one = b.invalid_bits();
            for _ in 0..(size as usize / b.size()) {
                let bytes = one.to_le_bytes();
                put(&mut inv, &bytes[..b.size()]);
            }
        }
        let mut w = W::default();
        w.def(0, 0xFF00, be, &fields, &[]).msg(0, &body).msg(0, &inv);
        let (msgs, rep) = fit::decode(&w.file());
        assert!(rep.is_clean(), "{rep:?}");
        assert_eq!(msgs.len(), 2);
        let m = &msgs[0];
        assert_eq!(m.name, None);
        assert_eq!(m.global_num, 0xFF00);
        let v = |n: u8| m.field(n).map(|f| f.value.clone());
        assert_eq!(v(0), Some(FitValue::UInt(3)));
        assert_eq!(v(1), Some(FitValue::SInt(-5)));
        assert_eq!(v(2), Some(FitValue::UInt(200)));
        assert_eq!(v(3), Some(FitValue::SInt(-300)));
        assert_eq!(v(4), Some(FitValue::UInt(60000)));
        assert_eq!(v(5), Some(FitValue::SInt(-70000)));
        assert_eq!(v(6), Some(FitValue::UInt(3_000_000_000)));
        assert_eq!(v(7), Some(FitValue::String("hi".into())));
        assert_eq!(v(8), Some(FitValue::Float(1.5)));
        assert_eq!(v(9), Some(FitValue::Float(-2.25)));
        assert_eq!(v(10), Some(FitValue::UInt(7)));
        assert_eq!(v(11), Some(FitValue::UInt(513)));
        assert_eq!(v(12), Some(FitValue::UInt(70000)));
        assert_eq!(v(13), Some(FitValue::Bytes(vec![1, 2, 3])));
        assert_eq!(v(14), Some(FitValue::SInt(-9)));
        assert_eq!(v(15), Some(FitValue::UInt(u64::MAX - 1)));
        assert_eq!(v(16), Some(FitValue::UInt(5)));
        assert!(msgs[1].fields.is_empty(), "all invalid => no fields: {:?}", msgs[1].fields);
    }
}

#[test]
fn arrays_with_invalid_elements_and_misaligned_sizes() {
    let mut w = W::default();
    // uint16 array of 3, one invalid; a uint32 field of size 3 (misaligned => bytes)
    w.def(0, 0xFF01, false, &[(0, 6, 0x84), (1, 3, 0x86)], &[]);
    w.msg(0, &[1, 0, 0xFF, 0xFF, 3, 0, 9, 8, 7]);
    let (msgs, rep) = fit::decode(&w.file());
    assert!(rep.is_clean());
    assert_eq!(msgs[0].field(0).unwrap().value, FitValue::UIntArray(vec![Some(1), None, Some(3)]));
    assert_eq!(msgs[0].field(1).unwrap().value, FitValue::Bytes(vec![9, 8, 7]));
    assert_eq!(msgs[0].field(1).unwrap().base_type, BaseType::Byte);
}

#[test]
fn scale_offset_components_and_accumulation() {
    let mut w = W::default();
    // record: timestamp, altitude (scale 5 offset 500), speed (scale 1000), compressed_speed_distance
    w.def(0, 20, false, &[(253, 4, 0x86), (2, 2, 0x84), (6, 2, 0x84)], &[]);
    w.msg(0, &[&le32(TS)[..], &2600u16.to_le_bytes(), &3500u16.to_le_bytes()].concat());
    w.def(1, 20, false, &[(8, 3, 0x0D)], &[]);
    // speed 12 bits (1/100 m/s), distance 12 bits (1/16 m), accumulated with rollover at 4096
    let csd = |speed: u32, dist: u32| {
        let v = (speed & 0xFFF) | ((dist & 0xFFF) << 12);
        [v as u8, (v >> 8) as u8, (v >> 16) as u8]
    };
    w.msg(1, &csd(350, 4000)).msg(1, &csd(351, 4090)).msg(1, &csd(352, 20));
    let (msgs, rep) = fit::decode(&w.file());
    assert!(rep.is_clean());
    let r0 = &msgs[0];
    assert_eq!(r0.f64("altitude"), Some(20.0));
    assert_eq!(r0.f64("speed"), Some(3.5));
    // expanded components
    let es = r0.field_by_name("enhanced_speed").unwrap();
    assert_eq!(es.kind, FieldKind::Expanded);
    assert_eq!(es.f64(), Some(3.5));
    assert_eq!(r0.f64("enhanced_altitude"), Some(20.0));
    // compressed speed/distance
    assert_eq!(msgs[1].f64("speed"), Some(3.5));
    assert_eq!(msgs[1].f64("distance"), Some(4000.0 / 16.0));
    assert_eq!(msgs[2].f64("distance"), Some(4090.0 / 16.0));
    // rollover: 4090 -> 20 is +26 units
    assert_eq!(msgs[3].f64("distance"), Some((4090.0 + 26.0) / 16.0));
    // chained expansion speed -> enhanced_speed
    assert_eq!(msgs[3].f64("enhanced_speed"), Some(3.52));
}

#[test]
fn compressed_timestamps_roll_over_and_relative_times() {
    let mut w = W::default();
    w.def(0, 20, false, &[(253, 4, 0x86), (3, 1, 0x02)], &[]);
    w.def(1, 20, false, &[(3, 1, 0x02)], &[]);
    let base = TS + 30; // low 5 bits = 30 (TS % 32 == 0)
    assert_eq!(TS % 32, 0);
    w.msg(0, &[&le32(base)[..], &[100]].concat());
    w.cmsg(1, 31, &[101]); // +1
    w.cmsg(1, 2, &[102]); // rolls over: +3
    w.cmsg(1, 2, &[103]); // same
                          // a relative (uptime) time stamp
    w.msg(0, &[&le32(5000)[..], &[104]].concat());
    let (msgs, rep) = fit::decode(&w.file());
    assert!(rep.is_clean());
    let t = |i: usize| msgs[i].timestamp.unwrap();
    let unix = |raw: u32| FitTime::Utc(raw as i64 + 631_065_600);
    assert_eq!(t(0), unix(base));
    assert_eq!(t(1), unix(base + 1));
    assert!(msgs[1].compressed_timestamp);
    assert_eq!(t(2), unix(base + 4));
    assert_eq!(t(3), unix(base + 4));
    assert_eq!(t(4), FitTime::Relative(5000));
    let s = fit::summarize(&w.file());
    assert_eq!(s.records[4].timestamp, None);
    assert_eq!(s.records[4].uptime_s, Some(5000));
    assert_eq!(s.records[0].timestamp, Some(1_631_065_630));
}

#[test]
fn developer_fields_including_late_descriptions() {
    let mut w = W::default();
    // record with a dev field (index 0, num 1, 2 bytes) BEFORE its description
    w.def(0, 20, false, &[(3, 1, 0x02)], &[(1, 2, 0)]);
    w.msg(0, &[120, 0x10, 0x27]);
    // developer_data_id + field_description (late)
    w.def(1, 207, false, &[(3, 1, 0x02), (1, 16, 0x0D)], &[]);
    w.msg(1, &[&[0u8][..], &[7u8; 16]].concat());
    w.def(
        2,
        206,
        false,
        &[(0, 1, 0x02), (1, 1, 0x02), (2, 1, 0x02), (3, 8, 0x07), (6, 1, 0x02), (8, 4, 0x07)],
        &[],
    );
    w.msg(2, &[&[0u8, 1, 0x84][..], b"power2\0\0", &[10], b"W\0\0\0"].concat());
    w.msg(0, &[121, 0x10, 0x27]);
    let (msgs, rep) = fit::decode(&w.file());
    assert!(rep.is_clean());
    let d0 = &msgs[0].dev_fields[0];
    assert!(d0.description.is_none());
    assert_eq!(d0.value, FitValue::Bytes(vec![0x10, 0x27]));
    let d1 = &msgs[3].dev_fields[0];
    assert_eq!(d1.name(), Some("power2"));
    assert_eq!(d1.value, FitValue::UInt(10000));
    assert_eq!(d1.f64(), Some(1000.0));
    let desc = d1.description.as_ref().unwrap();
    assert_eq!(desc.units.as_deref(), Some("W"));
    assert_eq!(desc.application_id.as_deref(), Some(&[7u8; 16][..]));
}

#[test]
fn chained_files_bad_crc_and_truncation() {
    let mut w = W::default();
    w.def(0, 0, false, &[(1, 2, 0x84), (2, 2, 0x84)], &[]).msg(0, &[1, 0, 0x0F, 0x0B]);
    let one = w.file();
    let mut two = one.clone();
    two.extend_from_slice(&one);
    // corrupt the second file's header CRC and file CRC
    let n = one.len();
    two[n + 12] ^= 0xFF;
    let last = two.len() - 1;
    two[last] ^= 0xFF;
    let (msgs, rep) = fit::decode(&two);
    assert_eq!(msgs.len(), 2);
    assert_eq!(rep.chained_files, 2);
    assert!(!rep.header_crc_ok);
    assert!(!rep.file_crc_ok);
    assert_eq!(msgs[1].file_index, 1);
    assert!(rep
        .damage
        .iter()
        .any(|d| matches!(d.reason, DamageReason::HeaderCrcMismatch { .. }) && d.offset == n as u64));
    // garmin product sub-field: manufacturer 1 (garmin), product 2831 -> "fenix5" family name
    let s = fit::summarize(&two);
    assert_eq!(s.file_ids.len(), 2);
    assert_eq!(s.file_ids[0].manufacturer_name, Some("garmin"));
    assert!(s.file_ids[0].product_name.is_some());
    // strict mode stops at the bad header
    let mut it = fit::SliceDecoder::new(&two, fit::DecodeOptions { strict_crc: true, ..Default::default() });
    assert_eq!(it.by_ref().count(), 1);
    // truncation inside the first message
    let cut = &one[..one.len() - 4];
    let (msgs, rep) = fit::decode(cut);
    assert!(msgs.is_empty());
    assert_eq!(rep.damage[0].reason, DamageReason::UnexpectedEof);
    assert_eq!(rep.damage[0].offset, 14 + 12);
    assert_eq!(rep.damage[0].bytes_skipped, (cut.len() - 26) as u64);
}

#[test]
fn undefined_local_message_is_reported_with_offset() {
    let mut w = W::default();
    w.def(0, 0, false, &[(1, 2, 0x84)], &[]).msg(0, &[1, 0]).msg(5, &[1, 2, 3]);
    let f = w.file();
    let (msgs, rep) = fit::decode(&f);
    assert_eq!(msgs.len(), 1);
    assert_eq!(rep.damage[0].reason, DamageReason::UndefinedLocalMessage(5));
    assert_eq!(rep.damage[0].offset, 14 + 9 + 3);
    assert_eq!(rep.damage[0].bytes_skipped, (f.len() - 26) as u64);
    assert!(rep.damage[0].to_string().contains("at byte 26"));
}

#[test]
fn health_messages_extraction() {
    let mut w = W::default();
    // monitoring: timestamp, then timestamp_16 only; cycles with activity_type walking (6) => steps
    w.def(0, 55, false, &[(253, 4, 0x86), (5, 1, 0x00), (3, 4, 0x86), (27, 1, 0x02)], &[]);
    w.msg(0, &[&le32(TS + 0xFFF0)[..], &[6], &le32(1234), &[66]].concat());
    w.def(1, 55, false, &[(26, 2, 0x84), (5, 1, 0x00), (3, 4, 0x86), (19, 2, 0x84)], &[]);
    let t16 = ((TS + 0xFFF0 + 0x20) & 0xFFFF) as u16; // crosses a 16-bit boundary
    w.msg(1, &[&t16.to_le_bytes()[..], &[6], &le32(1300), &50u16.to_le_bytes()].concat());
    // hrv: 2 rr intervals
    w.def(2, 78, false, &[(0, 4, 0x84)], &[]).msg(2, &[0xE8, 0x03, 0x20, 0x03]);
    // weight scale: 75.5 kg, 20.5 % fat
    w.def(3, 30, false, &[(253, 4, 0x86), (0, 2, 0x84), (1, 2, 0x84)], &[]);
    w.msg(3, &[&le32(TS)[..], &7550u16.to_le_bytes(), &2050u16.to_le_bytes()].concat());
    // blood pressure
    w.def(4, 51, false, &[(253, 4, 0x86), (0, 2, 0x84), (1, 2, 0x84), (2, 2, 0x84), (6, 1, 0x02)], &[]);
    w.msg(
        4,
        &[&le32(TS)[..], &120u16.to_le_bytes(), &80u16.to_le_bytes(), &93u16.to_le_bytes(), &[61]].concat(),
    );
    // sleep level
    w.def(5, 275, false, &[(253, 4, 0x86), (0, 1, 0x00)], &[]).msg(5, &[&le32(TS)[..], &[3]].concat());
    let s = fit::summarize(&w.file());
    assert!(s.report.is_clean());
    assert_eq!(s.monitoring.len(), 2);
    assert_eq!(s.monitoring[0].steps, Some(1234));
    assert_eq!(s.monitoring[0].heart_rate, Some(66));
    assert_eq!(s.monitoring[0].activity_type, Some("walking"));
    assert_eq!(s.monitoring[1].timestamp, Some((TS + 0xFFF0 + 0x20) as i64 + 631_065_600));
    assert_eq!(s.monitoring[1].steps, Some(1300));
    assert_eq!(s.monitoring[1].active_calories, Some(50));
    assert_eq!(s.hrv[0].rr_s, vec![1.0, 0.8]);
    assert_eq!(s.weight_scale[0].weight_kg, Some(75.5));
    assert_eq!(s.weight_scale[0].percent_fat, Some(20.5));
    let bp = &s.blood_pressure[0];
    assert_eq!(
        (bp.systolic_mmhg, bp.diastolic_mmhg, bp.mean_arterial_mmhg, bp.heart_rate),
        (Some(120), Some(80), Some(93), Some(61))
    );
    assert_eq!(s.sleep_levels[0].level_name, Some("deep"));
}
