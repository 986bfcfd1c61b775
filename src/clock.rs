//! The wall clock and the one calendar: whole seconds since the Unix epoch (admin idle times,
//! Paysera's `time_limit`, the names of files kept aside by a restore), and the timestamps the
//! database stores, UTC text that sorts as it reads (`2026-12-01T13:18:06.123Z`), made here by
//! the application for both databases (`db`'s portable dialect) and read back here.

pub fn unix_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `YYYY-MM-DD` as (year, month, day), if it is a real date.
pub fn parse_date(text: &str) -> Option<(i64, u32, u32)> {
    let mut parts = text.trim().splitn(3, '-');
    let mut number = |len: usize| {
        parts
            .next()
            .filter(|p| p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<u32>().ok())
    };
    let (year, month, day) = (i64::from(number(4)?), number(2)?, number(2)?);
    // A real date survives the calendar's round trip; 2026-02-29 comes back as March 1st.
    ((1..=12).contains(&month)
        && civil_from_days(days_from_civil(year, month, day)) == (year, month, day))
        .then_some((year, month, day))
}

/// The day after a date, as `YYYY-MM-DD`.
pub fn next_day(year: i64, month: u32, day: u32) -> String {
    let (y, m, d) = civil_from_days(days_from_civil(year, month, day) + 1);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Howard Hinnant's `days_from_civil`: days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`].
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Now, as the database stores it: UTC, milliseconds, `2026-12-01T13:18:06.123Z`.
pub fn now() -> String {
    timestamp(std::time::SystemTime::now())
}

/// `seconds` from now (negative: ago), as the database stores it.
pub fn now_plus(seconds: i64) -> String {
    let now = std::time::SystemTime::now();
    let magnitude = std::time::Duration::from_secs(seconds.unsigned_abs());
    timestamp(if seconds >= 0 {
        now + magnitude
    } else {
        now - magnitude
    })
}

/// `at`, as the database stores it.
pub fn timestamp(at: std::time::SystemTime) -> String {
    let since = at.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let seconds = since.as_secs() as i64;
    let (days, day_seconds) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        day_seconds / 3600,
        day_seconds / 60 % 60,
        day_seconds % 60,
        since.subsec_millis()
    )
}

/// Seconds from now until a stored timestamp (negative: it has passed); `None` if it does not
/// read as one.
pub fn seconds_until(stored: &str) -> Option<f64> {
    let at = parse_timestamp(stored)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs_f64();
    Some(at - now)
}

/// A stored timestamp (`2026-12-01T13:18:06.123Z`) as seconds since the Unix epoch.
fn parse_timestamp(stored: &str) -> Option<f64> {
    let number = |range: std::ops::Range<usize>| stored.get(range)?.parse::<i64>().ok();
    if stored.len() != 24 || !stored.ends_with('Z') {
        return None;
    }
    let month = u32::try_from(number(5..7)?).ok()?;
    let day = u32::try_from(number(8..10)?).ok()?;
    let days = days_from_civil(number(0..4)?, month, day);
    let seconds = number(11..13)? * 3600 + number(14..16)? * 60 + number(17..19)?;
    Some((days * 86_400 + seconds) as f64 + number(20..23)? as f64 / 1000.0)
}

/// The shop's time zone, Europe/Vilnius (EU summer time rules): where Paysera reads a payment's
/// time limit and where a merchant's dates (a sale's first and last day) are meant.
pub mod vilnius {
    use super::{civil_from_days, days_from_civil, parse_date, parse_timestamp, timestamp};

    /// UTC+3 from the last Sunday of March to the last Sunday of October (changing at 01:00 UTC),
    /// else UTC+2.
    pub fn offset_seconds(utc: i64) -> i64 {
        let (year, _, _) = civil_from_days(utc.div_euclid(86_400));
        let change_at = |month: u32| last_sunday(year, month) * 86_400 + 3600;
        if (change_at(3)..change_at(10)).contains(&utc) {
            3 * 3600
        } else {
            2 * 3600
        }
    }

    /// Days since 1970-01-01 of the last Sunday in `month` of `year`.
    fn last_sunday(year: i64, month: u32) -> i64 {
        let last_day = days_from_civil(year, month, 31);
        // 1970-01-01 was a Thursday: weekday 0 = Sunday is (days + 4) mod 7.
        last_day - (last_day + 4).rem_euclid(7)
    }

    /// Midnight in Vilnius at the start of `days` (since 1970-01-01), as Unix seconds. The clocks
    /// change at 03:00 or 04:00 local time, so midnight is either 21:00 or 22:00 UTC the day before.
    fn midnight(days: i64) -> i64 {
        let summer = days * 86_400 - 3 * 3600;
        if offset_seconds(summer) == 3 * 3600 {
            summer
        } else {
            days * 86_400 - 2 * 3600
        }
    }

    fn stored(unix: i64) -> String {
        let since = std::time::Duration::from_secs(u64::try_from(unix).unwrap_or(0));
        timestamp(std::time::UNIX_EPOCH + since)
    }

    /// The instant a day (`YYYY-MM-DD`) begins in Vilnius, as the database stores it.
    pub fn day_start(date: &str) -> Option<String> {
        let (year, month, day) = parse_date(date)?;
        Some(stored(midnight(days_from_civil(year, month, day))))
    }

    /// The instant a day (`YYYY-MM-DD`) ends in Vilnius: the next one's start (an exclusive end).
    pub fn day_end(date: &str) -> Option<String> {
        let (year, month, day) = parse_date(date)?;
        Some(stored(midnight(days_from_civil(year, month, day) + 1)))
    }

    /// The Vilnius day (`YYYY-MM-DD`) a stored instant falls on; with `exclusive_end`, the last
    /// day before it (what [`day_end`] was given).
    pub fn date_of(stored: &str, exclusive_end: bool) -> Option<String> {
        let utc = parse_timestamp(stored)? as i64 - i64::from(exclusive_end);
        let (year, month, day) = civil_from_days((utc + offset_seconds(utc)).div_euclid(86_400));
        Some(format!("{year:04}-{month:02}-{day:02}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_read_as_the_schemas_defaults_write_them() {
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_millis(1_796_132_400_123);
        assert_eq!(timestamp(at), "2026-12-01T13:40:00.123Z");
        assert_eq!(timestamp(std::time::UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let leap = std::time::UNIX_EPOCH + std::time::Duration::from_secs(951_782_400);
        assert_eq!(timestamp(leap), "2000-02-29T00:00:00.000Z");
        let parsed = parse_timestamp("2026-12-01T13:40:00.123Z").unwrap();
        assert!((parsed - 1_796_132_400.123).abs() < 1e-6, "{parsed}");
        assert_eq!(
            parse_timestamp("2000-02-29T00:00:00.000Z"),
            Some(951_782_400.0)
        );
        assert_eq!(parse_timestamp("yesterday"), None);
    }

    #[test]
    fn dates_must_be_real() {
        assert_eq!(parse_date("2026-02-28"), Some((2026, 2, 28)));
        assert_eq!(parse_date("2028-02-29"), Some((2028, 2, 29)));
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-1-01",
            "26-01-01",
            "2026-01-32",
            "",
            "x",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert_eq!(next_day(2026, 12, 31), "2027-01-01");
        assert_eq!(next_day(2026, 2, 28), "2026-03-01");
        assert_eq!(next_day(2026, 5, 9), "2026-05-10");
    }

    #[test]
    fn a_merchants_days_are_vilnius_days() {
        // Winter (UTC+2) and summer (UTC+3).
        assert_eq!(
            vilnius::day_start("2026-11-27").unwrap(),
            "2026-11-26T22:00:00.000Z"
        );
        assert_eq!(
            vilnius::day_end("2026-11-30").unwrap(),
            "2026-11-30T22:00:00.000Z"
        );
        assert_eq!(
            vilnius::day_start("2026-07-01").unwrap(),
            "2026-06-30T21:00:00.000Z"
        );
        // The day summer time starts (29 March 2026): midnight is still winter time.
        assert_eq!(
            vilnius::day_start("2026-03-29").unwrap(),
            "2026-03-28T22:00:00.000Z"
        );
        assert_eq!(
            vilnius::day_end("2026-03-29").unwrap(),
            "2026-03-29T21:00:00.000Z"
        );
        assert_eq!(
            vilnius::date_of("2026-11-26T22:00:00.000Z", false).unwrap(),
            "2026-11-27"
        );
        assert_eq!(
            vilnius::date_of("2026-11-30T22:00:00.000Z", true).unwrap(),
            "2026-11-30"
        );
        assert_eq!(
            vilnius::date_of("2026-03-29T21:00:00.000Z", true).unwrap(),
            "2026-03-29"
        );
        assert_eq!(vilnius::day_start("2026-02-30"), None);
    }
}
