//! Credentials per security scheme, and choosing which requirement to apply to a request.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};

use crate::error::Error;
use crate::secret::Secret;

/// Where an API key travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiKeyLocation {
    /// A request header.
    Header,
    /// A query parameter.
    Query,
    /// A cookie.
    Cookie,
}

/// The credential for one security scheme. Generated setters build these.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Credential {
    /// An API key sent under `name` in a header, query parameter or cookie.
    ApiKey {
        /// Where the key goes.
        location: ApiKeyLocation,
        /// The header, parameter or cookie name.
        name: &'static str,
        /// The key.
        key: Secret,
    },
    /// HTTP Basic authentication.
    Basic {
        /// The user name.
        username: String,
        /// The password.
        password: Secret,
    },
    /// `Authorization: Bearer <token>` (http bearer, OAuth 2, OpenID Connect).
    Bearer {
        /// The token.
        token: Secret,
    },
    /// OAuth 2 client credentials: a bearer token fetched from the token endpoint and
    /// replaced before it expires.
    ClientCredentials(crate::oauth2::ClientCredentials),
    /// `Authorization: <scheme> <value>` for any other HTTP authentication scheme.
    Authorization {
        /// The scheme word, e.g. `Digest`.
        scheme: &'static str,
        /// Everything after the scheme word.
        value: Secret,
    },
}

/// What applying credentials adds to a request.
#[derive(Default)]
pub(crate) struct AppliedCredentials {
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) cookies: Vec<String>,
    /// Header and query names whose values must never be logged.
    pub(crate) secret_names: Vec<&'static str>,
}

/// The credentials of one client and all its clones, keyed by security scheme name, and the
/// ones the spec does not declare, set once when the client is built.
#[derive(Clone, Default)]
pub(crate) struct CredentialStore {
    by_scheme: Arc<RwLock<BTreeMap<&'static str, Stored>>>,
    undeclared: Arc<[Stored]>,
    /// Requirements no credential meets do not stop a call.
    optional: bool,
}

/// A credential and, for one that is a fixed header, that header made once when it is set
/// (or why it cannot be one), so that a call copies it instead of parsing it again.
struct Stored {
    credential: Credential,
    header: Option<Result<(HeaderName, HeaderValue), String>>,
}

impl Stored {
    fn new(credential: Credential) -> Self {
        let header = fixed_header(&credential);
        Self { credential, header }
    }
}

impl CredentialStore {
    pub(crate) fn new(undeclared: Vec<Credential>, optional: bool) -> Self {
        Self { by_scheme: Arc::default(), undeclared: undeclared.into_iter().map(Stored::new).collect(), optional }
    }

    pub(crate) fn set(&self, scheme: &'static str, credential: Credential) {
        self.write().insert(scheme, Stored::new(credential));
    }

    pub(crate) fn clear(&self, scheme: &str) {
        self.write().remove(scheme);
    }

    pub(crate) fn clear_all(&self) {
        self.write().clear();
    }

    pub(crate) fn is_set(&self, scheme: &str) -> bool {
        self.read().contains_key(scheme)
    }

    /// Applies the first requirement whose schemes all have credentials.
    ///
    /// `requirements` is an OR of ANDs. An empty slice means the operation needs no
    /// authentication. An empty requirement (`{}`) allows anonymous access; it is used only when
    /// no other requirement can be satisfied, so credentials the user set are sent.
    ///
    /// Undeclared credentials go on every call, beside the chosen requirement's (which win a
    /// header or query name they share); with one, or with `optional`, a requirement that no
    /// credential meets does not stop the call.
    pub(crate) fn apply(
        &self,
        operation: &'static str,
        requirements: &[&[&'static str]],
    ) -> Result<AppliedCredentials, Error> {
        let mut applied = AppliedCredentials::default();
        for stored in self.undeclared.iter() {
            apply_one(stored, &mut applied)
                .map_err(|message| Error::Encode { operation, message: format!("undeclared credential: {message}") })?;
        }
        if requirements.is_empty() {
            return Ok(applied);
        }
        let store = self.read();
        let Some(requirement) = chosen(&store, requirements) else {
            if self.optional || !self.undeclared.is_empty() || requirements.iter().any(|requirement| requirement.is_empty()) {
                return Ok(applied);
            }
            return Err(Error::Unauthenticated {
                operation,
                accepted: describe_requirements(requirements),
                given: describe_given(store.keys().copied()),
            });
        };
        let mut declared = AppliedCredentials::default();
        for scheme in requirement.iter() {
            if let Some(stored) = store.get(scheme) {
                apply_one(stored, &mut declared).map_err(|message| Error::Encode {
                    operation,
                    message: format!("credential for security scheme `{scheme}`: {message}"),
                })?;
            }
        }
        applied.headers.retain(|(name, _)| !declared.headers.iter().any(|(own, _)| own == name));
        applied.query.retain(|(name, _)| !declared.query.iter().any(|(own, _)| own == name));
        applied.headers.extend(declared.headers);
        applied.query.extend(declared.query);
        applied.cookies.extend(declared.cookies);
        applied.secret_names.extend(declared.secret_names);
        Ok(applied)
    }

    /// The token fetchers of the requirement [`Self::apply`] would choose, which must hold a
    /// fresh token before it runs.
    pub(crate) fn token_sources(&self, requirements: &[&[&'static str]]) -> Vec<crate::oauth2::ClientCredentials> {
        let fetcher = |stored: &Stored| match &stored.credential {
            Credential::ClientCredentials(source) => Some(source.clone()),
            _ => None,
        };
        let mut sources: Vec<_> = self.undeclared.iter().filter_map(fetcher).collect();
        let store = self.read();
        if let Some(requirement) = chosen(&store, requirements) {
            sources.extend(requirement.iter().filter_map(|scheme| store.get(scheme).and_then(fetcher)));
        }
        sources
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<&'static str, Stored>> {
        // A panic elsewhere while holding the lock cannot leave the map half-written.
        self.by_scheme.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<&'static str, Stored>> {
        self.by_scheme.write().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The first requirement whose schemes all have credentials (`{}` never counts here).
fn chosen<'r>(
    store: &BTreeMap<&'static str, Stored>,
    requirements: &'r [&'r [&'static str]],
) -> Option<&'r [&'static str]> {
    requirements
        .iter()
        .find(|requirement| !requirement.is_empty() && requirement.iter().all(|scheme| store.contains_key(scheme)))
        .copied()
}

/// The header a credential always sends the same way: an API key in a header, Basic, Bearer,
/// or another `Authorization` scheme; `None` for the rest.
fn fixed_header(credential: &Credential) -> Option<Result<(HeaderName, HeaderValue), String>> {
    let header = match credential {
        Credential::ApiKey { location: ApiKeyLocation::Header, name, key } => HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("`{name}` is not a valid header name"))
            .and_then(|header| Ok((header, sensitive_value(key.expose())?))),
        Credential::Basic { username, password } => {
            let raw = format!("{username}:{}", password.expose());
            let encoded = crate::formats::base64_encode(raw.as_bytes());
            sensitive_value(&format!("Basic {encoded}")).map(|value| (AUTHORIZATION, value))
        }
        Credential::Bearer { token } => {
            sensitive_value(&format!("Bearer {}", token.expose())).map(|value| (AUTHORIZATION, value))
        }
        Credential::Authorization { scheme, value } => {
            sensitive_value(&format!("{scheme} {}", value.expose())).map(|value| (AUTHORIZATION, value))
        }
        Credential::ApiKey { .. } | Credential::ClientCredentials(_) => return None,
    };
    Some(header)
}

fn apply_one(stored: &Stored, applied: &mut AppliedCredentials) -> Result<(), String> {
    if let Some(header) = &stored.header {
        let (name, value) = header.clone()?;
        if let Credential::ApiKey { name, .. } = &stored.credential {
            applied.secret_names.push(name);
        }
        applied.headers.push((name, value));
        return Ok(());
    }
    match &stored.credential {
        Credential::ApiKey { location, name, key } => match location {
            ApiKeyLocation::Query => {
                applied.query.push((name, key.expose().to_owned()));
                applied.secret_names.push(name);
            }
            ApiKeyLocation::Cookie => {
                // Sent as given (a server expects its own token verbatim), so anything that
                // could end the pair and start another cookie is refused, never shown.
                if !is_cookie_octets(name) || name.contains('=') {
                    return Err(format!("`{name}` is not a valid cookie name"));
                }
                if !is_cookie_octets(key.expose()) {
                    return Err("the key contains characters not allowed in a cookie".to_owned());
                }
                applied.cookies.push(format!("{name}={}", key.expose()));
            }
            // Made once, in `fixed_header`.
            ApiKeyLocation::Header => {}
        },
        Credential::ClientCredentials(source) => {
            let token = source.fresh_token().ok_or_else(|| "no OAuth 2 access token could be fetched".to_owned())?;
            applied
                .headers
                .push((AUTHORIZATION, sensitive_value(&format!("Bearer {}", token.expose()))?));
        }
        // Made once, in `fixed_header`.
        Credential::Basic { .. } | Credential::Bearer { .. } | Credential::Authorization { .. } => {}
    }
    Ok(())
}

/// RFC 6265 `cookie-octet`s only: no whitespace, `"`, `,`, `;`, `\\` or control characters.
fn is_cookie_octets(text: &str) -> bool {
    text.bytes().all(|b| matches!(b, 0x21 | 0x23..=0x2B | 0x2D..=0x3A | 0x3C..=0x5B | 0x5D..=0x7E))
}

fn sensitive_value(value: &str) -> Result<HeaderValue, String> {
    let mut header = HeaderValue::from_str(value)
        .map_err(|_| "the value contains characters not allowed in a header".to_owned())?;
    header.set_sensitive(true);
    Ok(header)
}

fn describe_requirements(requirements: &[&[&'static str]]) -> String {
    requirements
        .iter()
        .map(|requirement| format!("{{{}}}", requirement.join(" and ")))
        .collect::<Vec<_>>()
        .join(" or ")
}

fn describe_given<'a>(schemes: impl Iterator<Item = &'a str>) -> String {
    format!("{{{}}}", schemes.collect::<Vec<_>>().join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_satisfied_requirement_wins_and_anonymous_is_a_fallback() {
        let store = CredentialStore::default();
        let reqs: &[&[&'static str]] = &[&["basic"], &["token"], &[]];
        let applied = store.apply("op", reqs).map_err(|e| e.to_string());
        assert!(applied.is_ok_and(|a| a.headers.is_empty()));

        store.set("token", Credential::Bearer { token: Secret::new("t0k") });
        let applied = store.apply("op", reqs).map_err(|e| e.to_string());
        let headers = applied.map(|a| a.headers).unwrap_or_default();
        assert_eq!(headers.len(), 1);
        assert_eq!(headers[0].1.to_str().ok(), Some("Bearer t0k"));
    }

    #[test]
    fn a_cookie_key_that_could_inject_a_cookie_is_refused_without_showing_it() {
        let store = CredentialStore::default();
        let reqs: &[&[&'static str]] = &[&["session"]];
        for key in ["a; admin=1", "a,b", "a b", "a\"b", "a\\b", "a\tb", "a\u{7f}", "é"] {
            store.set("session", Credential::ApiKey { location: ApiKeyLocation::Cookie, name: "sid", key: Secret::new(key) });
            match store.apply("op", reqs) {
                Err(Error::Encode { message, .. }) => assert!(!message.contains(key), "{message}"),
                Err(other) => panic!("expected Encode, got {other}"),
                Ok(applied) => panic!("{key:?} accepted as {:?}", applied.cookies),
            }
        }
        store.set("session", Credential::ApiKey { location: ApiKeyLocation::Cookie, name: "sid", key: Secret::new("abc.DEF-123_=") });
        let cookies = store.apply("op", reqs).map(|a| a.cookies).unwrap_or_default();
        assert_eq!(cookies, ["sid=abc.DEF-123_="]);
    }

    #[test]
    fn unsatisfied_requirements_name_what_would_be_accepted() {
        let store = CredentialStore::default();
        store.set("other", Credential::Bearer { token: Secret::new("secret-value") });
        let reqs: &[&[&'static str]] = &[&["user", "password"], &["token"]];
        let message = match store.apply("op", reqs) {
            Err(error) => error.to_string(),
            Ok(_) => String::new(),
        };
        assert_eq!(
            message,
            "no security requirement satisfied for `op`: accepts {user and password} or {token}; given {other}"
        );
        assert!(!message.contains("secret-value"));
    }
}
