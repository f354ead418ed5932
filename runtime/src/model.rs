//! What generated model types expand to: their definitions with compact `Serialize` and
//! `Deserialize` impls.
//!
//! serde's derives emit code that is several times as costly to type-check as these impls
//! (a field enum, a sequence visitor, a drop ladder per field); for a client of a big API that
//! is most of its compile time and memory. These macros are what the generator emits instead,
//! so that a generated file lists each field once, on one line, and everything else lives here.
//!
//! Generic parameters are named `__A`, `__D`, `__S`: unlike local variables they are not
//! hygienic, and a spec may name a type `A`, `D` or `S`.
//!
//! Field kinds, as the generator writes them after `=>`:
//! - `req "wire"`: required and not nullable; missing is an error.
//! - `null "wire"`: required but nullable (`Option<T>`): always sent, `null` when `None`; a
//!   missing field reads as `None`.
//! - `opt "wire"`: optional (`Option<T>`): left out when `None`; `null` reads as `None`.
//! - `opt_null "wire"`: optional and nullable (`Option<Option<T>>`): absent, `null` or a value.
//! - `ro "wire"`: read-only in a type that is also sent (`Option<T>`): read like `opt`, never
//!   written, since the server ignores or refuses it in requests.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, MapAccess, Visitor};

/// A map key or string value, borrowed from the input where it can be.
pub struct Key<'de>(Cow<'de, str>);

impl<'de> Key<'de> {
    /// The key's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key's text, owned.
    pub fn into_string(self) -> String {
        self.0.into_owned()
    }
}

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(value)))
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(value.to_owned())))
            }
            fn visit_string<E: de::Error>(self, value: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(value)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// A struct read field by field from a map, for [`deserialize_struct`].
pub trait FromMap<'de>: Sized {
    /// The type's name, for error messages.
    const NAME: &'static str;
    /// Reads the struct from the map's entries.
    fn from_map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

struct MapVisitor<T>(PhantomData<T>);

impl<'de, T: FromMap<'de>> Visitor<'de> for MapVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", T::NAME)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::from_map(map)
    }
}

/// Deserializes a [`FromMap`] struct from a map.
pub fn deserialize_struct<'de, T: FromMap<'de>, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_map(MapVisitor(PhantomData))
}

/// The error for a required field that is missing.
pub fn missing_field<E: de::Error>(field: Option<&'static str>, type_name: &'static str) -> E {
    E::missing_field(field.unwrap_or(type_name))
}

/// How well a JSON object fits a member of an untagged union that accepted it: members whose
/// fields are all optional accept any object, so the one that fits best wins, not the first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fit {
    /// Keys of the object the member has no field for.
    unknown: usize,
    /// Keys it has a field for.
    known: usize,
}

impl Fit {
    /// The fit of `value` to a member whose fields are named `names`. `None`: not a struct; a
    /// map or any-JSON member that accepted an object takes every key.
    pub fn of(value: &serde_json::Value, names: Option<&[&str]>) -> Self {
        let Some(object) = value.as_object() else { return Self { unknown: 0, known: 0 } };
        let known = names.map_or(object.len(), |names| object.keys().filter(|key| names.contains(&key.as_str())).count());
        Self { unknown: object.len() - known, known }
    }

    /// Every key has a field: no later member can fit better.
    pub fn is_exact(&self) -> bool {
        self.unknown == 0
    }

    /// Fewer unknown keys, then more known ones; a tie keeps the earlier member.
    pub fn is_better_than(&self, other: &Self) -> bool {
        (self.unknown, other.known) < (other.unknown, self.known)
    }
}

/// The error for an untagged union whose members all refuse a value.
pub fn no_member_fits<E: de::Error>(type_name: &'static str) -> E {
    E::custom(format_args!("data did not match any variant of untagged enum {type_name}"))
}

/// The error for the first required field that is missing (`missing` holds one entry per
/// field, `Some` for a required field that was not read).
pub fn first_missing_field<E: de::Error>(missing: &[Option<&'static str>], type_name: &'static str) -> E {
    missing_field(missing.iter().flatten().next().copied(), type_name)
}

/// Per-kind helpers of the model macros. Each module has one item per field kind, named by the
/// kind, so a macro reaches the right one by pasting the kind into a path: a helper macro call
/// per field would cost more to expand, and inline code per field more to type-check, than
/// one call of a generic function that is checked once, here.
#[allow(non_camel_case_types)]
pub mod field {
    use serde::de::{Deserialize, MapAccess};
    use serde::ser::{Serialize, SerializeMap};

    /// The slot of a field that may be left out: it holds its value from the start.
    #[derive(Default)]
    pub struct Present<T>(pub T);

    /// What a field is read into.
    pub mod slot {
        /// Required: `None` until read.
        pub type req<T> = Option<T>;
        /// Required but nullable: a missing field reads as `None`.
        pub type null<T> = super::Present<T>;
        /// Optional.
        pub type opt<T> = super::Present<T>;
        /// Optional and nullable.
        pub type opt_null<T> = super::Present<T>;
        /// Read-only.
        pub type ro<T> = super::Present<T>;
    }

    /// The pattern a slot matches once every required field is read.
    pub mod pattern {
        pub use super::Present as null;
        pub use super::Present as opt;
        pub use super::Present as opt_null;
        pub use super::Present as ro;
        pub use core::option::Option::Some as req;
    }

    /// Reads a field's value from the map into its slot.
    pub mod read {
        use super::*;

        /// Required: the value as it is.
        pub fn req<'de, A: MapAccess<'de>, T: Deserialize<'de>>(map: &mut A, slot: &mut Option<T>) -> Result<(), A::Error> {
            *slot = Some(map.next_value()?);
            Ok(())
        }

        /// Optional or nullable: `null` reads as `None`.
        pub fn opt<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
            map: &mut A,
            slot: &mut Present<Option<T>>,
        ) -> Result<(), A::Error> {
            slot.0 = map.next_value()?;
            Ok(())
        }
        pub use opt as null;
        pub use opt as ro;

        /// Optional and nullable: present-but-`null` reads as `Some(None)`.
        pub fn opt_null<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
            map: &mut A,
            slot: &mut Present<Option<Option<T>>>,
        ) -> Result<(), A::Error> {
            slot.0 = Some(map.next_value()?);
            Ok(())
        }
    }

    /// The field's name if it is required and was not read.
    pub mod missing {
        use super::Present;

        /// Required: missing while `None`.
        pub fn req<T>(slot: &Option<T>, name: &'static str) -> Option<&'static str> {
            if slot.is_none() { Some(name) } else { None }
        }

        /// Never missing.
        pub fn opt<T>(_slot: &Present<T>, _name: &'static str) -> Option<&'static str> {
            None
        }
        pub use opt as null;
        pub use opt as opt_null;
        pub use opt as ro;
    }

    /// Writes a field to the map unless an earlier write failed.
    pub mod write {
        use super::*;

        /// Required or nullable: always written (`None` as `null`).
        pub fn req<M: SerializeMap, T: Serialize + ?Sized>(
            map: &mut M,
            state: &mut Result<(), M::Error>,
            key: &'static str,
            value: &T,
        ) {
            if state.is_ok() {
                *state = map.serialize_entry(key, value);
            }
        }
        pub use req as null;

        /// Optional: left out when `None`.
        pub fn opt<M: SerializeMap, T: Serialize>(
            map: &mut M,
            state: &mut Result<(), M::Error>,
            key: &'static str,
            value: &Option<T>,
        ) {
            if let (Ok(()), Some(value)) = (&state, value) {
                *state = map.serialize_entry(key, value);
            }
        }
        pub use opt as opt_null;

        /// Read-only: never written.
        pub fn ro<M: SerializeMap, T>(_map: &mut M, _state: &mut Result<(), M::Error>, _key: &'static str, _value: &T) {}

        /// The entries of an additional-properties map.
        pub fn extra<'a, M: SerializeMap, K: Serialize + 'a, V: Serialize + 'a>(
            map: &mut M,
            state: &mut Result<(), M::Error>,
            entries: impl IntoIterator<Item = (&'a K, &'a V)>,
        ) {
            for (key, value) in entries {
                if state.is_err() {
                    return;
                }
                *state = map.serialize_entry(key, value);
            }
        }
    }

    /// Ends the map once every field is written.
    pub fn end<M: SerializeMap>(map: M, state: Result<(), M::Error>) -> Result<M::Ok, M::Error> {
        state?;
        map.end()
    }
}

/// Defines a model struct with its serde impls. `ser`, `de`, `both` or `none` first says which,
/// then the struct with its derives first.
#[doc(hidden)]
#[macro_export]
macro_rules! __model_struct {
    // Derive paths are written out in full: a single-segment macro name is looked up through
    // every macro call before it in the module, which for thousands of types is quadratic.
    // The struct is parsed here once; the impls get its name and fields alone.
    ($dir:ident
        #[derive($($derive:ident),*)]
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$field_meta:meta])* pub $field:ident : $ty:ty => $kind:ident $wire:literal, )*
        }
        $( extra $(#[$extra_meta:meta])* pub $extra:ident : $extra_ty:ty; )?
    ) => {
        #[::core::prelude::v1::derive($($crate::__private::derive::$derive),*)]
        $(#[$meta])*
        pub struct $name {
            $( $(#[$field_meta])* pub $field: $ty, )*
            $( $(#[$extra_meta])* pub $extra: $extra_ty, )?
        }

        $crate::__model_struct!(@$dir $name { $( $field : $ty => $kind $wire, )* } $( $extra : $extra_ty )?);
    };
    (@ser $($rest:tt)*) => {
        $crate::__model_struct!(@ser_impl $($rest)*);
    };
    (@de $($rest:tt)*) => {
        $crate::__model_struct!(@de_impl $($rest)*);
    };
    (@both $($rest:tt)*) => {
        $crate::__model_struct!(@ser_impl $($rest)*);
        $crate::__model_struct!(@de_impl $($rest)*);
    };
    (@none $($rest:tt)*) => {};
    (@ser_impl $name:ident { $( $field:ident : $ty:ty => $kind:ident $wire:literal, )* } $( $extra:ident : $extra_ty:ty )?) => {
        impl $crate::__private::serde::Serialize for $name {
            fn serialize<__S: $crate::__private::serde::Serializer>(&self, serializer: __S) -> ::core::result::Result<__S::Ok, __S::Error> {
                let mut map = $crate::__private::serde::Serializer::serialize_map(serializer, ::core::option::Option::None)?;
                let mut state = ::core::result::Result::<(), __S::Error>::Ok(());
                $( $crate::__private::model::field::write::$kind(&mut map, &mut state, $wire, &self.$field); )*
                $( $crate::__private::model::field::write::extra(&mut map, &mut state, &self.$extra); )?
                $crate::__private::model::field::end(map, state)
            }
        }
    };
    // One exit for the read loop and one for the missing-field check keep the function's
    // control flow linear in the number of fields.
    (@de_impl $name:ident { $( $field:ident : $ty:ty => $kind:ident $wire:literal, )* } $( $extra:ident : $extra_ty:ty )?) => {
        impl<'de> $crate::__private::model::FromMap<'de> for $name {
            const NAME: &'static str = ::core::stringify!($name);
            #[allow(unused_mut, unused_variables)]
            fn from_map<__A: $crate::__private::serde::de::MapAccess<'de>>(mut map: __A) -> ::core::result::Result<Self, __A::Error> {
                $( let mut $field: $crate::__private::model::field::slot::$kind<$ty> = ::core::default::Default::default(); )*
                $( let mut $extra: $extra_ty = ::core::default::Default::default(); )?
                loop {
                    let key = match map.next_key::<$crate::__private::model::Key<'de>>() {
                        ::core::result::Result::Ok(::core::option::Option::Some(key)) => key,
                        ::core::result::Result::Ok(::core::option::Option::None) => break,
                        ::core::result::Result::Err(error) => return ::core::result::Result::Err(error),
                    };
                    let read: ::core::result::Result<(), __A::Error> = match key.as_str() {
                        $( $wire => $crate::__private::model::field::read::$kind(&mut map, &mut $field), )*
                        _ => $crate::__model_extra!(map key $( $extra )?),
                    };
                    if let ::core::result::Result::Err(error) = read {
                        return ::core::result::Result::Err(error);
                    }
                }
                let missing: &[::core::option::Option<&'static str>] = &[ $( $crate::__private::model::field::missing::$kind(&$field, $wire), )* ];
                #[allow(unreachable_patterns)]
                match ( $( $field, )* ) {
                    ( $( $crate::__private::model::field::pattern::$kind($field), )* ) => ::core::result::Result::Ok(Self { $( $field, )* $( $extra, )? }),
                    _ => ::core::result::Result::Err($crate::__private::model::first_missing_field(missing, ::core::stringify!($name))),
                }
            }
        }
        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<__D: $crate::__private::serde::Deserializer<'de>>(deserializer: __D) -> ::core::result::Result<Self, __D::Error> {
                $crate::__private::model::deserialize_struct(deserializer)
            }
        }
    };
}

/// The wire names a union member lists, if it lists any.
#[doc(hidden)]
#[macro_export]
macro_rules! __model_union_names {
    () => { ::core::option::Option::None };
    ($names:path) => { ::core::option::Option::Some($names) };
}

/// Reads an entry no field takes: into the extra map if there is one, else skips it.
#[doc(hidden)]
#[macro_export]
macro_rules! __model_extra {
    ($map:ident $key:ident) => {
        $map.next_value::<$crate::__private::serde::de::IgnoredAny>().map(|_| ())
    };
    ($map:ident $key:ident $extra:ident) => {
        match $map.next_value() {
            ::core::result::Result::Ok(value) => {
                $extra.insert($key.into_string(), value);
                ::core::result::Result::Ok(())
            }
            ::core::result::Result::Err(error) => ::core::result::Result::Err(error),
        }
    };
}

/// Defines a string enum with a catch-all `Other(String)`, `as_str`, `Display`, `PartialEq`,
/// `Eq`, `Hash`, `PartialOrd` and `Ord` by the wire value, and its serde impls (`ser`, `de`,
/// `both` or `none` first).
#[doc(hidden)]
#[macro_export]
macro_rules! __model_string_enum {
    ($dir:ident
        #[derive($($derive:ident),*)]
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $wire:literal, )*
        }
    ) => {
        #[::core::prelude::v1::derive($($crate::__private::derive::$derive),*)]
        $(#[$meta])*
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )*
            /// A value this client does not know; servers may add values over time.
            Other(::std::string::String),
        }

        impl $name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )*
                    Self::Other(value) => value.as_str(),
                }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        // By the wire value, so that `Other("a")` equals the variant whose value is "a"; and a
        // one-line body each checks in a fraction of what the derives cost.
        impl ::core::cmp::PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.as_str() == other.as_str()
            }
        }

        impl ::core::cmp::Eq for $name {}

        impl ::core::hash::Hash for $name {
            fn hash<__H: ::core::hash::Hasher>(&self, state: &mut __H) {
                ::core::hash::Hash::hash(self.as_str(), state)
            }
        }

        impl ::core::cmp::PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> ::core::option::Option<::core::cmp::Ordering> {
                ::core::option::Option::Some(::core::cmp::Ord::cmp(self, other))
            }
        }

        impl ::core::cmp::Ord for $name {
            fn cmp(&self, other: &Self) -> ::core::cmp::Ordering {
                self.as_str().cmp(other.as_str())
            }
        }

        $crate::__model_string_enum!(@$dir $name { $( $variant = $wire, )* });
    };
    (@ser $name:ident { $( $variant:ident = $wire:literal, )* }) => {
        $crate::__model_string_enum!(@ser_impl $name);
    };
    (@de $name:ident { $( $variant:ident = $wire:literal, )* }) => {
        $crate::__model_string_enum!(@de_impl $name { $( $variant = $wire, )* });
    };
    (@both $name:ident { $( $variant:ident = $wire:literal, )* }) => {
        $crate::__model_string_enum!(@ser_impl $name);
        $crate::__model_string_enum!(@de_impl $name { $( $variant = $wire, )* });
    };
    (@none $name:ident { $( $variant:ident = $wire:literal, )* }) => {};
    (@ser_impl $name:ident) => {
        impl $crate::__private::serde::Serialize for $name {
            fn serialize<__S: $crate::__private::serde::Serializer>(&self, serializer: __S) -> ::core::result::Result<__S::Ok, __S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
    (@de_impl $name:ident { $( $variant:ident = $wire:literal, )* }) => {
        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<__D: $crate::__private::serde::Deserializer<'de>>(deserializer: __D) -> ::core::result::Result<Self, __D::Error> {
                let value = <$crate::__private::model::Key<'de> as $crate::__private::serde::Deserialize>::deserialize(deserializer)?;
                ::core::result::Result::Ok(match value.as_str() {
                    $( $wire => Self::$variant, )*
                    _ => Self::Other(value.into_string()),
                })
            }
        }
    };
}

/// Defines an untagged union (`ser`, `de`, `both` or `none` first). Of the members that accept
/// a value, the first wins, except for an object: then the one that fits it best ([`Fit`]),
/// judged by the wire names a struct member lists after it (`Member(Type) names Type::WIRE_NAMES`).
#[doc(hidden)]
#[macro_export]
macro_rules! __model_union {
    ($dir:ident
        #[derive($($derive:ident),*)]
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident($ty:ty) $(names $names:path)?, )*
        }
    ) => {
        #[::core::prelude::v1::derive($($crate::__private::derive::$derive),*)]
        $(#[$meta])*
        pub enum $name {
            $( $(#[$variant_meta])* $variant($ty), )*
        }

        $crate::__model_union!(@$dir $name { $( $variant($ty) [$($names)?], )* });
    };
    (@ser $name:ident { $( $variant:ident($ty:ty) [$($names:path)?], )* }) => {
        $crate::__model_union!(@ser_impl $name { $( $variant, )* });
    };
    (@de $name:ident { $( $variant:ident($ty:ty) [$($names:path)?], )* }) => {
        $crate::__model_union!(@de_impl $name { $( $variant($ty) [$($names)?], )* });
    };
    (@both $name:ident { $( $variant:ident($ty:ty) [$($names:path)?], )* }) => {
        $crate::__model_union!(@ser_impl $name { $( $variant, )* });
        $crate::__model_union!(@de_impl $name { $( $variant($ty) [$($names)?], )* });
    };
    (@none $name:ident { $( $variant:ident($ty:ty) [$($names:path)?], )* }) => {};
    (@ser_impl $name:ident { $( $variant:ident, )* }) => {
        impl $crate::__private::serde::Serialize for $name {
            fn serialize<__S: $crate::__private::serde::Serializer>(&self, serializer: __S) -> ::core::result::Result<__S::Ok, __S::Error> {
                match self {
                    $( Self::$variant(value) => $crate::__private::serde::Serialize::serialize(value, serializer), )*
                }
            }
        }
    };
    (@de_impl $name:ident { $( $variant:ident($ty:ty) [$($names:path)?], )* }) => {
        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<__D: $crate::__private::serde::Deserializer<'de>>(deserializer: __D) -> ::core::result::Result<Self, __D::Error> {
                let value = <$crate::__private::serde_json::Value as $crate::__private::serde::Deserialize>::deserialize(deserializer)?;
                let object = value.is_object();
                let mut best: ::core::option::Option<($crate::__private::model::Fit, Self)> = ::core::option::Option::None;
                $(
                    if let ::core::result::Result::Ok(member) = <$ty as $crate::__private::serde::Deserialize>::deserialize(&value) {
                        let fit = $crate::__private::model::Fit::of(&value, $crate::__model_union_names!($($names)?));
                        if !object || fit.is_exact() {
                            return ::core::result::Result::Ok(Self::$variant(member));
                        }
                        if best.as_ref().is_none_or(|(other, _)| fit.is_better_than(other)) {
                            best = ::core::option::Option::Some((fit, Self::$variant(member)));
                        }
                    }
                )*
                match best {
                    ::core::option::Option::Some((_, member)) => ::core::result::Result::Ok(member),
                    ::core::option::Option::None => ::core::result::Result::Err($crate::__private::model::no_member_fits(::core::stringify!($name))),
                }
            }
        }
    };
}
