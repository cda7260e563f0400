//! How a deployment's staff site behaves: its public address (for links in e-mails and
//! set-up links), whether cookies must travel over HTTPS only, and how long sessions last.

use chrono::Duration;
use waymark_store::SessionRules;

#[derive(Debug, Clone)]
pub struct StaffConfig {
    /// Where people reach the site, without a trailing slash (e.g. https://performance.bexley.gov.uk).
    pub base_url: String,
    pub sessions: SessionRules,
}

impl StaffConfig {
    pub fn new(base_url: &str) -> StaffConfig {
        StaffConfig {
            base_url: base_url.trim_end_matches('/').to_string(),
            sessions: SessionRules::default(),
        }
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
