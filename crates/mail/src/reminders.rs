//! Who is reminded of what, and sending it.

use crate::{MailError, ReminderRules, Security, SmtpConfig};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::collections::BTreeMap;
use waymark_domain::Period;
use waymark_domain::workflow::{PeriodState, ReturnState, Role};
use waymark_store::{Cycle, CycleItem, Store, User};

/// What a reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// To an owner: returns due and not yet submitted.
    ReturnsDue,
    /// To a director: submitted returns waiting for their approval.
    ApprovalsWaiting,
}

impl Kind {
    pub fn key(self) -> &'static str {
        match self {
            Kind::ReturnsDue => "returns-due",
            Kind::ApprovalsWaiting => "approvals-waiting",
        }
    }
}

/// One e-mail to one person about one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub to: User,
    pub kind: Kind,
    pub cycle_id: i64,
    pub period: Period,
    pub items: usize,
    pub subject: String,
    pub body: String,
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn line(item: &CycleItem, cycle: &Cycle, base_url: &str) -> String {
    let state = item.state.map(ReturnState::name).unwrap_or("Not started");
    let name = match &item.reference {
        Some(r) => format!("{r}: {}", item.title),
        None => item.title.clone(),
    };
    format!(
        "- {name} ({state})\n  {base_url}/staff/periods/{}/activities/{}\n",
        cycle.id, item.activity_id
    )
}

/// The reminders due on `today`: each owner with returns not yet submitted in an open period
/// whose deadline is `days_before` days away or past, and each director with submitted returns
/// of their directorate waiting. One e-mail per person, kind and period.
pub fn plan(
    today: NaiveDate,
    base_url: &str,
    periods: &[(Cycle, Vec<CycleItem>)],
    people: &[User],
    rules: ReminderRules,
) -> Vec<Reminder> {
    let base_url = base_url.trim_end_matches('/');
    let mut out = vec![];
    for (cycle, items) in periods {
        if cycle.state != PeriodState::Open {
            continue;
        }
        let deadline = cycle.deadline.format("%-d %B %Y");
        let due_soon = cycle
            .deadline
            .checked_sub_signed(Duration::days(rules.days_before))
            .is_none_or(|from| today >= from);
        // Owners: returns not submitted yet.
        let mut by_owner: BTreeMap<i64, Vec<&CycleItem>> = BTreeMap::new();
        if due_soon {
            for item in items {
                let outstanding = matches!(
                    item.state,
                    None | Some(ReturnState::Draft) | Some(ReturnState::Returned)
                );
                if let (true, Some(owner)) = (outstanding, &item.owner) {
                    by_owner.entry(owner.id).or_default().push(item);
                }
            }
        }
        for (owner_id, owned) in by_owner {
            let Some(to) = people.iter().find(|p| p.id == owner_id && p.active) else {
                continue;
            };
            let overdue = today > cycle.deadline;
            let subject = if overdue {
                format!(
                    "Overdue: {} for {} (due {deadline})",
                    plural(owned.len(), "return", "returns"),
                    cycle.period
                )
            } else {
                format!(
                    "{} for {} due by {deadline}",
                    plural(owned.len(), "return", "returns"),
                    cycle.period
                )
            };
            let mut body = format!(
                "Dear {},\n\nThese returns for {} {} by {deadline}:\n\n",
                to.name,
                cycle.period,
                if overdue { "were due" } else { "are due" }
            );
            for item in &owned {
                body.push_str(&line(item, cycle, base_url));
            }
            body.push_str(&format!(
                "\nSign in at {base_url}/staff to write and submit them. Returns sent back by your director need changing and submitting again.\n\nThis reminder was sent by Waymark for your performance team.\n"
            ));
            out.push(Reminder {
                to: to.clone(),
                kind: Kind::ReturnsDue,
                cycle_id: cycle.id,
                period: cycle.period,
                items: owned.len(),
                subject,
                body,
            });
        }
        // Directors: submitted returns of their directorate.
        for director in people
            .iter()
            .filter(|p| p.active && p.role == Role::Director)
        {
            let waiting: Vec<&CycleItem> = items
                .iter()
                .filter(|i| {
                    i.state == Some(ReturnState::Submitted)
                        && Some(i.directorate_id) == director.directorate_id
                })
                .collect();
            if waiting.is_empty() {
                continue;
            }
            let subject = format!(
                "{} for {} waiting for your approval",
                plural(waiting.len(), "return", "returns"),
                cycle.period
            );
            let mut body = format!(
                "Dear {},\n\nThese returns for {} have been submitted and are waiting for you to approve them or send them back:\n\n",
                director.name, cycle.period
            );
            for item in &waiting {
                body.push_str(&line(item, cycle, base_url));
            }
            body.push_str(&format!(
                "\nSign in at {base_url}/staff to review them. The period's returns are due by {deadline}.\n\nThis reminder was sent by Waymark for your performance team.\n"
            ));
            out.push(Reminder {
                to: director.clone(),
                kind: Kind::ApprovalsWaiting,
                cycle_id: cycle.id,
                period: cycle.period,
                items: waiting.len(),
                subject,
                body,
            });
        }
    }
    out
}

/// A connection to the mail server, made from the configuration.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(config: &SmtpConfig) -> Result<Mailer, MailError> {
        let builder = match config.security {
            Security::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host),
            Security::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
                    .map_err(|e| MailError::Config(e.to_string()))?
            }
            Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)
                .map_err(|e| MailError::Config(e.to_string()))?,
        };
        let mut builder = builder
            .port(config.port)
            .timeout(Some(std::time::Duration::from_secs(30)));
        if let Some(user) = &config.username {
            let variable = config.password_env.as_deref().ok_or_else(|| {
                MailError::Config("smtp.username is set but smtp.password_env is not".into())
            })?;
            let password = std::env::var(variable).map_err(|_| {
                MailError::Config(format!("the environment variable {variable} is not set"))
            })?;
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        let from = config
            .from
            .parse::<Mailbox>()
            .map_err(|e| MailError::Config(format!("smtp.from '{}': {e}", config.from)))?;
        Ok(Mailer {
            transport: builder.build(),
            from,
        })
    }

    pub async fn send(&self, to: &User, subject: &str, body: &str) -> Result<(), MailError> {
        let address = to
            .email
            .parse()
            .map_err(|e| MailError::Config(format!("{}: {e}", to.email)))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(Some(to.name.clone()), address))
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_string())
            .map_err(|e| MailError::Config(e.to_string()))?;
        self.transport
            .send(message)
            .await
            .map_err(|e| MailError::Smtp(e.to_string()))?;
        Ok(())
    }
}

/// Send every reminder due now that has not gone out today, for every council. Returns what
/// was sent. A reminder that cannot be sent is reported and left for the next run.
pub async fn send_reminders(
    store: &Store,
    mailer: &Mailer,
    base_url: &str,
    rules: ReminderRules,
    now: DateTime<Utc>,
) -> Result<Vec<Reminder>, MailError> {
    let today = now.date_naive();
    let mut sent = vec![];
    let mut failures = vec![];
    for org in store.organisations().await? {
        let mut periods = vec![];
        for cycle in store.cycles(&org).await? {
            if cycle.state == PeriodState::Open {
                let items = store.cycle_items(&org, cycle.id).await?;
                periods.push((cycle, items));
            }
        }
        if periods.is_empty() {
            continue;
        }
        let people = store.users(&org).await?;
        let already = store.reminders_sent_on(&org, today).await?;
        for reminder in plan(today, base_url, &periods, &people, rules) {
            let key = (
                reminder.to.id,
                reminder.cycle_id,
                reminder.kind.key().to_string(),
            );
            if already.contains(&key) {
                continue;
            }
            match mailer
                .send(&reminder.to, &reminder.subject, &reminder.body)
                .await
            {
                Ok(()) => {
                    // Sent: a failure to record it means one more reminder tomorrow, not a
                    // stop for everyone after this person.
                    if let Err(e) = store
                        .record_reminder(
                            &org,
                            &reminder.to,
                            reminder.cycle_id,
                            reminder.kind.key(),
                            reminder.items,
                            now,
                        )
                        .await
                    {
                        tracing::error!(
                            "a reminder to {} was sent but not recorded: {e}",
                            reminder.to.email
                        );
                    }
                    sent.push(reminder);
                }
                Err(e) => failures.push(format!("{}: {e}", reminder.to.email)),
            }
        }
    }
    if !failures.is_empty() && sent.is_empty() {
        return Err(MailError::Smtp(failures.join("; ")));
    }
    for failure in failures {
        tracing::warn!("a reminder could not be sent: {failure}");
    }
    metrics::counter!("waymark_reminders_sent_total").increment(sent.len() as u64);
    Ok(sent)
}
