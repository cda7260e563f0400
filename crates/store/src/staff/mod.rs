//! What the staff site works with: accounts and sessions, the audit trail, the quarterly
//! cycle of returns and indicator values, plan maintenance, reminders and settled findings.

pub mod accounts;
pub mod audit;
pub mod cycle;
pub mod indicators;
pub mod plan_edit;
pub mod reminders;
pub mod settle;
pub mod waiting;
