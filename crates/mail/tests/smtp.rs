//! Reminders delivered to a real SMTP server process (aiosmtpd, Debian's python3-aiosmtpd,
//! which `scripts/test` installs), on both backends: who gets what, the links in them, and
//! that running again the same day sends nothing more.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use waymark_domain::workflow::{ReturnContent, Role};
use waymark_domain::{Period, Status};
use waymark_mail::reminders::Mailer;
use waymark_mail::{ReminderRules, Security, SmtpConfig, send_reminders};
use waymark_store::{Act, NewUser, Organisation, Store, User, Who};
use waymark_testkit::{TestDb, backends};

/// An SMTP server in a process of its own, storing what it receives in a Maildir.
struct SmtpServer {
    child: Child,
    port: u16,
    maildir: PathBuf,
    _dir: tempfile::TempDir,
}

impl SmtpServer {
    fn start() -> SmtpServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let maildir = dir.path().join("mail");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let child = Command::new("/usr/bin/python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-c",
                "aiosmtpd.handlers.Mailbox",
                "-l",
            ])
            .arg(format!("127.0.0.1:{port}"))
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start aiosmtpd (install Debian's python3-aiosmtpd; scripts/test does)");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "aiosmtpd did not start listening (is python3-aiosmtpd installed?)"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        SmtpServer {
            child,
            port,
            maildir,
            _dir: dir,
        }
    }

    /// Every message received, by file name, as raw text.
    fn messages(&self) -> std::collections::BTreeMap<String, String> {
        let folder = self.maildir.join("new");
        let Ok(entries) = std::fs::read_dir(&folder) else {
            return Default::default();
        };
        entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let text = std::fs::read_to_string(e.path()).ok()?;
                Some((e.file_name().to_string_lossy().into_owned(), text))
            })
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn add(
    store: &Store,
    org: &Organisation,
    email: &str,
    name: &str,
    role: Role,
    directorate: Option<&str>,
) -> User {
    store
        .add_user(
            org,
            &NewUser {
                email: email.into(),
                name: name.into(),
                role,
                directorate: directorate.map(str::to_string),
            },
            &Who::command_line(),
            Utc::now(),
        )
        .await
        .expect("user")
}

fn unfold(message: &str) -> String {
    // Quoted-printable soft line breaks and encoded '=' as the mail server stored them.
    message
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=")
}

#[tokio::test]
async fn owners_and_directors_are_reminded_once_a_day_over_smtp() {
    let server = SmtpServer::start();
    let mailer = Mailer::new(&SmtpConfig {
        host: "127.0.0.1".into(),
        port: server.port,
        security: Security::None,
        username: None,
        password_env: None,
        from: "Performance team <performance@bexley.example>".into(),
    })
    .expect("mailer");
    for (round, backend) in backends().into_iter().enumerate() {
        let db = TestDb::new(backend).await;
        let store = &db.store;
        let org = waymark_testkit::load_bexley(store).await;
        let activities = store.activities(&org, None).await.expect("activities");
        let first = activities
            .iter()
            .find(|a| a.reference.is_some())
            .expect("activity");
        let second = activities
            .iter()
            .find(|a| {
                a.reference.is_some() && a.id != first.id && a.directorate == first.directorate
            })
            .expect("a second activity in the same directorate");
        let admin = add(
            store,
            &org,
            &format!("perf{round}@bexley.example"),
            "Performance",
            Role::Admin,
            None,
        )
        .await;
        let owner = add(
            store,
            &org,
            &format!("owner{round}@bexley.example"),
            "Olu Owner",
            Role::Owner,
            None,
        )
        .await;
        let director = add(
            store,
            &org,
            &format!("director{round}@bexley.example"),
            "Dana Director",
            Role::Director,
            Some(&first.directorate),
        )
        .await;
        let period: Period = "2025/26 Q1".parse().expect("period");
        let deadline = NaiveDate::from_ymd_opt(2025, 7, 31).expect("date");
        let cycle = store
            .open_cycle(&org, period, deadline, &admin, Utc::now())
            .await
            .expect("open");
        for a in [first, second] {
            store
                .assign_owner(&org, cycle.id, a.id, Some(owner.id), &admin, Utc::now())
                .await
                .expect("assign");
        }
        let content = ReturnContent {
            status: Status::Green,
            commentary: "On track.".into(),
            corrective_action: String::new(),
            reason: String::new(),
            evidence: vec![],
        };
        store
            .act_on_return(
                &org,
                cycle.id,
                second.id,
                Act::Submit(&content),
                0,
                &owner,
                Utc::now(),
            )
            .await
            .expect("submit");

        let rules = ReminderRules { days_before: 7 };
        // Ten days before the deadline: too early for owners; the director has one waiting.
        let early = Utc
            .with_ymd_and_hms(2025, 7, 21, 8, 0, 0)
            .single()
            .expect("time");
        let before = server.messages();
        let sent = send_reminders(
            store,
            &mailer,
            "https://performance.bexley.example",
            rules,
            early,
        )
        .await
        .expect("send");
        assert_eq!(sent.len(), 1, "{backend:?}: {sent:?}");
        assert_eq!(sent[0].to.id, director.id);
        // A week before: the owner is reminded of the return not yet submitted.
        let week = Utc
            .with_ymd_and_hms(2025, 7, 24, 8, 0, 0)
            .single()
            .expect("time");
        let sent = send_reminders(
            store,
            &mailer,
            "https://performance.bexley.example",
            rules,
            week,
        )
        .await
        .expect("send");
        let to: Vec<i64> = sent.iter().map(|r| r.to.id).collect();
        assert!(
            to.contains(&owner.id) && to.contains(&director.id),
            "{backend:?}: {to:?}"
        );
        // Again the same day: nothing more.
        let again = send_reminders(
            store,
            &mailer,
            "https://performance.bexley.example",
            rules,
            week + Duration::hours(3),
        )
        .await
        .expect("send");
        assert!(again.is_empty(), "{backend:?}: {again:?}");

        let messages: Vec<String> = server
            .messages()
            .into_iter()
            .filter(|(name, _)| !before.contains_key(name))
            .map(|(_, text)| text)
            .collect();
        assert_eq!(messages.len(), 3, "{backend:?}: three e-mails delivered");
        let for_owner: Vec<String> = messages
            .iter()
            .map(|m| unfold(m))
            .filter(|m| m.contains(&format!("To: \"Olu Owner\" <owner{round}@bexley.example>")))
            .collect();
        assert_eq!(for_owner.len(), 1, "{backend:?}");
        let mail = &for_owner[0];
        assert!(
            mail.contains("Subject: 1 return for 2025/26 Q1 due by 31 July 2025"),
            "{mail}"
        );
        assert!(
            mail.contains("From: \"Performance team\" <performance@bexley.example>"),
            "{mail}"
        );
        let link = format!(
            "https://performance.bexley.example/staff/periods/{}/activities/{}",
            cycle.id, first.id
        );
        assert!(
            mail.contains(&link),
            "{backend:?}: the link to the return: {mail}"
        );
        assert!(
            !mail.contains(&format!("activities/{}\n", second.id)),
            "the submitted one is not listed"
        );
        let for_director = messages
            .iter()
            .map(|m| unfold(m))
            .filter(|m| m.contains("Dana Director"))
            .count();
        assert_eq!(for_director, 2, "{backend:?}: once each day");

        let events = store.audit_export(Some(&org)).await.expect("audit");
        assert_eq!(
            events
                .iter()
                .filter(|e| e.action == "reminder.sent")
                .count(),
            3,
            "{backend:?}"
        );
    }
}

#[test]
fn the_server_this_test_needs_is_installed() {
    assert!(
        Path::new("/usr/bin/python3").exists(),
        "the SMTP tests run Debian's python3 with python3-aiosmtpd"
    );
}
