//! A mainland mobile or landline number.

/// A phone number: an 11-digit mobile number (1 followed by 3–9) or a landline with
/// its area code (0 followed by 9–11 digits, an optional hyphen after the area code).
#[derive(Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// Parses a number, ignoring spaces and a `+86` prefix.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let compact = compact.strip_prefix("+86").unwrap_or(&compact).to_owned();
        let digits: String = compact.chars().filter(|c| *c != '-').collect();
        let mobile = digits.len() == 11
            && digits.starts_with('1')
            && digits
                .chars()
                .nth(1)
                .is_some_and(|c| ('3'..='9').contains(&c));
        let landline = digits.starts_with('0') && (10..=12).contains(&digits.len());
        if !digits.chars().all(|c| c.is_ascii_digit()) || !(mobile || landline) {
            return Err("电话号码格式不正确（手机号 11 位，座机请带区号）");
        }
        Ok(Self(digits))
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Masked for display: `138****1234`.
    pub fn masked(&self) -> String {
        let n = self.0.len();
        format!("{}****{}", &self.0[..3], &self.0[n - 4..])
    }
}

impl std::fmt::Debug for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::Phone;

    #[test]
    fn mobiles_and_landlines_parse() {
        assert_eq!(
            Phone::parse("138 0000 1234").map(|p| p.masked()),
            Ok("138****1234".into())
        );
        assert!(Phone::parse("+8613800001234").is_ok());
        assert!(Phone::parse("0432-62345678").is_ok());
    }

    #[test]
    fn other_numbers_are_refused() {
        for bad in ["12345", "12800001234", "1380000123a", "4326234567"] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }
}
