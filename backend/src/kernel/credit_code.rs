//! 统一社会信用代码: the 18-character code of an organisation, the last a check
//! character (GB 32100-2015).

/// An organisation's unified social credit code whose check character is right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditCode(String);

const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [usize; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

impl CreditCode {
    /// Parses and checks a code (letters may be lowercase).
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let code = text.trim().to_ascii_uppercase();
        if code.chars().count() != 18 {
            return Err("统一社会信用代码应为 18 位");
        }
        let values: Option<Vec<usize>> = code.chars().map(|c| CHARSET.find(c)).collect();
        let Some(values) = values else {
            return Err("统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V）");
        };
        let sum: usize = values[..17].iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
        let check = (31 - sum % 31) % 31;
        if values[17] != check {
            return Err("统一社会信用代码校验位不正确，请核对");
        }
        Ok(Self(code))
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::CreditCode;

    #[test]
    fn right_codes_parse() {
        assert!(CreditCode::parse("91350100M000100Y43").is_ok());
        assert!(CreditCode::parse("91110000600037341l").is_ok(), "lowercase");
        assert!(CreditCode::parse("12220200MB1234567M").is_ok());
    }

    #[test]
    fn wrong_codes_are_refused() {
        assert!(CreditCode::parse("91350100M000100Y44").is_err(), "check");
        assert!(CreditCode::parse("91350100M000100Y4").is_err(), "length");
        assert!(CreditCode::parse("91350100I000100Y43").is_err(), "letter I");
    }
}
