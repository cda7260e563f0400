//! What the public site reads: activities and their returns, the plan's framing and indicator
//! values, statistics and headlines, the plan's change list, and each council's headline rule.

pub mod overview;
pub mod read;
pub mod settings;
pub mod summary;
