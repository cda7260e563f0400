//! How to reach the council's mail server, and when to remind people.

use serde::Deserialize;

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain SMTP: only for a relay on this machine or a test server.
    None,
    /// Upgrade to TLS with STARTTLS (usually port 587); refused if the server cannot.
    #[default]
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

/// The `[smtp]` section of the configuration file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    #[serde(default = "default_port")]
    pub port: u16,
    #[serde(default)]
    pub security: Security,
    pub username: Option<String>,
    /// The environment variable holding the password (passwords are not written in files).
    pub password_env: Option<String>,
    /// The sender, e.g. "Performance team <performance@bexley.gov.uk>".
    pub from: String,
}

fn default_port() -> u16 {
    587
}

/// The `[reminders]` section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderRules {
    /// Owners are reminded from this many days before the deadline (and after it, daily).
    #[serde(default = "default_days")]
    pub days_before: i64,
}

fn default_days() -> i64 {
    7
}

impl Default for ReminderRules {
    fn default() -> Self {
        ReminderRules {
            days_before: default_days(),
        }
    }
}
