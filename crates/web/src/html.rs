//! HTML plumbing shared by the public site and the staff site: escaping, the template
//! environment both build their pages on, and how a status is shown (its order, words and
//! colour). One copy, so the two sites cannot drift apart.

use minijinja::Environment;
use serde::Serialize;
use waymark_domain::Status;

/// The order statuses appear in tables and charts.
pub const STATUS_ORDER: [Status; 7] = [
    Status::Complete,
    Status::Green,
    Status::Amber,
    Status::Red,
    Status::Ceased,
    Status::NotStarted,
    Status::NoReturn,
];

/// A template environment for HTML pages: every value escaped unless marked safe, undefined
/// names an error (a typo in a template fails its test instead of showing nothing). The staff
/// site builds its pages on the same environment.
pub fn html_environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    // Escape the five characters that matter in HTML text and quoted attributes, and leave
    // "/" alone so "2024/25" reads as written in the page source.
    env.set_formatter(|out, _state, value| {
        if value.is_safe() {
            return out
                .write_str(&value.to_string())
                .map_err(minijinja::Error::from);
        }
        if value.is_none() || value.is_undefined() {
            return Ok(());
        }
        out.write_str(&escape_html(&value.to_string()))
            .map_err(minijinja::Error::from)
    });
    env
}

/// Text as HTML: `& < > " '` escaped; everything else as it is.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An attribute value written by [`escape_html`] back as text (the static export reads the
/// links in its own pages).
pub(crate) fn unescape_html(value: &str) -> String {
    if !value.contains('&') {
        return value.to_string();
    }
    value
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A status as the templates show it: its key, its name, a short label and the colour of
/// its tag.
#[derive(Debug, Clone, Serialize)]
pub struct StatusView {
    pub key: &'static str,
    pub name: &'static str,
    pub short: &'static str,
    pub colour: &'static str,
}

impl StatusView {
    pub fn of(status: Status) -> StatusView {
        let (short, colour) = match status {
            Status::Complete => ("Complete", "blue"),
            Status::Green => ("Green", "green"),
            Status::Amber => ("Amber", "yellow"),
            Status::Red => ("Red", "red"),
            Status::Ceased => ("Ceased", "grey"),
            Status::NotStarted => ("Not started", "purple"),
            Status::NoReturn => ("No return", "orange"),
        };
        StatusView {
            key: status.key(),
            name: status.name(),
            short,
            colour,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// What the export reads back from a page is the text the page was given.
        #[test]
        fn unescaping_undoes_escaping(text in "[a-z&<>\"'#;/ ]{0,24}") {
            proptest::prop_assert_eq!(unescape_html(&escape_html(&text)), text);
        }
    }
}
