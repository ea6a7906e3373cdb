//! China's local time (UTC+8, no daylight saving): the dates printed on receipts and
//! certificates, the year receipts are numbered in, the year a page speaks of. Times are
//! stored in UTC; only what a person reads is local.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};

/// UTC+8.
pub fn offset() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// `at` as a time in China.
pub fn local(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&offset())
}

/// Today's date in China.
pub fn today() -> NaiveDate {
    local(Utc::now()).date_naive()
}

/// This year in China.
pub fn this_year() -> i32 {
    today().year()
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};

    use super::local;

    #[test]
    fn the_last_evening_of_the_year_in_utc_is_already_new_year_in_china() {
        let at = Utc
            .with_ymd_and_hms(2026, 12, 31, 16, 0, 0)
            .single()
            .expect("time");
        assert_eq!(
            local(at).date_naive(),
            NaiveDate::from_ymd_opt(2027, 1, 1).expect("date")
        );
        let before = Utc
            .with_ymd_and_hms(2026, 12, 31, 15, 59, 59)
            .single()
            .expect("time");
        assert_eq!(
            local(before).date_naive(),
            NaiveDate::from_ymd_opt(2026, 12, 31).expect("date")
        );
    }
}
