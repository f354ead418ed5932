//! Security schemes and requirements.

use openapiv3::{APIKeyLocation, OpenAPI, ReferenceOr, SecurityRequirement, SecurityScheme as Scheme};

use crate::diagnostic::{Diagnostic, Diagnostics, Location, escape_pointer_segment};
use crate::ident::{Namer, snake_name};

/// How a scheme's credential is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchemeKind {
    /// An API key in a header, query parameter or cookie.
    ApiKey {
        /// Where.
        location: ApiKeyIn,
        /// The header, parameter or cookie name.
        name: String,
    },
    /// HTTP Basic.
    Basic,
    /// HTTP Bearer, OAuth 2 or OpenID Connect: a bearer token.
    Bearer {
        /// `bearerFormat`, or what kind of token it is.
        format: Option<String>,
    },
    /// Another HTTP scheme: the raw `Authorization` value after the scheme word.
    OtherHttp {
        /// The scheme word.
        scheme: String,
    },
    /// Mutual TLS: configured on the user's `reqwest::Client`, nothing to set per request.
    MutualTls,
}

/// Where an API key goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiKeyIn {
    /// Header.
    Header,
    /// Query.
    Query,
    /// Cookie.
    Cookie,
}

/// One security scheme of the spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityScheme {
    /// The scheme's name in the spec.
    pub name: String,
    /// Snake-case name for its setter (`set_<name>`) and clearer (`clear_<name>`).
    pub rust_name: String,
    /// How its credential is sent.
    pub kind: SchemeKind,
    /// `description`.
    pub description: Option<String>,
    /// The token endpoint of an OAuth 2 client credentials flow.
    pub client_credentials_token_url: Option<String>,
    /// For such a flow, the name after `set_` of the token fetcher's setter, claimed like
    /// `rust_name` so that no other scheme's setter takes it.
    pub client_credentials_setter: Option<String>,
    /// For an API key in a header, the name after `set_` of the setter that puts a prefix
    /// before the key (`Authorization: Token <key>`), claimed the same way.
    pub prefixed_setter: Option<String>,
}

/// A name `n` for a scheme, unique among schemes, such that `set_n` and `clear_n` are free
/// among the root client's methods (and then taken there).
fn setter_name(schemes: &mut Namer, root_methods: &mut Namer, wanted: &str, with_clearer: bool) -> String {
    loop {
        let mut name = schemes.claim(wanted);
        // `set_core` is no clash, but reads like the client's own `core`.
        if crate::ir::CLIENT_METHODS.contains(&name.as_str()) {
            name.push_str("_auth");
        }
        let set = format!("set_{name}");
        let clear = format!("clear_{name}");
        let clearer_taken = with_clearer && root_methods.is_taken(&clear);
        if !root_methods.is_taken(&set) && !clearer_taken {
            root_methods.claim(&set);
            if with_clearer {
                root_methods.claim(&clear);
            }
            return name;
        }
    }
}

pub(crate) fn schemes(api: &OpenAPI, diagnostics: &mut Diagnostics, root_methods: &mut Namer) -> Vec<SecurityScheme> {
    let mut namer = Namer::default();
    let mut out = Vec::new();
    if let Some(serde_json::Value::Array(names)) = api.extensions.get(crate::normalize::EXT_MUTUAL_TLS) {
        for name in names.iter().filter_map(serde_json::Value::as_str) {
            out.push(SecurityScheme {
                name: name.to_owned(),
                // Mutual TLS has no setter; its name only has to differ from the others.
                rust_name: namer.claim(&snake_name(name)),
                kind: SchemeKind::MutualTls,
                description: None,
                client_credentials_token_url: None,
                client_credentials_setter: None,
                prefixed_setter: None,
            });
        }
    }
    let Some(components) = &api.components else { return out };
    for (name, scheme) in &components.security_schemes {
        let ReferenceOr::Item(scheme) = scheme else {
            diagnostics.push(Diagnostic::warning(
                format!("security scheme `{name}` is a reference that was not resolved; skipping it"),
                Some(Location::pointer_only(format!("/components/securitySchemes/{}", escape_pointer_segment(name)))),
            ));
            continue;
        };
        let client_credentials_token_url = match scheme {
            Scheme::OAuth2 { flows, .. } => flows.client_credentials.as_ref().map(|flow| flow.token_url.clone()),
            _ => None,
        };
        let (kind, description) = match scheme {
            Scheme::APIKey { location, name, description, .. } => (
                SchemeKind::ApiKey {
                    location: match location {
                        APIKeyLocation::Header => ApiKeyIn::Header,
                        APIKeyLocation::Query => ApiKeyIn::Query,
                        APIKeyLocation::Cookie => ApiKeyIn::Cookie,
                    },
                    name: name.clone(),
                },
                description,
            ),
            Scheme::HTTP { scheme, bearer_format, description, .. } => {
                let kind = match scheme.to_ascii_lowercase().as_str() {
                    "basic" => SchemeKind::Basic,
                    "bearer" => SchemeKind::Bearer { format: bearer_format.clone() },
                    _ => SchemeKind::OtherHttp { scheme: scheme.clone() },
                };
                (kind, description)
            }
            Scheme::OAuth2 { description, .. } => {
                (SchemeKind::Bearer { format: Some("OAuth 2 access token".to_owned()) }, description)
            }
            Scheme::OpenIDConnect { description, .. } => {
                (SchemeKind::Bearer { format: Some("OpenID Connect token".to_owned()) }, description)
            }
        };
        let rust_name = setter_name(&mut namer, root_methods, &snake_name(name), true);
        let client_credentials_setter = client_credentials_token_url
            .as_ref()
            .map(|_| setter_name(&mut namer, root_methods, &format!("{rust_name}_client_credentials"), false));
        let prefixed_setter = matches!(kind, SchemeKind::ApiKey { location: ApiKeyIn::Header, .. })
            .then(|| setter_name(&mut namer, root_methods, &format!("{rust_name}_with_prefix"), false));
        out.push(SecurityScheme {
            name: name.clone(),
            rust_name,
            kind,
            description: description.clone(),
            client_credentials_token_url,
            client_credentials_setter,
            prefixed_setter,
        });
    }
    out
}

/// Requirements as an OR of ANDs of scheme names. Unknown schemes drop their alternative with a
/// warning; mutual TLS needs nothing per request, so it is left out of the AND.
pub(crate) fn requirements(
    requirements: &[SecurityRequirement],
    schemes: &[SecurityScheme],
    diagnostics: &mut Diagnostics,
    context: &str,
    pointer: &str,
) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for requirement in requirements {
        let mut names = Vec::new();
        let mut usable = true;
        for name in requirement.keys() {
            match schemes.iter().find(|s| &s.name == name) {
                Some(scheme) if scheme.kind == SchemeKind::MutualTls => {}
                Some(scheme) => names.push(scheme.name.clone()),
                None => {
                    diagnostics.push(Diagnostic::warning(
                        format!("{context} requires security scheme `{name}`, which is not defined; ignoring that requirement"),
                        Some(Location::pointer_only(pointer.to_owned())),
                    ));
                    usable = false;
                }
            }
        }
        if usable {
            out.push(names);
        }
    }
    out
}
