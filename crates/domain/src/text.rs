//! Text normalisation shared by importers, matching and checks.

/// Replace typographic characters with their plain forms and collapse whitespace:
/// curly quotes become straight, dashes become '-', non-breaking spaces become spaces.
pub fn plain(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = true;
    for ch in s.chars() {
        let ch = match ch {
            '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{2032}' | '`' => '\'',
            '\u{201C}' | '\u{201D}' | '\u{201F}' | '\u{2033}' => '"',
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            '\u{00A0}' | '\u{2007}' | '\u{202F}' | '\t' | '\r' | '\n' => ' ',
            c => c,
        };
        if ch.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(ch);
            last_space = false;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// A comparison key: plain, lower case, "&" read as "and", punctuation dropped,
/// single spaces. "Adults’ Services & Health" and "adults' services and health" fold alike.
pub fn fold(s: &str) -> String {
    let plain = plain(s).to_lowercase().replace('&', " and ");
    let mut out = String::with_capacity(plain.len());
    let mut last_space = true;
    for ch in plain.chars() {
        if ch.is_alphanumeric() {
            out.push(ch);
            last_space = false;
        } else if ch == '\'' {
            // "children's" folds to "childrens", not "children s".
        } else if !last_space {
            out.push(' ');
            last_space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_straightens_quotes_and_spaces() {
        assert_eq!(
            plain("  ‘your life’\u{00A0}– choice  "),
            "'your life' - choice"
        );
    }

    #[test]
    fn fold_treats_ampersand_as_and() {
        assert_eq!(
            fold("Adults’ Services & Health"),
            "adults services and health"
        );
        assert_eq!(
            fold("Adults' services and health."),
            "adults services and health"
        );
        assert_eq!(fold("Children's Services"), fold("Children’s services"));
    }
}
