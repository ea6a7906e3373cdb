//! A mainland mobile or landline number.

/// A phone number: an 11-digit mobile number (1 followed by 3–9) or a landline with its
/// area code: 010 or 02x with an 8-digit local number, or a 4-digit code 03xx–09xx with
/// a 7- or 8-digit one (吉林市 0432-6xxxxxxx); a local number never starts with 0 or 1,
/// and a hyphen may only follow the area code.
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
        let hyphen_at = compact.find('-');
        let landline = landline_area(&digits).is_some_and(|area| {
            let local = &digits[area..];
            let lengths: &[usize] = if area == 3 { &[8] } else { &[7, 8] };
            lengths.contains(&local.len())
                && !local.starts_with(['0', '1'])
                && hyphen_at.is_none_or(|at| at == area && compact.matches('-').count() == 1)
        });
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

/// The length of a landline's area code: 3 for 010 and 020–029, 4 for 0300–0999.
fn landline_area(digits: &str) -> Option<usize> {
    let bytes = digits.as_bytes();
    if bytes.len() < 4 || bytes[0] != b'0' {
        return None;
    }
    match bytes[1] {
        b'1' if bytes[2] == b'0' => Some(3),
        b'2' => Some(3),
        b'3'..=b'9' => Some(4),
        _ => None,
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
        assert!(
            Phone::parse("138-0000-1234").is_ok(),
            "people group a mobile's digits"
        );
        assert!(Phone::parse("0432-62345678").is_ok());
        assert!(Phone::parse("0432-6234567").is_ok(), "7-digit local number");
        assert!(Phone::parse("010-65432109").is_ok());
        assert!(Phone::parse("02087654321").is_ok());
    }

    #[test]
    fn other_numbers_are_refused() {
        for bad in [
            "12345",
            "12800001234",
            "1380000123a",
            "4326234567",
            "0432-0234567",  // a local number starting with 0
            "0432-1234567",  // … or 1
            "010-6543210",   // Beijing's numbers have 8 digits
            "0110-6543210",  // no 011x area code
            "04-3262345678", // the hyphen is not after the area code
            "0432-6234-567",
            "0432623456789", // too long
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }
}
