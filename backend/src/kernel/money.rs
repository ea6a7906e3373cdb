//! Money: integer fen (分), never a float.

use serde::{Deserialize, Serialize};

/// An amount of money in fen (1 元 = 100 分). Negative only in reversing entries.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(pub i64);

impl Fen {
    /// Zero.
    pub const ZERO: Fen = Fen(0);

    /// Parses yuan as people write it: `1234`, `1,234.5`, `¥1234.56`, `1234.56元`.
    /// At most two decimals; never negative; never more than `max`.
    pub fn parse_yuan(text: &str) -> Result<Fen, &'static str> {
        // Full-width digits and point (２００．５０), as Chinese input methods type them,
        // read as their ASCII twins.
        let narrow: String = text
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
                '．' => '.',
                other => other,
            })
            .collect();
        let cleaned: String = narrow
            .trim()
            .trim_start_matches(['¥', '￥'])
            .trim_end_matches('元')
            .chars()
            .filter(|c| *c != ',' && *c != '，' && !c.is_whitespace())
            .collect();
        if cleaned.is_empty() {
            return Err("金额不能为空");
        }
        if cleaned.starts_with('-') {
            return Err("金额不能为负数");
        }
        let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
        if whole.is_empty() && fraction.is_empty() {
            return Err("金额格式不正确");
        }
        if !whole.chars().all(|c| c.is_ascii_digit())
            || !fraction.chars().all(|c| c.is_ascii_digit())
        {
            return Err("金额只能包含数字和小数点");
        }
        if fraction.len() > 2 {
            return Err("金额最多保留两位小数（精确到分）");
        }
        if whole.len() > 13 {
            return Err("金额过大");
        }
        let yuan: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| "金额格式不正确")?
        };
        let fen: i64 = match fraction.len() {
            0 => 0,
            1 => fraction.parse::<i64>().map_err(|_| "金额格式不正确")? * 10,
            _ => fraction.parse().map_err(|_| "金额格式不正确")?,
        };
        Ok(Fen(yuan * 100 + fen))
    }

    /// `¥1,234.56`.
    pub fn display(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}¥{}.{:02}", group_thousands(abs / 100), abs % 100)
    }

    /// In Chinese financial capitals (大写) as receipts write it: `壹仟贰佰叁拾肆元伍角陆分`,
    /// `…元整` for whole yuan, `…角整` when there are no fen (the People's Bank rule).
    /// Negative amounts are written with a leading `负`.
    pub fn capitals(self) -> String {
        let sign = if self.0 < 0 { "负" } else { "" };
        let abs = self.0.unsigned_abs();
        let (yuan, jiao, fen) = (abs / 100, (abs / 10) % 10, abs % 10);
        let mut out = String::from(sign);
        if yuan > 0 {
            out.push_str(&integer_capitals(yuan));
            out.push('元');
        }
        match (jiao, fen) {
            (0, 0) if yuan == 0 => out.push_str("零元整"),
            (0, 0) => out.push('整'),
            (j, 0) => {
                out.push(DIGITS[j as usize]);
                out.push_str("角整");
            }
            (0, f) => {
                if yuan > 0 {
                    out.push('零');
                }
                out.push(DIGITS[f as usize]);
                out.push('分');
            }
            (j, f) => {
                out.push(DIGITS[j as usize]);
                out.push('角');
                out.push(DIGITS[f as usize]);
                out.push('分');
            }
        }
        out
    }

    /// In 万元 with two decimals, for reports: `8000.00万元`.
    pub fn display_wan(self) -> String {
        let wan = self.0 as f64 / 1_000_000.0;
        format!("{wan:.2}万元")
    }
}

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];

/// A whole number of yuan in capitals, by groups of four digits (万, 亿, 万亿); a
/// skipped place writes one 零.
fn integer_capitals(n: u64) -> String {
    const GROUP_UNITS: [&str; 5] = ["", "万", "亿", "万亿", "亿亿"];
    let mut groups = Vec::new();
    let mut rest = n;
    while rest > 0 {
        groups.push(rest % 10_000);
        rest /= 10_000;
    }
    let mut out = String::new();
    let mut pending_zero = false;
    for (index, group) in groups.iter().enumerate().rev() {
        if *group == 0 {
            pending_zero = !out.is_empty();
            continue;
        }
        if !out.is_empty() && (pending_zero || *group < 1000) {
            out.push('零');
        }
        out.push_str(&group_capitals(*group));
        out.push_str(GROUP_UNITS[index]);
        pending_zero = false;
    }
    out
}

/// One to four digits in capitals, with one 零 for any run of inner zeros.
fn group_capitals(group: u64) -> String {
    const PLACES: [&str; 4] = ["仟", "佰", "拾", ""];
    let digits = [
        group / 1000,
        (group / 100) % 10,
        (group / 10) % 10,
        group % 10,
    ];
    let first = digits.iter().position(|d| *d != 0).unwrap_or(3);
    let last = digits.iter().rposition(|d| *d != 0).unwrap_or(3);
    let mut out = String::new();
    let mut zero = false;
    for place in first..=last {
        let digit = digits[place];
        if digit == 0 {
            zero = true;
            continue;
        }
        if zero {
            out.push('零');
            zero = false;
        }
        out.push(DIGITS[digit as usize]);
        out.push_str(PLACES[place]);
    }
    out
}

fn group_thousands(mut n: u64) -> String {
    let mut groups = Vec::new();
    loop {
        if n < 1000 {
            groups.push(n.to_string());
            break;
        }
        groups.push(format!("{:03}", n % 1000));
        n /= 1000;
    }
    groups.reverse();
    groups.join(",")
}

impl std::fmt::Display for Fen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display())
    }
}

#[cfg(test)]
mod tests {
    use super::Fen;

    #[test]
    fn yuan_as_people_write_it_parse_to_fen() {
        assert_eq!(Fen::parse_yuan("1234"), Ok(Fen(123_400)));
        assert_eq!(Fen::parse_yuan("1,234.5"), Ok(Fen(123_450)));
        assert_eq!(Fen::parse_yuan("¥1234.56"), Ok(Fen(123_456)));
        assert_eq!(Fen::parse_yuan(" 200元 "), Ok(Fen(20_000)));
        assert_eq!(Fen::parse_yuan("0.01"), Ok(Fen(1)));
        assert_eq!(Fen::parse_yuan(".5"), Ok(Fen(50)));
    }

    #[test]
    fn full_width_digits_and_point_read_like_ascii_ones() {
        assert_eq!(Fen::parse_yuan("２００"), Ok(Fen(20_000)));
        assert_eq!(Fen::parse_yuan("１，２３４．５６元"), Ok(Fen(123_456)));
        assert_eq!(Fen::parse_yuan("￥９．９"), Ok(Fen(990)));
        assert!(Fen::parse_yuan("２００．１２３").is_err());
    }

    #[test]
    fn bad_amounts_are_refused_with_a_reason() {
        for bad in ["", "-5", "1.234", "abc", "1e5", "12.3.4", "."] {
            assert!(Fen::parse_yuan(bad).is_err(), "{bad}");
        }
        assert!(Fen::parse_yuan("99999999999999").is_err());
    }

    #[test]
    fn capitals_follow_the_receipt_rules() {
        let cases = [
            (0, "零元整"),
            (1, "壹分"),
            (10, "壹角整"),
            (15, "壹角伍分"),
            (100, "壹元整"),
            (105, "壹元零伍分"),
            (1_000, "壹拾元整"),
            (123_456, "壹仟贰佰叁拾肆元伍角陆分"),
            (120_000, "壹仟贰佰元整"),
            (100_500, "壹仟零伍元整"),
            (1_000_500, "壹万零伍元整"),
            (10_050_000, "壹拾万零伍佰元整"),
            (100_000_000, "壹佰万元整"),
            (10_000_000_000, "壹亿元整"),
            (10_000_001_050, "壹亿零壹拾元伍角整"),
            (10_000_100_000, "壹亿零壹仟元整"),
            (8_000_000_000, "捌仟万元整"),
            (-100, "负壹元整"),
        ];
        for (fen, words) in cases {
            assert_eq!(Fen(fen).capitals(), words, "{fen} fen");
        }
    }

    #[test]
    fn amounts_show_with_the_yuan_sign_and_thousands() {
        assert_eq!(Fen(123_456).display(), "¥1,234.56");
        assert_eq!(Fen(5).display(), "¥0.05");
        assert_eq!(Fen(100_000_001_050).display(), "¥1,000,000,010.50");
        assert_eq!(Fen(-100).display(), "-¥1.00");
        assert_eq!(Fen(8_000_000_000).display_wan(), "8000.00万元");
    }
}
