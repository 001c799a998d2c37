//! Hybrid logical clock (Kulkarni et al., 2014): physical milliseconds in the high 48 bits,
//! a counter in the low 16. It never goes backwards on one device, moves past every clock
//! it has seen from others (so an edit made after seeing a change always sorts after it),
//! and stays close to wall time, so "the newest edit wins" means what a person expects.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Hlc(pub u64);

const COUNTER_BITS: u32 = 16;
const COUNTER_MAX: u64 = (1 << COUNTER_BITS) - 1;

impl Hlc {
    pub fn new(ms: i64, counter: u16) -> Hlc {
        Hlc(((ms.max(0) as u64) << COUNTER_BITS) | counter as u64)
    }
    /// Wall-clock milliseconds since the epoch.
    pub fn ms(self) -> i64 {
        (self.0 >> COUNTER_BITS) as i64
    }
    pub fn counter(self) -> u16 {
        (self.0 & COUNTER_MAX) as u16
    }
    /// The clock for a new local event at wall time `now_ms`, after `last`.
    pub fn tick(last: Hlc, now_ms: i64) -> Hlc {
        if now_ms > last.ms() {
            Hlc::new(now_ms, 0)
        } else if last.counter() < u16::MAX {
            Hlc(last.0 + 1)
        } else {
            // 65,536 events in one millisecond: borrow the next millisecond.
            Hlc::new(last.ms() + 1, 0)
        }
    }
    /// Moves `last` past a clock received from another device.
    pub fn observe(last: Hlc, seen: Hlc) -> Hlc {
        last.max(seen)
    }
    /// Storage form (SQLite INTEGER is signed; the top bit stays clear for 4,000+ years).
    pub fn to_i64(self) -> i64 {
        self.0 as i64
    }
    pub fn from_i64(v: i64) -> Hlc {
        Hlc(v.max(0) as u64)
    }
}

/// A clock with the device that made it: the total order last-writer-wins uses (ties on
/// the clock are broken by device id, so every device picks the same winner).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Stamp {
    pub hlc: Hlc,
    pub device: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_is_monotonic_even_when_the_wall_clock_goes_back() {
        let a = Hlc::tick(Hlc::default(), 1_000);
        let b = Hlc::tick(a, 900);
        let c = Hlc::tick(b, 900);
        assert!(a < b && b < c);
        assert_eq!(b.ms(), 1_000);
        assert_eq!(c.counter(), 2);
        let d = Hlc::tick(c, 2_000);
        assert_eq!((d.ms(), d.counter()), (2_000, 0));
    }

    #[test]
    fn observing_a_later_clock_moves_past_it() {
        let mine = Hlc::new(1_000, 3);
        let theirs = Hlc::new(5_000, 7);
        let seen = Hlc::observe(mine, theirs);
        let next = Hlc::tick(seen, 1_200);
        assert!(next > theirs, "an edit made after seeing a change sorts after it");
    }

    #[test]
    fn counter_overflow_borrows_a_millisecond() {
        let full = Hlc::new(10, u16::MAX);
        let next = Hlc::tick(full, 10);
        assert_eq!((next.ms(), next.counter()), (11, 0));
        assert!(next > full);
    }

    #[test]
    fn stamps_break_ties_by_device() {
        let a = Stamp { hlc: Hlc::new(5, 0), device: "a".into() };
        let b = Stamp { hlc: Hlc::new(5, 0), device: "b".into() };
        assert!(a < b);
        assert_eq!(Hlc::from_i64(a.hlc.to_i64()), a.hlc);
    }
}
