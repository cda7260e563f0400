//! Escaping for the Markdown report: council text is shown as text, never as Markdown or HTML.

/// Text with every character that Markdown or HTML could read as markup backslash-escaped or
/// written as an entity; line breaks kept.
pub fn escape(text: &str) -> String {
    escape_from(text, true)
}

fn escape_from(text: &str, mut line_start: bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '>' => {
                out.push('\\');
                out.push(c);
            }
            // Only at the start of a line do these begin a heading, list or rule.
            '#' | '-' | '+' | '=' if line_start => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '&' => out.push_str("&amp;"),
            c if line_start && c.is_ascii_digit() => {
                // "1. " or "1) " at a line's start would begin a numbered list.
                out.push(c);
                while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                    out.push(d);
                    chars.next();
                }
                if let Some(mark @ ('.' | ')')) = chars.peek().copied() {
                    out.push('\\');
                    out.push(mark);
                    chars.next();
                }
            }
            c => out.push(c),
        }
        line_start = c == '\n' || (line_start && c == ' ');
    }
    out
}

/// Text for a table cell: escaped, on one line.
pub fn cell(text: &str) -> String {
    let one_line: String = text
        .split(['\n', '\r'])
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    // A cell is never the start of a line: "83.6%" is not a list item there.
    escape_from(&one_line, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            escape("*a* <b> [c](d) 1. #"),
            r"\*a\* &lt;b\> \[c\](d) 1. #"
        );
        assert_eq!(escape("# x\n- y\n12. z"), "\\# x\n\\- y\n12\\. z");
        assert_eq!(cell("a|b\nc"), r"a\|b c");
    }
}
