//! Row hashes: an audit event that records a data row names it (`row_ref`, "table:id") and
//! carries the SHA-256 of its stored content (`row_hash`), so `verify_audit` can tell when the
//! row was edited or deleted behind the application's back.
//!
//! The canonical form is the compact JSON
//! `["waymark-row/1", [[TABLE, [[v1, v2, …]]], [PART, [[…], …]], …]]`: the row's columns in
//! the catalogue's order (the one `transfer.rs` copies databases with, so a copy hashes the
//! same), integers as numbers, text as strings, reals as JSON numbers, NULL as null; then, for
//! a row whose meaning lives partly in other tables (a plan revision), those rows by id. Both
//! backends return the same values for the same stored data, so the text, and the hash, is
//! the same on SQLite and PostgreSQL and survives backup, restore and copy (ids are kept).

use crate::transfer::{TABLES, Table, Value, read_value};
use crate::{Result, corrupt};
use sha2::{Digest, Sha256};

/// A data row an audit event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowRef {
    pub table: &'static str,
    pub id: i64,
}

/// Rows of another table that belong to a recorded row and are hashed with it: those whose
/// `column` equals the recorded row's `matches` column.
struct Part {
    table: &'static str,
    column: &'static str,
    matches: &'static str,
}

/// A kind of row events record, and what else its hash covers.
struct Recorded {
    table: &'static str,
    parts: &'static [Part],
}

/// Every kind of row an event may record. Each is written once (return versions, indicator
/// entries and settings, plan revisions and their rows) or changed only by audited writes
/// (accounts), so the newest event naming a row describes it as it is.
static RECORDED: &[Recorded] = &[
    Recorded {
        table: "return_versions",
        parts: &[],
    },
    Recorded {
        table: "indicator_entries",
        parts: &[],
    },
    Recorded {
        table: "indicator_settings",
        parts: &[],
    },
    Recorded {
        table: "users",
        parts: &[],
    },
    // A plan edit's revision: its document (what was asked), the activity versions and names
    // it wrote and the changes it listed.
    Recorded {
        table: "plan_revisions",
        parts: &[
            Part {
                table: "documents",
                column: "id",
                matches: "document_id",
            },
            Part {
                table: "activity_versions",
                column: "revision_id",
                matches: "id",
            },
            Part {
                table: "activity_names",
                column: "document_id",
                matches: "document_id",
            },
            Part {
                table: "plan_changes",
                column: "revision_id",
                matches: "id",
            },
        ],
    },
];

fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

impl RowRef {
    /// A row of a table events may record (see [`RECORDED`]); `None` for any other table.
    pub fn new(table: &str, id: i64) -> Option<RowRef> {
        RECORDED
            .iter()
            .find(|r| r.table == table)
            .map(|r| RowRef { table: r.table, id })
    }

    /// "return_versions:123", as stored in `audit_events.row_ref`.
    pub fn text(&self) -> String {
        format!("{}:{}", self.table, self.id)
    }

    /// A stored `row_ref`; `None` when it names no row events may record.
    pub fn parse(text: &str) -> Option<RowRef> {
        let (table, id) = text.split_once(':')?;
        if id.starts_with('+') || (id.len() > 1 && id.starts_with('0')) {
            return None;
        }
        RowRef::new(table, id.parse().ok()?)
    }
}

fn json_value(value: &Value) -> serde_json::Value {
    match value {
        Value::Null => serde_json::Value::Null,
        Value::Int(v) => serde_json::json!(v),
        Value::Text(v) => serde_json::json!(v),
        Value::Real(v) => serde_json::json!(v),
    }
}

/// Rows of `table` where `column = value`, every column in catalogue order, by id.
async fn rows_where(
    conn: &mut sqlx::AnyConnection,
    table: &Table,
    column: &str,
    value: &Value,
) -> Result<Vec<Vec<Value>>> {
    // Table and column names come from the catalogues above, never from input.
    let sql = format!(
        "SELECT {} FROM {} WHERE {column} = $1 ORDER BY id",
        table.columns.join(", "),
        table.name
    );
    let query = sqlx::query(sqlx::AssertSqlSafe(sql));
    let query = match value {
        Value::Int(v) => query.bind(*v),
        Value::Text(v) => query.bind(v.clone()),
        Value::Real(v) => query.bind(*v),
        Value::Null => return Ok(vec![]),
    };
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| {
            table
                .columns
                .iter()
                .zip(table.kinds)
                .map(|(column, kind)| read_value(row, column, *kind))
                .collect()
        })
        .collect()
}

/// The hash of a recorded row as it is stored now; `None` when the row is gone.
pub(crate) async fn row_hash(
    conn: &mut sqlx::AnyConnection,
    row: &RowRef,
) -> Result<Option<String>> {
    let recorded = RECORDED
        .iter()
        .find(|r| r.table == row.table)
        .ok_or_else(|| corrupt(format!("{} is not a kind of row events record", row.table)))?;
    let main = table(recorded.table)
        .ok_or_else(|| corrupt(format!("{} is not in the catalogue", recorded.table)))?;
    let mut found = rows_where(conn, main, "id", &Value::Int(row.id)).await?;
    let Some(values) = found.pop() else {
        return Ok(None);
    };
    let mut parts = vec![serde_json::json!([
        main.name,
        [values.iter().map(json_value).collect::<Vec<_>>()]
    ])];
    for part in recorded.parts {
        let child = table(part.table)
            .ok_or_else(|| corrupt(format!("{} is not in the catalogue", part.table)))?;
        let index = main
            .columns
            .iter()
            .position(|c| *c == part.matches)
            .ok_or_else(|| corrupt(format!("{} has no column {}", main.name, part.matches)))?;
        let value = values
            .get(index)
            .ok_or_else(|| corrupt(format!("{} has too few columns", main.name)))?;
        let rows = rows_where(conn, child, part.column, value).await?;
        let rows: Vec<Vec<serde_json::Value>> = rows
            .iter()
            .map(|r| r.iter().map(json_value).collect())
            .collect();
        parts.push(serde_json::json!([child.name, rows]));
    }
    let text = serde_json::json!(["waymark-row/1", parts]).to_string();
    Ok(Some(crate::seal::to_hex(&Sha256::digest(text.as_bytes()))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_recorded_kind_is_in_the_catalogue_with_its_columns() {
        for r in RECORDED {
            let main = table(r.table).expect("in the catalogue");
            for part in r.parts {
                let child = table(part.table).expect("part in the catalogue");
                assert!(child.columns.contains(&part.column), "{}", part.column);
                assert!(main.columns.contains(&part.matches), "{}", part.matches);
            }
        }
    }

    #[test]
    fn row_references_are_read_back_only_for_recorded_tables() {
        let r = RowRef::new("return_versions", 12).expect("recorded");
        assert_eq!(r.text(), "return_versions:12");
        assert_eq!(RowRef::parse("return_versions:12"), Some(r));
        assert_eq!(RowRef::parse("sessions:12"), None);
        assert_eq!(RowRef::parse("users:x"), None);
        assert_eq!(RowRef::parse("users:012"), None);
        assert_eq!(RowRef::parse("users:+1"), None);
        assert_eq!(RowRef::parse("users"), None);
    }
}
