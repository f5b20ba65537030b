// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
export type BackupAfterClose = { session: string, at: string, 
/**
 * The copy's path (`till-YYYYMMDDTHHMMSSZ.db` in the folder).
 */
file: string | null, 
/**
 * Why no copy was kept, in words a manager can act on (the folder missing: plug the drive in).
 */
problem: string | null, };
