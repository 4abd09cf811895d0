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

/// Days in a month of the proleptic Gregorian calendar.
pub fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        2 if (y.rem_euclid(4) == 0 && y.rem_euclid(100) != 0) || y.rem_euclid(400) == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `YYYY-MM-DD` (or the date part of a timestamp) to days since 1970-01-01; a day the month
/// does not have (2026-02-31) is no date, never moved into the next month.
pub fn parse_days(iso: &str) -> Option<i64> {
    let digits = |r: std::ops::Range<usize>| iso.get(r).filter(|p| p.bytes().all(|b| b.is_ascii_digit()));
    let y: i32 = digits(0..4)?.parse().ok()?;
    let m: u32 = digits(5..7)?.parse().ok()?;
    let d: u32 = digits(8..10)?.parse().ok()?;
    let dashes = iso.get(4..5) == Some("-") && iso.get(7..8) == Some("-");
    (dashes && (1..=12).contains(&m) && (1..=days_in_month(y, m)).contains(&d)).then(|| days_from_civil(y, m, d))
}

/// A date or month as clerks write it in a spreadsheet: `2026-12-05`, `2026/12/5`, `2026.12.5`,
/// `2026年12月5日`, `20261205`, or a month alone (`2026-12`, `2026年12月`). Returns the year, the
/// month and the day if one was written; a day the month does not have is no date.
pub fn parse_written(text: &str) -> Option<(i32, u32, Option<u32>)> {
    // A date cell with a time of day ("2026-12-05 00:00:00"): the date.
    let text = text.trim();
    let text = text.split_once(' ').filter(|(_, time)| time.contains(':')).map_or(text, |(day, _)| day);
    let t = super::normalize_ascii(text);
    let t = t.trim_end_matches('日').trim_end_matches('号');
    let parts: Vec<&str> = if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        vec![&t[..4], &t[4..6], &t[6..]]
    } else {
        t.split(['-', '/', '.', '年', '月']).filter(|p| !p.is_empty()).collect()
    };
    let number = |p: &str, max_len: usize| {
        (!p.is_empty() && p.len() <= max_len && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    };
    let (y, m, d) = match parts.as_slice() {
        [y, m] => (y, m, None),
        [y, m, d] => (y, m, Some(number(d, 2)?)),
        _ => return None,
    };
    let (y, m) = (if y.len() == 4 { number(y, 4)? } else { return None }, number(m, 2)?);
    let y = i32::try_from(y).ok()?;
    let ok =
        (1900..=2999).contains(&y) && (1..=12).contains(&m) && d.is_none_or(|d| (1..=days_in_month(y, m)).contains(&d));
    ok.then_some((y, m, d))
}

/// A written date (with its day) to days since 1970-01-01.
pub fn parse_written_date(text: &str) -> Option<i64> {
    match parse_written(text)? {
        (y, m, Some(d)) => Some(days_from_civil(y, m, d)),
        _ => None,
    }
}

/// A period as people say it: 2026年5月, 2026年第3季度, 2026年下半年, 2026年.
pub fn period_words(period: &str) -> String {
    let Some((year, rest)) =
        period.get(..4).filter(|y| y.bytes().all(|b| b.is_ascii_digit())).map(|y| (y, &period[4..]))
    else {
        return period.to_string();
    };
    match rest {
        "" => format!("{year}年"),
        "-H1" => format!("{year}年上半年"),
        "-H2" => format!("{year}年下半年"),
        q if q.starts_with("-Q") => format!("{year}年第{}季度", &q[2..]),
        m => m
            .strip_prefix('-')
            .and_then(|m| m.parse::<u32>().ok())
            .map_or_else(|| period.to_string(), |m| format!("{year}年{m}月")),
    }
}

/// A stored UTC timestamp (`YYYY-MM-DDTHH:MM:SSZ`) as the county reads it: `YYYY-MM-DD HH:MM`,
/// UTC+8.
pub fn local_minute(ts: &str) -> String {
    let part = |r: std::ops::Range<usize>| ts.get(r).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    let Some(days) = parse_days(ts) else { return ts.to_string() };
    let minutes = days * 1440 + part(11..13) * 60 + part(14..16) + 8 * 60;
    let (y, m, d) = civil_from_days(minutes.div_euclid(1440));
    let rest = minutes.rem_euclid(1440);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}", rest / 60, rest % 60)
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
        assert_eq!(parse_days("2026-02-31"), None, "no day moves into March");
        assert_eq!(parse_days("2026-02-29"), None);
        assert_eq!(parse_days("2024-02-29"), Some(days_from_civil(2024, 2, 29)));
        assert_eq!(parse_days("2026-04-31"), None);
        assert_eq!(parse_days("2026/04/30"), None);
        assert_eq!(parse_days("2026-+4-30"), None);
    }

    #[test]
    fn dates_as_clerks_write_them() {
        let d = |s: &str| parse_written_date(s).map(format_days);
        for written in [
            "2026-12-05",
            "2026/12/5",
            "2026.12.05",
            "2026年12月5日",
            "20261205",
            "２０２６－１２－０５",
            "2026-12-05 00:00:00",
        ] {
            assert_eq!(d(written).as_deref(), Some("2026-12-05"), "{written}");
        }
        for wrong in [
            "2026-02-31",
            "2026/2/30",
            "2026-13-01",
            "2026年2月29日",
            "26-12-05",
            "2026-12",
            "",
            "明天",
            "2026-12-05-01",
        ] {
            assert_eq!(d(wrong), None, "{wrong}");
        }
        assert_eq!(parse_written("2026-12"), Some((2026, 12, None)));
        assert_eq!(parse_written("2026年3月"), Some((2026, 3, None)));
        assert_eq!(parse_written("2026-13"), None);
        assert_eq!(parse_written("2024-02-29"), Some((2024, 2, Some(29))));
    }

    #[test]
    fn periods_in_words() {
        assert_eq!(period_words("2026-05"), "2026年5月");
        assert_eq!(period_words("2026-12"), "2026年12月");
        assert_eq!(period_words("2026-Q3"), "2026年第3季度");
        assert_eq!(period_words("2026-H1"), "2026年上半年");
        assert_eq!(period_words("2026-H2"), "2026年下半年");
        assert_eq!(period_words("2026"), "2026年");
        assert_eq!(period_words("什么"), "什么", "anything else as it is");
        assert_eq!(parse_days("x"), None);
    }
}
