//! Serialising enums as their short codes, so the JSON and `as_str()` can
//! never disagree.

/// Implements `serde::Serialize` for types with `fn as_str(&self) -> &str`.
macro_rules! serialize_as_str {
    ($($ty:ty),+ $(,)?) => {
        $(impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        })+
    };
}

pub(crate) use serialize_as_str;
