//! What the staff site leaves waiting between two requests: an uploaded file until its
//! uploader confirms it, a single sign-on until the identity provider sends the person back.
//! Kept in the database, not in a server's memory, so the next request may reach any of
//! several servers. Each is found by a random token the browser carries, stored only as its
//! SHA-256 hash, and goes when it expires or is used. A bound on how many wait at once keeps
//! anyone who can start one from filling the database.

use super::accounts::token_hash;
use crate::{Result, Store, StoreError, stamp};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use sqlx::Row;

/// A file uploaded and previewed, waiting for its uploader to confirm it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingUpload {
    pub org_id: i64,
    pub user_id: i64,
    pub file_name: String,
    pub content: Vec<u8>,
    /// What the admin (or the council's remembered mapping) says about the file, as TOML.
    pub mapping: String,
    /// The file's shape as first read, under which the mapping is remembered.
    pub shape: Option<String>,
    /// Whether the mapping came from an earlier file of the same shape.
    pub remembered: bool,
    pub expires: DateTime<Utc>,
}

/// A single sign-on begun: what the provider's callback must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingSignIn {
    pub nonce: String,
    pub verifier: String,
}

fn upload_from(row: &sqlx::any::AnyRow) -> Result<WaitingUpload> {
    let content: String = row.try_get("content")?;
    let expires: String = row.try_get("expires_at")?;
    Ok(WaitingUpload {
        org_id: row.try_get("org_id")?,
        user_id: row.try_get("user_id")?,
        file_name: row.try_get("file_name")?,
        content: STANDARD.decode(content).map_err(crate::corrupt)?,
        mapping: row.try_get("mapping")?,
        shape: row.try_get("shape")?,
        remembered: crate::flag(row, "remembered")?,
        expires: DateTime::parse_from_rfc3339(&expires)
            .map_err(crate::corrupt)?
            .with_timezone(&Utc),
    })
}

/// Which upload a statement is about: its token's hash, its council and uploader ($1 to $3),
/// and not expired at $4.
const THIS_UPLOAD: &str = "token_hash = $1 AND org_id = $2 AND user_id = $3 AND expires_at > $4";

const UPLOAD_COLUMNS: &str = "org_id, user_id, file_name, content, mapping, shape, \
     CASE WHEN remembered <> 0 THEN 1 ELSE 0 END AS remembered, expires_at";

impl Store {
    /// Keep an upload waiting under `token` (replacing one already under it). Past `most`
    /// waiting in its council, the ones closest to expiring go first; expired ones always go.
    pub async fn keep_upload(
        &self,
        token: &str,
        upload: &WaitingUpload,
        now: DateTime<Utc>,
        most: usize,
    ) -> Result<()> {
        let hash = token_hash(token);
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM pending_uploads WHERE expires_at <= $1 OR token_hash = $2")
            .bind(stamp(now))
            .bind(&hash)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO pending_uploads (org_id, user_id, token_hash, file_name, content, mapping,
                 shape, remembered, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(upload.org_id)
        .bind(upload.user_id)
        .bind(&hash)
        .bind(&upload.file_name)
        .bind(STANDARD.encode(&upload.content))
        .bind(&upload.mapping)
        .bind(&upload.shape)
        .bind(i64::from(upload.remembered))
        .bind(stamp(now))
        .bind(stamp(upload.expires))
        .execute(&mut *tx)
        .await?;
        // Bounded per council, so one council's uploads never push out another's.
        sqlx::query(
            "DELETE FROM pending_uploads WHERE org_id = $2 AND id NOT IN
                 (SELECT id FROM pending_uploads WHERE org_id = $2
                  ORDER BY expires_at DESC, id DESC LIMIT $1)",
        )
        .bind(i64::try_from(most).unwrap_or(i64::MAX))
        .bind(upload.org_id)
        .execute(&mut *tx)
        .await?;
        self.commit(tx).await
    }

    /// The upload waiting under `token` for this person in this council, left waiting.
    pub async fn waiting_upload(
        &self,
        token: &str,
        org_id: i64,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<WaitingUpload>> {
        let sql = format!("SELECT {UPLOAD_COLUMNS} FROM pending_uploads WHERE {THIS_UPLOAD}");
        self.upload_by(&sql, token, org_id, user_id, now).await
    }

    /// Run `sql` (which ends in [`THIS_UPLOAD`]'s conditions, or returns after them) for the
    /// upload under `token`, this person's in this council, not expired.
    async fn upload_by(
        &self,
        sql: &str,
        token: &str,
        org_id: i64,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<WaitingUpload>> {
        // The statements are this module's own constants, never input.
        let row = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .bind(token_hash(token))
            .bind(org_id)
            .bind(user_id)
            .bind(stamp(now))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(upload_from).transpose()
    }

    /// Record what the file was read again as, only if it is still waiting (not confirmed
    /// meanwhile, perhaps on another server): whether it was.
    pub async fn remap_upload(
        &self,
        token: &str,
        upload: &WaitingUpload,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE pending_uploads SET mapping = $1, remembered = $2
             WHERE token_hash = $3 AND org_id = $4 AND user_id = $5 AND expires_at > $6",
        )
        .bind(&upload.mapping)
        .bind(i64::from(upload.remembered))
        .bind(token_hash(token))
        .bind(upload.org_id)
        .bind(upload.user_id)
        .bind(stamp(now))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The upload waiting under `token`, no longer waiting: of two confirmations at once (on
    /// one server or two), exactly one gets it.
    pub async fn take_upload(
        &self,
        token: &str,
        org_id: i64,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<WaitingUpload>> {
        let sql =
            format!("DELETE FROM pending_uploads WHERE {THIS_UPLOAD} RETURNING {UPLOAD_COLUMNS}");
        self.upload_by(&sql, token, org_id, user_id, now).await
    }

    /// Keep a single sign-on waiting under its `state`, until `expires`; past `most` waiting,
    /// the ones closest to expiring go first.
    pub async fn keep_sign_in(
        &self,
        state: &str,
        waiting: &WaitingSignIn,
        expires: DateTime<Utc>,
        now: DateTime<Utc>,
        most: usize,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM sso_states WHERE expires_at <= $1")
            .bind(stamp(now))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sso_states (state_hash, nonce, verifier, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash(state))
        .bind(&waiting.nonce)
        .bind(&waiting.verifier)
        .bind(stamp(now))
        .bind(stamp(expires))
        .execute(&mut *tx)
        .await
        .map_err(|e| match e {
            // A state is 128 random bits: the same one twice is a caller's mistake.
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Usage("this sign-in state is already waiting".into())
            }
            other => other.into(),
        })?;
        sqlx::query(
            "DELETE FROM sso_states WHERE id NOT IN
                 (SELECT id FROM sso_states ORDER BY expires_at DESC, id DESC LIMIT $1)",
        )
        .bind(i64::try_from(most).unwrap_or(i64::MAX))
        .execute(&mut *tx)
        .await?;
        self.commit(tx).await
    }

    /// The single sign-on waiting under `state`, no longer waiting (a state is used once).
    pub async fn take_sign_in(
        &self,
        state: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<WaitingSignIn>> {
        let row = sqlx::query(
            "DELETE FROM sso_states WHERE state_hash = $1 AND expires_at > $2
             RETURNING nonce, verifier",
        )
        .bind(token_hash(state))
        .bind(stamp(now))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(WaitingSignIn {
                nonce: r.try_get("nonce")?,
                verifier: r.try_get("verifier")?,
            })
        })
        .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    async fn store() -> (tempfile::TempDir, Store, i64, i64) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("w.db").to_string_lossy())
            .await
            .expect("open");
        let org = store
            .organisation(Some("somewhere"), Some("Somewhere Council"))
            .await
            .expect("council");
        let user = store
            .add_user(
                &org,
                &crate::NewUser {
                    email: "admin@example.org".into(),
                    name: "Admin".into(),
                    role: waymark_domain::workflow::Role::Admin,
                    directorate: None,
                },
                &crate::Who::command_line(),
                Utc::now(),
            )
            .await
            .expect("user");
        (dir, store, org.id, user.id)
    }

    fn upload(org_id: i64, user_id: i64, now: DateTime<Utc>) -> WaitingUpload {
        WaitingUpload {
            org_id,
            user_id,
            file_name: "plan.xlsx".into(),
            content: vec![0, 159, 146, 150, 255, b'\n'],
            mapping: "[columns]\n\"Lead\" = \"directorate\"\n".into(),
            shape: Some("Ref|Action|Lead".into()),
            remembered: true,
            expires: now + Duration::minutes(30),
        }
    }

    #[tokio::test]
    async fn an_upload_waits_for_its_uploader_and_is_taken_once() {
        let (_dir, store, org, user) = store().await;
        let now = Utc::now();
        let file = upload(org, user, now);
        store
            .keep_upload("tok-1", &file, now, 32)
            .await
            .expect("keep");
        // Found again (bytes intact), only by its uploader in its council.
        let found = store
            .waiting_upload("tok-1", org, user, now)
            .await
            .expect("read");
        assert_eq!(found.as_ref().map(|u| &u.content), Some(&file.content));
        assert_eq!(found.as_ref().map(|u| u.remembered), Some(true));
        assert!(
            store
                .waiting_upload("tok-1", org, user + 1, now)
                .await
                .expect("read")
                .is_none()
        );
        assert!(
            store
                .waiting_upload("tok-1", org + 1, user, now)
                .await
                .expect("read")
                .is_none()
        );
        assert!(
            store
                .waiting_upload("tok-2", org, user, now)
                .await
                .expect("read")
                .is_none()
        );
        // Read again with another mapping.
        let remapped = WaitingUpload {
            mapping: "kind = \"action-plan\"\n".into(),
            remembered: false,
            ..file.clone()
        };
        assert!(
            store
                .remap_upload("tok-1", &remapped, now)
                .await
                .expect("remap")
        );
        let taken = store
            .take_upload("tok-1", org, user, now)
            .await
            .expect("take");
        assert_eq!(
            taken.map(|u| (u.mapping, u.remembered)),
            Some((remapped.mapping.clone(), false))
        );
        // Gone: a second confirmation finds nothing, and nothing to remap.
        assert!(
            store
                .take_upload("tok-1", org, user, now)
                .await
                .expect("take")
                .is_none()
        );
        assert!(
            !store
                .remap_upload("tok-1", &remapped, now)
                .await
                .expect("remap")
        );
    }

    #[tokio::test]
    async fn uploads_expire_and_only_so_many_wait() {
        let (_dir, store, org, user) = store().await;
        let now = Utc::now();
        store
            .keep_upload("old", &upload(org, user, now), now, 3)
            .await
            .expect("keep");
        let later = now + Duration::minutes(31);
        assert!(
            store
                .waiting_upload("old", org, user, later)
                .await
                .expect("read")
                .is_none()
        );
        for n in 0..5 {
            let at = now + Duration::seconds(n);
            store
                .keep_upload(&format!("t{n}"), &upload(org, user, at), at, 3)
                .await
                .expect("keep");
        }
        let waiting: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pending_uploads")
            .fetch_one(&store.pool)
            .await
            .expect("count");
        assert_eq!(waiting, 3);
        // The newest three are the ones kept.
        let at = now + Duration::seconds(5);
        assert!(
            store
                .waiting_upload("t1", org, user, at)
                .await
                .expect("read")
                .is_none()
        );
        assert!(
            store
                .waiting_upload("t4", org, user, at)
                .await
                .expect("read")
                .is_some()
        );
    }

    #[tokio::test]
    async fn a_sign_in_state_is_used_once_and_expires() {
        let (_dir, store, _, _) = store().await;
        let now = Utc::now();
        let waiting = WaitingSignIn {
            nonce: "n".into(),
            verifier: "v".into(),
        };
        let expires = now + Duration::minutes(10);
        store
            .keep_sign_in("s1", &waiting, expires, now, 256)
            .await
            .expect("keep");
        store
            .keep_sign_in("s2", &waiting, expires, now, 256)
            .await
            .expect("keep");
        assert_eq!(
            store.take_sign_in("s1", now).await.expect("take"),
            Some(waiting.clone())
        );
        assert_eq!(store.take_sign_in("s1", now).await.expect("take"), None);
        let late = now + Duration::minutes(11);
        assert_eq!(store.take_sign_in("s2", late).await.expect("take"), None);
        // The state is never stored as sent.
        let stored: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM sso_states WHERE state_hash = 's2'")
                .fetch_one(&store.pool)
                .await
                .expect("count");
        assert_eq!(stored, 0);
    }

    #[tokio::test]
    async fn a_backup_keeps_nothing_that_waits() {
        let (dir, store, org, user) = store().await;
        let now = Utc::now();
        let file = WaitingUpload {
            content: b"a file only its uploader should ever see".to_vec(),
            ..upload(org, user, now)
        };
        store.keep_upload("t", &file, now, 32).await.expect("keep");
        let waiting = WaitingSignIn {
            nonce: "n".into(),
            verifier: "v".into(),
        };
        let expires = now + Duration::minutes(10);
        store
            .keep_sign_in("s", &waiting, expires, now, 256)
            .await
            .expect("keep");
        let out = dir.path().join("backup.db");
        store.backup(&out).await.expect("backup");
        let bytes = std::fs::read(&out).expect("the backup");
        let stored = STANDARD.encode(&file.content);
        assert!(
            !bytes.windows(stored.len()).any(|w| w == stored.as_bytes()),
            "the uploaded file is not in the backup, not even in its free pages"
        );
        let copy = Store::open_backup(&out).await.expect("open the backup");
        for table in ["pending_uploads", "sso_states"] {
            let rows: i64 =
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                    .fetch_one(&copy.pool)
                    .await
                    .expect("count");
            assert_eq!(rows, 0, "{table}");
        }
    }
}
