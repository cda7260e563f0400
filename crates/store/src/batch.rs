//! Rows gathered during an import and written with multi-row INSERTs: one statement per table
//! per document instead of one per row (each statement is a round trip to the database). Copies
//! between databases (`transfer.rs`) write through the same batches.

use crate::Result;

/// One value to bind.
#[derive(Debug, Clone)]
pub(crate) enum Cell {
    Int(Option<i64>),
    Text(Option<String>),
    Real(Option<f64>),
}

impl From<i64> for Cell {
    fn from(v: i64) -> Self {
        Cell::Int(Some(v))
    }
}
impl From<Option<i64>> for Cell {
    fn from(v: Option<i64>) -> Self {
        Cell::Int(v)
    }
}
impl From<&str> for Cell {
    fn from(v: &str) -> Self {
        Cell::Text(Some(v.to_string()))
    }
}
impl From<String> for Cell {
    fn from(v: String) -> Self {
        Cell::Text(Some(v))
    }
}
impl From<Option<String>> for Cell {
    fn from(v: Option<String>) -> Self {
        Cell::Text(v)
    }
}
impl From<Option<&str>> for Cell {
    fn from(v: Option<&str>) -> Self {
        Cell::Text(v.map(str::to_string))
    }
}
impl From<f64> for Cell {
    fn from(v: f64) -> Self {
        Cell::Real(Some(v))
    }
}
impl From<Option<f64>> for Cell {
    fn from(v: Option<f64>) -> Self {
        Cell::Real(v)
    }
}

/// Rows waiting to be inserted into one table.
#[derive(Debug)]
pub(crate) struct Batch {
    table: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<Cell>>,
}

/// SQLite allows 32,766 bound parameters per statement and PostgreSQL 65,535; stay well below both.
const MAX_PARAMETERS: usize = 30_000;

impl Batch {
    pub(crate) fn new(table: &'static str, columns: &'static [&'static str]) -> Batch {
        Batch {
            table,
            columns,
            rows: vec![],
        }
    }

    pub(crate) fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(
            row.len(),
            self.columns.len(),
            "row for {} has the wrong width",
            self.table
        );
        self.rows.push(row);
    }

    /// Take the waiting rows, leaving an empty batch for the same table.
    pub(crate) fn take(&mut self) -> Batch {
        Batch {
            table: self.table,
            columns: self.columns,
            rows: std::mem::take(&mut self.rows),
        }
    }

    pub(crate) async fn write(self, tx: &mut sqlx::Transaction<'_, sqlx::Any>) -> Result<()> {
        let per_statement = (MAX_PARAMETERS / self.columns.len().max(1)).max(1);
        // SQLite takes `$n` for a named parameter and finds each by name, in time that grows
        // with the parameters already seen (so a statement costs their square: a 30,000-value
        // INSERT took most of a second); bare `?` are numbered in order at no cost.
        let sqlite = tx.backend_name() == "SQLite";
        for chunk in self.rows.chunks(per_statement) {
            let values = if sqlite {
                in_order(chunk.len(), self.columns.len())
            } else {
                placeholders(chunk.len(), self.columns.len(), 1)
            };
            // Table and column names are compile-time constants, never input; values are bound.
            let sql = format!(
                "INSERT INTO {} ({}) VALUES {values}",
                self.table,
                self.columns.join(", "),
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for row in chunk {
                for cell in row {
                    query = match cell {
                        Cell::Int(v) => query.bind(*v),
                        Cell::Text(v) => query.bind(v.clone()),
                        Cell::Real(v) => bind_real(query, *v),
                    };
                }
            }
            query.execute(&mut **tx).await?;
        }
        Ok(())
    }
}

/// Bind a nullable real number. sqlx 0.9's `Any` driver sends a missing `f64` to PostgreSQL
/// typed as `real` (4 bytes) and a missing `f32` as `double precision`; a statement prepared
/// with the wrong one then refuses every later 8-byte value ("incorrect binary data format").
/// So a missing value is bound as a missing `f32`, which arrives as `double precision`.
pub(crate) fn bind_real<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    value: Option<f64>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    match value {
        Some(v) => query.bind(v),
        None => query.bind(None::<f32>),
    }
}

/// `($first, $first+1), ($first+2, $first+3)` for `rows` rows of `width` values: numbered
/// placeholders, which both SQLite and PostgreSQL accept.
pub(crate) fn placeholders(rows: usize, width: usize, first: usize) -> String {
    let mut out = String::with_capacity(rows * width * 6);
    let mut n = first;
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..width {
            if c > 0 {
                out.push_str(", ");
            }
            out.push('$');
            out.push_str(&n.to_string());
            n += 1;
        }
        out.push(')');
    }
    out
}

/// `(?, ?), (?, ?)`: SQLite's anonymous placeholders, bound in order.
pub(crate) fn in_order(rows: usize, width: usize) -> String {
    let row = format!("({})", vec!["?"; width].join(", "));
    vec![row; rows].join(", ")
}

#[cfg(test)]
mod tests {
    use super::{in_order, placeholders};

    #[test]
    fn anonymous_placeholders_have_one_per_value() {
        assert_eq!(in_order(2, 3), "(?, ?, ?), (?, ?, ?)");
        assert_eq!(in_order(0, 2), "");
    }

    #[test]
    fn placeholders_number_every_value_once() {
        assert_eq!(placeholders(2, 3, 1), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(placeholders(1, 2, 2), "($2, $3)");
        assert_eq!(placeholders(0, 2, 1), "");
    }
}
