//! Dates: the date or datetime written in front matter or a comment file,
//! and the forms templates and feeds print.
//!
//! Not for deciding which date a page shows (`content`, `feed`).

use serde::{Deserialize, Serialize};

/// A date or datetime from front matter or a comment file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub timestamp: jiff::Timestamp,
    /// Whether a time of day was written, rather than a bare date.
    pub has_time: bool,
}

impl Date {
    /// Accepts `2024-02-27`, `2024-02-27T10:00:00Z`, an offset such as
    /// `+02:00`, or a datetime with no offset (read as UTC).
    pub fn parse(text: &str) -> Option<Date> {
        let text = text.trim();
        if let Ok(timestamp) = text.parse::<jiff::Timestamp>() {
            return Some(Date {
                timestamp,
                has_time: true,
            });
        }
        if let Ok(datetime) = text.parse::<jiff::civil::DateTime>() {
            let has_time = text.len() > 10;
            let timestamp = datetime.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
            return Some(Date {
                timestamp,
                has_time,
            });
        }
        None
    }

    /// RFC 3339 in UTC, as feeds and `<time datetime>` want it.
    pub fn rfc3339(&self) -> String {
        rfc3339(&self.civil())
    }

    /// `2024-02-27`.
    pub fn ymd(&self) -> String {
        ymd(&self.civil())
    }

    /// `February 27, 2024`, for people.
    pub fn human(&self) -> String {
        human(&self.civil())
    }

    /// The forms templates need.
    pub fn view(&self) -> DateView {
        let d = self.civil();
        DateView {
            iso: rfc3339(&d),
            ymd: ymd(&d),
            human: human(&d),
            time: self.has_time.then(|| {
                let mut out = String::with_capacity(9);
                push_clock(&mut out, &d);
                out.push_str(" UTC");
                out
            }),
        }
    }

    /// The date and time of day in UTC, which the forms above are written
    /// from digit by digit: a build prints four forms of every comment's
    /// date, and `strftime` (or `format!` with widths) reads its pattern
    /// anew each time.
    fn civil(&self) -> jiff::civil::DateTime {
        jiff::tz::Offset::UTC.to_datetime(self.timestamp)
    }
}

/// `2024-02-27T08:00:00Z`.
fn rfc3339(d: &jiff::civil::DateTime) -> String {
    let mut out = String::with_capacity(20);
    push_ymd(&mut out, d);
    out.push('T');
    push_clock(&mut out, d);
    out.push(':');
    push_two(&mut out, d.second());
    out.push('Z');
    out
}

/// `2024-02-27`.
fn ymd(d: &jiff::civil::DateTime) -> String {
    let mut out = String::with_capacity(10);
    push_ymd(&mut out, d);
    out
}

/// `February 27, 2024`.
fn human(d: &jiff::civil::DateTime) -> String {
    let mut out = String::with_capacity(18);
    out.push_str(MONTHS[usize::from(d.month().unsigned_abs()) - 1]);
    out.push(' ');
    if d.day() < 10 {
        out.push(char::from(b'0' + d.day().unsigned_abs()));
    } else {
        push_two(&mut out, d.day());
    }
    out.push_str(", ");
    push_year(&mut out, d.year());
    out
}

/// `2024-02-27`.
fn push_ymd(out: &mut String, d: &jiff::civil::DateTime) {
    push_year(out, d.year());
    out.push('-');
    push_two(out, d.month());
    out.push('-');
    push_two(out, d.day());
}

/// `08:00`.
fn push_clock(out: &mut String, d: &jiff::civil::DateTime) {
    push_two(out, d.hour());
    out.push(':');
    push_two(out, d.minute());
}

/// A year with four digits at least, as `strftime`'s `%Y` writes it.
fn push_year(out: &mut String, year: i16) {
    if (1000..=9999).contains(&year) {
        push_two(out, (year / 100) as i8);
        push_two(out, (year % 100) as i8);
    } else {
        out.push_str(&format!("{year:04}"));
    }
}

/// A field of a date from 0 to 99, as two digits.
fn push_two(out: &mut String, n: i8) {
    let n = n.unsigned_abs();
    out.push(char::from(b'0' + n / 10));
    out.push(char::from(b'0' + n % 10));
}

/// The months' names, for people.
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct DateView {
    /// RFC 3339, for `<time datetime>`.
    pub iso: String,
    /// `2024-02-27`.
    pub ymd: String,
    /// `February 27, 2024`.
    pub human: String,
    /// `07:10 UTC`, when a time of day was written.
    pub time: Option<String>,
}

/// A TOML datetime literal, or a string (YAML, or a quoted TOML date).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum RawDate {
    Toml(toml::value::Datetime),
    Text(String),
}

impl RawDate {
    pub(crate) fn text(&self) -> String {
        match self {
            RawDate::Toml(dt) => dt.to_string(),
            RawDate::Text(s) => s.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_every_accepted_form() {
        let d = Date::parse("2024-02-27").unwrap();
        assert_eq!(d.rfc3339(), "2024-02-27T00:00:00Z");
        assert!(!d.has_time);
        assert_eq!(d.human(), "February 27, 2024");
        let t = Date::parse("2024-02-27T10:00:00+02:00").unwrap();
        assert_eq!(t.rfc3339(), "2024-02-27T08:00:00Z");
        assert!(Date::parse("2024-02-27 10:00:00").unwrap().has_time);
        assert!(Date::parse("2024-02-30").is_none());
        assert!(Date::parse("yesterday").is_none());
    }

    #[test]
    fn forms_are_those_strftime_gives() {
        for year in [-9998, -5, 0, 5, 999, 2024, 9998] {
            for (month, day, hour) in [(1, 1, 0), (2, 28, 7), (9, 30, 13), (12, 31, 23)] {
                let civil = jiff::civil::date(year, month, day).at(hour, 4, 59, 0);
                let timestamp = civil.to_zoned(jiff::tz::TimeZone::UTC).unwrap().timestamp();
                let date = Date {
                    timestamp,
                    has_time: true,
                };
                let view = date.view();
                let like = |pattern| timestamp.strftime(pattern).to_string();
                assert_eq!(view.iso, like("%Y-%m-%dT%H:%M:%SZ"), "{civil}");
                assert_eq!(view.ymd, like("%Y-%m-%d"), "{civil}");
                assert_eq!(view.human, like("%B %-d, %Y"), "{civil}");
                assert_eq!(view.time.as_deref(), Some(&*like("%H:%M UTC")), "{civil}");
            }
        }
    }
}
