//! Time as the simulated APIs print it.

use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

pub fn now_nanos() -> i128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as i128)
        .unwrap_or(0)
}

/// RFC 3339 in UTC ("2026-11-27T10:00:00Z"), as Go's time.Time marshals.
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// RFC 3339 with nanoseconds ("2026-11-27T10:00:00.000000042Z"), as the
/// kubelet stamps log lines (`timestamps=true`).
pub fn rfc3339_nanos(nanos: i128) -> String {
    let secs = nanos.div_euclid(1_000_000_000) as i64;
    let fraction = nanos.rem_euclid(1_000_000_000);
    let whole = rfc3339(secs);
    format!("{}.{fraction:09}Z", whole.trim_end_matches('Z'))
}

/// Seconds since the epoch of an RFC 3339 time ("2026-11-27T10:00:00Z",
/// with an optional fraction and a `Z` or `±hh:mm` offset), as a client
/// sends `sinceTime`. None when it is not one.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let number = |from: usize, to: usize| text.get(from..to)?.parse::<i64>().ok();
    let bytes = text.as_bytes();
    if bytes.len() < 20
        || bytes[4] != b'-'
        || bytes[7] != b'-'
        || !matches!(bytes[10], b'T' | b't')
        || bytes[13] != b':'
        || bytes[16] != b':'
    {
        return None;
    }
    let (year, month, day) = (number(0, 4)?, number(5, 7)?, number(8, 10)?);
    let (hour, minute, second) = (number(11, 13)?, number(14, 16)?, number(17, 19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &fraction[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.as_bytes()[3] != b':' {
                return None;
            }
            let hours: i64 = rest[1..3].parse().ok()?;
            let minutes: i64 = rest[4..6].parse().ok()?;
            sign * (hours * 3600 + minutes * 60)
        }
    };
    let days = days_from_civil(year, month as u32, day as u32);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// Nanoseconds since the epoch of an RFC 3339 time, its fraction kept (Cloud
/// Logging compares entries' timestamps to the nanosecond).
pub fn parse_rfc3339_nanos(text: &str) -> Option<i128> {
    let secs = parse_rfc3339(text)?;
    let fraction: String = text
        .get(19..)
        .and_then(|rest| rest.strip_prefix('.'))
        .map(|digits| {
            digits
                .chars()
                .take_while(char::is_ascii_digit)
                .take(9)
                .collect()
        })
        .unwrap_or_default();
    let nanos = format!("{fraction:0<9}").parse::<i128>().ok()?;
    Some(i128::from(secs) * 1_000_000_000 + nanos)
}

/// A proleptic Gregorian date to days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_800_000_000), "2027-01-15T08:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn rfc3339_fractions_are_kept_to_the_nanosecond() {
        let whole = 1_800_000_000_i128 * 1_000_000_000;
        assert_eq!(parse_rfc3339_nanos("2027-01-15T08:00:00Z"), Some(whole));
        assert_eq!(
            parse_rfc3339_nanos("2027-01-15T08:00:00.5Z"),
            Some(whole + 500_000_000)
        );
        let stamped = rfc3339_nanos(whole + 42);
        assert_eq!(parse_rfc3339_nanos(&stamped), Some(whole + 42));
        assert_eq!(parse_rfc3339_nanos("yesterday"), None);
    }

    #[test]
    fn rfc3339_parses_back() {
        for secs in [0, 951_782_400, 1_800_000_000, 1_796_000_123] {
            assert_eq!(parse_rfc3339(&rfc3339(secs)), Some(secs));
        }
        assert_eq!(parse_rfc3339("2027-01-15T08:00:00.5Z"), Some(1_800_000_000));
        assert_eq!(
            parse_rfc3339("2027-01-15T10:00:00+02:00"),
            Some(1_800_000_000)
        );
        assert_eq!(
            parse_rfc3339("2027-01-15T07:30:00-00:30"),
            Some(1_800_000_000)
        );
        for bad in [
            "",
            "yesterday",
            "2027-13-15T08:00:00Z",
            "2027-01-15 08:00:00",
            "2027-01-15T08:00:00",
            "2027-01-15T08:00:00.Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn nanosecond_stamps() {
        assert_eq!(
            rfc3339_nanos(1_800_000_000_000_000_042),
            "2027-01-15T08:00:00.000000042Z"
        );
    }
}
