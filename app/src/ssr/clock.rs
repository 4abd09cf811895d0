//! Wall-clock dates and timestamps as the database stores them (UTC ISO text).

use crate::domain::date::civil_from_days;
use std::time::{SystemTime, UNIX_EPOCH};

pub fn unix_seconds() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// `YYYY-MM-DDTHH:MM:SSZ`
pub fn timestamp(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", s / 3600, s % 3600 / 60, s % 60)
}

pub fn now() -> String {
    timestamp(unix_seconds())
}

/// The timestamp `secs` seconds from now (negative: ago).
pub fn from_now(secs: i64) -> String {
    timestamp(unix_seconds() + secs)
}

/// `YYYY-MM-DD`, UTC.
pub fn today() -> String {
    now()[..10].to_string()
}

/// The county's date (China Standard Time, UTC+8), as counted by deadlines.
pub fn local_today() -> String {
    timestamp(unix_seconds() + 8 * 3600)[..10].to_string()
}

/// The county's current year (UTC+8).
pub fn local_year() -> i32 {
    local_today().get(..4).and_then(|y| y.parse().ok()).unwrap_or(1970)
}

/// A stored UTC timestamp as the county reads it: `YYYY-MM-DD HH:MM`, UTC+8.
pub fn local_minute(ts: &str) -> String {
    crate::domain::date::local_minute(ts)
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_timestamps() {
        assert_eq!(super::timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::timestamp(1_767_225_599), "2025-12-31T23:59:59Z");
        assert_eq!(super::local_minute("2025-12-31T20:05:09Z"), "2026-01-01 04:05");
    }
}
