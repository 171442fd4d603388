//! Schema history. Valid on SQLite (embedded default) and PostgreSQL (production).

pub use sea_orm_migration::prelude::*;

mod columns;

mod m20261121_000001_create_tenancy;
mod m20261121_000002_create_auth;
mod m20261121_000003_create_jobs;
mod m20261121_000004_create_contacts;
mod m20261121_000005_create_telephony;
mod m20261121_000006_create_dialer;
mod m20261121_000007_texts;
mod m20261121_000008_monitors;
mod m20261122_000009_mms_health;
mod m20261123_000010_recordings;
mod m20261123_000011_voicemail_templates;
mod m20261206_000012_lookup_indexes;
mod m20261206_000013_hot_sessions;
mod m20261206_000014_attempt_groups;
mod m20261206_000015_import_keys;
mod m20261206_000016_list_member_keys;
mod m20261206_000017_attempt_contacts;
mod m20261207_000018_wrap_times;
mod m20261207_000019_upload_storage;
mod m20261207_000020_reassigned_numbers;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_create_tenancy::Migration),
            Box::new(m20261121_000002_create_auth::Migration),
            Box::new(m20261121_000003_create_jobs::Migration),
            Box::new(m20261121_000004_create_contacts::Migration),
            Box::new(m20261121_000005_create_telephony::Migration),
            Box::new(m20261121_000006_create_dialer::Migration),
            Box::new(m20261121_000007_texts::Migration),
            Box::new(m20261121_000008_monitors::Migration),
            Box::new(m20261122_000009_mms_health::Migration),
            Box::new(m20261123_000010_recordings::Migration),
            Box::new(m20261123_000011_voicemail_templates::Migration),
            Box::new(m20261206_000012_lookup_indexes::Migration),
            Box::new(m20261206_000013_hot_sessions::Migration),
            Box::new(m20261206_000014_attempt_groups::Migration),
            Box::new(m20261206_000015_import_keys::Migration),
            Box::new(m20261206_000016_list_member_keys::Migration),
            Box::new(m20261206_000017_attempt_contacts::Migration),
            Box::new(m20261207_000018_wrap_times::Migration),
            Box::new(m20261207_000019_upload_storage::Migration),
            Box::new(m20261207_000020_reassigned_numbers::Migration),
        ]
    }
}
