//! The short verification code printed under a receipt's QR code, for whoever cannot scan
//! it: 9 random characters of Crockford's base32 (45 bits) and a Luhn mod 32 check
//! character, printed as `ABCDE-FGHJK`. Typed in any case, with or without the hyphen or
//! spaces; `O` reads as `0` and `I`/`L` as `1`. The check character catches any one
//! mistyped character and most swapped neighbours before the database is asked.

use rand::Rng;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new code, as stored (10 characters, no hyphen).
pub fn new_code() -> String {
    let mut rng = rand::rng();
    let body: Vec<u8> = (0..9).map(|_| rng.random_range(0..32u8)).collect();
    let mut code: String = body
        .iter()
        .map(|v| char::from(ALPHABET[usize::from(*v)]))
        .collect();
    code.push(char::from(ALPHABET[usize::from(check(&body))]));
    code
}

/// The code as printed: `ABCDE-FGHJK`.
pub fn display(code: &str) -> String {
    if code.len() == 10 && code.is_ascii() {
        format!("{}-{}", &code[..5], &code[5..])
    } else {
        code.to_owned()
    }
}

/// The stored form of a typed code, if it is one (right length, letters and check).
pub fn parse(typed: &str) -> Option<String> {
    let mut values = Vec::with_capacity(10);
    for c in typed.chars() {
        if c == '-' || c.is_whitespace() {
            continue;
        }
        let c = match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        let v = ALPHABET.iter().position(|a| char::from(*a) == c)?;
        values.push(u8::try_from(v).ok()?);
        if values.len() > 10 {
            return None;
        }
    }
    if values.len() != 10 || check(&values[..9]) != values[9] {
        return None;
    }
    Some(
        values
            .iter()
            .map(|v| char::from(ALPHABET[usize::from(*v)]))
            .collect(),
    )
}

/// Luhn mod 32 over `body` (values 0–31): the value that makes the whole sum 0.
fn check(body: &[u8]) -> u8 {
    let mut sum = 0u32;
    let mut factor = 2;
    for v in body.iter().rev() {
        let addend = u32::from(*v) * factor;
        sum += addend / 32 + addend % 32;
        factor = if factor == 2 { 1 } else { 2 };
    }
    u8::try_from((32 - sum % 32) % 32).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_code_reads_back_however_it_is_typed() {
        for _ in 0..200 {
            let code = new_code();
            assert_eq!(code.len(), 10);
            assert_eq!(parse(&code).as_deref(), Some(code.as_str()));
            let typed = display(&code).to_lowercase();
            assert_eq!(parse(&typed).as_deref(), Some(code.as_str()));
            assert_eq!(
                parse(&format!(" {} ", typed.replace('-', " "))).as_deref(),
                Some(code.as_str())
            );
        }
    }

    #[test]
    fn one_wrong_character_or_a_wrong_length_is_refused() {
        for _ in 0..200 {
            let code = new_code();
            for i in 0..10 {
                for other in ALPHABET.iter().map(|b| char::from(*b)) {
                    let mut typed: Vec<char> = code.chars().collect();
                    if typed[i] == other {
                        continue;
                    }
                    typed[i] = other;
                    let typed: String = typed.into_iter().collect();
                    assert_eq!(parse(&typed), None, "{code} → {typed}");
                }
            }
            assert_eq!(parse(&code[..9]), None);
            assert_eq!(parse(&format!("{code}0")), None);
        }
        assert_eq!(parse("UUUUU-UUUUU"), None, "U is not in the alphabet");
        assert_eq!(parse("绿色-码"), None);
    }
}
