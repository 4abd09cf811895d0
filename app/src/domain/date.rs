//! Calendar arithmetic on ISO dates (`YYYY-MM-DD`) as the database stores them.

/// Days since 1970-01-01 to a calendar date (Howard Hinnant's algorithm).
pub fn civil_from_days(z: i64) -> (u32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    ((if m <= 2 { y + 1 } else { y }) as u32, m as u32, d as u32)
}

/// A calendar date to days since 1970-01-01.
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(if m <= 2 { y - 1 } else { y });
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` (or the date part of a timestamp) to days since 1970-01-01.
pub fn parse_days(iso: &str) -> Option<i64> {
    let y = iso.get(0..4)?.parse().ok()?;
    let m = iso.get(5..7)?.parse().ok()?;
    let d = iso.get(8..10)?.parse().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| days_from_civil(y, m, d))
}

pub fn format_days(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Whole days from `from` to `to` (both ISO dates), if both parse.
pub fn days_between(from: &str, to: &str) -> Option<i64> {
    Some(parse_days(to)? - parse_days(from)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_counts() {
        for (y, m, d) in [(2024, 2, 29), (2026, 11, 22), (1970, 1, 1), (2000, 12, 31)] {
            assert_eq!(civil_from_days(days_from_civil(y, m, d)), (y as u32, m, d));
        }
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(days_between("2026-02-27", "2026-03-04"), Some(5));
        assert_eq!(format_days(parse_days("2024-02-28T10:00:00Z").unwrap() + 1), "2024-02-29");
        assert_eq!(parse_days("2024-13-01"), None);
        assert_eq!(parse_days("x"), None);
    }
}
