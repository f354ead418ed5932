//! Wire formats that need more than serde's defaults: base64 bytes (`format: byte`), and
//! RFC 3339 dates and times for the `time` crate (chrono's types serialize as RFC 3339 already).

use std::fmt;

use base64::Engine as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Bytes sent as a base64 string (`type: string, format: byte`).
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Base64Bytes(pub Vec<u8>);

impl fmt::Debug for Base64Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Base64Bytes({} bytes)", self.0.len())
    }
}

impl From<Vec<u8>> for Base64Bytes {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

impl std::ops::Deref for Base64Bytes {
    type Target = Vec<u8>;
    fn deref(&self) -> &Vec<u8> {
        &self.0
    }
}

impl Serialize for Base64Bytes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Base64Bytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let text = text.trim_end_matches('=');
        // Servers differ: accept the standard and the URL-safe alphabet, padded or not.
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(text)
            .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text))
            .map(Self)
            .map_err(serde::de::Error::custom)
    }
}

/// Standard base64 with padding.
pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(feature = "time")]
mod time_types {
    use super::*;
    use time::format_description::well_known::{Iso8601, Rfc3339};

    /// A date-time (`format: date-time`) as `time::OffsetDateTime`, sent as RFC 3339.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub struct DateTime(pub time::OffsetDateTime);

    /// A date (`format: date`) as `time::Date`, sent as `YYYY-MM-DD`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub struct Date(pub time::Date);

    /// A time of day (`format: time`) as `time::Time`, sent as `HH:MM:SS[.fff]`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub struct Time(pub time::Time);

    const DATE: &[time::format_description::BorrowedFormatItem<'static>] =
        time::macros::format_description!("[year]-[month]-[day]");

    impl Serialize for DateTime {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let text = self.0.format(&Rfc3339).map_err(serde::ser::Error::custom)?;
            serializer.serialize_str(&text)
        }
    }

    impl<'de> Deserialize<'de> for DateTime {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let text = String::deserialize(deserializer)?;
            time::OffsetDateTime::parse(&text, &Rfc3339).map(Self).map_err(serde::de::Error::custom)
        }
    }

    impl Serialize for Date {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let text = self.0.format(DATE).map_err(serde::ser::Error::custom)?;
            serializer.serialize_str(&text)
        }
    }

    impl<'de> Deserialize<'de> for Date {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let text = String::deserialize(deserializer)?;
            time::Date::parse(&text, DATE).map(Self).map_err(serde::de::Error::custom)
        }
    }

    impl Serialize for Time {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let text = self.0.format(&Iso8601::TIME).map_err(serde::ser::Error::custom)?;
            serializer.serialize_str(&text)
        }
    }

    impl<'de> Deserialize<'de> for Time {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let text = String::deserialize(deserializer)?;
            time::Time::parse(&text, &Iso8601::TIME).map(Self).map_err(serde::de::Error::custom)
        }
    }
}

#[cfg(feature = "time")]
pub use time_types::{Date, DateTime, Time};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_and_accepts_url_safe_unpadded_input() {
        let bytes = Base64Bytes(vec![0xfb, 0xff, 0x01]);
        let json = serde_json::to_string(&bytes).ok();
        assert_eq!(json.as_deref(), Some("\"+/8B\""));
        let back: Option<Base64Bytes> = serde_json::from_str("\"-_8B\"").ok();
        assert_eq!(back, Some(bytes));
        assert!(serde_json::from_str::<Base64Bytes>("\"not base64!\"").is_err());
    }
}
