//! Text people type that must print and read back as typed: names, titles, notes.

use std::ops::RangeInclusive;

/// Checks typed text (already trimmed) for its length in characters and for what cannot
/// stand as typed; the refusal is a Chinese sentence about `what` (the field's name, or
/// empty where the form shows it) that names the characters at fault.
pub fn typed(what: &str, text: &str, length: RangeInclusive<usize>) -> Result<(), String> {
    let n = text.chars().count();
    let (min, max) = (*length.start(), *length.end());
    if n < min {
        return Err(if min <= 1 {
            format!("{what}不能为空")
        } else {
            format!("{what}须为 {min}–{max} 个字符")
        });
    }
    if n > max {
        return Err(format!("{what}不能超过 {max} 个字符"));
    }
    unprintable(text).map_or(Ok(()), |why| Err(format!("{what}{why}")))
}

/// Why `text` cannot stand as typed on paper or a page, or `None` if it can: it holds a
/// control character, a bidirectional override or isolate (which can make `张三` print
/// as another order, a known trick), a character no document font has (an emoji, a
/// private-use character: the receipt would print an empty box), or it is made only of
/// invisible characters (a zero-width space, the Hangul filler …) so that it looks empty.
pub fn unprintable(text: &str) -> Option<String> {
    if let Some(c) = text.chars().find(|&c| c.is_control() || is_bidi_control(c)) {
        return Some(format!(
            "含有控制字符或文字方向控制符（{}），请删除后再提交",
            code_point(c)
        ));
    }
    if !text.is_empty() && text.chars().all(|c| c.is_whitespace() || is_invisible(c)) {
        return Some("只有空白或不可见字符".into());
    }
    let mut missing: Vec<char> = text
        .chars()
        .filter(|&c| !c.is_whitespace() && !is_invisible(c) && !super::fonts::printable(c))
        .collect();
    if missing.is_empty() {
        return None;
    }
    missing.dedup();
    let named: Vec<String> = missing
        .iter()
        .take(3)
        .map(|&c| format!("“{c}”（{}）", code_point(c)))
        .collect();
    Some(format!(
        "含有收据字体无法打印的字符 {}，请改用常用汉字、字母或数字",
        named.join("、")
    ))
}

/// Whether `c` may stand in typed text: `unprintable`'s rule, one character at a time
/// (the OpenAPI document's patterns are made from it).
pub fn may_appear(c: char) -> bool {
    !(c.is_control() || is_bidi_control(c))
        && (c.is_whitespace() || is_invisible(c) || super::fonts::printable(c))
}

/// Whether `c` draws something on paper: typed text needs at least one.
pub fn draws(c: char) -> bool {
    may_appear(c) && !c.is_whitespace() && !is_invisible(c)
}

fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
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
    use super::{typed, unprintable};

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
            assert_eq!(unprintable(good), None, "{good}");
        }
        for bad in [
            "张\u{202E}三",
            "\u{2067}李四",
            "\u{200B}\u{200B}",
            "\u{3164}",
            " \u{FEFF} ",
            "王\u{0007}五",
        ] {
            assert!(unprintable(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn a_refusal_names_the_field_and_the_characters() {
        assert_eq!(typed("姓名", "张三", 1..=50), Ok(()));
        assert_eq!(typed("姓名", "", 1..=50), Err("姓名不能为空".into()));
        assert_eq!(
            typed("户名", "张", 2..=100),
            Err("户名须为 2–100 个字符".into())
        );
        assert_eq!(
            typed("姓名", &"张".repeat(51), 1..=50),
            Err("姓名不能超过 50 个字符".into())
        );
        let emoji = typed("姓名", "张三😀", 1..=50).expect_err("emoji");
        assert!(
            emoji.starts_with("姓名") && emoji.contains("“😀”（U+1F600）"),
            "{emoji}"
        );
        let private = unprintable("王\u{E000}五").expect("private use");
        assert!(private.contains("U+E000"), "{private}");
        let bidi = unprintable("张\u{202E}三").expect("override");
        assert!(bidi.contains("U+202E"), "{bidi}");
    }
}
