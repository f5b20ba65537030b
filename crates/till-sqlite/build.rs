//! Embeds migrations/sqlite/*.sql, the versioned migrations, in name order, for sqlx's Migrator
//! (till_buildinfo::embed_migrations, which fails the build on a misnamed one).

fn main() {
    till_buildinfo::embed_migrations("../../migrations/sqlite", "MIGRATION_FILES", "migration_files.rs");
}
