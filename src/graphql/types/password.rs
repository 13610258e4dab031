//! `Password`: an input-only scalar for credentials a client hands to a vendor. It can
//! never be an output type, and its `Debug`/`Display` never show the value.

use std::{borrow::Cow, fmt, sync::Arc};

use async_graphql::{InputType, InputValueError, InputValueResult, Value, registry};
use secrecy::{ExposeSecret, SecretString};

/// A password given in an input. Only [`Password::expose`] reveals it, for the one
/// place it is sent to the vendor.
#[derive(Clone)]
pub struct Password(SecretString);

impl Password {
    /// A password from its text (for tests and programmatic callers).
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    /// The password text.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// The password as a secret for the vendor layer.
    pub fn secret(&self) -> SecretString {
        self.0.clone()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([REDACTED])")
    }
}

impl fmt::Display for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl InputType for Password {
    type RawValueType = Self;

    fn type_name() -> Cow<'static, str> {
        Cow::Borrowed("Password")
    }

    fn create_type_info(registry: &mut registry::Registry) -> String {
        registry.create_input_type::<Self, _>(registry::MetaTypeId::Scalar, |_| registry::MetaType::Scalar {
            name: "Password".to_owned(),
            description: Some(
                "A password: input only. It is passed to the vendor and never appears in any \
                 output, log or error."
                    .to_owned(),
            ),
            is_valid: Some(Arc::new(|value| matches!(value, Value::String(_)))),
            visible: None,
            inaccessible: false,
            tags: Vec::new(),
            specified_by_url: None,
            directive_invocations: Vec::new(),
            requires_scopes: Vec::new(),
        })
    }

    fn parse(value: Option<Value>) -> InputValueResult<Self> {
        match value {
            Some(Value::String(s)) => Ok(Self::new(s)),
            // Never echo what was sent: it may be the password.
            _ => Err(InputValueError::custom("a password must be a string")),
        }
    }

    fn to_value(&self) -> Value {
        Value::String("[REDACTED]".to_owned())
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_shows_its_value() {
        let p = Password::new("S3cret!pass");
        assert_eq!(format!("{p}"), "[REDACTED]");
        assert!(!format!("{p:?}").contains("S3cret"));
        assert_eq!(p.to_value(), Value::String("[REDACTED]".into()));
        assert_eq!(p.expose(), "S3cret!pass");
        let err = <Password as InputType>::parse(Some(Value::from(12345678))).unwrap_err();
        assert!(
            !err.into_server_error(Default::default())
                .message
                .contains("12345678")
        );
    }
}
