//! Waymark's e-mail: reminders to owners whose returns are due and not yet submitted, and to
//! directors with returns waiting for their approval, sent over SMTP.
//!
//! `plan` decides who is reminded of what (pure: tested without a mail server);
//! `send_reminders` reads the open periods, sends each reminder not already sent today, and
//! records it (with an audit event). It is safe to run as often as you like.

pub mod config;
pub mod reminders;

pub use config::{ReminderRules, Security, SmtpConfig};
pub use reminders::{Kind, Reminder, plan, send_reminders};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the mail settings are wrong: {0}")]
    Config(String),
    #[error("the mail server refused or could not be reached: {0}")]
    Smtp(String),
    #[error(transparent)]
    Store(#[from] waymark_store::StoreError),
}
