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

/// The error for an untagged union whose members all refuse a value.
pub fn no_member_fits<E: de::Error>(type_name: &'static str) -> E {
    E::custom(format_args!("data did not match any variant of untagged enum {type_name}"))
}

/// Defines a model struct with its serde impls. `ser`, `de`, `both` or `none` first says which.
#[doc(hidden)]
#[macro_export]
macro_rules! __model_struct {
    (ser $($rest:tt)*) => {
        $crate::__model_struct!(@def $($rest)*);
        $crate::__model_struct!(@ser $($rest)*);
    };
    (de $($rest:tt)*) => {
        $crate::__model_struct!(@def $($rest)*);
        $crate::__model_struct!(@de $($rest)*);
    };
    (both $($rest:tt)*) => {
        $crate::__model_struct!(@def $($rest)*);
        $crate::__model_struct!(@ser $($rest)*);
        $crate::__model_struct!(@de $($rest)*);
    };
    (none $($rest:tt)*) => {
        $crate::__model_struct!(@def $($rest)*);
    };
    (@def
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$field_meta:meta])* pub $field:ident : $ty:ty => $kind:ident $wire:literal, )*
        }
        $( extra $(#[$extra_meta:meta])* pub $extra:ident : $extra_ty:ty; )?
    ) => {
        $(#[$meta])*
        pub struct $name {
            $( $(#[$field_meta])* pub $field: $ty, )*
            $( $(#[$extra_meta])* pub $extra: $extra_ty, )?
        }
    };
    (@ser
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$field_meta:meta])* pub $field:ident : $ty:ty => $kind:ident $wire:literal, )*
        }
        $( extra $(#[$extra_meta:meta])* pub $extra:ident : $extra_ty:ty; )?
    ) => {
        impl $crate::__private::serde::Serialize for $name {
            fn serialize<__S: $crate::__private::serde::Serializer>(&self, serializer: __S) -> ::core::result::Result<__S::Ok, __S::Error> {
                use $crate::__private::serde::ser::SerializeMap as _;
                let mut map = serializer.serialize_map(::core::option::Option::None)?;
                $( $crate::__model_write!($kind map $wire (&self.$field)); )*
                $( for (key, value) in &self.$extra { map.serialize_entry(key, value)?; } )?
                map.end()
            }
        }
    };
    (@de
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$field_meta:meta])* pub $field:ident : $ty:ty => $kind:ident $wire:literal, )*
        }
        $( extra $(#[$extra_meta:meta])* pub $extra:ident : $extra_ty:ty; )?
    ) => {
        $crate::__model_struct!(@de_impl $name { $( $field : $ty => $kind $wire, )* } $( $extra : $extra_ty )?);
    };
    // One exit for the read loop and one for the missing-field check keep the function's
    // control flow linear in the number of fields.
    (@de_impl $name:ident { $( $field:ident : $ty:ty => $kind:ident $wire:literal, )* } $( $extra:ident : $extra_ty:ty )?) => {
        impl<'de> $crate::__private::model::FromMap<'de> for $name {
            const NAME: &'static str = ::core::stringify!($name);
            #[allow(unused_mut, unused_variables)]
            fn from_map<__A: $crate::__private::serde::de::MapAccess<'de>>(mut map: __A) -> ::core::result::Result<Self, __A::Error> {
                $( $crate::__model_slot!($kind $field $ty); )*
                $( let mut $extra: $extra_ty = ::core::default::Default::default(); )?
                loop {
                    let key = match map.next_key::<$crate::__private::model::Key<'de>>() {
                        ::core::result::Result::Ok(::core::option::Option::Some(key)) => key,
                        ::core::result::Result::Ok(::core::option::Option::None) => break,
                        ::core::result::Result::Err(error) => return ::core::result::Result::Err(error),
                    };
                    let read: ::core::result::Result<(), __A::Error> = match key.as_str() {
                        $( $wire => $crate::__model_read!($kind map $field), )*
                        _ => $crate::__model_extra!(map key $( $extra )?),
                    };
                    if let ::core::result::Result::Err(error) = read {
                        return ::core::result::Result::Err(error);
                    }
                }
                let mut missing: ::core::option::Option<&'static str> = ::core::option::Option::None;
                $( $crate::__model_check!($kind $field $wire missing); )*
                #[allow(unreachable_patterns)]
                match ( $( $field, )* ) {
                    ( $( $crate::__model_pattern!($kind $field), )* ) => ::core::result::Result::Ok(Self { $( $field, )* $( $extra, )? }),
                    _ => ::core::result::Result::Err($crate::__private::model::missing_field(missing, ::core::stringify!($name))),
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

/// Writes one field of a model struct.
#[doc(hidden)]
#[macro_export]
macro_rules! __model_write {
    (req $map:ident $wire:literal ($($value:tt)*)) => { $map.serialize_entry($wire, $($value)*)?; };
    (null $map:ident $wire:literal ($($value:tt)*)) => { $map.serialize_entry($wire, $($value)*)?; };
    (opt $map:ident $wire:literal ($($value:tt)*)) => {
        if let ::core::option::Option::Some(value) = $($value)* { $map.serialize_entry($wire, value)?; }
    };
    (opt_null $map:ident $wire:literal ($($value:tt)*)) => {
        if let ::core::option::Option::Some(value) = $($value)* { $map.serialize_entry($wire, value)?; }
    };
}

/// Declares the slot a field is read into.
#[doc(hidden)]
#[macro_export]
macro_rules! __model_slot {
    (req $field:ident $ty:ty) => { let mut $field: ::core::option::Option<$ty> = ::core::option::Option::None; };
    ($kind:ident $field:ident $ty:ty) => { let mut $field: $ty = ::core::option::Option::None; };
}

/// Reads a field's value into its slot.
#[doc(hidden)]
#[macro_export]
macro_rules! __model_read {
    (req $map:ident $field:ident) => { $crate::__model_read!(@some $map $field) };
    (opt_null $map:ident $field:ident) => { $crate::__model_read!(@some $map $field) };
    (@some $map:ident $field:ident) => {
        match $map.next_value() {
            ::core::result::Result::Ok(value) => {
                $field = ::core::option::Option::Some(value);
                ::core::result::Result::Ok(())
            }
            ::core::result::Result::Err(error) => ::core::result::Result::Err(error),
        }
    };
    ($kind:ident $map:ident $field:ident) => {
        match $map.next_value() {
            ::core::result::Result::Ok(value) => {
                $field = value;
                ::core::result::Result::Ok(())
            }
            ::core::result::Result::Err(error) => ::core::result::Result::Err(error),
        }
    };
}

/// Notes the first required field that is missing.
#[doc(hidden)]
#[macro_export]
macro_rules! __model_check {
    (req $field:ident $wire:literal $missing:ident) => {
        if $missing.is_none() && $field.is_none() {
            $missing = ::core::option::Option::Some($wire);
        }
    };
    ($kind:ident $field:ident $wire:literal $missing:ident) => {};
}

/// The pattern a field's slot matches once read: `Some` for a required field.
#[doc(hidden)]
#[macro_export]
macro_rules! __model_pattern {
    (req $field:ident) => { ::core::option::Option::Some($field) };
    ($kind:ident $field:ident) => { $field };
}

/// Defines a string enum with a catch-all `Other(String)`, `as_str`, `Display` and its serde
/// impls (`ser`, `de`, `both` or `none` first).
#[doc(hidden)]
#[macro_export]
macro_rules! __model_string_enum {
    ($dir:ident
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $wire:literal, )*
        }
    ) => {
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

/// Defines an untagged union: the first member that accepts the value wins (`ser`, `de`,
/// `both` or `none` first).
#[doc(hidden)]
#[macro_export]
macro_rules! __model_union {
    ($dir:ident
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident($ty:ty), )*
        }
    ) => {
        $(#[$meta])*
        pub enum $name {
            $( $(#[$variant_meta])* $variant($ty), )*
        }

        $crate::__model_union!(@$dir $name { $( $variant($ty), )* });
    };
    (@ser $name:ident { $( $variant:ident($ty:ty), )* }) => {
        $crate::__model_union!(@ser_impl $name { $( $variant, )* });
    };
    (@de $name:ident { $( $variant:ident($ty:ty), )* }) => {
        $crate::__model_union!(@de_impl $name { $( $variant($ty), )* });
    };
    (@both $name:ident { $( $variant:ident($ty:ty), )* }) => {
        $crate::__model_union!(@ser_impl $name { $( $variant, )* });
        $crate::__model_union!(@de_impl $name { $( $variant($ty), )* });
    };
    (@none $name:ident { $( $variant:ident($ty:ty), )* }) => {};
    (@ser_impl $name:ident { $( $variant:ident, )* }) => {
        impl $crate::__private::serde::Serialize for $name {
            fn serialize<__S: $crate::__private::serde::Serializer>(&self, serializer: __S) -> ::core::result::Result<__S::Ok, __S::Error> {
                match self {
                    $( Self::$variant(value) => $crate::__private::serde::Serialize::serialize(value, serializer), )*
                }
            }
        }
    };
    (@de_impl $name:ident { $( $variant:ident($ty:ty), )* }) => {
        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<__D: $crate::__private::serde::Deserializer<'de>>(deserializer: __D) -> ::core::result::Result<Self, __D::Error> {
                let value = <$crate::__private::serde_json::Value as $crate::__private::serde::Deserialize>::deserialize(deserializer)?;
                $(
                    if let ::core::result::Result::Ok(member) = <$ty as $crate::__private::serde::Deserialize>::deserialize(&value) {
                        return ::core::result::Result::Ok(Self::$variant(member));
                    }
                )*
                ::core::result::Result::Err($crate::__private::model::no_member_fits(::core::stringify!($name)))
            }
        }
    };
}
