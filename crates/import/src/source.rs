//! Turning uploaded bytes into numbered lines of text, refusing what is not a text document.

use crate::error::ImportError;

/// The largest file accepted, in bytes.
pub const MAX_BYTES: usize = 16 * 1024 * 1024;

/// A decoded document: its name (for errors) and its lines, `lines[0]` being line 1.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    pub file: String,
    pub lines: Vec<String>,
}

/// One line with its 1-based number and its text with surrounding whitespace (including
/// non-breaking spaces) removed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line<'a> {
    pub no: usize,
    pub text: &'a str,
}

impl Source {
    /// Decode bytes: size limit, UTF-16 and binary detection, UTF-8 validation with the line of
    /// the first bad byte, BOM stripping, CRLF and CR line endings, empty-file check.
    pub fn decode(file: &str, bytes: &[u8]) -> Result<Source, ImportError> {
        if bytes.len() > MAX_BYTES {
            return Err(ImportError::new(
                file,
                format!(
                    "the file is {} bytes, more than the limit of {} bytes (16 MiB); \
                     split it into smaller documents",
                    bytes.len(),
                    MAX_BYTES
                ),
            ));
        }
        if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
            return Err(ImportError::new(
                file,
                "the file is UTF-16 text; save it as UTF-8 text and import it again",
            )
            .at_line(1));
        }
        if let Some(pos) = bytes.iter().position(|&b| b == 0) {
            return Err(ImportError::new(
                file,
                "the file contains NUL bytes, so it is binary (a PDF, Word or spreadsheet \
                 file?), not text; copy the text out into a .txt file and import that",
            )
            .at_line(line_of(bytes, pos)));
        }
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let pos = e.valid_up_to();
                return Err(ImportError::new(
                    file,
                    format!(
                        "the file is not valid UTF-8 text (bad byte 0x{:02X} at byte {}); \
                         save it as UTF-8 and import it again",
                        bytes.get(pos).copied().unwrap_or(0),
                        pos
                    ),
                )
                .at_line(line_of(bytes, pos)));
            }
        };
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        if text.trim().is_empty() {
            return Err(ImportError::new(
                file,
                "the file is empty (or only whitespace); choose the file that holds the document",
            ));
        }
        if let Some((no, _)) = text
            .split('\n')
            .enumerate()
            .find(|(_, l)| l.chars().any(is_control))
        {
            return Err(ImportError::new(
                file,
                "the file contains control characters, so it is binary, not text; \
                 copy the text out into a .txt file and import that",
            )
            .at_line(no + 1));
        }
        Ok(Source::from_text(file, text))
    }

    /// Split already-valid text into lines (CRLF, CR and LF all end a line).
    pub fn from_text(file: &str, text: &str) -> Source {
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        let normalised = text.replace("\r\n", "\n").replace('\r', "\n");
        let mut lines: Vec<String> = normalised.split('\n').map(str::to_string).collect();
        if lines.len() > 1 && lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        Source {
            file: file.to_string(),
            lines,
        }
    }

    /// Every line, numbered from 1, trimmed.
    pub fn lines(&self) -> impl Iterator<Item = Line<'_>> {
        self.lines.iter().enumerate().map(|(i, l)| Line {
            no: i + 1,
            text: l.trim(),
        })
    }

    pub fn error(&self, message: impl Into<String>) -> ImportError {
        ImportError::new(self.file.clone(), message)
    }

    pub fn error_at(&self, line: usize, message: impl Into<String>) -> ImportError {
        ImportError::new(self.file.clone(), message).at_line(line)
    }

    /// The first non-blank line, trimmed.
    pub fn first_line(&self) -> Option<Line<'_>> {
        self.lines().find(|l| !l.text.is_empty())
    }
}

/// Control characters that never appear in a text document (tab, LF and CR do).
fn is_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{0B}' | '\u{0C}')
}

fn line_of(bytes: &[u8], pos: usize) -> usize {
    bytes
        .get(..pos)
        .unwrap_or(bytes)
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Blocks of consecutive non-blank lines, as separated by blank lines.
pub(crate) fn blocks<'a>(lines: &[Line<'a>]) -> Vec<Vec<Line<'a>>> {
    let mut out: Vec<Vec<Line<'a>>> = vec![];
    let mut cur: Vec<Line<'a>> = vec![];
    for l in lines {
        if l.text.is_empty() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        } else {
            cur.push(*l);
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn refuses_binary_and_names_the_line() {
        let e = Source::decode("x.txt", b"one\ntwo\nth\0ree").unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("binary"));
        let e = Source::decode("x.txt", b"one\ntwo\xff\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("UTF-8"));
        let e = Source::decode("x.txt", b"one\ntwo\x01\n").unwrap_err();
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn strips_bom_and_accepts_crlf_and_cr() {
        let s = Source::decode("x.txt", "\u{FEFF}a\r\nb\rc\n".as_bytes()).unwrap();
        assert_eq!(s.lines, vec!["a", "b", "c"]);
    }

    #[test]
    fn refuses_empty_and_huge() {
        assert!(Source::decode("x.txt", b"").is_err());
        assert!(Source::decode("x.txt", b" \n\t\r\n").is_err());
        let big = vec![b'a'; MAX_BYTES + 1];
        let e = Source::decode("x.txt", &big).unwrap_err();
        assert!(e.message.contains(&(MAX_BYTES + 1).to_string()));
        assert!(e.message.contains(&MAX_BYTES.to_string()));
    }
}
