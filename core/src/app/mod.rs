//! The app-facing layer: what the Android and iOS apps (and the CLI) draw, decided here
//! so the shells rebuild no rule. Forms per section, the string catalogue every
//! user-facing text comes from. Pure functions over the record; no I/O beyond the store.
//! ADR 0025.

pub mod forms;
pub mod notifications;
pub mod platform_hub;
pub mod preferences;
pub mod screens;
pub mod warm;
/// The catalogue sits below the store (charts label their alert markers with it).
pub use crate::strings;
