//! sqlite store
