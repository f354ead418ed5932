//! How the types generated from the focused specs in `specs/` behave on the wire: the code is
//! the one `build.rs` generated and `src/lib.rs` compiled, exercised here with real JSON.

use serde_json::json;
use specwright_conformance::specs::{types_by_use, types_composition, types_enums, types_maps_formats, types_objects};

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(value: serde_json::Value) -> (T, serde_json::Value) {
    let typed: T = serde_json::from_value(value).expect("deserializes");
    let back = serde_json::to_value(&typed).expect("serializes");
    (typed, back)
}

#[test]
fn required_optional_and_nullable_are_different_things() {
    use types_objects::types::Account;
    // Outside a PATCH body an optional nullable field is `Option<T>`: absent and null read alike.
    let input = json!({"name": "Ada", "nickname": null, "phone": null, "password": "pw"});
    let (account, back) = round_trip::<Account>(input);
    assert_eq!(account.nickname, None, "required and nullable: present as null");
    assert_eq!(account.phone, None, "optional and nullable: null reads as None");
    assert_eq!(account.email, None);
    assert_eq!(back, json!({"name": "Ada", "nickname": null, "password": "pw"}), "required nullable stays null, None is left out");

    let (account, back) = round_trip::<Account>(json!({"name": "Ada", "nickname": "A", "phone": "1", "password": "pw"}));
    assert_eq!(account.phone.as_deref(), Some("1"));
    assert_eq!(back.get("phone"), Some(&json!("1")));
    // `Account` is used by no operation, so it is both sent and received: the read-only `id`
    // and `createdAt` are optional and never sent, the write-only `password` optional.
    let (account, back) = round_trip::<Account>(json!({"id": "0b3c0f0e-8a4f-4c55-9e5e-7e2a8d1c0b7a", "name": "Ada", "nickname": null}));
    assert!(account.id.is_some(), "read-only fields are read");
    assert_eq!(account.password, None, "a write-only field is not expected in responses");
    assert!(back.get("id").is_none(), "read-only fields are never written");
    assert!(serde_json::from_value::<Account>(json!({"nickname": null, "password": "pw"})).is_err(), "name is required");
}

#[test]
fn read_only_and_write_only_fields_follow_where_their_type_goes() {
    use types_by_use::types::{NewPet, Owner, Pet, PetRecord, Species};
    // Only sent: no read-only `id`; the write-only `secret` is required, so the constructor takes it.
    let pet = NewPet { weight: Some(4.5), ..NewPet::new("Rex", Species::Dog, "s3", ["good"].map(String::from), Owner::new("Ada")) };
    assert_eq!(
        serde_json::to_value(&pet).ok(),
        Some(json!({"name": "Rex", "species": "dog", "secret": "s3", "tags": ["good"], "owner": {"name": "Ada"}, "weight": 4.5}))
    );
    // Only received: the read-only `id` is required as the spec says; `secret` is not a field.
    let pet: Pet = serde_json::from_value(json!({"id": "p1", "name": "Rex", "secret": "ignored"})).expect("a pet");
    assert_eq!(pet.id, "p1");
    assert!(serde_json::from_value::<Pet>(json!({"name": "Rex"})).is_err(), "a required read-only field is required in responses");
    // Both: `id` is read but never sent, `secret` sent but not required back.
    let record: PetRecord = serde_json::from_value(json!({"id": "p1", "name": "Rex"})).expect("a record");
    assert_eq!(record.id.as_deref(), Some("p1"));
    let sent = PetRecord { secret: Some("s3".into()), ..record };
    assert_eq!(serde_json::to_value(&sent).ok(), Some(json!({"name": "Rex", "secret": "s3"})));
    assert_eq!(PetRecord::new("Rex"), PetRecord { id: None, name: "Rex".into(), secret: None, nickname: None });
}

#[test]
fn defaults_apply_through_accessors() {
    use types_by_use::types::{Pet, PetMood, PetPage, SpeciesWithDefault};
    let pet: Pet = serde_json::from_value(json!({"id": "p1", "name": "Rex"})).expect("a pet");
    assert_eq!((pet.limit, pet.limit()), (None, 20));
    assert_eq!((pet.total(), pet.label(), pet.visible(), pet.ratio()), (0, "unnamed", true, 1.5));
    assert_eq!(pet.mood(), PetMood::Playful);
    assert_eq!(pet.species(), SpeciesWithDefault::Cat, "the default of the enum the field refers to");
    let pet: Pet = serde_json::from_value(json!({"id": "p1", "name": "Rex", "limit": 5, "label": "x", "mood": "calm", "species": "dog"})).expect("a pet");
    assert_eq!((pet.limit(), pet.label(), pet.mood(), pet.species()), (5, "x", PetMood::Calm, SpeciesWithDefault::Dog));
    let page: PetPage = serde_json::from_value(json!({"items": []})).expect("a page");
    assert_eq!(page.page_size(), 50);
}

#[test]
fn optional_nullable_fields_keep_three_states_in_patch_bodies() {
    use types_by_use::types::{Collar, NewPet, Owner, PetChanges, Species};
    let changes = PetChanges { nickname: Some(None), name: Some("Max".into()), collar: Some(Collar { color: Some(None) }) };
    assert_eq!(
        serde_json::to_value(&changes).ok(),
        Some(json!({"nickname": null, "name": "Max", "collar": {"color": null}})),
        "Some(None) sends null, which clears the value"
    );
    assert_eq!(serde_json::to_value(PetChanges::default()).ok(), Some(json!({})), "None leaves it as it is");
    // Outside a PATCH body the same field is `Option<String>`.
    let pet = NewPet { nickname: None, ..NewPet::new("Rex", Species::Cat, "s", Vec::new(), Owner::new("A")) };
    assert!(serde_json::to_value(&pet).is_ok_and(|value| value.get("nickname").is_none()));
}

#[test]
fn untrusted_property_names_map_to_valid_fields() {
    use types_objects::types::Account;
    let input = json!({"name": "n", "nickname": null, "password": "p", "type": "t", "self": "s", "2fa": true, "": "e", "naïve": "x", "Naive": "y", "*/ }": "z"});
    let (account, back) = round_trip::<Account>(input.clone());
    assert_eq!(account.r#type.as_deref(), Some("t"));
    assert_eq!(account.self_.as_deref(), Some("s"));
    assert_eq!(account._2fa, Some(true));
    assert_eq!(account.value.as_deref(), Some("e"));
    assert_eq!(account.na_uef_ve.as_deref(), Some("x"));
    assert_eq!(account.naive.as_deref(), Some("y"));
    assert_eq!(back, input);
}

#[test]
fn recursion_is_boxed_and_identical_inline_shapes_are_shared() {
    use types_objects::types::{AccountAddress, Shipment, TreeNode};
    let input = json!({"value": "root", "parent": {"value": "up"}, "children": [{"value": "leaf"}]});
    let (node, back) = round_trip::<TreeNode>(input.clone());
    assert_eq!(node.parent.as_ref().map(|p| p.value.as_str()), Some("up"));
    assert_eq!(back, input);
    // `Shipment.from`, `Shipment.to` and `Account.address` have one shape, so one type.
    let shipment = Shipment { from: Some(AccountAddress { city: "A".into(), postcode: None }), to: None };
    assert_eq!(serde_json::to_value(&shipment).ok(), Some(json!({"from": {"city": "A"}})));
}

#[test]
fn string_enums_keep_unknown_values() {
    use types_enums::types::{Color, Comparator};
    assert_eq!(serde_json::from_value::<Color>(json!("red")).ok(), Some(Color::Red));
    let purple: Color = serde_json::from_value(json!("purple")).expect("unknown values are kept");
    assert_eq!(purple, Color::Other("purple".into()));
    assert_eq!(serde_json::to_value(&purple).ok(), Some(json!("purple")));
    assert_eq!(Comparator::GtEq.as_str(), ">=");
    assert_eq!(serde_json::from_value::<Comparator>(json!("")).ok(), Some(Comparator::Empty));
    assert_eq!(serde_json::from_value::<Comparator>(json!("A")).ok(), Some(Comparator::A2));
    assert_eq!(serde_json::from_value::<Comparator>(json!("Other")).ok(), Some(Comparator::Other2));
    assert_eq!(Comparator::Minus.to_string(), "-");
}

#[test]
fn integer_number_and_mixed_enums() {
    use types_enums::types::{HttpCode, Mixed, Ratio};
    assert_eq!(serde_json::from_value::<HttpCode>(json!(404)).ok(), Some(HttpCode::V404));
    assert_eq!(serde_json::from_value::<HttpCode>(json!(418)).ok(), Some(HttpCode::Other(json!(418))));
    assert_eq!(serde_json::to_value(HttpCode::V500).ok(), Some(json!(500)));
    assert_eq!(serde_json::from_value::<Ratio>(json!(1.5)).ok(), Some(Ratio::V1Point5));
    assert_eq!(serde_json::from_value::<Mixed>(json!(true)).ok(), Some(Mixed::True));
    assert_eq!(serde_json::from_value::<Mixed>(json!("one")).ok(), Some(Mixed::One));
    assert_eq!(serde_json::to_value(Mixed::V1).ok(), Some(json!(1)));
}

#[test]
fn discriminated_unions_dispatch_on_the_tag() {
    use types_composition::types::{Cat, PetImplicit, PetWithMapping, Shape};
    let cat = json!({"petType": "cat", "name": "Tom", "indoor": true});
    let (pet, back) = round_trip::<PetWithMapping>(cat.clone());
    assert!(matches!(&pet, PetWithMapping::Cat(Cat { name, .. }) if name == "Tom"));
    assert_eq!(back, cat);
    let dog = json!({"petType": "dog", "name": "Rex", "barks": true});
    assert!(matches!(round_trip::<PetWithMapping>(dog).0, PetWithMapping::Dog(_)));
    // Without a mapping, the tag is the component name.
    assert!(matches!(round_trip::<PetImplicit>(json!({"petType": "Cat", "name": "Tom"})).0, PetImplicit::Cat(_)));
    // A member this client does not know is kept, not an error.
    let parrot = json!({"petType": "parrot", "name": "Polly"});
    let (unknown, back) = round_trip::<PetWithMapping>(parrot.clone());
    assert_eq!(unknown, PetWithMapping::Unknown(parrot.clone()));
    assert_eq!(back, parrot);
    // A wrong body for a known tag is an error that names the problem.
    let error = serde_json::from_value::<PetWithMapping>(json!({"petType": "cat"})).err().map(|e| e.to_string());
    assert!(error.is_some_and(|e| e.contains("name")));
    // A parent with a discriminator is the union of the schemas that extend it.
    let circle = json!({"kind": "Circle", "radius": 2.0, "label": "c"});
    let (shape, back) = round_trip::<Shape>(circle.clone());
    assert!(matches!(shape, Shape::Circle(ref c) if c.radius == 2.0));
    assert_eq!(back, circle);
}

#[test]
fn untagged_unions_wrappers_and_merges() {
    use types_composition::types::{Cat, IdOrName, MaybeCat, Merged, Wrapped};
    assert_eq!(serde_json::from_value::<IdOrName>(json!(7)).ok(), Some(IdOrName::Integer(7)));
    assert_eq!(serde_json::from_value::<IdOrName>(json!("x")).ok(), Some(IdOrName::String("x".into())));
    assert_eq!(serde_json::from_value::<IdOrName>(json!(["a"])).ok(), Some(IdOrName::List(vec!["a".into()])));
    let maybe: MaybeCat = None;
    assert_eq!(serde_json::to_value(&maybe).ok(), Some(json!(null)));
    let wrapped: Wrapped = Cat { pet_type: "cat".into(), name: "Tom".into(), indoor: None };
    assert_eq!(serde_json::to_value(&wrapped).ok(), Some(json!({"petType": "cat", "name": "Tom"})));
    let merged = json!({"petType": "cat", "name": "Tom", "owner": "Ann"});
    let (value, back) = round_trip::<Merged>(merged.clone());
    assert_eq!(value.owner, "Ann");
    assert_eq!(back, merged);
    assert!(serde_json::from_value::<Merged>(json!({"petType": "cat", "name": "Tom"})).is_err(), "owner is required");
}

#[test]
fn maps_beside_properties_and_free_form_objects() {
    use types_maps_formats::types::{Labels, Open, Patterned, Typed};
    let input = json!({"name": "n", "a": 1, "b": 2});
    let (typed, back) = round_trip::<Typed>(input.clone());
    assert_eq!(typed.additional_properties.get("b"), Some(&2));
    assert_eq!(back, input);
    assert!(serde_json::from_value::<Typed>(json!({"a": "not an integer"})).is_err());
    let open = json!({"a": "x", "anything": [1, {"deep": true}]});
    assert_eq!(round_trip::<Open>(open.clone()).1, open);
    let patterned = json!({"id": "1", "x-trace": "t"});
    assert_eq!(round_trip::<Patterned>(patterned.clone()).1, patterned);
    let labels: Labels = serde_json::from_value(json!({"env": "prod"})).expect("a map");
    assert_eq!(labels.get("env").map(String::as_str), Some("prod"));
}

#[test]
fn formats_become_typed_values() {
    use types_maps_formats::types::{Formats, Versatile, VersatileEither};
    let input = json!({
        "at": "2024-05-06T07:08:09Z",
        "day": "2024-05-06",
        "time": "07:08:09",
        "id": "123e4567-e89b-12d3-a456-426614174000",
        "blob": "aGVsbG8=",
        "small": 1,
        "big": 9007199254740993i64,
        "unsigned": 18446744073709551615u64,
        "ratio": 0.5,
    });
    let (formats, back) = round_trip::<Formats>(input.clone());
    assert_eq!(formats.blob.as_deref().map(|b| b.as_slice()), Some(&b"hello"[..]));
    assert_eq!(formats.id.map(|u| u.get_version_num()), Some(1));
    assert_eq!(formats.unsigned, Some(u64::MAX));
    assert_eq!(formats.at.map(|t| t.timestamp()), Some(1_714_979_289));
    assert_eq!(back, input);
    assert!(serde_json::from_value::<Formats>(json!({"at": "yesterday"})).is_err(), "a bad date-time is a decode error");

    let versatile = json!({"either": 3, "point": [1.5, 2.5], "constant": "fixed", "yes": {"any": "thing"}});
    let (value, back) = round_trip::<Versatile>(versatile.clone());
    assert_eq!(value.either, Some(VersatileEither::Integer(3)));
    assert_eq!(value.point, Some((1.5, 2.5)));
    assert_eq!(back, versatile);
}

mod prelude_names {
    // A glob import of types named `Option`, `Vec`, `String`, `Box`, `Result`, `Ok`, `Some` and
    // `Default` leaves the prelude's meaning of each name alone.
    use specwright_conformance::specs::types_prelude_names::types::*;

    #[test]
    fn schemas_named_like_prelude_types_do_not_shadow_them_under_a_glob_import() {
        let text: String = String::from("kept");
        let list: Vec<u8> = Vec::new();
        let maybe: Option<u8> = Some(1);
        let boxed: Box<u8> = Box::new(2);
        let parsed: Result<u8, ()> = Ok(3);
        assert_eq!((text.as_str(), list.len(), maybe, *boxed, parsed), ("kept", 0, Some(1), 2, Ok(3)));
        assert_eq!(<u8 as Default>::default(), 0);

        let result: Result2 = serde_json::from_value(serde_json::json!({
            "options": [{"a": "x"}],
            "vec": {"b": 7},
            "string": {"c": "y"},
            "map": {"k": "v"},
            "boxed": {"inner": {}},
            "ok": "yes",
            "some": "z",
            "default": {"x": "w"}
        }))
        .expect("decodes");
        let first: &Option2 = &result.options[0];
        assert_eq!(first.a.as_deref(), Some("x"));
        assert_eq!(result.vec.and_then(|v: Vec2| v.b), Some(7));
        assert_eq!(result.ok, Some(Ok2::Yes));
        assert_eq!(result.map.and_then(|m: HashMap| m.get("k").cloned()).as_deref(), Some("v"));
        assert!(result.boxed.is_some_and(|b: Box2| b.inner.is_some()));
    }
}

#[test]
fn an_untagged_union_picks_the_member_that_fits_an_object_best() {
    use types_composition::types::{Note, Task, TaskOrNote};
    // A list of tasks, as a real server sent it: every member accepts each object, and the
    // first (`Note`) used to win with every field `None`.
    let tasks: Vec<TaskOrNote> =
        serde_json::from_value(json!([{"title": "ship", "done": false}, {"title": "test", "due": "friday"}])).expect("tasks");
    assert_eq!(
        tasks,
        [
            TaskOrNote::Task(Task { title: Some("ship".into()), done: Some(false), due: None }),
            TaskOrNote::Task(Task { title: Some("test".into()), done: None, due: Some("friday".into()) }),
        ]
    );
    let note: TaskOrNote = serde_json::from_value(json!({"text": "hi", "pinned": true})).expect("a note");
    assert_eq!(note, TaskOrNote::Note(Note { text: Some("hi".into()), pinned: Some(true) }));
    // Keys of both: the one with fewer unknown keys, then more known ones, wins.
    let mostly_task: TaskOrNote = serde_json::from_value(json!({"title": "t", "done": true, "text": "x"})).expect("a task");
    assert!(matches!(mostly_task, TaskOrNote::Task(_)), "{mostly_task:?}");
    // Keys of neither: the map, which takes them all, fits best.
    let other: TaskOrNote = serde_json::from_value(json!({"colour": "red"})).expect("a map");
    assert!(matches!(other, TaskOrNote::Map(ref map) if map.get("colour").map(String::as_str) == Some("red")), "{other:?}");
    // A tie keeps the order of the spec: `{}` is a `Note`.
    assert_eq!(serde_json::from_value::<TaskOrNote>(json!({})).ok(), Some(TaskOrNote::Note(Note::default())));
}
