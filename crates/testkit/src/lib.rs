//! What the workspace's tests share, as one dev-dependency: fresh databases on both backends
//! ([`db`]) and councils loaded through the real import path ([`councils`]).
//!
//! PostgreSQL is the server at `WAYMARK_TEST_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432`; `scripts/test` starts one if none answers); each test
//! gets a database of its own, dropped afterwards. `WAYMARK_TEST_POSTGRES=off` runs SQLite only.

pub mod councils;
pub mod db;

pub use councils::{import_files, load_bexley};
pub use db::{TestDb, backends, drop_database, postgres_server, unique_name};
