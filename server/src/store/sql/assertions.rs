//! Assertion `jti`s already seen (RFC 7523 §3): each assertion is accepted once.

use super::{group_commit, is_unique_violation, SqlStore};
use crate::store::StoreResult;

pub(super) async fn use_jti(
    store: &SqlStore,
    client_id: &str,
    jti: &str,
    expires_at: i64,
) -> StoreResult<bool> {
    // Expired entries go in the background purge (`crate::purge`): their assertions are
    // refused for being expired anyway.
    const INSERT: &str =
        "INSERT INTO used_assertions (client_id, jti, expires_at) VALUES ($1, $2, $3)";
    if let Some(gc) = store.group_commit() {
        let (client_id, jti) = (client_id.to_owned(), jti.to_owned());
        return gc
            .run(move |db| {
                match db
                    .prepare_cached(INSERT)?
                    .execute(rusqlite::params![client_id, jti, expires_at])
                {
                    Ok(_) => Ok(true),
                    Err(e) if group_commit::is_unique_violation(&e) => Ok(false),
                    Err(e) => Err(e.into()),
                }
            })
            .await;
    }
    let r = sqlx::query(INSERT)
        .bind(client_id)
        .bind(jti)
        .bind(expires_at)
        .execute(store.writer())
        .await;
    match r {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}
