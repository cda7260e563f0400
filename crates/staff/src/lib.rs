//! Waymark's staff site: officers sign in, owners write their quarterly returns, directors
//! approve them, the performance team locks and publishes, and every change lands in the
//! audit trail.

pub mod export;
