//! Jupyter Server 2.21.1 with ipykernel (Swagger 2.0 served at `GET /api/spec.yaml`; token
//! auth, which the spec does not declare) through the client generated from that spec: files
//! and directories whose paths hold spaces and slashes, and a kernel started and stopped.
//!
//! The spec's `Contents` model declares `content`, `format` and `mimetype` as required strings,
//! but Jupyter answers `null` for them (and an array for a directory's `content`). The client
//! must report that as `Error::Decode` naming serde's complaint, never panic; the flows assert
//! exactly that, and check the effect of those calls on disk and through calls that do decode.

#[cfg(not(e2e_jupyter))]
#[test]
fn jupyter_client_generated() {
    specwright_e2e::client_not_generated("jupyter", include_str!(concat!(env!("OUT_DIR"), "/jupyter.status")));
}

#[cfg(e2e_jupyter)]
#[allow(dead_code, clippy::all)]
mod jupyter {
    include!(concat!(env!("OUT_DIR"), "/jupyter.rs"));
}

#[cfg(e2e_jupyter)]
mod flows {
    use specwright_e2e::jupyter::Jupyter;
    use specwright_e2e::{ResponseLog, UrlLog, unavailable};
    use specwright_runtime::Error;
    use specwright_runtime::reqwest::header::{AUTHORIZATION, HeaderValue};

    use super::jupyter::{AsyncClient, types};

    fn start() -> Option<Jupyter> {
        match specwright_e2e::jupyter::start() {
            Ok(jupyter) => Some(jupyter),
            Err(why) => {
                unavailable("Jupyter Server e2e tests", &why);
                None
            }
        }
    }

    /// A client that sends `Authorization: token TOKEN` with every request (the spec declares
    /// no security scheme, so it is a default header), and records the URLs it sends.
    fn client(jupyter: &Jupyter, log: &UrlLog) -> AsyncClient {
        let token = HeaderValue::from_str(&format!("token {}", jupyter.token)).expect("a header value");
        let builder = AsyncClient::builder()
            .base_url(jupyter.server.origin())
            .default_header(AUTHORIZATION, token)
            .hook(log.clone());
        AsyncClient::from_builder(builder).expect("an async client")
    }

    fn status<T: std::fmt::Debug, E: std::fmt::Debug>(result: &Result<T, Error<E>>) -> Option<u16> {
        match result {
            Ok(_) => None,
            Err(error) => error.status().map(|s| s.as_u16()),
        }
    }

    /// The call reached the server and succeeded with `expected_status`, but its body does not
    /// match the spec's `Contents` schema: an `Error::Decode` whose message is serde's.
    #[track_caller]
    fn spec_mismatch<T: std::fmt::Debug, E: std::fmt::Debug>(
        result: Result<T, Error<E>>,
        expected_status: u16,
        serde_says: &str,
    ) -> String {
        let error = match result {
            Err(error @ Error::Decode { .. }) => error,
            other => panic!("expected a decode error (the spec disagrees with the response), got {other:?}"),
        };
        assert_eq!(error.status().map(|s| s.as_u16()), Some(expected_status), "{error}");
        let message = error.to_string();
        assert!(message.contains("could not decode the response of"), "{message}");
        assert!(message.contains(serde_says), "expected serde's `{serde_says}` in: {message}");
        message
    }

    const NULL_FOR_STRING: &str = "invalid type: null, expected a string";
    const ARRAY_FOR_STRING: &str = "invalid type: sequence, expected a string";

    fn file(content: &str) -> types::ContentsPutByPathBody {
        types::ContentsPutByPathBody {
            r#type: Some("file".into()),
            format: Some("text".into()),
            content: Some(content.into()),
            ..Default::default()
        }
    }

    fn directory() -> types::ContentsPutByPathBody {
        types::ContentsPutByPathBody { r#type: Some("directory".into()), ..Default::default() }
    }

    fn rename_to(path: &str) -> types::ContentsPatchByPathBody {
        types::ContentsPatchByPathBody { path: Some(path.into()) }
    }

    #[tokio::test]
    async fn files_and_directories_with_spaces_and_slashes() {
        let Some(jupyter) = start() else { return };
        let log = UrlLog::default();
        let api = client(&jupyter, &log);
        let root = jupyter.root.clone();

        // Without the token: 403.
        let anonymous = AsyncClient::from_builder(AsyncClient::builder().base_url(jupyter.server.origin()))
            .expect("a client without the token");
        let refused = anonymous.contents().get_by_path("my dir").send().await;
        assert_eq!(status(&refused), Some(403), "{refused:?}");
        // An empty path value would change the route (`/api/contents/`): refused before sending.
        let empty = api.contents().get_by_path("").send().await;
        assert!(empty.as_ref().is_err_and(|e| e.to_string().contains("an empty value would change the path")), "{empty:?}");

        // Create a directory and a directory inside it: 201, but `content`, `format` and
        // `mimetype` come back null.
        let made = api.contents().put_by_path("my dir").body(directory()).send().await;
        spec_mismatch(made, 201, NULL_FOR_STRING);
        assert_eq!(log.last_path(), "/api/contents/my%20dir", "on the wire");
        let made = api.contents().put_by_path("my dir/sub dir").body(directory()).send().await;
        spec_mismatch(made, 201, NULL_FOR_STRING);
        assert_eq!(log.last_path(), "/api/contents/my%20dir%2Fsub%20dir", "on the wire");
        assert!(root.join("my dir/sub dir").is_dir());

        // Create a file in it (its `content` comes back null too).
        let text = "hello, wörld\nsecond line: a/b c?d#e\n";
        let made = api.contents().put_by_path("my dir/sub dir/a b.txt").body(file(text)).send().await;
        spec_mismatch(made, 201, NULL_FOR_STRING);
        assert_eq!(std::fs::read_to_string(root.join("my dir/sub dir/a b.txt")).expect("the file on disk"), text);

        // Read it: a file with its content decodes.
        let read = api
            .contents()
            .get_by_path("my dir/sub dir/a b.txt")
            .r#type(types::ContentsGetByPathType::File)
            .format(types::ContentsGetByPathFormat::Text)
            .content(1)
            .send()
            .await
            .expect("read the file");
        assert_eq!(read.name, "a b.txt");
        assert_eq!(read.path, "my dir/sub dir/a b.txt");
        assert_eq!(read.r#type, types::ContentsType::File);
        assert_eq!(read.content, text);
        assert_eq!(read.format, "text");
        assert_eq!(read.mimetype, "text/plain");
        assert_eq!(read.size, Some(text.len() as i64));
        assert_eq!(log.last_path(), "/api/contents/my%20dir%2Fsub%20dir%2Fa%20b.txt", "on the wire");
        assert_eq!(log.last_query(), "type=file&format=text&content=1", "on the wire");

        // A directory's `content` is an array of models, not a string.
        let listing = api.contents().get_by_path("my dir/sub dir").send().await;
        spec_mismatch(listing, 200, ARRAY_FOR_STRING);

        // Rename the file, then the directory holding it.
        let renamed = api
            .contents()
            .patch_by_path("my dir/sub dir/a b.txt", rename_to("my dir/sub dir/c d.txt"))
            .send()
            .await;
        spec_mismatch(renamed, 200, NULL_FOR_STRING);
        let old = api.contents().get_by_path("my dir/sub dir/a b.txt").send().await;
        assert_eq!(status(&old), Some(404), "{old:?}");
        let renamed = api.contents().patch_by_path("my dir/sub dir", rename_to("my dir/other dir")).send().await;
        spec_mismatch(renamed, 200, NULL_FOR_STRING);
        let moved = api.contents().get_by_path("my dir/other dir/c d.txt").send().await.expect("read the moved file");
        assert_eq!(moved.content, text);
        assert_eq!(moved.path, "my dir/other dir/c d.txt");
        assert!(!root.join("my dir/sub dir").exists());

        // Delete the file, then both directories.
        api.contents().delete_by_path("my dir/other dir/c d.txt").send().await.expect("delete the file");
        assert_eq!(log.last_path(), "/api/contents/my%20dir%2Fother%20dir%2Fc%20d.txt", "on the wire");
        let gone = api.contents().get_by_path("my dir/other dir/c d.txt").send().await;
        assert_eq!(status(&gone), Some(404), "{gone:?}");
        api.contents().delete_by_path("my dir/other dir").send().await.expect("delete the inner directory");
        api.contents().delete_by_path("my dir").send().await.expect("delete the outer directory");
        assert!(!root.join("my dir").exists());
        let gone = api.contents().get_by_path("my dir").send().await;
        assert_eq!(status(&gone), Some(404), "{gone:?}");
        drop(jupyter);
    }

    /// Where the spec and the responses disagree, the decode error names the offending field.
    #[tokio::test]
    async fn decode_errors_name_the_field_the_spec_gets_wrong() {
        let Some(jupyter) = start() else { return };
        let api = client(&jupyter, &UrlLog::default());
        // A new directory's model: `content` is the first of the null strings Jupyter sends.
        let made = api.contents().put_by_path("named dir").body(directory()).send().await;
        let message = spec_mismatch(made, 201, NULL_FOR_STRING);
        eprintln!("the decode error: {message}");
        assert!(names_field(&message, "content"), "the decode error does not name the field `content`: {message}");
        let listing = api.contents().get_by_path("named dir").content(1).send().await;
        let message = spec_mismatch(listing, 200, ARRAY_FOR_STRING);
        assert!(names_field(&message, "content"), "the decode error does not name the field `content`: {message}");
        drop(jupyter);
    }

    /// Whether `message` names `field` as where decoding failed.
    fn names_field(message: &str, field: &str) -> bool {
        message.contains(&format!(") at `{field}`: "))
    }

    #[tokio::test]
    async fn kernel_start_and_stop() {
        let Some(jupyter) = start() else { return };
        let api = client(&jupyter, &UrlLog::default());

        let specs = api.kernelspecs().get().send().await.expect("kernel specs");
        let specs = format!("{specs:?}");
        assert!(specs.contains("python3"), "ipykernel's python3 kernel spec is installed: {specs}");

        let kernel = api
            .kernels()
            .post()
            .body(types::KernelsPostBody { name: "python3".into(), path: None })
            .send()
            .await
            .expect("start a kernel");
        assert_eq!(kernel.name, "python3");
        let listed = api.kernels().get().send().await.expect("list kernels");
        assert!(listed.iter().any(|k| k.id == kernel.id), "{listed:?}");

        let fetched = api.kernels().get_by_kernel_id(kernel.id).send().await.expect("get the kernel");
        assert_eq!(fetched.id, kernel.id);
        assert!(fetched.last_activity.is_some(), "{fetched:?}");
        // (`execution_state` stays `starting` until a client talks to the kernel over its
        // websocket, so it is not waited on.)
        assert!(
            matches!(fetched.execution_state.as_deref(), Some("starting" | "idle" | "busy")),
            "{fetched:?}"
        );

        // Restart (Jupyter waits for the new kernel process) and interrupt it.
        let restarted = api.kernels().post_by_kernel_id_restart(kernel.id).send().await.expect("restart the kernel");
        assert_eq!(restarted.id, kernel.id);
        api.kernels().post_by_kernel_id_interrupt(kernel.id).send().await.expect("interrupt the kernel");

        api.kernels().delete_by_kernel_id(kernel.id).send().await.expect("stop the kernel");
        let gone = api.kernels().get_by_kernel_id(kernel.id).send().await;
        assert_eq!(status(&gone), Some(404), "{gone:?}");
        let listed = api.kernels().get().send().await.expect("list kernels");
        assert!(listed.iter().all(|k| k.id != kernel.id), "{listed:?}");
        drop(jupyter);
    }

    /// The same calls through `prism proxy` in front of the live server: Prism validates every
    /// request against the spec (none may be refused) and reports where Jupyter's responses
    /// disagree with its own spec (printed; the `content` defect must be among them).
    #[tokio::test]
    async fn requests_validate_and_response_defects_show_in_prism_proxy() {
        let Some(jupyter) = start() else { return };
        let spec = specwright_e2e::specs_dir().join("jupyter.yaml");
        let prism = match specwright_e2e::prism::proxy(&spec, &jupyter.server.origin()) {
            Ok(prism) => prism,
            Err(why) => return unavailable("Jupyter requests through Prism", &why),
        };
        let log = ResponseLog::default();
        let token = HeaderValue::from_str(&format!("token {}", jupyter.token)).expect("a header value");
        let builder = AsyncClient::builder().base_url(prism.origin()).default_header(AUTHORIZATION, token).hook(log.clone());
        let api = AsyncClient::from_builder(builder).expect("an async client");

        // Decoding fails where the spec is wrong; the requests are what is checked here.
        let _ = api.contents().put_by_path("p dir").body(directory()).send().await;
        let _ = api.contents().put_by_path("p dir/f g.txt").body(file("text")).send().await;
        let _ = api.contents().get_by_path("p dir/f g.txt").content(1).send().await;
        let _ = api.contents().get_by_path("p dir").send().await;
        let _ = api.contents().patch_by_path("p dir/f g.txt", rename_to("p dir/h i.txt")).send().await;
        let _ = api.contents().delete_by_path("p dir/h i.txt").send().await;
        let _ = api.contents().delete_by_path("p dir").send().await;
        let _ = api.identity().get_me().send().await;
        let _ = api.status().get().send().await;
        let _ = api.kernels().get().send().await;

        let problems = log.request_problems();
        assert!(problems.is_empty(), "Prism refused requests: {problems:#?}");
        let defects = log.response_violations();
        eprintln!("Jupyter's responses that disagree with its spec (per Prism):\n  {}", defects.join("\n  "));
        assert!(
            defects.iter().any(|d| d.ends_with("response.body.content: Response body property content must be string")),
            "{defects:#?}"
        );
        drop(prism);
        drop(jupyter);
    }
}
