//! Column, key and index shorthands shared by the migrations. Changing one changes what an
//! already-applied migration would create on a fresh database, so these only ever gain items.

use super::m20261121_000001_create_tenancy::Tenants;
use sea_orm_migration::prelude::*;

/// `VARCHAR NOT NULL`.
pub fn s(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).string().not_null().to_owned()
}

/// `VARCHAR NULL`.
pub fn s_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).string().null().to_owned()
}

/// `TIMESTAMPTZ NOT NULL`.
pub fn ts(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).timestamp_with_time_zone().not_null().to_owned()
}

/// `TIMESTAMPTZ NULL`.
pub fn ts_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).timestamp_with_time_zone().null().to_owned()
}

/// `BIGINT NOT NULL DEFAULT 0`.
pub fn int(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).big_integer().not_null().default(0).to_owned()
}

/// `BOOLEAN NOT NULL DEFAULT FALSE`.
pub fn flag(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).boolean().not_null().default(false).to_owned()
}

/// `tenant_id` → `tenants.id`, deleted with the tenant.
pub fn tenant_fk(table: impl IntoIden, col: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(Tenants::Table, Tenants::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

/// A named (optionally unique) index over `cols`.
pub async fn index(
    m: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    cols: Vec<DynIden>,
    unique: bool,
) -> Result<(), DbErr> {
    let mut idx = Index::create().name(name).table(table).to_owned();
    for c in cols {
        idx.col(c);
    }
    if unique {
        idx.unique();
    }
    m.create_index(idx).await
}

/// Whether the migration runs on PostgreSQL.
pub fn postgres(m: &SchemaManager<'_>) -> bool {
    m.get_database_backend() == sea_orm_migration::sea_orm::DbBackend::Postgres
}

/// Drops (or, `restore`, adds back) foreign keys given as (table, constraint, definition).
pub async fn foreign_keys(m: &SchemaManager<'_>, keys: &[(&str, &str, &str)], restore: bool) -> Result<(), DbErr> {
    for (table, name, def) in keys {
        let sql = if restore {
            format!("ALTER TABLE {table} ADD CONSTRAINT {name} {def}")
        } else {
            format!("ALTER TABLE {table} DROP CONSTRAINT {name}")
        };
        m.get_connection().execute_unprepared(&sql).await?;
    }
    Ok(())
}
