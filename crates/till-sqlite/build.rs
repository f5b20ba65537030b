//! Embeds migrations/sqlite/*.sql, the versioned migrations, in name order, for sqlx's Migrator
//! (till_buildinfo::embed_files).

fn main() {
    till_buildinfo::embed_files("../../migrations/sqlite", ".sql", "MIGRATION_FILES", "migration_files.rs");
}
