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

pub use portico_proto::duration::{duration_words, format_duration, parse_duration};

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
