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
        self.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
    }

    /// `2024-02-27`.
    pub fn ymd(&self) -> String {
        self.timestamp.strftime("%Y-%m-%d").to_string()
    }

    /// `February 27, 2024`, for people.
    pub fn human(&self) -> String {
        self.timestamp.strftime("%B %-d, %Y").to_string()
    }

    /// The forms templates need.
    pub fn view(&self) -> DateView {
        DateView {
            iso: self.rfc3339(),
            ymd: self.ymd(),
            human: self.human(),
            time: self
                .has_time
                .then(|| self.timestamp.strftime("%H:%M UTC").to_string()),
        }
    }
}

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
pub enum RawDate {
    Toml(toml::value::Datetime),
    Text(String),
}

impl RawDate {
    pub fn text(&self) -> String {
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
}
