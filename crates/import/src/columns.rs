//! Splitting table rows into columns, however the columns were separated: tabs, runs of two
//! or more spaces, or nothing at all (cells glued together, as text copied from a web page
//! table comes out: `…the support they needAdults’ Services & HealthJune 2023`).

/// How a table's columns are separated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// Cells run together with no separator.
    Glued,
    /// Cells separated by tab characters.
    Tabs,
    /// Cells separated by runs of two or more spaces.
    Spaced,
}

/// The layout a (header) line suggests.
pub(crate) fn layout_of(line: &str) -> Layout {
    let line = line.trim();
    if line.contains('\t') {
        Layout::Tabs
    } else if has_wide_gap(line) {
        Layout::Spaced
    } else {
        Layout::Glued
    }
}

/// True when the text has a run of two or more spaces between words.
pub(crate) fn has_wide_gap(text: &str) -> bool {
    let mut run = 0;
    for c in text.trim().chars() {
        if c == ' ' || c == '\u{00A0}' {
            run += 1;
            if run >= 2 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// Split a row into trimmed cells. Tabs keep empty cells (a blank RAG column stays blank);
/// space runs do not. Glued rows come back as one cell.
pub(crate) fn cells(line: &str, layout: Layout) -> Vec<&str> {
    let line = line.trim_matches(|c: char| c == '\n' || c == '\r');
    match layout {
        Layout::Tabs => {
            let mut v: Vec<&str> = line.split('\t').map(str::trim).collect();
            while v.len() > 1 && v.last().is_some_and(|c| c.is_empty()) {
                v.pop();
            }
            while v.len() > 1 && v.first().is_some_and(|c| c.is_empty()) {
                v.remove(0);
            }
            v
        }
        Layout::Spaced => split_wide(line.trim()),
        Layout::Glued => vec![line.trim()],
    }
}

fn split_wide(line: &str) -> Vec<&str> {
    let mut out = vec![];
    let mut start = 0;
    let mut gap_start: Option<usize> = None;
    let mut gap_len = 0;
    for (i, c) in line.char_indices() {
        if c == ' ' || c == '\u{00A0}' {
            if gap_start.is_none() {
                gap_start = Some(i);
            }
            gap_len += 1;
        } else {
            if let Some(g) = gap_start
                && gap_len >= 2
            {
                if let Some(cell) = line.get(start..g) {
                    out.push(cell.trim());
                }
                start = i;
            }
            gap_start = None;
            gap_len = 0;
        }
    }
    if let Some(cell) = line.get(start..)
        && !cell.trim().is_empty()
    {
        out.push(cell.trim());
    }
    out.retain(|c| !c.is_empty());
    out
}

/// Byte positions where one glued cell may end and the next begin: an upper-case letter
/// immediately after a non-space character (`needAdults’`, `pilots.Adults’`, `etc.)Deputy`).
pub(crate) fn glue_points(s: &str) -> Vec<usize> {
    let mut out = vec![];
    let mut prev: Option<char> = None;
    for (i, c) in s.char_indices() {
        if let Some(p) = prev
            && c.is_uppercase()
            && !p.is_whitespace()
        {
            out.push(i);
        }
        prev = Some(c);
    }
    out
}

/// A glue point is weak when it falls inside an acronym or just after an opening bracket or
/// quote (`I|CT`, `(|SEND)`): a cell rarely starts there.
pub(crate) fn is_weak_glue(s: &str, i: usize) -> bool {
    let before = s.get(..i).and_then(|b| b.chars().next_back());
    let mut after = s.get(i..).map(|a| a.chars()).into_iter().flatten();
    let _here = after.next();
    let next = after.next();
    match before {
        Some('(' | '[' | '‘' | '“' | '\'' | '"' | '/' | '-' | '&') => true,
        Some(b) if b.is_uppercase() => !next.is_some_and(char::is_lowercase),
        _ => false,
    }
}

/// `text` starts with `word`, ignoring ASCII case. `word` must be ASCII.
pub(crate) fn starts_with_ci(text: &str, word: &str) -> bool {
    text.len() >= word.len()
        && text
            .as_bytes()
            .iter()
            .zip(word.as_bytes())
            .all(|(a, b)| a.eq_ignore_ascii_case(b))
}

/// `text` ends with `word`, ignoring ASCII case. `word` must be ASCII.
pub(crate) fn ends_with_ci(text: &str, word: &str) -> bool {
    text.len() >= word.len()
        && text.is_char_boundary(text.len() - word.len())
        && text.as_bytes()[text.len() - word.len()..].eq_ignore_ascii_case(word.as_bytes())
}

/// The alias (ASCII, any case) that `text` starts with, longest first.
pub(crate) fn match_alias<'w>(text: &str, aliases: &[&'w str]) -> Option<&'w str> {
    let mut best: Option<&'w str> = None;
    for a in aliases {
        if starts_with_ci(text, a) && best.is_none_or(|b| a.len() > b.len()) {
            best = Some(a);
        }
    }
    best
}

/// One column a header may name, by any of several aliases.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ColumnSpec {
    pub key: &'static str,
    pub aliases: &'static [&'static str],
    pub optional: bool,
}

/// A recognised table header.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    pub layout: Layout,
    /// The keys of the columns found, in order.
    pub columns: Vec<&'static str>,
    /// Text after the last column name ("Year End 24/25" in `…RAG Year End 24/25`), and for
    /// cell layouts the text after the name in each cell.
    pub extra: String,
    pub cell_extras: Vec<String>,
}

impl Header {
    pub fn index_of(&self, key: &str) -> Option<usize> {
        self.columns.iter().position(|k| *k == key)
    }
}

/// Recognise a header line naming the given columns in order (optional ones may be missing).
/// Glued headers (`ActivityCabinet MemberEnd date`) are read name by name; tab- and
/// space-separated ones cell by cell, each cell starting with a column name.
pub(crate) fn match_header(line: &str, specs: &[ColumnSpec]) -> Option<Header> {
    let line = line.trim();
    if line.is_empty() || line.len() > 200 {
        return None;
    }
    let layout = layout_of(line);
    match layout {
        Layout::Glued => {
            let mut pos = 0usize;
            let mut columns = vec![];
            for spec in specs {
                let rest = line.get(pos..)?;
                let skipped = rest.len() - rest.trim_start().len();
                let rest = rest.trim_start();
                match match_alias(rest, spec.aliases) {
                    Some(a) => {
                        pos += skipped + a.len();
                        columns.push(spec.key);
                    }
                    None if spec.optional => {}
                    None => return None,
                }
            }
            let extra = line.get(pos..)?.trim().to_string();
            // A header is short: anything long after the names is a sentence, not a header.
            if extra.split_whitespace().count() > 6 {
                return None;
            }
            Some(Header {
                layout,
                columns,
                extra,
                cell_extras: vec![],
            })
        }
        Layout::Tabs | Layout::Spaced => {
            let cs = cells(line, layout);
            let mut columns = vec![];
            let mut cell_extras = vec![];
            let mut spec_i = 0;
            for cell in &cs {
                let mut matched = None;
                while let Some(spec) = specs.get(spec_i) {
                    spec_i += 1;
                    if let Some(a) = match_alias(cell, spec.aliases) {
                        matched = Some((spec.key, a));
                        break;
                    }
                    if !spec.optional {
                        return None;
                    }
                }
                let (key, alias) = matched?;
                columns.push(key);
                cell_extras.push(cell.get(alias.len()..).unwrap_or("").trim().to_string());
            }
            if specs
                .get(spec_i..)
                .unwrap_or(&[])
                .iter()
                .any(|s| !s.optional)
            {
                return None;
            }
            let extra = cell_extras.last().cloned().unwrap_or_default();
            Some(Header {
                layout,
                columns,
                extra,
                cell_extras,
            })
        }
    }
}

/// Collapse every run of whitespace to one space and trim.
pub(crate) fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Words of a line, as written.
pub(crate) fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

/// Ends like a sentence: full stop, question or exclamation mark, optionally inside a quote
/// or bracket.
pub(crate) fn ends_sentence(s: &str) -> bool {
    let t = s
        .trim_end()
        .trim_end_matches(['”', '"', '’', '\'', ')', ']']);
    t.ends_with(['.', '!', '?'])
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const PLAN: &[ColumnSpec] = &[
        ColumnSpec {
            key: "title",
            aliases: &["Activity", "Action"],
            optional: false,
        },
        ColumnSpec {
            key: "portfolio",
            aliases: &["Cabinet Member", "Portfolio"],
            optional: false,
        },
        ColumnSpec {
            key: "due",
            aliases: &["End date", "Due date"],
            optional: false,
        },
    ];

    #[test]
    fn headers_in_every_layout() {
        for line in [
            "ActivityCabinet MemberEnd date",
            "Activity\tCabinet Member\tEnd date",
            "Activity    Cabinet Member   End date",
            "ACTIVITY CABINET MEMBER END DATE",
        ] {
            let h = match_header(line, PLAN).unwrap_or_else(|| panic!("{line}"));
            assert_eq!(h.columns, vec!["title", "portfolio", "due"]);
        }
        assert!(match_header("Activity is what we do", PLAN).is_none());
    }

    #[test]
    fn glue_points_and_weakness() {
        let s = "support they needAdults’ Services & Health";
        let g = glue_points(s);
        assert_eq!(g.len(), 1);
        assert_eq!(s.get(g[0]..), Some("Adults’ Services & Health"));
        let s = "Refresh our ICTPlaces";
        let g = glue_points(s);
        let tails: Vec<_> = g.iter().map(|&i| (&s[i..], is_weak_glue(s, i))).collect();
        assert_eq!(
            tails,
            vec![("CTPlaces", true), ("TPlaces", true), ("Places", false)]
        );
    }

    #[test]
    fn cells_split_on_tabs_and_wide_gaps() {
        assert_eq!(cells("a\tb\t\tc\t", Layout::Tabs), vec!["a", "b", "", "c"]);
        assert_eq!(
            cells("Do it now  Growth   2023", Layout::Spaced),
            vec!["Do it now", "Growth", "2023"]
        );
    }
}
