//! Durations as people write them in the console and the CLI: `30d`, `12h`, `1d 12h`.

/// Why a duration could not be read.
pub const DURATION_HINT: &str = "Enter a duration like 30d, 12h or 90m.";

const UNITS: [(u64, &str, &str); 4] = [
    (86_400, "d", "day"),
    (3_600, "h", "hour"),
    (60, "m", "minute"),
    (1, "s", "second"),
];

fn unit_seconds(unit: &str) -> Option<u64> {
    Some(match unit {
        "w" | "wk" | "week" | "weeks" => 7 * 86_400,
        "d" | "day" | "days" => 86_400,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3_600,
        "m" | "min" | "mins" | "minute" | "minutes" => 60,
        "s" | "sec" | "secs" | "second" | "seconds" => 1,
        _ => return None,
    })
}

/// Reads a duration such as `30d`, `12h`, `90m`, `1d 12h` or `2 weeks` as seconds.
/// A bare number is refused: "30" could mean days or seconds.
pub fn parse_duration(text: &str) -> Result<u64, String> {
    let s = text.trim().to_ascii_lowercase();
    if s.is_empty() {
        return Err(DURATION_HINT.to_owned());
    }
    let mut total: u64 = 0;
    let mut rest = s.as_str();
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(DURATION_HINT.to_owned());
        }
        let (num, after) = rest.split_at(digits);
        let n: u64 = num
            .parse()
            .map_err(|_| "That duration is too long.".to_owned())?;
        let after = after.trim_start();
        let unit_len = after
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        if unit.is_empty() {
            return Err(
                "Add a unit: d (days), h (hours), m (minutes) or s (seconds), as in 30d."
                    .to_owned(),
            );
        }
        let per = unit_seconds(unit).ok_or_else(|| {
            format!("Unknown unit \"{unit}\": use d (days), h (hours), m (minutes) or s (seconds).")
        })?;
        total = n
            .checked_mul(per)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| "That duration is too long.".to_owned())?;
        rest = after.trim_start_matches([' ', ',']);
    }
    Ok(total)
}

/// Seconds in the short form [`parse_duration`] reads back: `30d`, `1h 30m`, `0s`.
pub fn format_duration(secs: u64) -> String {
    if secs == 0 {
        return "0s".to_owned();
    }
    let mut left = secs;
    let mut parts = Vec::new();
    for (per, short, _) in UNITS {
        let n = left / per;
        left %= per;
        if n > 0 {
            parts.push(format!("{n}{short}"));
        }
    }
    parts.join(" ")
}

/// Seconds in words, for the hint under a duration field: "30 days", "1 hour 30 minutes".
pub fn duration_words(secs: u64) -> String {
    if secs == 0 {
        return "0 seconds".to_owned();
    }
    let mut left = secs;
    let mut parts = Vec::new();
    for (per, _, word) in UNITS {
        let n = left / per;
        left %= per;
        if n > 0 {
            parts.push(format!("{n} {word}{}", if n == 1 { "" } else { "s" }));
        }
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("30d"), Ok(30 * 86_400));
        assert_eq!(parse_duration("12h"), Ok(12 * 3_600));
        assert_eq!(parse_duration("90m"), Ok(90 * 60));
        assert_eq!(parse_duration("45s"), Ok(45));
        assert_eq!(parse_duration(" 1d 12h "), Ok(36 * 3_600));
        assert_eq!(parse_duration("1h30m"), Ok(5_400));
        assert_eq!(parse_duration("2 weeks"), Ok(14 * 86_400));
        assert_eq!(parse_duration("7 Days, 2 hours"), Ok(7 * 86_400 + 7_200));
        assert_eq!(parse_duration(""), Err(DURATION_HINT.to_owned()));
        assert!(parse_duration("30").unwrap_err().starts_with("Add a unit"));
        assert!(parse_duration("30y").unwrap_err().contains("\"y\""));
        assert!(parse_duration("d").is_err());
        assert!(parse_duration("-5m").is_err());
        assert!(parse_duration("1.5h").is_err());
        assert!(parse_duration("99999999999999999999d").is_err());
        assert!(parse_duration("999999999999999w").is_err());
    }

    #[test]
    fn durations_format_and_round_trip() {
        assert_eq!(format_duration(30 * 86_400), "30d");
        assert_eq!(format_duration(3_600), "1h");
        assert_eq!(format_duration(5_400), "1h 30m");
        assert_eq!(format_duration(90_061), "1d 1h 1m 1s");
        assert_eq!(format_duration(0), "0s");
        assert_eq!(duration_words(5_400), "1 hour 30 minutes");
        assert_eq!(duration_words(2 * 86_400), "2 days");
        for secs in [1, 59, 60, 3_599, 86_400, 90_061, 3_650 * 86_400] {
            assert_eq!(parse_duration(&format_duration(secs)), Ok(secs));
        }
    }
}
