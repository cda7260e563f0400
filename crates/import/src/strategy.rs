//! A supporting strategy: a title and paragraphs of prose.

use crate::columns::squash;
use crate::error::ImportError;
use crate::source::{Line, Source, blocks};
use waymark_domain::Strategy;

/// Title = the first non-empty line; paragraphs = blank-line-separated blocks, wrapped lines
/// joined with single spaces (double spaces collapsed).
pub(crate) fn parse(src: &Source) -> Result<Strategy, ImportError> {
    let lines: Vec<Line<'_>> = src.lines().collect();
    let mut bs = blocks(&lines).into_iter();
    let first = bs
        .next()
        .ok_or_else(|| src.error("the document has no text"))?;
    let title_line = first
        .first()
        .ok_or_else(|| src.error("the document has no text"))?;
    let title = squash(title_line.text);
    let mut paragraphs = vec![];
    let rest_of_first: Vec<&str> = first.iter().skip(1).map(|l| l.text).collect();
    if !rest_of_first.is_empty() {
        paragraphs.push(squash(&rest_of_first.join(" ")));
    }
    for b in bs {
        let text: Vec<&str> = b.iter().map(|l| l.text).collect();
        paragraphs.push(squash(&text.join(" ")));
    }
    if paragraphs.is_empty() {
        return Err(src.error_at(
            title_line.no,
            "the document has a title but no paragraphs; the file may be cut off",
        ));
    }
    Ok(Strategy { title, paragraphs })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn joins_wrapped_lines() {
        let s = parse(&Source::from_text(
            "s.txt",
            "\nOur vision\n\nWe will \nwork  hard.\n\nAnd  more.\n",
        ))
        .unwrap();
        assert_eq!(s.title, "Our vision");
        assert_eq!(s.paragraphs, vec!["We will work hard.", "And more."]);
    }
}
