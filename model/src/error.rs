//! The model's own small error. Validation is all the model can fail at; the core turns
//! a [`ModelError`] into its `Error` with `From`, so `?` works across the seam and the
//! messages (field names and fixed reasons, never the value) stay the same.

pub type Result<T, E = ModelError> = std::result::Result<T, E>;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    #[error("{field} is not valid: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("{what} not found")]
    NotFound { what: &'static str },
}

impl ModelError {
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        ModelError::Invalid { field, reason: reason.into() }
    }
}
