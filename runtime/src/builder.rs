//! What generated request builders expand to: the struct, its constructor, one setter per
//! optional parameter, and the per-call options and `send` methods every builder shares.
//! A generated file lists each parameter once; the operation's own encoding (an `encode`
//! that puts the parameters into the request) and decoder stay in the generated file.

/// Defines a request builder. Parameters are `name: Type => into` (the setter takes
/// `impl Into<Type>`) or `=> value` (it takes `Type`). `encode(self, request) { .. }` puts the
/// parameters into the request; `decode(operation, response) { .. }` is the operation's
/// decoder when it has one of its own, instead of `= decoder` after `send`.
#[doc(hidden)]
#[macro_export]
macro_rules! __request_builder {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $required:ident : $required_ty:ty, )*
        }
        $( optional {
            $( $(#[$optional_meta:meta])* $optional:ident : $optional_ty:ty => $conversion:ident, )*
        } )?
        request $method:tt $path:literal $operation:literal [ $( [ $( $scheme:literal ),* ] ),* ];
        $( encode($encode_self:ident, $encode_request:ident) $encode:block )?
        send -> $output:ty, $error:ty $( = $decoder:expr )?;
        $( decode($decode_operation:ident, $decode_response:ident) $decode:block )?
    ) => {
        $(#[$meta])*
        #[must_use = "a request does nothing until it is sent"]
        pub struct $name<T> {
            transport: T,
            $( $required: $required_ty, )*
            $( $( $optional: ::core::option::Option<$optional_ty>, )* )?
            options: $crate::CallOptions,
        }

        // Without the fields: a parameter may hold a secret (an API key sent as a header), and
        // a derive would cost a body per field to type-check.
        impl<T> ::core::fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct(::core::stringify!($name)).finish_non_exhaustive()
            }
        }

        impl<T: $crate::Transport> $name<T> {
            pub(super) fn new(transport: T, $( $required: $required_ty, )*) -> Self {
                Self {
                    transport,
                    $( $required, )*
                    $( $( $optional: ::core::option::Option::None, )* )?
                    options: ::core::default::Default::default(),
                }
            }

            $( $(
                $(#[$optional_meta])*
                pub fn $optional(mut self, value: $crate::__builder_argument!($conversion $optional_ty)) -> Self {
                    self.$optional = ::core::option::Option::Some($crate::__builder_value!($conversion value));
                    self
                }
            )* )?

            /// Sets a timeout for this call, overriding the client's.
            pub fn timeout(mut self, timeout: ::core::time::Duration) -> Self {
                self.options.set_timeout(timeout);
                self
            }

            /// Sets the retry policy for this call, overriding the client's.
            pub fn retry(mut self, policy: $crate::RetryPolicy) -> Self {
                self.options.set_retry(policy);
                self
            }

            /// Adds a header to this call, e.g. `If-Match`; it overrides headers set otherwise.
            pub fn header(mut self, name: &str, value: &str) -> Self {
                self.options.add_header(name, value);
                self
            }

            $(
                fn encode($encode_self, $encode_request: &mut $crate::Request) -> (T, $crate::CallOptions) {
                    $encode
                    ($encode_self.transport, $encode_self.options)
                }
            )?

            $(
                fn decode(
                    $decode_operation: &'static str,
                    $decode_response: &$crate::RawResponse,
                ) -> ::core::result::Result<$output, $crate::Error<$error>> $decode
            )?

            fn into_parts(self) -> (T, $crate::Request) {
                let mut request = $crate::__builder_request!($method $operation $path);
                request.security(&[ $( &[ $( $scheme ),* ] ),* ]);
                let (transport, options) = $crate::__builder_encode!(self request $($encode_self)?);
                request.options(options);
                (transport, request)
            }

            /// Sends the request and decodes the response.
            pub fn send(self) -> T::Output<$output, $error> {
                let (transport, request) = self.into_parts();
                transport.execute(request, $crate::__builder_decoder!($($decoder)?))
            }

            /// Sends the request; the decoded body comes with the status and headers.
            pub fn send_with_response(self) -> T::Output<$crate::Response<$output>, $error> {
                let (transport, request) = self.into_parts();
                transport.execute_with_response(request, $crate::__builder_decoder!($($decoder)?))
            }

            /// Sends the request and returns status, headers and body as they came, whatever
            /// the status, for a server that does not match its spec: `.decode::<T>()` reads
            /// the body into any type.
            pub fn send_raw(self) -> T::Output<$crate::RawResponse, ::core::convert::Infallible> {
                let (transport, request) = self.into_parts();
                transport.execute_raw(request)
            }
        }
    };
}

/// The decoder a builder names, else its own `decode`.
#[doc(hidden)]
#[macro_export]
macro_rules! __builder_decoder {
    () => { Self::decode };
    ($decoder:expr) => { $decoder };
}

/// A new request: standard methods by name, others parsed from their text.
#[doc(hidden)]
#[macro_export]
macro_rules! __builder_request {
    (GET $operation:literal $path:literal) => { $crate::Request::new($operation, $crate::__private::Method::GET, $path) };
    (PUT $operation:literal $path:literal) => { $crate::Request::new($operation, $crate::__private::Method::PUT, $path) };
    (POST $operation:literal $path:literal) => { $crate::Request::new($operation, $crate::__private::Method::POST, $path) };
    (DELETE $operation:literal $path:literal) => { $crate::Request::new($operation, $crate::__private::Method::DELETE, $path) };
    (PATCH $operation:literal $path:literal) => { $crate::Request::new($operation, $crate::__private::Method::PATCH, $path) };
    (HEAD $operation:literal $path:literal) => { $crate::Request::new($operation, $crate::__private::Method::HEAD, $path) };
    (OPTIONS $operation:literal $path:literal) => { $crate::Request::new($operation, $crate::__private::Method::OPTIONS, $path) };
    (TRACE $operation:literal $path:literal) => { $crate::Request::new($operation, $crate::__private::Method::TRACE, $path) };
    ($method:literal $operation:literal $path:literal) => { $crate::Request::with_method_name($operation, $method, $path) };
}

/// Puts the builder's parameters into the request with its `encode` (when it has any) and
/// returns the transport and the call's options.
#[doc(hidden)]
#[macro_export]
macro_rules! __builder_encode {
    ($builder:ident $request:ident) => { ($builder.transport, $builder.options) };
    ($builder:ident $request:ident $encode:ident) => { $builder.encode(&mut $request) };
}

/// A setter's argument type.
#[doc(hidden)]
#[macro_export]
macro_rules! __builder_argument {
    (into $ty:ty) => { impl ::core::convert::Into<$ty> };
    (value $ty:ty) => { $ty };
}

/// A setter's stored value.
#[doc(hidden)]
#[macro_export]
macro_rules! __builder_value {
    (into $value:ident) => { ::core::convert::Into::into($value) };
    (value $value:ident) => { $value };
}
