//! People who log in, and the failed-login lockout.

use super::RepoError;
use crate::db::{entity::user, scope};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};

/// Failed logins in a row before the account locks.
pub const MAX_FAILED_LOGINS: i32 = 5;
/// How long a lock lasts.
pub const LOCKOUT: Duration = Duration::minutes(15);

pub async fn create<C: ConnectionTrait>(
    conn: &C,
    email: &str,
    name: &str,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<user::Model, RepoError> {
    let model = user::Model {
        id: crate::ids::user().to_string(),
        email: email.to_owned(),
        name: name.to_owned(),
        password_hash: password_hash.to_owned(),
        failed_logins: 0,
        locked_until: None,
        created_at: now,
    };
    user::Entity::insert(user::ActiveModel {
        id: Set(model.id.clone()),
        email: Set(model.email.clone()),
        name: Set(model.name.clone()),
        password_hash: Set(model.password_hash.clone()),
        failed_logins: Set(0),
        locked_until: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(conn)
    .await
    .map_err(|e| {
        super::unique_violation(e, "email_taken", "an account with this email already exists; log in instead")
    })?;
    Ok(model)
}

/// Users are global (one person, several agencies): looked up by email at login.
pub async fn by_email<C: ConnectionTrait>(conn: &C, email: &str) -> Result<Option<user::Model>, RepoError> {
    Ok(scope::global::<user::Entity>().filter(user::Column::Email.eq(email)).one(conn).await?)
}

/// By id, for a caller whose membership was already checked.
pub async fn by_id<C: ConnectionTrait>(conn: &C, id: &str) -> Result<user::Model, RepoError> {
    scope::global::<user::Entity>().filter(user::Column::Id.eq(id)).one(conn).await?.ok_or(RepoError::NotFound)
}

/// By ids, for listing a tenant's members.
pub async fn by_ids<C: ConnectionTrait>(conn: &C, ids: Vec<String>) -> Result<Vec<user::Model>, RepoError> {
    Ok(scope::global::<user::Entity>().filter(user::Column::Id.is_in(ids)).all(conn).await?)
}

/// Counts a failed login; the fifth in a row locks the account for [`LOCKOUT`].
pub async fn record_failed_login<C: ConnectionTrait>(
    conn: &C,
    user: &user::Model,
    now: DateTime<Utc>,
) -> Result<(), RepoError> {
    let failed = user.failed_logins + 1;
    let locked = (failed >= MAX_FAILED_LOGINS).then_some(now + LOCKOUT);
    scope::global_update::<user::Entity>()
        .col_expr(user::Column::FailedLogins, Expr::value(if locked.is_some() { 0 } else { failed }))
        .col_expr(user::Column::LockedUntil, Expr::value(locked.or(user.locked_until)))
        .filter(user::Column::Id.eq(&user.id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Clears the failure count after a good login.
pub async fn record_good_login<C: ConnectionTrait>(conn: &C, user: &user::Model) -> Result<(), RepoError> {
    if user.failed_logins == 0 && user.locked_until.is_none() {
        return Ok(());
    }
    scope::global_update::<user::Entity>()
        .col_expr(user::Column::FailedLogins, Expr::value(0))
        .col_expr(user::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(user::Column::Id.eq(&user.id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Stores a new password hash and lifts any lock.
pub async fn set_password<C: ConnectionTrait>(conn: &C, user_id: &str, hash: &str) -> Result<(), RepoError> {
    scope::global_update::<user::Entity>()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::FailedLogins, Expr::value(0))
        .col_expr(user::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(user::Column::Id.eq(user_id))
        .exec(conn)
        .await?;
    Ok(())
}
