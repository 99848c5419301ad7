//! Small display helpers shared by pages.

use portico_proto::AppType;

pub fn type_label(t: AppType) -> &'static str {
    match t {
        AppType::MachineToMachine => "Machine to machine",
        AppType::Web => "Web application",
        AppType::SinglePage => "Single-page application",
    }
}

/// Unix seconds as a UTC date, `YYYY-MM-DD` (civil-from-days, Howard Hinnant's algorithm).
pub fn date(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

/// Unix seconds as a UTC date and time, `YYYY-MM-DD HH:MM UTC`.
pub fn date_time(secs: i64) -> String {
    let in_day = secs.rem_euclid(86_400);
    format!(
        "{} {:02}:{:02} UTC",
        date(secs),
        in_day / 3_600,
        (in_day % 3_600) / 60
    )
}

/// `Some(secs)` as a date, `None` as "never".
pub fn date_or_never(secs: Option<i64>) -> String {
    secs.map(date).unwrap_or_else(|| "never".to_owned())
}

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

/// The logo limit of the admin API (`PUT /apps/{id}/logo`).
pub const LOGO_MAX_BYTES: u64 = 256 * 1024;
pub const LOGO_TYPES: [&str; 3] = ["image/png", "image/jpeg", "image/webp"];
pub const LOGO_TYPE_MESSAGE: &str =
    "The logo must be a PNG, JPEG or WebP image (SVG is not accepted).";

/// Checks a picked file before it is read: its declared type and its size.
pub fn check_logo_file(mime: &str, size: u64) -> Result<(), String> {
    if !LOGO_TYPES.contains(&mime) {
        return Err(LOGO_TYPE_MESSAGE.to_owned());
    }
    if size == 0 {
        return Err("This file is empty.".to_owned());
    }
    if size > LOGO_MAX_BYTES {
        return Err(format!(
            "This file is {} KiB; the logo must be at most {} KiB.",
            size.div_ceil(1024),
            LOGO_MAX_BYTES / 1024
        ));
    }
    Ok(())
}

/// What image the bytes really are, by their signature (as the server checks them), so a
/// renamed file is refused before upload.
pub fn sniff_image(b: &[u8]) -> Option<&'static str> {
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some("image/png");
    }
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some("image/jpeg");
    }
    if b.len() >= 12 && &b[0..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        return Some("image/webp");
    }
    None
}

/// Copies text with the asynchronous Clipboard API.
pub fn copy_to_clipboard(text: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_800_000_000), "2027-01-15");
        assert_eq!(date(951_782_400), "2000-02-29");
    }

    #[test]
    fn date_times() {
        assert_eq!(date_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(date_time(1_800_000_000), "2027-01-15 08:00 UTC");
        assert_eq!(date_or_never(None), "never");
    }

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

    #[test]
    fn logo_checks() {
        assert!(check_logo_file("image/png", 1_000).is_ok());
        assert!(check_logo_file("image/webp", LOGO_MAX_BYTES).is_ok());
        assert_eq!(
            check_logo_file("image/svg+xml", 10),
            Err(LOGO_TYPE_MESSAGE.to_owned())
        );
        assert_eq!(
            check_logo_file("image/png", LOGO_MAX_BYTES + 1),
            Err("This file is 257 KiB; the logo must be at most 256 KiB.".to_owned())
        );
        assert!(check_logo_file("image/jpeg", 0).is_err());
        assert_eq!(sniff_image(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff_image(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff_image(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff_image(b"<svg/>"), None);
    }
}
