//! Bytes to text: UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark,
//! or Windows-1252 (what Excel writes when it saves "CSV" on a British Windows machine).

use crate::ReadError;

/// Decode a text file. UTF-8 is tried first; a file with no valid UTF-8 multi-byte sequence
/// but bytes above 0x7F is Windows-1252; a file mixing the two, holding bytes Windows-1252
/// does not define, NUL bytes or other control characters is refused, naming the line.
/// Line ends are left as they are; the byte-order mark is removed.
pub fn decode_text(file: &str, bytes: &[u8]) -> Result<String, ReadError> {
    let text = if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom..]);
        if had_errors {
            return Err(ReadError::new(
                file,
                format!(
                    "the file starts as {} text but holds bytes that are not; save it as \
                     UTF-8 and import it again",
                    encoding.name()
                ),
            ));
        }
        text.into_owned()
    } else {
        if let Some(pos) = bytes.iter().position(|&b| b == 0) {
            return Err(ReadError::new(
                file,
                "the file contains NUL bytes, so it is binary (a PDF, Word or spreadsheet \
                 file saved under another name?), not text",
            )
            .at_line(line_of(bytes, pos)));
        }
        match std::str::from_utf8(bytes) {
            Ok(t) => t.to_string(),
            Err(e) => {
                let pos = e.valid_up_to();
                if has_utf8_sequence(bytes) {
                    return Err(ReadError::new(
                        file,
                        format!(
                            "the file mixes encodings: it is UTF-8 text until byte {pos} \
                             (0x{:02X}), which is not; save it as UTF-8 and import it again",
                            bytes.get(pos).copied().unwrap_or(0)
                        ),
                    )
                    .at_line(line_of(bytes, pos)));
                }
                if let Some(pos) = bytes
                    .iter()
                    .position(|b| matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D))
                {
                    return Err(ReadError::new(
                        file,
                        format!(
                            "the file is neither UTF-8 nor Windows-1252 text (byte 0x{:02X} \
                             at byte {pos}); save it as UTF-8 and import it again",
                            bytes[pos]
                        ),
                    )
                    .at_line(line_of(bytes, pos)));
                }
                let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
                text.into_owned()
            }
        }
    };
    if let Some((no, _)) = text
        .split('\n')
        .enumerate()
        .find(|(_, l)| l.chars().any(is_control))
    {
        return Err(ReadError::new(
            file,
            "the file contains control characters, so it is binary, not text",
        )
        .at_line(no + 1));
    }
    if text.trim().is_empty() {
        return Err(ReadError::new(
            file,
            "the file is empty (or only whitespace); choose the file that holds the document",
        ));
    }
    Ok(text)
}

/// Whether the bytes hold at least one well-formed UTF-8 multi-byte sequence.
fn has_utf8_sequence(bytes: &[u8]) -> bool {
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => return s.bytes().any(|b| b >= 0x80),
            Err(e) => {
                let (good, _) = rest.split_at(e.valid_up_to());
                if good.iter().any(|&b| b >= 0x80) {
                    return true;
                }
                let skip = e.valid_up_to() + e.error_len().unwrap_or(rest.len() - e.valid_up_to());
                rest = &rest[skip.min(rest.len())..];
                if rest.is_empty() {
                    return false;
                }
            }
        }
    }
}

/// Control characters that never appear in a text document (tab, LF, CR, VT and form feed do:
/// text copied from a PDF keeps its page breaks).
fn is_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}')
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_bom_and_windows_1252_are_read() {
        assert_eq!(decode_text("a", "\u{feff}£5".as_bytes()).unwrap(), "£5");
        assert_eq!(
            decode_text("a", b"\xa31,204 \x96 it\x92s").unwrap(),
            "£1,204 – it’s"
        );
        let utf16: Vec<u8> = [0xFF, 0xFE, b'h', 0, b'i', 0].to_vec();
        assert_eq!(decode_text("a", &utf16).unwrap(), "hi");
    }

    #[test]
    fn mixed_encodings_nul_and_controls_name_the_line() {
        let e = decode_text("a.csv", b"one\n\xc2\xa3two\nthree \xa3").unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("mixes"), "{e}");
        let e = decode_text("a.csv", b"one\ntw\0o").unwrap_err();
        assert_eq!(e.line, Some(2));
        let e = decode_text("a.csv", b"one\ntwo\x01").unwrap_err();
        assert_eq!(e.line, Some(2));
        let e = decode_text("a.csv", b"one\n\x81").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(decode_text("a", b" \n ").is_err());
    }
}
