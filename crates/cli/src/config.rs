//! The deployment's configuration file (`--config FILE`, or `WAYMARK_CONFIG`): the site's
//! address, the mail server and when reminders go out. Secrets are not written in it: it
//! names the environment variables that hold them.
//!
//! ```toml
//! [site]
//! url = "https://performance.bexley.gov.uk"
//!
//! [smtp]
//! host = "smtp.bexley.gov.uk"
//! port = 587
//! security = "starttls"        # none | starttls | tls
//! username = "waymark"
//! password_env = "WAYMARK_SMTP_PASSWORD"
//! from = "Performance team <performance@bexley.gov.uk>"
//!
//! [reminders]
//! days_before = 7
//!
//! [oidc]
//! issuer = "https://login.microsoftonline.com/TENANT-ID/v2.0"
//! client_id = "…"
//! client_secret_env = "WAYMARK_OIDC_SECRET"
//! label = "Sign in with your Bexley account"
//!
//! [reports]
//! templates = "report-templates"   # report.html, report.md, report.typ, brand.toml
//!
//! [audit]
//! key_file = "/etc/waymark/audit.key"                 # seals audit events (HMAC-SHA256)
//! signing_key_file = "/etc/waymark/checkpoint.key"    # signs `waymark audit checkpoint`
//!
//! [sign_in]
//! password_checks_at_once = 0      # 0: one per core; beyond it sign-ins are told "busy"
//! failures_per_address = 10        # within the window, per e-mail address
//! failures_per_client = 100        # within the window, per client address
//! window_minutes = 5
//! trusted_proxies = ["10.0.0.5"]   # only these may name the client in client_header
//! client_header = "X-Forwarded-For"
//!
//! [server]                         # every setting optional; these are the defaults
//! header_timeout = 10              # seconds for a request's whole head to arrive
//! idle_timeout = 60                # seconds a kept-alive connection may sit unused
//! request_timeout = 120            # seconds to handle a request (typesetting reports included)
//! max_connections = 1024           # open at once; more wait to be accepted
//! hsts_max_age = 31536000          # Strict-Transport-Security, sent when [site] url is https
//! ```

use crate::Failure;
use serde::Deserialize;
use std::path::Path;
use waymark_mail::{ReminderRules, SmtpConfig};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub site: Site,
    pub smtp: Option<SmtpConfig>,
    #[serde(default)]
    pub reminders: ReminderRules,
    /// Single sign-on with the council's identity provider (OpenID Connect).
    pub oidc: Option<waymark_staff::oidc::OidcConfig>,
    #[serde(default)]
    pub reports: Reports,
    /// How sign-in stands up to guessing and floods.
    #[serde(default)]
    pub sign_in: waymark_staff::SignInSettings,
    #[serde(default)]
    pub audit: Audit,
    #[serde(default)]
    pub server: Server,
}

/// The audit trail's keys, held outside the database (see `crate::keys`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Audit {
    /// The file holding the key that seals audit events (64 hexadecimal digits); relative to
    /// the configuration file.
    pub key_file: Option<std::path::PathBuf>,
    /// The file holding the Ed25519 key that signs checkpoints; relative to the configuration
    /// file. Made on first use.
    pub signing_key_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reports {
    /// The council's report templates and brand (`report.html`, `report.md`, `report.typ`,
    /// `brand.toml`); relative to the configuration file.
    pub templates: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// The address people reach the site at.
    pub url: Option<String>,
}

/// `[server]`: limits on connections and requests (see `waymark_web::listen`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Server {
    /// Seconds for a request's whole head (request line and headers) to arrive.
    pub header_timeout: Seconds,
    /// Seconds a kept-alive connection may sit with no request and nothing moving.
    pub idle_timeout: Seconds,
    /// Seconds a request's handling may take before it is answered 503.
    pub request_timeout: Seconds,
    /// Connections open at once; more wait in the listen backlog until one closes.
    pub max_connections: Connections,
    /// `Strict-Transport-Security`'s max-age in seconds, sent only when the site's address is
    /// https (0 tells browsers to forget it).
    pub hsts_max_age: u64,
}

impl Default for Server {
    fn default() -> Server {
        let web = waymark_web::ServerSettings::default();
        Server {
            header_timeout: Seconds(web.header_timeout.as_secs()),
            idle_timeout: Seconds(web.idle_timeout.as_secs()),
            request_timeout: Seconds(web.request_timeout.as_secs()),
            max_connections: Connections(web.max_connections),
            hsts_max_age: waymark_web::listen::HSTS_YEAR,
        }
    }
}

impl Server {
    /// The web server's settings for a site at `base` (HSTS only when it is https).
    pub fn settings(&self, base: &str) -> waymark_web::ServerSettings {
        let https = base
            .get(..8)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"));
        waymark_web::ServerSettings {
            header_timeout: self.header_timeout.duration(),
            idle_timeout: self.idle_timeout.duration(),
            request_timeout: self.request_timeout.duration(),
            max_connections: self.max_connections.0,
            hsts_max_age: https.then_some(self.hsts_max_age),
        }
    }
}

/// A time limit in whole seconds, from 1 second to a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seconds(pub u64);

impl Seconds {
    pub fn duration(self) -> std::time::Duration {
        std::time::Duration::from_secs(self.0)
    }
}

impl<'de> Deserialize<'de> for Seconds {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Seconds, D::Error> {
        let n = i64::deserialize(d)?;
        match u64::try_from(n) {
            Ok(n) if (1..=86_400).contains(&n) => Ok(Seconds(n)),
            _ => Err(serde::de::Error::custom(format!(
                "{n} seconds: give a number of seconds from 1 to 86400"
            ))),
        }
    }
}

/// A number of connections, from 1 to 1,000,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Connections(pub usize);

impl<'de> Deserialize<'de> for Connections {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Connections, D::Error> {
        let n = i64::deserialize(d)?;
        match usize::try_from(n) {
            Ok(n) if (1..=1_000_000).contains(&n) => Ok(Connections(n)),
            _ => Err(serde::de::Error::custom(format!(
                "{n} connections: give a number from 1 to 1000000"
            ))),
        }
    }
}

/// Largest configuration file read.
const MAX_BYTES: u64 = 64 * 1024;

impl Config {
    /// Read the file, or the defaults when none is given. Errors name the file, line and field.
    pub fn load(path: Option<&Path>) -> Result<Config, Failure> {
        let Some(path) = path else {
            return Ok(Config::default());
        };
        let shown = path.display();
        let size = std::fs::metadata(path)
            .map_err(|e| {
                Failure::Input(format!("cannot read the configuration file {shown}: {e}"))
            })?
            .len();
        if size > MAX_BYTES {
            return Err(Failure::Input(format!(
                "{shown} is larger than {} KB; is it the configuration file?",
                MAX_BYTES / 1024
            )));
        }
        let text = std::fs::read_to_string(path).map_err(|e| {
            Failure::Input(format!("cannot read the configuration file {shown}: {e}"))
        })?;
        let mut config = Config::parse(&shown.to_string(), &text)?;
        config
            .sign_in
            .check()
            .map_err(|why| Failure::Input(format!("{shown}, [sign_in]: {why}")))?;
        // Files it names are found beside the configuration file, wherever Waymark runs.
        if let Some(parent) = path.parent() {
            for file in [
                &mut config.reports.templates,
                &mut config.audit.key_file,
                &mut config.audit.signing_key_file,
            ] {
                if let Some(relative) = file.as_ref().filter(|f| f.is_relative()) {
                    *file = Some(parent.join(relative));
                }
            }
        }
        Ok(config)
    }

    pub fn parse(name: &str, text: &str) -> Result<Config, Failure> {
        toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            match line {
                Some(line) => Failure::Input(format!("{name}, line {line}: {}", e.message())),
                None => Failure::Input(format!("{name}: {}", e.message())),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_file_is_read() {
        let config = Config::parse(
            "waymark.toml",
            "[site]\nurl = \"https://p.example.gov.uk\"\n\n[smtp]\nhost = \"smtp.example.gov.uk\"\nfrom = \"Performance <p@example.gov.uk>\"\nsecurity = \"tls\"\nport = 465\n\n[reminders]\ndays_before = 3\n",
        )
        .map_err(|e| format!("{e:?}"))
        .expect("parses");
        assert_eq!(config.site.url.as_deref(), Some("https://p.example.gov.uk"));
        let smtp = config.smtp.expect("smtp");
        assert_eq!(
            (smtp.port, smtp.security),
            (465, waymark_mail::Security::Tls)
        );
        assert_eq!(config.reminders.days_before, 3);
        assert!(config.audit.key_file.is_none());
    }

    #[test]
    fn audit_key_files_are_found_beside_the_configuration_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("waymark.toml");
        std::fs::write(
            &path,
            "[audit]\nkey_file = \"audit.key\"\nsigning_key_file = \"/srv/sign.key\"\n",
        )
        .expect("write");
        let config = Config::load(Some(&path))
            .map_err(|e| format!("{e:?}"))
            .expect("loads");
        assert_eq!(config.audit.key_file, Some(dir.path().join("audit.key")));
        assert_eq!(
            config.audit.signing_key_file,
            Some(std::path::PathBuf::from("/srv/sign.key"))
        );
        let Err(Failure::Input(message)) = Config::parse("waymark.toml", "[audit]\nkey = \"x\"\n")
        else {
            panic!("accepted");
        };
        assert!(message.contains("key"), "{message}");
    }

    #[test]
    fn mistakes_name_the_line_and_field() {
        let Err(Failure::Input(message)) = Config::parse(
            "waymark.toml",
            "[site]\nurl = \"x\"\n\n[smtp]\nhots = \"typo\"\n",
        ) else {
            panic!("accepted");
        };
        assert!(message.starts_with("waymark.toml, line 5"), "{message}");
        assert!(message.contains("hots"), "{message}");
        assert!(
            Config::parse("w.toml", "[smtp]\nhost = \"h\"\n").is_err(),
            "from is required"
        );
    }

    #[test]
    fn sign_in_settings_are_read_and_checked() {
        let config = Config::parse(
            "waymark.toml",
            "[sign_in]\npassword_checks_at_once = 4\ntrusted_proxies = [\"10.0.0.0/24\"]\n",
        )
        .map_err(|e| format!("{e:?}"))
        .expect("parses");
        assert_eq!(config.sign_in.password_checks_at_once, 4);
        assert_eq!(config.sign_in.failures_per_address, 10, "defaults kept");
        assert!(config.sign_in.check().is_ok());
        let config = Config::parse("w.toml", "[sign_in]\ntrusted_proxies = [\"proxy\"]\n")
            .map_err(|e| format!("{e:?}"))
            .expect("parses");
        assert!(config.sign_in.check().is_err(), "not an address");
        let config = Config::parse("w.toml", "[sign_in]\nwindow_minutes = 0\n")
            .map_err(|e| format!("{e:?}"))
            .expect("parses");
        assert!(config.sign_in.check().is_err());
    }

    #[test]
    fn server_limits_have_defaults_and_bounds() {
        let defaults = Config::parse("w.toml", "")
            .map_err(|e| format!("{e:?}"))
            .expect("parses");
        let web = waymark_web::ServerSettings::default();
        assert_eq!(defaults.server.settings("http://127.0.0.1:8080"), web);
        let config = Config::parse(
            "w.toml",
            "[server]\nheader_timeout = 5\nidle_timeout = 30\nrequest_timeout = 300\nmax_connections = 64\nhsts_max_age = 600\n",
        )
        .map_err(|e| format!("{e:?}"))
        .expect("parses");
        let settings = config.server.settings("HTTPS://p.example.gov.uk");
        assert_eq!(settings.header_timeout.as_secs(), 5);
        assert_eq!(settings.idle_timeout.as_secs(), 30);
        assert_eq!(settings.request_timeout.as_secs(), 300);
        assert_eq!(settings.max_connections, 64);
        assert_eq!(settings.hsts_max_age, Some(600));
        assert_eq!(
            config
                .server
                .settings("http://p.example.gov.uk")
                .hsts_max_age,
            None
        );
        assert_eq!(
            defaults
                .server
                .settings("https://p.example.gov.uk")
                .hsts_max_age,
            Some(31_536_000)
        );
        for (text, field) in [
            ("[server]\nheader_timeout = 0\n", "header_timeout"),
            ("[server]\n\nidle_timeout = 100000\n", "idle_timeout"),
            ("[server]\nmax_connections = 0\n", "max_connections"),
            ("[server]\nrequest_timeout = -1\n", "request_timeout"),
            ("[server]\nmax_conections = 10\n", "max_conections"),
        ] {
            let Err(Failure::Input(message)) = Config::parse("w.toml", text) else {
                panic!("accepted {text:?}");
            };
            let line = text.matches('\n').count();
            assert!(
                message.starts_with(&format!("w.toml, line {line}")),
                "{message}"
            );
            assert!(
                message.contains(field) || message.contains("from 1"),
                "{message}"
            );
        }
    }
}
