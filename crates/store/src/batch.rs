//! Rows gathered during an import and written with multi-row INSERTs: one statement per table
//! per document instead of one per row (each statement is a round trip to the database).

use crate::Result;
use sqlx::{QueryBuilder, Sqlite, Transaction};

/// One value to bind.
#[derive(Debug, Clone)]
pub(crate) enum Cell {
    Int(Option<i64>),
    Text(Option<String>),
    Real(f64),
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

/// SQLite allows 32,766 bound parameters per statement; stay well below.
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

    pub(crate) async fn write(self, tx: &mut Transaction<'_, Sqlite>) -> Result<()> {
        let per_statement = (MAX_PARAMETERS / self.columns.len().max(1)).max(1);
        for chunk in self.rows.chunks(per_statement) {
            // Table and column names are compile-time constants, never input.
            let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
                "INSERT INTO {} ({}) ",
                self.table,
                self.columns.join(", ")
            ));
            query.push_values(chunk, |mut values, row| {
                for cell in row {
                    match cell {
                        Cell::Int(v) => values.push_bind(*v),
                        Cell::Text(v) => values.push_bind(v.clone()),
                        Cell::Real(v) => values.push_bind(*v),
                    };
                }
            });
            query.build().execute(&mut **tx).await?;
        }
        Ok(())
    }
}
