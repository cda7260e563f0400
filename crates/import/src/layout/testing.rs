//! Helpers for the layout modules' tests: text as plain lines, and a table's cell texts.

use waymark_read::{Block, Line, LineKind, Table};

/// Each line of `text` (split on '\n', blank lines kept) as a plain line numbered from 1.
pub(crate) fn plain_lines(text: &str) -> Vec<Block> {
    text.split('\n')
        .enumerate()
        .map(|(n, t)| {
            Block::Line(Line {
                at: n + 1,
                kind: LineKind::Plain,
                text: t.to_string(),
            })
        })
        .collect()
}

/// The first table among the blocks.
pub(crate) fn first_table(blocks: &[Block]) -> Option<&Table> {
    blocks.iter().find_map(|b| match b {
        Block::Table(t) => Some(t),
        Block::Line(_) => None,
    })
}

/// Every row's cell texts.
pub(crate) fn texts(table: &Table) -> Vec<Vec<&str>> {
    table
        .rows
        .iter()
        .map(|r| r.cells.iter().map(|c| c.text.as_str()).collect())
        .collect()
}
