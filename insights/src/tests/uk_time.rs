//! UK summer time from the IANA database, across real changeovers.

use super::super::input::{local_day, uk_utc_offset_s};
use super::date;

#[test]
fn bst_2025_starts_on_30_march_and_ends_on_26_october() {
    // The clocks went forward at 01:00 UTC on Sunday 30 March 2025 and back at 01:00 UTC
    // on Sunday 26 October 2025.
    assert_eq!(uk_utc_offset_s(date(2025, 1, 15)), 0);
    assert_eq!(uk_utc_offset_s(date(2025, 3, 29)), 0);
    assert_eq!(uk_utc_offset_s(date(2025, 3, 30)), 3600);
    assert_eq!(uk_utc_offset_s(date(2025, 3, 31)), 3600);
    assert_eq!(uk_utc_offset_s(date(2025, 7, 1)), 3600);
    assert_eq!(uk_utc_offset_s(date(2025, 10, 25)), 3600);
    assert_eq!(uk_utc_offset_s(date(2025, 10, 26)), 0);
    assert_eq!(uk_utc_offset_s(date(2025, 12, 25)), 0);
}

#[test]
fn bst_2026_follows_the_same_rule() {
    assert_eq!(uk_utc_offset_s(date(2026, 3, 28)), 0);
    assert_eq!(uk_utc_offset_s(date(2026, 3, 29)), 3600);
    assert_eq!(uk_utc_offset_s(date(2026, 10, 24)), 3600);
    assert_eq!(uk_utc_offset_s(date(2026, 10, 25)), 0);
}

#[test]
fn a_late_evening_run_in_summer_counts_on_the_next_local_day_only_in_bst() {
    // 23:30 UTC on 1 July 2025 is 00:30 on 2 July in London; in January it is the same day.
    let summer = date(2025, 7, 1).and_hms_opt(23, 30, 0).map(|t| t.and_utc().timestamp());
    let winter = date(2025, 1, 1).and_hms_opt(23, 30, 0).map(|t| t.and_utc().timestamp());
    let (summer, winter) = (summer.unwrap(), winter.unwrap());
    assert_eq!(local_day(summer, uk_utc_offset_s(date(2025, 7, 1))), Some(date(2025, 7, 2)));
    assert_eq!(local_day(winter, uk_utc_offset_s(date(2025, 1, 1))), Some(date(2025, 1, 1)));
}
