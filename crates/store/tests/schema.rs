//! The two backends' migrations must build the same schema, and it must be the one the store's
//! catalogue (used by backup, restore and copy) describes: the live schemas are read back from
//! each database, normalised, and compared with each other and with the catalogue.

use sqlx::{AnyConnection, Connection, Row};
use std::collections::{BTreeMap, BTreeSet};
use waymark_store::{Backend, ColumnKind, catalogue};
use waymark_testkit::{TestDb, backends};

#[derive(Debug, Clone, PartialEq, Eq)]
struct Column {
    name: String,
    kind: ColumnKind,
    not_null: bool,
    /// The default as written in the migration, without PostgreSQL's `::text` cast.
    default: Option<String>,
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Table {
    columns: Vec<Column>,
    primary_key: Vec<String>,
    /// Column lists of UNIQUE constraints (their index names differ between backends).
    unique: BTreeSet<Vec<String>>,
    /// (column, referenced table, referenced column).
    foreign_keys: BTreeSet<(String, String, String)>,
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Schema {
    tables: BTreeMap<String, Table>,
    /// Indexes made by CREATE INDEX: name → (table, unique, columns).
    indexes: BTreeMap<String, (String, bool, Vec<String>)>,
}

fn kind_of(declared: &str) -> ColumnKind {
    match declared.to_ascii_lowercase().as_str() {
        "integer" | "bigint" => ColumnKind::Int,
        "text" => ColumnKind::Text,
        "real" | "double precision" => ColumnKind::Real,
        other => panic!("column type {other} is not one of the portable kinds"),
    }
}

fn normal_default(default: Option<String>) -> Option<String> {
    default.map(|d| d.trim_end_matches("::text").to_string())
}

async fn connect(db: &TestDb) -> AnyConnection {
    let url = match db.backend {
        Backend::Sqlite => format!("sqlite:{}", db.location),
        Backend::Postgres => db.location.clone(),
    };
    AnyConnection::connect(&url).await.expect("connect")
}

async fn strings(conn: &mut AnyConnection, sql: &'static str, table: &str) -> Vec<String> {
    sqlx::query_scalar(sql)
        .bind(table)
        .fetch_all(&mut *conn)
        .await
        .expect(sql)
}

async fn sqlite_schema(conn: &mut AnyConnection) -> Schema {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("tables");
    let mut schema = Schema::default();
    for name in names {
        let mut table = Table::default();
        let columns = sqlx::query(
            "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info($1) ORDER BY cid",
        )
        .bind(&name)
        .fetch_all(&mut *conn)
        .await
        .expect("columns");
        let mut key = vec![];
        for c in &columns {
            let column: String = c.get(0);
            let pk: i64 = c.get(4);
            if pk > 0 {
                key.push((pk, column.clone()));
            }
            table.columns.push(Column {
                name: column,
                kind: kind_of(&c.get::<String, _>(1)),
                // SQLite's INTEGER PRIMARY KEY is the row id: never null, though not declared so.
                not_null: c.get::<i64, _>(2) != 0 || pk > 0,
                default: normal_default(c.get(3)),
            });
        }
        key.sort();
        table.primary_key = key.into_iter().map(|(_, c)| c).collect();
        let indexes =
            sqlx::query("SELECT name, \"unique\", origin FROM pragma_index_list($1) ORDER BY name")
                .bind(&name)
                .fetch_all(&mut *conn)
                .await
                .expect("indexes");
        for index in &indexes {
            let index_name: String = index.get(0);
            let columns = strings(
                conn,
                "SELECT name FROM pragma_index_info($1) ORDER BY seqno",
                &index_name,
            )
            .await;
            match index.get::<String, _>(2).as_str() {
                "u" => {
                    table.unique.insert(columns);
                }
                "c" => {
                    let unique = index.get::<i64, _>(1) != 0;
                    schema
                        .indexes
                        .insert(index_name, (name.clone(), unique, columns));
                }
                _ => {}
            }
        }
        let keys =
            sqlx::query("SELECT \"from\", \"table\", \"to\" FROM pragma_foreign_key_list($1)")
                .bind(&name)
                .fetch_all(&mut *conn)
                .await
                .expect("foreign keys");
        for k in &keys {
            table.foreign_keys.insert((k.get(0), k.get(1), k.get(2)));
        }
        schema.tables.insert(name, table);
    }
    schema
}

async fn postgres_schema(conn: &mut AnyConnection) -> Schema {
    // information_schema's columns are of its own domain types: cast to text for the portable
    // driver.
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
           AND table_name <> '_sqlx_migrations' ORDER BY 1",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("tables");
    let mut schema = Schema::default();
    for name in names {
        let mut table = Table::default();
        let columns = sqlx::query(
            "SELECT column_name::text, data_type::text, is_nullable::text, column_default::text \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind(&name)
        .fetch_all(&mut *conn)
        .await
        .expect("columns");
        for c in &columns {
            table.columns.push(Column {
                name: c.get(0),
                kind: kind_of(&c.get::<String, _>(1)),
                not_null: c.get::<String, _>(2) == "NO",
                default: normal_default(c.get(3)),
            });
        }
        let constraint_columns = |kind: &'static str| {
            format!(
                "SELECT tc.constraint_name::text, k.column_name::text \
                 FROM information_schema.table_constraints tc \
                 JOIN information_schema.key_column_usage k \
                   ON k.constraint_schema = tc.constraint_schema AND k.constraint_name = tc.constraint_name \
                 WHERE tc.table_schema = current_schema() AND tc.table_name = $1 \
                   AND tc.constraint_type = '{kind}' \
                 ORDER BY tc.constraint_name, k.ordinal_position"
            )
        };
        for (kind, unique) in [("PRIMARY KEY", false), ("UNIQUE", true)] {
            let rows = sqlx::query(sqlx::AssertSqlSafe(constraint_columns(kind)))
                .bind(&name)
                .fetch_all(&mut *conn)
                .await
                .expect("constraints");
            let mut by_constraint: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for r in &rows {
                by_constraint.entry(r.get(0)).or_default().push(r.get(1));
            }
            for columns in by_constraint.into_values() {
                if unique {
                    table.unique.insert(columns);
                } else {
                    table.primary_key = columns;
                }
            }
        }
        let keys = sqlx::query(
            "SELECT k.column_name::text, u.table_name::text, u.column_name::text \
             FROM information_schema.table_constraints tc \
             JOIN information_schema.key_column_usage k \
               ON k.constraint_schema = tc.constraint_schema AND k.constraint_name = tc.constraint_name \
             JOIN information_schema.constraint_column_usage u \
               ON u.constraint_schema = tc.constraint_schema AND u.constraint_name = tc.constraint_name \
             WHERE tc.table_schema = current_schema() AND tc.table_name = $1 \
               AND tc.constraint_type = 'FOREIGN KEY'",
        )
        .bind(&name)
        .fetch_all(&mut *conn)
        .await
        .expect("foreign keys");
        for k in &keys {
            table.foreign_keys.insert((k.get(0), k.get(1), k.get(2)));
        }
        // Indexes that back no constraint are the ones CREATE INDEX made.
        let indexes = sqlx::query(
            "SELECT indexname::text, indexdef FROM pg_indexes \
             WHERE schemaname = current_schema() AND tablename = $1 \
               AND indexname NOT IN (SELECT conname FROM pg_constraint)",
        )
        .bind(&name)
        .fetch_all(&mut *conn)
        .await
        .expect("indexes");
        for index in &indexes {
            let definition: String = index.get(1);
            let inside = definition
                .rsplit_once('(')
                .and_then(|(_, rest)| rest.split_once(')'))
                .map(|(inside, _)| inside)
                .expect("an index definition lists its columns");
            let columns = inside
                .split(',')
                .map(|c| c.trim().trim_matches('"').to_string())
                .collect();
            let unique = definition.starts_with("CREATE UNIQUE");
            schema
                .indexes
                .insert(index.get(0), (name.clone(), unique, columns));
        }
        schema.tables.insert(name, table);
    }
    schema
}

async fn live_schema(backend: Backend) -> Schema {
    let db = TestDb::new(backend).await;
    let mut conn = connect(&db).await;
    let schema = match backend {
        Backend::Sqlite => sqlite_schema(&mut conn).await,
        Backend::Postgres => postgres_schema(&mut conn).await,
    };
    conn.close().await.expect("close");
    db.store.close().await;
    schema
}

#[tokio::test]
async fn both_backends_build_the_schema_the_catalogue_describes() {
    let catalogue = catalogue();
    let mut schemas = vec![];
    for backend in backends() {
        let schema = live_schema(backend).await;
        // The introspection found what it looks for (so equal schemas are not equally empty).
        assert_eq!(
            schema.indexes.get("updates_by_activity"),
            Some(&(
                "updates".into(),
                false,
                vec!["activity_id".into(), "id".into()]
            )),
            "{backend:?}"
        );
        let documents = &schema.tables["documents"];
        assert!(
            documents
                .unique
                .contains(&vec!["org_id".into(), "sha256".into()])
        );
        assert_eq!(schema.tables["activity_versions"].foreign_keys.len(), 5);
        let review_state = schema.tables["updates"]
            .columns
            .iter()
            .find(|c| c.name == "review_state");
        assert_eq!(
            review_state.and_then(|c| c.default.as_deref()),
            Some("'approved'")
        );

        // The catalogue has every table and column, with its kind, in declaration order.
        let live: BTreeMap<&str, Vec<(&str, ColumnKind)>> = schema
            .tables
            .iter()
            .map(|(name, t)| {
                let columns = t.columns.iter().map(|c| (c.name.as_str(), c.kind));
                (name.as_str(), columns.collect())
            })
            .collect();
        let described: BTreeMap<&str, Vec<(&str, ColumnKind)>> =
            catalogue.iter().cloned().collect();
        assert_eq!(
            live, described,
            "{backend:?}: the catalogue in transfer.rs differs from the migrations"
        );
        assert_eq!(
            catalogue.len(),
            schema.tables.len(),
            "a table is listed twice"
        );

        // Parents come before children, so a copy can insert in catalogue order.
        let position = |table: &str| catalogue.iter().position(|(t, _)| *t == table);
        for (name, table) in &schema.tables {
            assert_eq!(
                table.primary_key,
                ["id"],
                "{backend:?}: {name} is keyed by id"
            );
            for (column, parent, parent_column) in &table.foreign_keys {
                assert_eq!(parent_column, "id", "{name}.{column} refers to an id");
                assert!(
                    parent == name || position(parent) < position(name),
                    "{backend:?}: {name}.{column} refers to {parent}, which the catalogue lists later"
                );
            }
        }
        schemas.push((backend, schema));
    }
    if let [(_, sqlite), (_, postgres)] = &schemas[..] {
        for (name, table) in &sqlite.tables {
            assert_eq!(
                Some(table),
                postgres.tables.get(name),
                "table {name} differs between SQLite and PostgreSQL"
            );
        }
        assert_eq!(sqlite.indexes, postgres.indexes, "indexes differ");
        assert_eq!(sqlite, postgres);
    }
}

/// Everything SQLite records of a file's schema, and the migrations it counts as applied.
async fn sqlite_master(
    path: &std::path::Path,
) -> (Vec<[Option<String>; 4]>, Vec<(i64, String, Vec<u8>)>) {
    let mut conn = AnyConnection::connect(&format!("sqlite:{}", path.display()))
        .await
        .expect("connect");
    let objects =
        sqlx::query("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")
            .fetch_all(&mut conn)
            .await
            .expect("sqlite_master")
            .iter()
            .map(|r| [r.get(0), r.get(1), r.get(2), r.get(3)])
            .collect();
    let applied = sqlx::query(
        "SELECT version, description, checksum FROM _sqlx_migrations WHERE success ORDER BY version",
    )
    .fetch_all(&mut conn)
    .await
    .expect("applied migrations")
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2)))
    .collect();
    conn.close().await.expect("close");
    (objects, applied)
}

/// `schema/sqlite.sql` as the migrations, run one by one on an empty file, make it.
async fn schema_script_from_migrations(path: &std::path::Path) -> String {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&format!("sqlite:{}?mode=rwc", path.display()))
        .await
        .expect("a new SQLite file");
    let migrator = sqlx::migrate!("./migrations/sqlite");
    migrator.run(&pool).await.expect("the migrations");
    let latest = migrator.iter().map(|m| m.version).max().unwrap_or(0);
    // The script stands for the migrations only if they leave no rows behind.
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('_sqlx_migrations', 'sqlite_sequence')",
    )
    .fetch_all(&pool)
    .await
    .expect("tables");
    for table in tables {
        let rows: i64 = // The names come from sqlite_master of a file this test made.
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM \"{table}\"")))
            .fetch_one(&pool)
            .await
            .expect("count");
        assert_eq!(rows, 0, "migrations on an empty file left rows in {table}");
    }
    // Tables before what refers to them; the order they were made in within each kind.
    let statements: Vec<String> = sqlx::query_scalar(
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' \
         ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'view' THEN 2 ELSE 3 END, rowid",
    )
    .fetch_all(&pool)
    .await
    .expect("schema");
    pool.close().await;
    let mut script = format!(
        "-- The SQLite schema after migrations 1 to {latest}, applied in one transaction to a new,\n\
         -- empty database file (see Store::open). Made by the store's schema test from\n\
         -- migrations/sqlite; do not edit. After adding a migration, run\n\
         -- WAYMARK_WRITE_SCHEMA=1 cargo test -p waymark-store --test schema\n\
         -- and set SQLITE_SCHEMA_VERSION in src/lib.rs to {latest}.\n"
    );
    for statement in statements {
        script.push('\n');
        script.push_str(&statement);
        script.push_str(";\n");
    }
    script
}

#[tokio::test]
async fn a_new_sqlite_file_gets_exactly_the_schema_the_migrations_build() {
    let dir = tempfile::tempdir().expect("temp dir");
    let stepwise = dir.path().join("stepwise.db");
    let script = schema_script_from_migrations(&stepwise).await;
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/sqlite.sql");
    if std::env::var_os("WAYMARK_WRITE_SCHEMA").is_some() {
        std::fs::write(&file, &script).expect("write schema/sqlite.sql");
    }
    assert_eq!(
        std::fs::read_to_string(&file).unwrap_or_default(),
        script,
        "schema/sqlite.sql is not what the migrations build: regenerate it with \
         WAYMARK_WRITE_SCHEMA=1 cargo test -p waymark-store --test schema"
    );
    let latest = sqlx::migrate!("./migrations/sqlite")
        .iter()
        .map(|m| m.version)
        .max();
    assert_eq!(
        latest,
        Some(waymark_store::SQLITE_SCHEMA_VERSION),
        "SQLITE_SCHEMA_VERSION in src/lib.rs is not the last migration"
    );

    // A store opened on a new file takes the one-script path and ends where the migrations
    // end: the same objects, word for word, and the same migrations recorded as applied.
    let fresh = dir.path().join("fresh.db");
    let store = waymark_store::Store::open(&fresh.to_string_lossy())
        .await
        .expect("a new store");
    store.close().await;
    let (fresh_objects, fresh_applied) = sqlite_master(&fresh).await;
    let (stepwise_objects, stepwise_applied) = sqlite_master(&stepwise).await;
    assert!(fresh_objects.len() > 80, "{} objects", fresh_objects.len());
    assert_eq!(fresh_objects, stepwise_objects);
    assert_eq!(fresh_applied, stepwise_applied);

    // It was the script's path: the migrator records how long each migration took, the
    // script records none.
    let mut conn = AnyConnection::connect(&format!("sqlite:{}", fresh.display()))
        .await
        .expect("connect");
    let timed: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE execution_time <> 0")
            .fetch_one(&mut conn)
            .await
            .expect("execution times");
    conn.close().await.expect("close");
    assert_eq!(timed, 0, "the new file was migrated step by step");

    // Opened again, the migrator accepts what the script recorded.
    let again = waymark_store::Store::open(&fresh.to_string_lossy())
        .await
        .expect("the store opens again");
    again.close().await;
}
