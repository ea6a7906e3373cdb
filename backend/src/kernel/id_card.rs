//! 居民身份证号: 18 characters, the last a check character (GB 11643-1999).

use chrono::Datelike;

/// A resident identity card number whose check character and birth date are right.
#[derive(Clone, PartialEq, Eq)]
pub struct IdCardNo(String);

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

impl IdCardNo {
    /// Parses and checks a number; a lowercase `x` is accepted.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let number = text.trim().to_ascii_uppercase();
        if number.chars().count() != 18 {
            return Err("身份证号应为 18 位");
        }
        let chars: Vec<char> = number.chars().collect();
        if !chars[..17].iter().all(char::is_ascii_digit) {
            return Err("身份证号前 17 位应为数字");
        }
        let birth: String = chars[6..14].iter().collect();
        let Ok(born) = chrono::NaiveDate::parse_from_str(&birth, "%Y%m%d") else {
            return Err("身份证号中的出生日期无效");
        };
        if born.year() < 1900 || born > super::china_time::today() {
            return Err("身份证号中的出生日期不可能（早于 1900 年或晚于今天）");
        }
        let sum: u32 = chars[..17]
            .iter()
            .zip(WEIGHTS)
            .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
            .sum();
        if CHECK[(sum % 11) as usize] != chars[17] {
            return Err("身份证号校验位不正确，请核对");
        }
        Ok(Self(number))
    }

    /// The whole number, for encryption and the keyed look-up hash only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Masked for display: the first 4 and the last 4 characters (`2202**********1234`).
    pub fn masked(&self) -> String {
        format!("{}**********{}", &self.0[..4], &self.0[14..])
    }
}

impl std::fmt::Debug for IdCardNo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdCardNo({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::{CHECK, IdCardNo, WEIGHTS};

    /// The 17 digits with their right check character.
    fn with_check(digits: &str) -> String {
        let sum: u32 = digits
            .chars()
            .zip(WEIGHTS)
            .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
            .sum();
        format!("{digits}{}", CHECK[(sum % 11) as usize])
    }

    #[test]
    fn a_right_number_parses_and_masks() {
        let id = IdCardNo::parse("220204199003078814").expect("valid");
        assert_eq!(id.masked(), "2202**********8814");
        assert!(IdCardNo::parse("22020219800101123x").is_ok(), "lowercase x");
        assert!(!format!("{id:?}").contains("19900307"), "Debug masks it");
    }

    #[test]
    fn wrong_numbers_are_refused() {
        assert!(
            IdCardNo::parse("220204199003078815").is_err(),
            "check digit"
        );
        assert!(
            IdCardNo::parse("220204199002308814").is_err(),
            "30 February"
        );
        assert!(IdCardNo::parse("22020419900307881").is_err(), "17 digits");
        for impossible in [
            with_check("22020418991231001"),
            with_check("22020421000101001"),
        ] {
            assert_eq!(
                IdCardNo::parse(&impossible).err(),
                Some("身份证号中的出生日期不可能（早于 1900 年或晚于今天）"),
                "{impossible}"
            );
        }
        assert!(
            IdCardNo::parse(&with_check("22020419000101001")).is_ok(),
            "born 1900"
        );
        assert!(
            IdCardNo::parse("2202041990030788A4").is_err(),
            "letter inside"
        );
    }
}
