//! Cells of the spreadsheets and CSV files we write. Text people typed (a name, a note)
//! that begins like a formula would run as one when the file is opened in Excel or WPS
//! (`=cmd|' /C calc'!A0`): every writer puts text through [`formula_safe`].

use std::borrow::Cow;

/// The text as a cell that shows it and never runs it: one beginning with `=`, `+`, `-`,
/// `@`, a tab or a carriage return gets a leading apostrophe (OWASP's CSV-injection
/// rule), which spreadsheets show as text.
pub fn formula_safe(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::formula_safe;

    #[test]
    fn a_formula_is_written_as_text() {
        assert_eq!(formula_safe("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        for risky in ["+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"] {
            assert!(formula_safe(risky).starts_with('\''), "{risky:?}");
        }
        assert_eq!(formula_safe("张小明"), "张小明");
        assert_eq!(formula_safe("财务科-二组"), "财务科-二组");
    }
}
