//! People who sign in to the staff site: accounts, one-time set-up links, sessions and sign-in
//! attempts. Secrets are never stored: set-up links and session cookies carry random tokens of
//! which only a SHA-256 hash is kept, and passwords arrive here already hashed (Argon2id, by
//! the staff site). Every change to an account, and every sign-in, is in the audit trail.

use crate::rows::RowRef;
use crate::staff::audit::{self, Change, Who};
use crate::{Organisation, Result, Store, StoreError, Tx, corrupt, stamp};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::Row;
use waymark_domain::workflow::Role;

/// A person who can sign in to the staff site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub org_id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// The directorate a director approves for.
    pub directorate_id: Option<i64>,
    pub directorate: Option<String>,
    pub password_hash: Option<String>,
    pub oidc_subject: Option<String>,
    pub active: bool,
}

impl User {
    /// How the audit trail names this person.
    pub fn who(&self) -> Who {
        Who::user(self.id, &self.email)
    }

    /// The account as the audit trail records it before and after a change (no secrets).
    fn audit_view(&self) -> serde_json::Value {
        json!({
            "email": self.email,
            "name": self.name,
            "role": self.role.key(),
            "directorate": self.directorate,
            "active": self.active,
            "password_set": self.password_hash.is_some(),
            "single_sign_on": self.oidc_subject.is_some(),
        })
    }
}

/// A new account, as an admin (or the first-run command) describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: Role,
    /// For a director: the name of the directorate they approve for.
    pub directorate: Option<String>,
}

/// A signed-in session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: i64,
    pub user_id: i64,
    /// The token forms must carry back (synchroniser token against cross-site requests).
    pub csrf_token: String,
    pub created_at: String,
    pub expires_at: String,
}

/// How long sessions and set-up links last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionRules {
    /// Signed out after this long without a request.
    pub idle: Duration,
    /// Signed out this long after signing in, however active.
    pub absolute: Duration,
}

impl Default for SessionRules {
    fn default() -> Self {
        // ASVS 3.3: re-authentication after a period of inactivity and at an absolute limit.
        SessionRules {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
        }
    }
}

/// Failed sign-ins allowed per account in [`THROTTLE_WINDOW_MINUTES`] before more are refused.
pub const MAX_FAILED_SIGN_INS: i64 = 10;
pub const THROTTLE_WINDOW_MINUTES: i64 = 5;
/// Failed attempts of any kind allowed per client address in the window.
pub const MAX_FAILURES_PER_CLIENT: i64 = 100;

/// A set-up link works this long after it is issued.
pub const SETUP_LINK_HOURS: i64 = 72;

/// A new random token (256 bits, hex) and the hash that is stored in its place.
pub fn new_token() -> Result<(String, String)> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Usage(format!("the system has no source of randomness: {e}")))?;
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let hash = token_hash(&token);
    Ok((token, hash))
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// E-mail addresses are compared without case and surrounding space.
pub fn normal_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A plausible e-mail address: one '@' with something either side, a dot in the domain, no
/// spaces or control characters, at most 254 characters (RFC 5321's limit).
pub fn check_email(email: &str) -> std::result::Result<(), String> {
    let email = email.trim();
    let Some((local, domain)) = email.split_once('@') else {
        return Err(
            "Enter an email address in the correct format, like name@example.gov.uk".into(),
        );
    };
    let valid = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid {
        Ok(())
    } else {
        Err("Enter an email address in the correct format, like name@example.gov.uk".into())
    }
}

/// An account's columns, read by [`read_user`] by these names.
const USER_COLUMNS: &str = "u.id, u.org_id, u.email, u.name, u.role, u.directorate_id, \
    d.name AS directorate, u.password_hash, u.oidc_subject, u.active";

fn read_user(r: &sqlx::any::AnyRow) -> Result<User> {
    let role: String = r.try_get("role")?;
    Ok(User {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        role: Role::from_key(&role).ok_or_else(|| corrupt(format!("unknown role '{role}'")))?,
        directorate_id: r.try_get("directorate_id")?,
        directorate: r.try_get("directorate")?,
        password_hash: r.try_get("password_hash")?,
        oidc_subject: r.try_get("oidc_subject")?,
        active: r.try_get::<i64, _>("active")? != 0,
    })
}

pub(crate) async fn user_in(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Option<User>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users u LEFT JOIN directorates d ON d.id = u.directorate_id
         WHERE u.id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(read_user).transpose()
}

/// What an admin may change about an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserChange {
    pub name: String,
    pub role: Role,
    pub directorate: Option<String>,
    pub active: bool,
}

impl Store {
    /// Find the directorate a director approves for, by name (as the plan spells it).
    async fn directorate_id(
        tx: &mut Tx,
        org: &Organisation,
        role: Role,
        directorate: Option<&str>,
    ) -> Result<Option<i64>> {
        let name = directorate.map(str::trim).filter(|n| !n.is_empty());
        match (role, name) {
            (Role::Director, None) => Err(StoreError::Usage(
                "a director must be given the directorate they approve for".into(),
            )),
            (_, None) => Ok(None),
            (_, Some(name)) => {
                let key = waymark_domain::text::fold(name);
                let id: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM directorates WHERE org_id = $1 AND fold_key = $2",
                )
                .bind(org.id)
                .bind(&key)
                .fetch_optional(&mut **tx)
                .await?;
                match id {
                    Some(id) => Ok(Some(id)),
                    None => Err(StoreError::Usage(format!(
                        "council '{}' has no directorate called '{name}'",
                        org.slug
                    ))),
                }
            }
        }
    }

    /// Add an account. The person has no password until they follow a set-up link.
    pub async fn add_user(
        &self,
        org: &Organisation,
        new: &NewUser,
        by: &Who,
        at: DateTime<Utc>,
    ) -> Result<User> {
        check_email(&new.email).map_err(StoreError::Usage)?;
        let email = normal_email(&new.email);
        let name = new.name.trim();
        if name.chars().count() > 200 || name.chars().any(char::is_control) {
            return Err(StoreError::Usage(
                "a name must be at most 200 characters, without control characters".into(),
            ));
        }
        let mut tx = self.begin_write().await?;
        let directorate_id =
            Store::directorate_id(&mut tx, org, new.role, new.directorate.as_deref()).await?;
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(&email)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::Usage(format!(
                "there is already an account for {email}"
            )));
        }
        let now = stamp(at);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (org_id, email, name, role, directorate_id, active, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 1, $6, $6) RETURNING id",
        )
        .bind(org.id)
        .bind(&email)
        .bind(if name.is_empty() { email.as_str() } else { name })
        .bind(new.role.key())
        .bind(directorate_id)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        let user = user_in(&mut tx, id)
            .await?
            .ok_or_else(|| corrupt("the new account vanished"))?;
        audit::append(
            &mut tx,
            self.audit_key(),
            Change {
                org_id: Some(org.id),
                who: by,
                action: "user.created",
                subject: format!("user {email}"),
                before: None,
                after: Some(user.audit_view()),
                row: RowRef::new("users", user.id),
            },
            at,
        )
        .await?;
        self.commit(tx).await?;
        Ok(user)
    }

    /// Change an account's name, role, directorate or whether it may sign in. Taking away a
    /// person's access (deactivating, or changing their role) ends their sessions.
    pub async fn change_user(
        &self,
        org: &Organisation,
        user_id: i64,
        change: &UserChange,
        by: &Who,
        at: DateTime<Utc>,
    ) -> Result<User> {
        let mut tx = self.begin_write().await?;
        let before = user_in(&mut tx, user_id)
            .await?
            .filter(|u| u.org_id == org.id)
            .ok_or_else(|| StoreError::Usage("no such account".into()))?;
        let directorate_id =
            Store::directorate_id(&mut tx, org, change.role, change.directorate.as_deref()).await?;
        let name = change.name.trim();
        sqlx::query(
            "UPDATE users SET name = $1, role = $2, directorate_id = $3, active = $4, updated_at = $5
             WHERE id = $6",
        )
        .bind(if name.is_empty() { before.email.as_str() } else { name })
        .bind(change.role.key())
        .bind(directorate_id)
        .bind(i64::from(change.active))
        .bind(stamp(at))
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        let after = user_in(&mut tx, user_id)
            .await?
            .ok_or_else(|| corrupt("the account vanished"))?;
        if !after.active
            || after.role != before.role
            || after.directorate_id != before.directorate_id
        {
            end_sessions(&mut tx, user_id, "access changed", at).await?;
        }
        audit::append(
            &mut tx,
            self.audit_key(),
            Change {
                org_id: Some(org.id),
                who: by,
                action: "user.changed",
                subject: format!("user {}", after.email),
                before: Some(before.audit_view()),
                after: Some(after.audit_view()),
                row: RowRef::new("users", after.id),
            },
            at,
        )
        .await?;
        self.commit(tx).await?;
        Ok(after)
    }

    /// A council's accounts, by e-mail address.
    pub async fn users(&self, org: &Organisation) -> Result<Vec<User>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users u LEFT JOIN directorates d ON d.id = u.directorate_id
             WHERE u.org_id = $1 ORDER BY u.email"
        )))
        .bind(org.id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(read_user).collect()
    }

    pub async fn user(&self, id: i64) -> Result<Option<User>> {
        let mut conn = self.pool.acquire().await?;
        user_in(&mut conn, id).await
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users u LEFT JOIN directorates d ON d.id = u.directorate_id
             WHERE u.email = $1"
        )))
        .bind(normal_email(email))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(read_user).transpose()
    }

    /// The account linked to a single sign-on identity ("issuer subject").
    pub async fn user_by_oidc_subject(&self, subject: &str) -> Result<Option<User>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users u LEFT JOIN directorates d ON d.id = u.directorate_id
             WHERE u.oidc_subject = $1"
        )))
        .bind(subject)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(read_user).transpose()
    }

    /// Link an account to the single sign-on identity that first signed in with its address.
    pub async fn link_oidc_subject(
        &self,
        user: &User,
        subject: &str,
        at: DateTime<Utc>,
    ) -> Result<User> {
        let mut tx = self.begin_write().await?;
        let linked = sqlx::query(
            "UPDATE users SET oidc_subject = $1, updated_at = $2 WHERE id = $3 AND oidc_subject IS NULL",
        )
        .bind(subject)
        .bind(stamp(at))
        .bind(user.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if linked != 1 {
            return Err(StoreError::Conflict(
                "this account is already linked to another single sign-on identity".into(),
            ));
        }
        audit::append(
            &mut tx,
            self.audit_key(),
            Change {
                org_id: Some(user.org_id),
                who: &user.who(),
                action: "user.single-sign-on-linked",
                subject: format!("user {}", user.email),
                before: None,
                after: Some(json!({ "identity": subject })),
                row: RowRef::new("users", user.id),
            },
            at,
        )
        .await?;
        let after = user_in(&mut tx, user.id)
            .await?
            .ok_or_else(|| corrupt("the account vanished"))?;
        self.commit(tx).await?;
        Ok(after)
    }

    /// Issue a one-time link for the person to set their password (replacing any unused link
    /// they had). Returns the token to put in the link; only its hash is stored.
    pub async fn issue_setup_link(
        &self,
        user: &User,
        by: &Who,
        at: DateTime<Utc>,
    ) -> Result<String> {
        let (token, hash) = new_token()?;
        let now = stamp(at);
        let mut tx = self.begin_write().await?;
        // An older link stops working when a new one is issued.
        sqlx::query("UPDATE setup_tokens SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
            .bind(&now)
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO setup_tokens (org_id, user_id, token_hash, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(user.org_id)
        .bind(user.id)
        .bind(&hash)
        .bind(&now)
        .bind(stamp(at + Duration::hours(SETUP_LINK_HOURS)))
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            self.audit_key(),
            Change {
                org_id: Some(user.org_id),
                who: by,
                action: "user.setup-link-issued",
                subject: format!("user {}", user.email),
                before: None,
                after: Some(json!({ "expires_in_hours": SETUP_LINK_HOURS })),
                row: None,
            },
            at,
        )
        .await?;
        self.commit(tx).await?;
        Ok(token)
    }

    /// The account a set-up link is for, while the link is unused and unexpired.
    pub async fn setup_link_user(&self, token: &str, at: DateTime<Utc>) -> Result<Option<User>> {
        let user_id: Option<i64> = sqlx::query_scalar(
            "SELECT t.user_id FROM setup_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND t.used_at IS NULL AND t.expires_at > $2 AND u.active = 1",
        )
        .bind(token_hash(token))
        .bind(stamp(at))
        .fetch_optional(&self.pool)
        .await?;
        match user_id {
            Some(id) => self.user(id).await,
            None => Ok(None),
        }
    }

    /// Set a password through a set-up link: the link is used up, and any sessions the person
    /// had are ended. Refused (changing nothing) if the link is unknown, used or expired.
    pub async fn use_setup_link(
        &self,
        token: &str,
        password_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<User> {
        let now = stamp(at);
        let mut tx = self.begin_write().await?;
        let found = sqlx::query(
            "SELECT t.id, t.user_id FROM setup_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND t.used_at IS NULL AND t.expires_at > $2 AND u.active = 1",
        )
        .bind(token_hash(token))
        .bind(&now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(found) = found else {
            return Err(StoreError::Usage(
                "this set-up link has expired or has already been used; ask your performance team for a new one".into(),
            ));
        };
        let (token_id, user_id): (i64, i64) = (found.try_get("id")?, found.try_get("user_id")?);
        sqlx::query("UPDATE setup_tokens SET used_at = $1 WHERE id = $2")
            .bind(&now)
            .bind(token_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
            .bind(password_hash)
            .bind(&now)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        end_sessions(&mut tx, user_id, "password changed", at).await?;
        let user = user_in(&mut tx, user_id)
            .await?
            .ok_or_else(|| corrupt("the account vanished"))?;
        audit::append(
            &mut tx,
            self.audit_key(),
            Change {
                org_id: Some(user.org_id),
                who: &user.who(),
                action: "user.password-set",
                subject: format!("user {}", user.email),
                before: None,
                after: None,
                row: RowRef::new("users", user.id),
            },
            at,
        )
        .await?;
        self.commit(tx).await?;
        Ok(user)
    }

    /// Decide whether an attempt may go ahead, and count it, in one write: the attempt is
    /// counted as a failure before the password (or link, or identity) is checked, so any
    /// number of parallel guesses pass the limit at most as often as the limit allows. A right
    /// answer takes its count back ([`Store::attempt_succeeded`]). An attempt refused here is
    /// counted too, on the client's own row once the client is over its limit, so hammering
    /// adds to counters, not rows. Throttling rows older than a day are pruned in the same
    /// write: they are throttling state, not the audit trail.
    pub async fn begin_attempt(
        &self,
        kind: AttemptKind,
        email: &str,
        client: &str,
        rules: ThrottleRules,
        at: DateTime<Utc>,
    ) -> Result<Gate> {
        let email = normal_email(email);
        let minute = minute_of(at);
        let since = minute_of(at - rules.window() + Duration::minutes(1));
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM login_attempts WHERE minute < $1")
            .bind(minute_of(at - Duration::days(1)))
            .execute(&mut *tx)
            .await?;
        let by_address: i64 = if email.is_empty() {
            0
        } else {
            sqlx::query_scalar(
                "SELECT CAST(COALESCE(SUM(failures), 0) AS BIGINT) FROM login_attempts
                 WHERE email = $1 AND kind = $2 AND minute >= $3",
            )
            .bind(&email)
            .bind(kind.key())
            .bind(&since)
            .fetch_one(&mut *tx)
            .await?
        };
        let by_client: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(failures), 0) AS BIGINT) FROM login_attempts
             WHERE client = $1 AND minute >= $2",
        )
        .bind(client)
        .bind(&since)
        .fetch_one(&mut *tx)
        .await?;
        let refused = if by_client >= rules.per_client {
            Some(Throttled::Client)
        } else if !email.is_empty() && by_address >= rules.per_address {
            Some(Throttled::Address)
        } else {
            None
        };
        // A client over its limit is counted on one row of its own, whatever address it names.
        let row_email = match refused {
            Some(Throttled::Client) => "*",
            _ => email.as_str(),
        };
        let row = sqlx::query(
            "INSERT INTO login_attempts (kind, email, client, minute, failures, last_at)
             VALUES ($1, $2, $3, $4, 1, $5)
             ON CONFLICT (kind, email, client, minute)
             DO UPDATE SET failures = login_attempts.failures + 1, last_at = excluded.last_at
             RETURNING id, failures",
        )
        .bind(kind.key())
        .bind(row_email)
        .bind(client)
        .bind(&minute)
        .bind(stamp(at))
        .fetch_one(&mut *tx)
        .await?;
        let attempt = Attempt {
            row: row.try_get("id")?,
            kind,
            email: email.clone(),
            client: client.to_string(),
            // The first refusal a row counts goes into the audit trail; the rest only count.
            first: row.try_get::<i64, _>("failures")? == 1,
        };
        if let Some(why) = refused {
            if attempt.first {
                // A client throttled as a whole is always recorded (once a minute).
                let always = why == Throttled::Client;
                refusal_event(
                    &mut tx,
                    self.audit_key(),
                    &attempt,
                    why.reason(),
                    always,
                    at,
                )
                .await?;
            }
            self.commit(tx).await?;
            return Ok(Gate::Throttled(why));
        }
        self.commit(tx).await?;
        Ok(Gate::Open(attempt))
    }

    /// The attempt was refused (wrong password, unknown link, unknown identity): it is
    /// already counted; the first refusal of its row is recorded in the audit trail.
    pub async fn attempt_failed(
        &self,
        attempt: &Attempt,
        why: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        if !attempt.first {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        refusal_event(&mut tx, self.audit_key(), attempt, why, false, at).await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// The attempt succeeded: its count is taken back (earlier failures still count).
    pub async fn attempt_succeeded(&self, attempt: &Attempt) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE login_attempts SET failures = failures - 1 WHERE id = $1 AND failures > 0",
        )
        .bind(attempt.row)
        .execute(&mut *tx)
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Failures counted for an address (all clients) within the window ending at `at`: what
    /// the sign-in throttle compares with its limit.
    pub async fn failures_for_address(
        &self,
        kind: AttemptKind,
        email: &str,
        rules: ThrottleRules,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(failures), 0) AS BIGINT) FROM login_attempts
             WHERE email = $1 AND kind = $2 AND minute >= $3",
        )
        .bind(normal_email(email))
        .bind(kind.key())
        .bind(minute_of(at - rules.window() + Duration::minutes(1)))
        .fetch_one(&self.pool)
        .await?)
    }

    /// Start a session for a person who has proved who they are. Returns the cookie's token
    /// (only its hash is stored) and the session.
    pub async fn start_session(
        &self,
        user: &User,
        how: &str,
        client: &str,
        rules: SessionRules,
        at: DateTime<Utc>,
    ) -> Result<(String, Session)> {
        let (token, hash) = new_token()?;
        let (csrf, _) = new_token()?;
        let now = stamp(at);
        let expires = stamp(at + rules.absolute);
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO sessions (org_id, user_id, token_hash, csrf_token, created_at, last_seen_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $5, $6) RETURNING id",
        )
        .bind(user.org_id)
        .bind(user.id)
        .bind(&hash)
        .bind(&csrf)
        .bind(&now)
        .bind(&expires)
        .fetch_one(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            self.audit_key(),
            Change {
                org_id: Some(user.org_id),
                who: &user.who(),
                action: "session.signed-in",
                subject: format!("user {}", user.email),
                before: None,
                after: Some(json!({ "method": how, "client": client, "session": id })),
                row: None,
            },
            at,
        )
        .await?;
        self.commit(tx).await?;
        Ok((
            token,
            Session {
                id,
                user_id: user.id,
                csrf_token: csrf,
                created_at: now,
                expires_at: expires,
            },
        ))
    }

    /// The session a cookie's token belongs to, if it is still good: not ended, not past its
    /// absolute expiry, used within the idle time, and its person still active. A good session's
    /// last use is brought up to date (at most once a minute, to spare writes).
    pub async fn session(
        &self,
        token: &str,
        rules: SessionRules,
        at: DateTime<Utc>,
    ) -> Result<Option<(Session, User)>> {
        let row = sqlx::query(
            "SELECT s.id, s.user_id, s.csrf_token, s.created_at, s.expires_at, s.last_seen_at
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.ended_at IS NULL AND u.active = 1",
        )
        .bind(token_hash(token))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let session = Session {
            id: row.try_get("id")?,
            user_id: row.try_get("user_id")?,
            csrf_token: row.try_get("csrf_token")?,
            created_at: row.try_get("created_at")?,
            expires_at: row.try_get("expires_at")?,
        };
        let last_seen: String = row.try_get("last_seen_at")?;
        let now = stamp(at);
        let idle_since = stamp(at - rules.idle);
        if session.expires_at <= now || last_seen <= idle_since {
            let reason = if session.expires_at <= now {
                "expired"
            } else {
                "idle"
            };
            self.end_session(&session, reason, at).await?;
            return Ok(None);
        }
        if last_seen < stamp(at - Duration::minutes(1)) {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND ended_at IS NULL")
                .bind(&now)
                .bind(session.id)
                .execute(&self.pool)
                .await?;
        }
        let Some(user) = self.user(session.user_id).await? else {
            return Ok(None);
        };
        Ok(Some((session, user)))
    }

    /// End a session (signing out, or timed out). Ending an ended session changes nothing.
    pub async fn end_session(
        &self,
        session: &Session,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let ended = sqlx::query(
            "UPDATE sessions SET ended_at = $1, end_reason = $2 WHERE id = $3 AND ended_at IS NULL",
        )
        .bind(stamp(at))
        .bind(reason)
        .bind(session.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if ended > 0
            && let Some(user) = user_in(&mut tx, session.user_id).await?
        {
            let action = if reason == "signed out" {
                "session.signed-out"
            } else {
                "session.ended"
            };
            audit::append(
                &mut tx,
                self.audit_key(),
                Change {
                    org_id: Some(user.org_id),
                    who: &user.who(),
                    action,
                    subject: format!("user {}", user.email),
                    before: None,
                    after: Some(json!({ "session": session.id, "reason": reason })),
                    row: None,
                },
                at,
            )
            .await?;
        }
        self.commit(tx).await?;
        Ok(())
    }
}

/// What an attempt to get in is: each kind is throttled on its own per address, and all of
/// them together per client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptKind {
    /// An e-mail address and password.
    SignIn,
    /// Following a one-time set-up link.
    SetupLink,
    /// Coming back from the council's identity provider.
    SingleSignOn,
}

impl AttemptKind {
    pub fn key(self) -> &'static str {
        match self {
            AttemptKind::SignIn => "sign-in",
            AttemptKind::SetupLink => "setup-link",
            AttemptKind::SingleSignOn => "single-sign-on",
        }
    }

    /// The audit trail's action for a refusal of this kind.
    fn refused_action(self) -> &'static str {
        match self {
            AttemptKind::SignIn => "session.sign-in-refused",
            AttemptKind::SetupLink => "user.setup-link-refused",
            AttemptKind::SingleSignOn => "session.single-sign-on-refused",
        }
    }
}

/// How many failures are allowed within the window before attempts are refused unchecked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleRules {
    /// Per e-mail address (known or not, so throttling does not tell which have accounts).
    pub per_address: i64,
    /// Per client address, whatever addresses it tries.
    pub per_client: i64,
    /// The window, in whole minutes.
    pub window_minutes: i64,
}

impl ThrottleRules {
    fn window(&self) -> Duration {
        Duration::minutes(self.window_minutes.max(1))
    }
}

impl Default for ThrottleRules {
    fn default() -> Self {
        ThrottleRules {
            per_address: MAX_FAILED_SIGN_INS,
            per_client: MAX_FAILURES_PER_CLIENT,
            window_minutes: THROTTLE_WINDOW_MINUTES,
        }
    }
}

/// Why an attempt was refused before it was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttled {
    /// Too many failures for this e-mail address.
    Address,
    /// Too many failures from this client.
    Client,
}

impl Throttled {
    fn reason(self) -> &'static str {
        match self {
            Throttled::Address => "throttled: too many failures for this address",
            Throttled::Client => "throttled: too many failures from this client",
        }
    }
}

/// An attempt allowed to go ahead, already counted as a failure until it succeeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    row: i64,
    kind: AttemptKind,
    email: String,
    client: String,
    first: bool,
}

/// Whether an attempt may be checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    Open(Attempt),
    Throttled(Throttled),
}

/// The minute an instant falls in, as stored (seconds and fractions zero).
fn minute_of(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:00.000000Z").to_string()
}

/// The audit trail's record of a refused attempt, named by the account. Refusals for addresses
/// with no account (and set-up links and identities, which name none) are recorded only when
/// `always` (a client throttled as a whole): anyone can make up addresses, and the trail is
/// permanent, so they are counted in `login_attempts` (kept a day) instead.
async fn refusal_event(
    tx: &mut Tx,
    key: Option<&crate::seal::AuditKey>,
    attempt: &Attempt,
    why: &str,
    always: bool,
    at: DateTime<Utc>,
) -> Result<()> {
    let known: Option<(i64, i64)> = if attempt.email.is_empty() {
        None
    } else {
        sqlx::query("SELECT id, org_id FROM users WHERE email = $1")
            .bind(&attempt.email)
            .fetch_optional(&mut **tx)
            .await?
            .map(|r| Ok::<_, StoreError>((r.try_get("id")?, r.try_get("org_id")?)))
            .transpose()?
    };
    if known.is_none() && !always {
        return Ok(());
    }
    let shown = if attempt.email.is_empty() {
        attempt.kind.key().to_string()
    } else {
        attempt.email.clone()
    };
    audit::append(
        tx,
        key,
        Change {
            org_id: known.map(|(_, org)| org),
            who: &Who {
                user_id: known.map(|(id, _)| id),
                name: shown.clone(),
            },
            action: attempt.kind.refused_action(),
            subject: format!("user {shown}"),
            before: None,
            after: Some(json!({ "reason": why, "client": attempt.client })),
            row: None,
        },
        at,
    )
    .await
}

/// End every open session of a person, inside a write.
async fn end_sessions(tx: &mut Tx, user_id: i64, reason: &str, at: DateTime<Utc>) -> Result<()> {
    sqlx::query(
        "UPDATE sessions SET ended_at = $1, end_reason = $2 WHERE user_id = $3 AND ended_at IS NULL",
    )
    .bind(stamp(at))
    .bind(reason)
    .bind(user_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (a, hash_a) = new_token().expect("token");
        let (b, _) = new_token().expect("token");
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(token_hash(&a), hash_a);
        assert_ne!(a, hash_a);
    }

    #[test]
    fn email_addresses_are_checked_and_compared_without_case() {
        assert!(check_email("Alice@Bexley.gov.uk").is_ok());
        assert_eq!(normal_email(" Alice@Bexley.gov.uk "), "alice@bexley.gov.uk");
        for bad in [
            "",
            "alice",
            "@bexley.gov.uk",
            "alice@",
            "alice@localhost",
            "a b@x.org",
            "a@b@c.org",
            "a\u{7}@x.org",
        ] {
            assert!(check_email(bad).is_err(), "{bad:?} accepted");
        }
    }
}
