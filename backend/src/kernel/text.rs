//! Text people type that must print and read back as typed: names, titles, notes.

/// Whether `text` cannot stand as typed on paper or a page: it holds a control
/// character, a bidirectional override or isolate (which can make `张三` print as
/// another order, a known trick), or it is made only of invisible characters (a
/// zero-width space, the Hangul filler …) so that it looks empty.
pub fn unprintable(text: &str) -> bool {
    text.chars().any(|c| c.is_control() || is_bidi_control(c))
        || (!text.is_empty() && text.chars().all(|c| c.is_whitespace() || is_invisible(c)))
}

/// Bidirectional embeddings, overrides, isolates and marks.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Characters that draw nothing.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200D}'
            | '\u{2060}'..='\u{2064}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
    )
}

#[cfg(test)]
mod tests {
    use super::unprintable;

    #[test]
    fn names_that_print_pass_and_tricks_do_not() {
        for good in [
            "张小明",
            "欧阳娜娜",
            "阿依古丽·买买提",
            "𠮷野家",
            "Zhang San",
            "吉林市某某有限公司",
        ] {
            assert!(!unprintable(good), "{good}");
        }
        for bad in [
            "张\u{202E}三",
            "\u{2067}李四",
            "\u{200B}\u{200B}",
            "\u{3164}",
            " \u{FEFF} ",
            "王\u{0007}五",
        ] {
            assert!(unprintable(bad), "{bad:?}");
        }
    }
}
