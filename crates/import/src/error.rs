//! The one error type every importer returns: where the problem is and what to do about it.

use std::fmt;

/// A document could not be imported. Displayed as `file:line: field: message`, leaving out
/// the parts that are not known. The message says what is wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ImportError {
    pub file: String,
    /// 1-based line in the source, when the problem is on one line.
    pub line: Option<usize>,
    /// The field or column at fault ("status", "end date"), when there is one.
    pub field: Option<String>,
    pub message: String,
}

impl ImportError {
    pub fn new(file: impl Into<String>, message: impl Into<String>) -> Self {
        ImportError {
            file: file.into(),
            line: None,
            field: None,
            message: message.into(),
        }
    }

    /// The same error, pointing at a line.
    pub fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    /// The same error, naming a field.
    pub fn in_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        f.write_str(": ")?;
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.message)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn display_leaves_out_missing_parts() {
        let e = ImportError::new("plan.txt", "no rows");
        assert_eq!(e.to_string(), "plan.txt: no rows");
        let e = e.at_line(9);
        assert_eq!(e.to_string(), "plan.txt:9: no rows");
        let e = e.in_field("status");
        assert_eq!(e.to_string(), "plan.txt:9: status: no rows");
        let e = ImportError::new("plan.txt", "bad").in_field("statuses.Blue");
        assert_eq!(e.to_string(), "plan.txt: statuses.Blue: bad");
    }
}
