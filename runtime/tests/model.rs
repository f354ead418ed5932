//! The model macros generated types expand to: the JSON they read and write, field by kind.

use specwright_runtime::__private as rt;
use std::collections::BTreeMap;

rt::model_struct! {
    both
    #[derive(Debug, Clone, PartialEq)]
    /// A pet.
    pub struct Pet {
        /// Required.
        pub id: i64 => req "id",
        pub r#type: String => req "type",
        pub owner: Option<String> => null "owner",
        pub nickname: Option<String> => opt "nickName",
        pub note: Option<Option<String>> => opt_null "note",
        pub friend: Option<Box<Pet>> => opt "friend",
    }
}

rt::model_struct! {
    both
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct Labels {
        pub name: Option<String> => opt "name",
    }
    extra
    /// The other properties.
    pub additional_properties: BTreeMap<String, i64>;
}

rt::model_struct! {
    de
    #[derive(Debug)]
    pub struct OnlyRead {
        pub map: i64 => req "key",
        pub missing: Option<i64> => opt "missing",
    }
}

rt::model_struct! {
    ser
    #[derive(Debug)]
    pub struct Unwritable {
        pub pairs: BTreeMap<(u8, u8), u8> => req "pairs",
        pub after: Option<i64> => opt "after",
    }
}

rt::model_string_enum! {
    both
    #[derive(Debug, Clone)]
    pub enum Kind {
        /// `door`
        Door = "door",
        Camera = "camera",
    }
}

rt::model_union! {
    both
    #[derive(Debug, Clone, PartialEq)]
    pub enum IdOrPet {
        Id(i64),
        Pet(Pet),
    }
}

#[test]
fn fields_read_by_kind() {
    let pet: Pet = serde_json::from_str(r#"{"id": 1, "type": "cat", "unknown": [1, {"x": 2}], "note": null}"#).unwrap();
    assert_eq!(pet.id, 1);
    assert_eq!(pet.r#type, "cat");
    assert_eq!(pet.owner, None, "a missing nullable field reads as None");
    assert_eq!(pet.nickname, None);
    assert_eq!(pet.note, Some(None), "an explicit null is kept apart from absence");
    let pet: Pet = serde_json::from_str(r#"{"id": 2, "type": "dog", "nickName": null, "note": "n", "friend": {"id": 3, "type": "x"}}"#).unwrap();
    assert_eq!(pet.nickname, None);
    assert_eq!(pet.note, Some(Some("n".to_owned())));
    assert_eq!(pet.friend.as_ref().map(|f| f.id), Some(3));
}

#[test]
fn fields_written_by_kind() {
    let pet = Pet { id: 1, r#type: "cat".into(), owner: None, nickname: None, note: Some(None), friend: None };
    assert_eq!(serde_json::to_string(&pet).unwrap(), r#"{"id":1,"type":"cat","owner":null,"note":null}"#);
    let pet = Pet { note: None, nickname: Some("c".into()), ..pet };
    assert_eq!(serde_json::to_string(&pet).unwrap(), r#"{"id":1,"type":"cat","owner":null,"nickName":"c"}"#);
}

#[test]
fn a_field_that_cannot_be_written_fails_the_whole_value() {
    let value = Unwritable { pairs: BTreeMap::from([((1, 2), 3)]), after: Some(4) };
    let error = serde_json::to_string(&value).unwrap_err().to_string();
    assert!(error.contains("key must be a string"), "{error}");
}

#[test]
fn errors_name_the_field() {
    let error = serde_json::from_str::<Pet>(r#"{"type": "cat"}"#).unwrap_err().to_string();
    assert!(error.contains("missing field `id`"), "{error}");
    // The first required field that is missing is named, not only the first field.
    let error = serde_json::from_str::<Pet>(r#"{"id": 1, "owner": null}"#).unwrap_err().to_string();
    assert!(error.contains("missing field `type`"), "{error}");
    let error = serde_json::from_str::<Pet>(r#"{"id": "one", "type": "cat"}"#).unwrap_err().to_string();
    assert!(error.contains("invalid type: string \"one\", expected i64"), "{error}");
    let error = serde_json::from_str::<Pet>("[1]").unwrap_err().to_string();
    assert!(error.contains("expected struct Pet"), "{error}");
    let mut reader = serde_json::Deserializer::from_str(r#"{"id": 1, "type": "x", "friend": {"id": true}}"#);
    let error = serde_path_to_error::deserialize::<_, Pet>(&mut reader).unwrap_err();
    assert_eq!(error.path().to_string(), "friend.id");
}

#[test]
fn local_names_do_not_clash_with_fields() {
    let read: OnlyRead = serde_json::from_str(r#"{"key": 5, "missing": 6}"#).unwrap();
    assert_eq!((read.map, read.missing), (5, Some(6)));
}

#[test]
fn extra_properties_collect_the_rest() {
    let labels: Labels = serde_json::from_str(r#"{"name": "n", "a": 1, "b": 2}"#).unwrap();
    assert_eq!(labels.name.as_deref(), Some("n"));
    assert_eq!(labels.additional_properties.into_iter().collect::<Vec<_>>(), vec![("a".to_owned(), 1), ("b".to_owned(), 2)]);
    let labels = Labels { name: None, additional_properties: [("z".to_owned(), 3)].into_iter().collect() };
    assert_eq!(serde_json::to_string(&labels).unwrap(), r#"{"z":3}"#);
}

#[test]
fn string_enums_keep_unknown_values() {
    assert_eq!(serde_json::from_str::<Kind>(r#""door""#).unwrap(), Kind::Door);
    assert_eq!(serde_json::from_str::<Kind>(r#""lift\u0021""#).unwrap(), Kind::Other("lift!".to_owned()));
    assert_eq!(serde_json::to_string(&Kind::Camera).unwrap(), r#""camera""#);
    assert_eq!(Kind::Other("x".into()).to_string(), "x");
    assert!(serde_json::from_str::<Kind>("1").is_err());
}

#[test]
fn string_enums_compare_hash_and_order_by_wire_value() {
    use std::collections::HashSet;
    assert_eq!(Kind::Other("door".to_owned()), Kind::Door, "the same wire value is the same value");
    assert_ne!(Kind::Other("doors".to_owned()), Kind::Door);
    let set: HashSet<Kind> = [Kind::Door, Kind::Other("door".to_owned()), Kind::Camera].into_iter().collect();
    assert_eq!(set.len(), 2, "equal values hash alike");
    let mut sorted = vec![Kind::Door, Kind::Other("bell".to_owned()), Kind::Camera];
    sorted.sort();
    assert_eq!(sorted, [Kind::Other("bell".to_owned()), Kind::Camera, Kind::Door]);
}

#[test]
fn untagged_unions_take_the_first_member_that_fits() {
    assert_eq!(serde_json::from_str::<IdOrPet>("7").unwrap(), IdOrPet::Id(7));
    let union: IdOrPet = serde_json::from_str(r#"{"id": 1, "type": "t"}"#).unwrap();
    assert!(matches!(union, IdOrPet::Pet(ref pet) if pet.id == 1));
    assert_eq!(serde_json::to_string(&union).unwrap(), r#"{"id":1,"type":"t","owner":null}"#);
    let error = serde_json::from_str::<IdOrPet>(r#""text""#).unwrap_err().to_string();
    assert!(error.contains("did not match any variant of untagged enum IdOrPet"), "{error}");
}

// Types named like the impls' generic parameters.
rt::model_struct! {
    both
    #[derive(Debug, PartialEq)]
    pub struct A {
        pub d: Option<D> => opt "d",
    }
}
rt::model_struct! {
    both
    #[derive(Debug, PartialEq)]
    pub struct D {
        pub s: S => req "s",
    }
}
rt::model_string_enum! {
    both
    #[derive(Debug)]
    pub enum S {
        X = "x",
    }
}
rt::model_union! {
    both
    #[derive(Debug, PartialEq)]
    pub enum T {
        A(A),
    }
}

#[test]
fn types_may_be_named_like_generic_parameters() {
    let value: T = serde_json::from_str(r#"{"d": {"s": "x"}}"#).unwrap();
    assert_eq!(value, T::A(A { d: Some(D { s: S::X }) }));
    assert_eq!(serde_json::to_string(&value).unwrap(), r#"{"d":{"s":"x"}}"#);
}
