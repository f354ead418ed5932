//! Stage 4: the intermediate representation, the only thing emitters read.

mod operations;
mod security;
mod types;

pub use operations::{Body, BodyEncoding, Group, Operation, Param, ParamLocation, Success};
pub use security::{ApiKeyIn, SchemeKind, SecurityScheme};
pub use types::{Docs, Field, Shape, TypeDef, TypeId, TypeKind, TypeSpace, UnionMember, Variant};

use crate::diagnostic::Diagnostics;
use crate::normalize::Normalized;

/// Methods of the generated root client, which tag accessors and root operations must not take.
pub(crate) const CLIENT_METHODS: &[&str] = &[
    "new", "builder", "from_builder", "with_base_url", "base_url", "core", "clear_credentials",
    "clone", "fmt", "eq",
];

/// Everything the emitters need.
#[derive(Debug)]
pub struct Ir {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// The first server URL, if the spec has one.
    pub default_server: Option<String>,
    /// The type space.
    pub types: TypeSpace,
    /// Operation groups (tags).
    pub groups: Vec<Group>,
    /// Operations, in spec order.
    pub operations: Vec<Operation>,
    /// Security schemes, in spec order.
    pub security_schemes: Vec<SecurityScheme>,
}

/// Builds the IR. Problems that still allow a useful client are warnings.
pub fn build(normalized: &Normalized) -> (Ir, Diagnostics) {
    let api = &normalized.api;
    let mut diagnostics = Diagnostics::default();
    let empty = indexmap::IndexMap::new();
    let components = api.components.as_ref().map(|c| &c.schemas).unwrap_or(&empty);
    let mut type_builder = types::TypeBuilder::new(components);
    let security_schemes = security::schemes(api, &mut diagnostics);
    // Setter and clearer names of schemes must not collide with client methods.
    let security_schemes = security_schemes
        .into_iter()
        .map(|mut scheme| {
            if CLIENT_METHODS.contains(&scheme.rust_name.as_str()) {
                scheme.rust_name.push_str("_auth");
            }
            scheme
        })
        .collect::<Vec<_>>();
    let (groups, operations) = operations::OperationBuilder {
        api,
        types: &mut type_builder,
        schemes: &security_schemes,
        diagnostics: &mut diagnostics,
    }
    .build();
    let (types, type_diagnostics) = type_builder.finish();
    diagnostics.0.extend(type_diagnostics.0);
    let default_server = api.servers.first().map(|server| {
        let mut url = server.url.clone();
        if let Some(variables) = &server.variables {
            for (name, variable) in variables {
                url = url.replace(&format!("{{{name}}}"), &variable.default);
            }
        }
        url
    });
    let ir = Ir {
        title: api.info.title.clone(),
        version: api.info.version.clone(),
        description: api.info.description.clone(),
        default_server,
        types,
        groups,
        operations,
        security_schemes,
    };
    (ir, diagnostics)
}
