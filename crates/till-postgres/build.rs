//! Embeds migrations/postgres/*.sql (the versioned migrations, for sqlx's Migrator), and
//! migrations/postgres/functions/*.sql (one file per function, holding its current text) so
//! `tillctl migrate` and `--repair-functions` apply exactly the files of this build. Also embeds
//! definitions/*.json: the definitions the migrations create, kept per PostgreSQL major version
//! (src/schema.rs). All in name order (till_buildinfo::embed_files; the migrations through
//! embed_migrations, which fails the build on a misnamed one).

fn main() {
    till_buildinfo::embed_migrations("../../migrations/postgres", "MIGRATION_FILES", "migration_files.rs");
    till_buildinfo::embed_files("../../migrations/postgres/functions", ".sql", "FUNCTION_FILES", "function_files.rs");
    till_buildinfo::embed_files("definitions", ".json", "KEPT_DEFINITIONS", "kept_definitions.rs");
}
