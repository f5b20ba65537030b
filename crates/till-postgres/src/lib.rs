//! postgres store
