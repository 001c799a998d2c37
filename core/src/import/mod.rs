//! Importers: bytes from files and apps -> the record's samples, activities and entries.
//!
//! Parsers are sans-I/O (they take bytes or `impl Read`) and report bad input with its
//! position; mapping into the record happens in one [`crate::store::ImportBatch`].

pub mod fit;
