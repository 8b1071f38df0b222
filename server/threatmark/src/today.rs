//! "Today" for the engine: the local date from the clock, or `THREATMARK_TODAY` for
//! reproducible runs (CI, benchmarks, tests).

use jiff::civil::Date;

pub const ENV: &str = "THREATMARK_TODAY";

/// The date the engine judges staleness against. An empty `THREATMARK_TODAY` counts as
/// unset; any other value must be a `YYYY-MM-DD` date.
pub fn today() -> Result<Date, String> {
    match std::env::var_os(ENV) {
        Some(value) if !value.is_empty() => parse(&value.to_string_lossy()),
        _ => Ok(jiff::ZonedDateTime::now().date()),
    }
}

pub fn parse(value: &str) -> Result<Date, String> {
    let trimmed = value.trim();
    let shaped = trimmed.len() == 10
        && trimmed.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    let bad = || format!("{ENV}=`{value}` is not a date; expected YYYY-MM-DD, e.g. 2026-11-23");
    if !shaped {
        return Err(bad());
    }
    trimmed.parse::<Date>().map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_iso_dates_only() {
        assert_eq!(
            parse("2026-11-23").ok(),
            Some(jiff::civil::date(2026, 11, 23))
        );
        assert_eq!(
            parse(" 2026-01-02\n").ok(),
            Some(jiff::civil::date(2026, 1, 2))
        );
        for bad in [
            "2026-13-01",
            "2026-02-30",
            "26-11-23",
            "2026-11-23T10:00",
            "tomorrow",
            "2026/11/23",
        ] {
            let err = parse(bad).err().unwrap_or_default();
            assert!(
                err.contains("THREATMARK_TODAY") && err.contains("YYYY-MM-DD"),
                "{bad}: {err}"
            );
        }
    }
}
