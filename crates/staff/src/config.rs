//! How a deployment's staff site behaves: its public address (for links in e-mails and
//! set-up links), whether cookies must travel over HTTPS only, and how long sessions last.

use crate::client::TrustedProxies;
use chrono::Duration;
use serde::Deserialize;
use waymark_store::{SessionRules, ThrottleRules};

#[derive(Debug, Clone)]
pub struct StaffConfig {
    /// Where people reach the site, without a trailing slash (e.g. https://performance.bexley.gov.uk).
    pub base_url: String,
    pub sessions: SessionRules,
    /// Failures allowed per address and per client before attempts are refused unchecked.
    pub throttle: ThrottleRules,
    /// Whose forwarding header names the client (per-client limits count that address).
    pub proxies: TrustedProxies,
}

impl StaffConfig {
    pub fn new(base_url: &str) -> StaffConfig {
        StaffConfig {
            base_url: base_url.trim_end_matches('/').to_string(),
            sessions: SessionRules::default(),
            throttle: ThrottleRules::default(),
            proxies: TrustedProxies::default(),
        }
    }

    /// The same, with the configuration file's `[sign_in]` section.
    pub fn with_sign_in(mut self, settings: &SignInSettings) -> Result<StaffConfig, String> {
        self.throttle = ThrottleRules {
            per_address: settings.failures_per_address,
            per_client: settings.failures_per_client,
            window_minutes: settings.window_minutes,
        };
        self.proxies = TrustedProxies::new(&settings.trusted_proxies, &settings.client_header)?;
        Ok(self)
    }

    /// Cookies are marked Secure (and get the `__Host-` prefix, which requires it) unless the
    /// site is served over plain HTTP, which only makes sense on this machine.
    pub fn secure_cookies(&self) -> bool {
        !self.base_url.starts_with("http://")
    }

    /// The session cookie's name: `__Host-` binds it to this host and path `/` over HTTPS.
    pub fn session_cookie(&self) -> &'static str {
        if self.secure_cookies() {
            "__Host-waymark-session"
        } else {
            "waymark-session"
        }
    }

    /// The cookie that guards the sign-in form before there is a session.
    pub fn sign_in_cookie(&self) -> &'static str {
        if self.secure_cookies() {
            "__Host-waymark-sign-in"
        } else {
            "waymark-sign-in"
        }
    }

    /// A session cookie's Set-Cookie value (HttpOnly, SameSite=Lax, path /, Secure over HTTPS).
    pub fn cookie(&self, name: &str, value: &str, max_age: Option<Duration>) -> String {
        let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
        if let Some(age) = max_age {
            cookie.push_str(&format!("; Max-Age={}", age.num_seconds().max(0)));
        }
        if self.secure_cookies() {
            cookie.push_str("; Secure");
        }
        cookie
    }
}

/// The configuration file's `[sign_in]` section: how sign-in stands up to guessing and
/// floods. Every key has a default.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SignInSettings {
    /// Password hashes run at once (each takes 19 MiB); beyond this, sign-ins are answered
    /// "busy, try again" at once. 0 means one per core.
    pub password_checks_at_once: usize,
    /// Failed attempts allowed per e-mail address within the window.
    pub failures_per_address: i64,
    /// Failed attempts (sign-in, set-up links, single sign-on) allowed per client address.
    pub failures_per_client: i64,
    pub window_minutes: i64,
    /// The council's reverse proxies ("10.0.0.5", "10.0.0.0/24"): only from these is the
    /// client header believed.
    pub trusted_proxies: Vec<String>,
    /// The header those proxies set, e.g. X-Forwarded-For.
    pub client_header: String,
}

impl Default for SignInSettings {
    fn default() -> Self {
        let rules = ThrottleRules::default();
        SignInSettings {
            password_checks_at_once: 0,
            failures_per_address: rules.per_address,
            failures_per_client: rules.per_client,
            window_minutes: rules.window_minutes,
            trusted_proxies: vec![],
            client_header: "X-Forwarded-For".into(),
        }
    }
}

impl SignInSettings {
    /// Settings that make no sense are refused (nobody could ever sign in, or nobody is ever
    /// throttled).
    pub fn check(&self) -> Result<(), String> {
        if !(1..=1000).contains(&self.failures_per_address) {
            return Err("failures_per_address must be between 1 and 1000".into());
        }
        if !(1..=100_000).contains(&self.failures_per_client) {
            return Err("failures_per_client must be between 1 and 100000".into());
        }
        if !(1..=1440).contains(&self.window_minutes) {
            return Err("window_minutes must be between 1 and 1440 (a day)".into());
        }
        if self.password_checks_at_once > 256 {
            return Err("password_checks_at_once must be at most 256".into());
        }
        TrustedProxies::new(&self.trusted_proxies, &self.client_header).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_host_bound_and_secure_over_https() {
        let https = StaffConfig::new("https://performance.example.gov.uk/");
        assert_eq!(https.base_url, "https://performance.example.gov.uk");
        assert_eq!(https.session_cookie(), "__Host-waymark-session");
        let c = https.cookie(https.session_cookie(), "abc", None);
        assert_eq!(
            c,
            "__Host-waymark-session=abc; Path=/; HttpOnly; SameSite=Lax; Secure"
        );
        let local = StaffConfig::new("http://127.0.0.1:8080");
        assert_eq!(local.session_cookie(), "waymark-session");
        assert!(
            !local
                .cookie("x", "y", Some(Duration::zero()))
                .contains("Secure")
        );
    }
}
