//! People who sign in: customers (each is one patient) and staff. The store
//! keeps only argon2id hashes, made by the api, and only SHA-256 digests of
//! session tokens, so a copy of the database opens no account and no session.

use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use time::Duration;

use crate::audit::{self, Actor, Event};
use crate::error::{StoreError, StoreResult};
use crate::patients::{NewAllergy, NewPatient, insert_allergy, insert_patient};
use crate::{Store, clock, text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Customer,
    Pharmacist,
    Technician,
    InventoryManager,
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Customer,
        Role::Pharmacist,
        Role::Technician,
        Role::InventoryManager,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Pharmacist => "pharmacist",
            Role::Technician => "technician",
            Role::InventoryManager => "inventory_manager",
            Role::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> StoreResult<Self> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == raw.trim())
            .ok_or_else(|| {
                StoreError::invalid(
                    "role",
                    format!("{raw:?} is not customer, pharmacist, technician, inventory_manager or admin"),
                )
            })
    }

    pub fn is_staff(self) -> bool {
        self != Role::Customer
    }
}

/// A sign-in name: 3–64 characters of lower-case letters, digits and `._-@`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> StoreResult<Self> {
        let name = raw.trim().to_lowercase();
        let allowed = |c: char| c.is_ascii_alphanumeric() || "._-@".contains(c);
        if !(3..=64).contains(&name.len()) || !name.chars().all(allowed) {
            return Err(StoreError::invalid(
                "username",
                "must be 3–64 letters, digits or . _ - @",
            ));
        }
        Ok(Username(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An account to create. The hash comes from the api's argon2id hasher; the
/// store only checks that it is one.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: Username,
    pub display_name: String,
    pub role: Role,
    password_hash: String,
}

impl NewUser {
    pub fn parse(
        username: &str,
        display_name: &str,
        role: Role,
        password_hash: String,
    ) -> StoreResult<Self> {
        if !password_hash.starts_with("$argon2id$") {
            return Err(StoreError::invalid(
                "password hash",
                "must be an argon2id PHC string",
            ));
        }
        Ok(NewUser {
            username: Username::parse(username)?,
            display_name: text::required("display name", display_name, 200)?,
            role,
            password_hash,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub patient_id: Option<i64>,
    pub active: bool,
    pub created_at: String,
}

/// What a sign-in attempt is checked against.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
    pub locked_until: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Cookie,
    Bearer,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Cookie => "cookie",
            SessionKind::Bearer => "bearer",
        }
    }
}

/// When repeated failures lock an account, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct Lockout {
    pub after_failures: i64,
    pub duration: Duration,
}

const USER_COLUMNS: &str = "id, username, display_name, role, patient_id, active, created_at";

impl Store {
    /// Staff accounts are made by an admin; customers register themselves.
    pub async fn create_staff(&self, new: &NewUser, actor: &Actor) -> StoreResult<i64> {
        if !new.role.is_staff() {
            return Err(StoreError::invalid(
                "role",
                "customers register themselves, with a patient record",
            ));
        }
        let mut tx = self.begin().await?;
        let id = insert_user(&mut tx, new, None).await?;
        let details = json!({ "username": new.username.as_str(), "role": new.role.as_str() });
        audit::append(
            &mut tx,
            Event::new(actor, "user.create", "user", id).with(details),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A customer account, its patient record and the allergies they
    /// declared, together or not at all.
    pub async fn register_customer(
        &self,
        new: &NewUser,
        patient: &NewPatient,
        allergies: &[NewAllergy],
    ) -> StoreResult<User> {
        if new.role != Role::Customer {
            return Err(StoreError::invalid("role", "registration is for customers"));
        }
        let mut tx = self.begin().await?;
        let patient_id = insert_patient(&mut tx, patient).await?;
        let id = insert_user(&mut tx, new, Some(patient_id)).await?;
        let actor = Actor::parse(new.username.as_str())?;
        let details = json!({ "patient_id": patient_id });
        audit::append(
            &mut tx,
            Event::new(&actor, "user.register", "user", id).with(details),
        )
        .await?;
        for allergy in allergies {
            insert_allergy(&mut tx, patient_id, allergy, &actor).await?;
        }
        let user = user_by_id(&mut tx, id).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Online access for a patient already on file (set up at the counter).
    pub async fn link_customer(
        &self,
        new: &NewUser,
        patient_id: i64,
        actor: &Actor,
    ) -> StoreResult<i64> {
        if new.role != Role::Customer {
            return Err(StoreError::invalid(
                "role",
                "only a customer account belongs to a patient",
            ));
        }
        let mut tx = self.begin().await?;
        crate::patients::ensure_patient(&mut tx, patient_id).await?;
        let id = insert_user(&mut tx, new, Some(patient_id)).await?;
        let details = json!({ "username": new.username.as_str(), "patient_id": patient_id });
        audit::append(
            &mut tx,
            Event::new(actor, "user.create", "user", id).with(details),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn credentials(&self, username: &str) -> StoreResult<Option<Credentials>> {
        let Ok(name) = Username::parse(username) else {
            return Ok(None);
        };
        let sql = format!(
            "SELECT {USER_COLUMNS}, password_hash, locked_until FROM users WHERE username = $1"
        );
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(name.as_str())
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(Credentials {
            user: user_of(&row)?,
            password_hash: row.try_get("password_hash")?,
            locked_until: row.try_get("locked_until")?,
        }))
    }

    /// Counts a failed sign-in; the one that reaches the limit locks the
    /// account. Returns whether it is now locked.
    pub async fn login_failed(&self, user_id: i64, lockout: Lockout) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let failures: i64 = sqlx::query(
            "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins",
        )
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("failed_logins")?;
        let locked = failures >= lockout.after_failures;
        if locked {
            sqlx::query("UPDATE users SET locked_until = $1, failed_logins = 0 WHERE id = $2")
                .bind(clock::after(lockout.duration))
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        let actor = Actor::system("auth");
        let details = json!({ "failures": failures, "locked": locked });
        audit::append(
            &mut tx,
            Event::new(&actor, "user.login_failed", "user", user_id).with(details),
        )
        .await?;
        tx.commit().await?;
        Ok(locked)
    }

    /// Records a sign-in and opens a session whose token digest is `token_sha256`.
    pub async fn open_session(
        &self,
        user: &User,
        token_sha256: &str,
        kind: SessionKind,
        ttl: Duration,
    ) -> StoreResult<String> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        let expires = clock::after(ttl);
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, kind, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_sha256)
        .bind(user.id)
        .bind(kind.as_str())
        .bind(clock::now())
        .bind(&expires)
        .execute(&mut *tx)
        .await?;
        let actor = Actor::parse(&user.username)?;
        let details = json!({ "kind": kind.as_str(), "expires_at": expires });
        audit::append(
            &mut tx,
            Event::new(&actor, "user.login", "user", user.id).with(details),
        )
        .await?;
        tx.commit().await?;
        Ok(expires)
    }

    /// The active user behind a live session, if any.
    pub async fn session_user(&self, token_sha256: &str) -> StoreResult<Option<User>> {
        if let Some(user) = self.sessions.get(token_sha256) {
            return Ok(Some(user));
        }
        let read_at = self.sessions.generation();
        let sql = format!(
            "SELECT {}, s.expires_at AS session_expires_at FROM sessions s \
             JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1",
            USER_COLUMNS
                .split(", ")
                .map(|c| format!("u.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_sha256)
            .bind(clock::now())
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let user = user_of(&row)?;
        let expires_at: String = row.try_get("session_expires_at")?;
        if let Some(left) = clock::until(&expires_at) {
            self.sessions.put(token_sha256, &user, left, read_at);
        }
        Ok(Some(user))
    }

    pub async fn close_session(&self, token_sha256: &str, actor: &Actor) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let closed = sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_sha256)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if closed > 0 {
            audit::append(&mut tx, Event::new(actor, "user.logout", "session", "-")).await?;
        }
        tx.commit().await?;
        self.sessions.forget(token_sha256);
        Ok(())
    }

    pub async fn users(&self) -> StoreResult<Vec<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY id");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(user_of)
            .collect()
    }

    /// An admin changes a staff member's role or switches an account off.
    /// Switching off also ends its sessions.
    pub async fn update_user(
        &self,
        id: i64,
        role: Option<Role>,
        active: Option<bool>,
        actor: &Actor,
    ) -> StoreResult<User> {
        let mut tx = self.begin().await?;
        let current = user_by_id(&mut tx, id).await?;
        let role = role.unwrap_or(current.role);
        if role.is_staff() != current.role.is_staff() {
            return Err(StoreError::invalid(
                "role",
                "a customer account cannot become staff, nor staff a customer",
            ));
        }
        let active = active.unwrap_or(current.active);
        sqlx::query("UPDATE users SET role = $1, active = $2 WHERE id = $3")
            .bind(role.as_str())
            .bind(i64::from(active))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if !active {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let details = json!({ "role": role.as_str(), "active": active });
        audit::append(
            &mut tx,
            Event::new(actor, "user.update", "user", id).with(details),
        )
        .await?;
        let user = user_by_id(&mut tx, id).await?;
        tx.commit().await?;
        // After the commit, so that no lookup in between caches the old user.
        self.sessions.forget_user(id);
        Ok(user)
    }
}

async fn insert_user(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    new: &NewUser,
    patient_id: Option<i64>,
) -> StoreResult<i64> {
    let taken = sqlx::query("SELECT id FROM users WHERE username = $1")
        .bind(new.username.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    if taken.is_some() {
        return Err(StoreError::Conflict(format!(
            "the username {} is taken",
            new.username.as_str()
        )));
    }
    Ok(sqlx::query(
        "INSERT INTO users (username, display_name, role, password_hash, patient_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(new.username.as_str())
    .bind(&new.display_name)
    .bind(new.role.as_str())
    .bind(&new.password_hash)
    .bind(patient_id)
    .bind(clock::now())
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?)
}

pub(crate) async fn user_by_id(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: i64,
) -> StoreResult<User> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound { entity: "user", id })?;
    user_of(&row)
}

fn user_of(row: &sqlx::any::AnyRow) -> StoreResult<User> {
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: Role::parse(&row.try_get::<String, _>("role")?)?,
        patient_id: row.try_get("patient_id")?,
        active: row.try_get::<i64, _>("active")? == 1,
        created_at: row.try_get("created_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()).ok(), Some(role));
        }
        assert!(Role::parse("superuser").is_err());
    }

    #[test]
    fn usernames_are_folded_and_bounded() {
        assert_eq!(
            Username::parse(" Ann.Lee@Example.com ").map(|u| u.0).ok(),
            Some("ann.lee@example.com".into())
        );
        for bad in ["ab", "a b c", "robert'); drop", &"x".repeat(65)] {
            assert!(Username::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn only_argon2id_hashes_are_stored() {
        assert!(NewUser::parse("ann", "Ann", Role::Admin, "plaintext".into()).is_err());
        assert!(NewUser::parse("ann", "Ann", Role::Admin, "$argon2i$v=19$x".into()).is_err());
        assert!(NewUser::parse("ann", "Ann", Role::Admin, "$argon2id$v=19$x".into()).is_ok());
    }
}
