//! Image endpoints of the simulated engine, and `/build`: the context tar is
//! read, the Dockerfile parsed, `.dockerignore` honoured, `Step N/M` streamed,
//! and the image stored with the sha256 of context and Dockerfile as its id.

use super::context::Context;
use super::state::{Engine, SimImage, normalize_reference, sha256_hex};
use super::state::{Shared, error, lock};
use crate::domain::dockerfile::{self, Instruction};
use crate::effects::docker::build_context::DockerIgnore;
use crate::sim::http::{Body, json, streaming};
use bytes::Bytes;
use hyper::{Response, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;
use tokio::sync::mpsc;

pub fn list(shared: &Shared) -> Response<Body> {
    let engine = lock(shared);
    let mut images: Vec<&SimImage> = engine.images.iter().collect();
    images.sort_by_key(|i| std::cmp::Reverse(i.created));
    let list: Vec<Value> = images
        .into_iter()
        .map(|i| engine.image_summary(i))
        .collect();
    json(StatusCode::OK, &Value::Array(list))
}

pub fn inspect(shared: &Shared, name: &str) -> Response<Body> {
    let engine = lock(shared);
    match engine.find_image(name) {
        Some(index) => json(StatusCode::OK, &engine.image_inspect(&engine.images[index])),
        None => error(StatusCode::NOT_FOUND, &format!("No such image: {name}")),
    }
}

pub fn remove(shared: &Shared, name: &str, force: bool) -> Response<Body> {
    let mut engine = lock(shared);
    let Some(index) = engine.find_image(name) else {
        return error(StatusCode::NOT_FOUND, &format!("No such image: {name}"));
    };
    let id = engine.images[index].id.clone();
    if !force && let Some(user) = engine.containers.iter().find(|c| c.image_id == id) {
        return error(
            StatusCode::CONFLICT,
            &format!(
                "conflict: unable to remove repository reference \"{name}\" (must force) - container {} is using its referenced image {}",
                &user.id[..12],
                &id.trim_start_matches("sha256:")[..12]
            ),
        );
    }
    let tagged = normalize_reference(name);
    let image = &mut engine.images[index];
    let mut answer = Vec::new();
    // Untag by name when the image has other tags; delete when it is the last reference.
    if image.tags.len() > 1 && image.tags.contains(&tagged) {
        image.tags.retain(|t| *t != tagged);
        answer.push(json!({"Untagged": tagged}));
        engine.emit("image", "untag", &id, json!({"name": tagged}));
    } else {
        for tag in &image.tags {
            answer.push(json!({"Untagged": tag}));
        }
        answer.push(json!({"Deleted": id}));
        engine.images.remove(index);
        engine.emit("image", "delete", &id, json!({"name": name}));
    }
    json(StatusCode::OK, &Value::Array(answer))
}

/// `docker tag SOURCE REPO:TAG` (`POST /images/{name}/tag?repo=&tag=`): the
/// tag moves to this image from any other that had it, as the engine does.
pub fn tag(shared: &Shared, name: &str, query: &HashMap<String, String>) -> Response<Body> {
    let Some(repo) = query.get("repo").filter(|r| !r.is_empty()) else {
        return error(
            StatusCode::BAD_REQUEST,
            "repository name (repo) is required",
        );
    };
    let tag = query
        .get("tag")
        .filter(|t| !t.is_empty())
        .map_or("latest", String::as_str);
    // The CLI sends Docker Hub names in full; the engine shows them short.
    let repo = repo
        .strip_prefix("docker.io/library/")
        .or_else(|| repo.strip_prefix("docker.io/"))
        .unwrap_or(repo);
    let reference = normalize_reference(&format!("{repo}:{tag}"));
    if let Err(message) = crate::app::core::validate::image_reference(&reference, false) {
        return error(
            StatusCode::BAD_REQUEST,
            &format!("invalid reference format: {message}"),
        );
    }
    let mut engine = lock(shared);
    let Some(index) = engine.find_image(name) else {
        return error(StatusCode::NOT_FOUND, &format!("No such image: {name}"));
    };
    for image in &mut engine.images {
        image.tags.retain(|t| t != &reference);
    }
    engine.images[index].tags.push(reference.clone());
    let id = engine.images[index].id.clone();
    engine.emit("image", "tag", &id, json!({"name": reference}));
    crate::sim::http::empty(StatusCode::CREATED)
}

/// `docker push`: the sim is its own registry. Credentials are required
/// (X-Registry-Auth, base64url JSON, as the CLI and bollard send them); the
/// answer streams as the engine's does, ending with the digest.
pub fn push(shared: &Shared, name: &str, tag: Option<&str>, auth: &str) -> Response<Body> {
    use base64::Engine as _;
    let reference = format!(
        "{name}:{}",
        tag.filter(|t| !t.is_empty()).unwrap_or("latest")
    );
    let mut engine = lock(shared);
    let Some(index) = engine.find_image(&reference) else {
        return error(
            StatusCode::NOT_FOUND,
            &format!("An image does not exist locally with the tag: {name}"),
        );
    };
    let credentials: Value = base64::engine::general_purpose::URL_SAFE
        .decode(auth.trim())
        .or_else(|_| base64::engine::general_purpose::STANDARD.decode(auth.trim()))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or(Value::Null);
    let text = |key: &str| credentials[key].as_str().unwrap_or_default().to_string();
    let repository = name.to_string();
    let mut lines =
        vec![json!({"status": format!("The push refers to repository [{repository}]")})];
    if text("username").is_empty() || text("password").is_empty() {
        lines.push(json!({"errorDetail": {"message": "unauthorized: authentication required"}, "error": "unauthorized: authentication required"}));
    } else {
        let id = engine.images[index].id.clone();
        let digest = format!(
            "sha256:{}",
            sha256_hex(&[id.as_bytes(), repository.as_bytes()])
        );
        let short = id
            .trim_start_matches("sha256:")
            .chars()
            .take(12)
            .collect::<String>();
        let tag = reference.rsplit(':').next().unwrap_or("latest").to_string();
        lines.push(json!({"status": "Preparing", "progressDetail": {}, "id": short}));
        lines.push(json!({"status": "Pushed", "progressDetail": {}, "id": short}));
        lines.push(json!({"status": format!("{tag}: digest: {digest} size: 528")}));
        lines.push(
            json!({"progressDetail": {}, "aux": {"Tag": tag, "Digest": digest, "Size": 528}}),
        );
        engine.pushes.push(super::state::Push {
            reference: reference.clone(),
            username: text("username"),
            server: text("serveraddress"),
            password: text("password"),
        });
    }
    let body: String = lines.iter().map(|l| format!("{l}\r\n")).collect();
    crate::sim::http::full(StatusCode::OK, "application/json", body)
}

pub fn build(shared: &Shared, query: &HashMap<String, String>, body: Bytes) -> Response<Body> {
    let (tx, rx) = mpsc::unbounded_channel();
    // `docker build -q`: only the image id and errors.
    let quiet = crate::sim::http::flag(query, "q");
    let quiet_tx = tx.clone();
    // `version=2` asks for BuildKit: the same build, streamed as BuildKit's traces.
    let traces = (query.get("version").map(String::as_str) == Some("2")).then(|| {
        let instructions = instructions_of(&body, query);
        std::sync::Mutex::new(super::buildkit::Traces::new(
            instructions.iter().map(String::as_str),
        ))
    });
    let send = move |value: Value| {
        if quiet && value.get("stream").is_some() {
            return;
        }
        let values = match &traces {
            Some(traces) => match traces.lock() {
                Ok(mut traces) => traces.translate(value),
                Err(_) => vec![value],
            },
            None => vec![value],
        };
        for value in values {
            let _ = tx.send(Bytes::from(format!("{value}\r\n")));
        }
    };
    let tag = query.get("t").map(|t| normalize_reference(t));
    let dockerfile_name = query
        .get("dockerfile")
        .cloned()
        .unwrap_or_else(|| "Dockerfile".into());
    let mut labels = super::containers::labels_param(query);
    match run_build(&body, &dockerfile_name, &send) {
        Err(message) => send(json!({"errorDetail": {"message": message}, "error": message})),
        Ok(mut image) => {
            image.labels.append(&mut labels);
            let short = image.id.trim_start_matches("sha256:")[..12].to_string();
            send(json!({"aux": {"ID": image.id}}));
            if quiet {
                let _ = quiet_tx.send(Bytes::from(format!(
                    "{}\r\n",
                    json!({"stream": format!("{}\n", image.id)})
                )));
            }
            send(json!({"stream": format!("Successfully built {short}\n")}));
            let mut engine = lock(shared);
            store(&mut engine, image, tag.clone());
            if let Some(tag) = tag {
                send(json!({"stream": format!("Successfully tagged {tag}\n")}));
            }
        }
    }
    streaming(StatusCode::OK, "application/json", rx)
}

/// The Dockerfile's instructions as the build echoes them; none when it cannot be read
/// (the build itself then says why).
fn instructions_of(tar: &[u8], query: &HashMap<String, String>) -> Vec<String> {
    let name = query.get("dockerfile").map_or("Dockerfile", String::as_str);
    Context::read(tar)
        .ok()
        .and_then(|context| {
            let text = context.content(name.trim_start_matches("./"))?;
            dockerfile::parse(&String::from_utf8_lossy(text)).ok()
        })
        .map(|steps| steps.into_iter().map(|s| s.original).collect())
        .unwrap_or_default()
}

/// A build asked for by another simulated service (Cloud Build's `docker build -t TAG .`):
/// the context tar built and stored as TAG, each line of output handed to `line`;
/// the image id, or the build's error.
pub fn build_tagged(
    shared: &Shared,
    tar: &[u8],
    dockerfile: &str,
    tag: &str,
    line: &dyn Fn(String),
) -> Result<String, String> {
    let send = |value: Value| {
        if let Some(text) = value["stream"].as_str() {
            line(text.trim_end().to_string());
        }
    };
    let image = run_build(tar, dockerfile, &send)?;
    let id = image.id.clone();
    let short = id.trim_start_matches("sha256:")[..12].to_string();
    line(format!("Successfully built {short}"));
    store(&mut lock(shared), image, Some(normalize_reference(tag)));
    line(format!("Successfully tagged {tag}"));
    Ok(id)
}

fn store(engine: &mut Engine, mut image: SimImage, tag: Option<String>) {
    if let Some(tag) = &tag {
        for other in &mut engine.images {
            other.tags.retain(|t| t != tag);
        }
        image.tags = vec![tag.clone()];
    }
    let id = image.id.clone();
    match engine.images.iter_mut().find(|i| i.id == image.id) {
        Some(existing) => existing.tags.extend(image.tags),
        None => engine.images.push(image),
    }
    if let Some(tag) = tag {
        engine.emit("image", "tag", &id, json!({"name": tag}));
    }
}

fn run_build(tar: &[u8], dockerfile_name: &str, send: &dyn Fn(Value)) -> Result<SimImage, String> {
    let context = Context::read(tar)?;
    let dockerfile_text = context
        .content(dockerfile_name.trim_start_matches("./"))
        .ok_or_else(|| format!("Cannot locate specified Dockerfile: {dockerfile_name}"))?;
    let dockerfile_text = String::from_utf8_lossy(dockerfile_text).into_owned();
    let ignore = context
        .content(".dockerignore")
        .map(|t| DockerIgnore::parse(&String::from_utf8_lossy(t)))
        .unwrap_or_default();
    let steps = dockerfile::parse(&dockerfile_text)?;
    let total = steps.len();
    let id = format!("sha256:{}", sha256_hex(&[tar, dockerfile_text.as_bytes()]));
    let mut image = SimImage {
        id: id.clone(),
        created: Engine::now(),
        ..Default::default()
    };
    for (n, step) in steps.iter().enumerate() {
        send(json!({"stream": format!("Step {}/{total} : {}\n", n + 1, step.original)}));
        apply(step, &mut image, &context, &ignore)?;
        // Each step's result is a layer of its own; the last step's is the image.
        let layer = if n + 1 == total {
            id.trim_start_matches("sha256:")[..12].to_string()
        } else {
            sha256_hex(&[id.as_bytes(), &(n as u64).to_be_bytes()])[..12].to_string()
        };
        let layer = layer.as_str();
        match step.keyword.as_str() {
            "FROM" if step.args.eq_ignore_ascii_case("scratch") => {
                send(json!({"stream": " ---> \n"}))
            }
            "FROM" | "COPY" | "ADD" | "WORKDIR" | "ARG" => {
                send(json!({"stream": format!(" ---> {layer}\n")}))
            }
            _ => {
                let temp = &sha256_hex(&[layer.as_bytes()])[..12];
                send(json!({"stream": format!(" ---> Running in {temp}\n")}));
                if step.keyword == "RUN" {
                    send(
                        json!({"stream": format!("[pilothouse sim] not executed: {}\n", step.args)}),
                    );
                }
                send(json!({"stream": format!("Removing intermediate container {temp}\n")}));
                send(json!({"stream": format!(" ---> {layer}\n")}));
            }
        }
    }
    image.size = context.files.values().sum();
    Ok(image)
}

fn apply(
    step: &Instruction,
    image: &mut SimImage,
    context: &Context,
    ignore: &DockerIgnore,
) -> Result<(), String> {
    match step.keyword.as_str() {
        "COPY" | "ADD" => {
            let (sources, dest) = dockerfile::copy_parts(&step.args).ok_or_else(|| {
                format!(
                    "dockerfile parse error on line {}: {} requires at least two arguments",
                    step.line, step.keyword
                )
            })?;
            for source in &sources {
                if source.starts_with("http://") || source.starts_with("https://") {
                    continue;
                }
                if !context.exists(source, ignore) {
                    return Err(format!(
                        "{} failed: file not found in build context or excluded by .dockerignore: stat {source}: file does not exist",
                        step.keyword
                    ));
                }
            }
            let local: Vec<String> = sources
                .into_iter()
                .filter(|s| !s.starts_with("http://") && !s.starts_with("https://"))
                .collect();
            context.copy_into(&mut image.files, &local, &dest, &image.workdir, ignore);
        }
        "ENV" => {
            for (k, v) in dockerfile::key_values(&step.args) {
                image.env.retain(|e| !e.starts_with(&format!("{k}=")));
                image.env.push(format!("{k}={v}"));
            }
        }
        "LABEL" => image.labels.extend(dockerfile::key_values(&step.args)),
        "EXPOSE" => {
            for port in step.args.split_whitespace() {
                let spec = if port.contains('/') {
                    port.to_string()
                } else {
                    format!("{port}/tcp")
                };
                if !image.exposed.contains(&spec) {
                    image.exposed.push(spec);
                }
            }
        }
        "CMD" => image.cmd = dockerfile::command_form(&step.args),
        "ENTRYPOINT" => {
            image.entrypoint = dockerfile::command_form(&step.args);
            image.cmd.clear();
        }
        "WORKDIR" => image.workdir = step.args.clone(),
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::docker::context::tar_of;

    fn collect(tar: &[u8]) -> (Result<SimImage, String>, Vec<String>) {
        let lines = std::cell::RefCell::new(Vec::new());
        let result = run_build(tar, "Dockerfile", &|v| {
            lines
                .borrow_mut()
                .push(v["stream"].as_str().unwrap_or_default().to_string())
        });
        (result, lines.into_inner())
    }

    #[test]
    fn builds_stream_steps_and_record_settings() {
        let tar = tar_of(&[
            (
                "Dockerfile",
                "FROM python:3\nWORKDIR /app\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\nCOPY . .\nEXPOSE 8000\nENTRYPOINT [\"python\"]\nCMD [\"run.py\"]\n",
            ),
            ("requirements.txt", "flask\n"),
            ("run.py", "print('hi')\n"),
        ]);
        let (result, lines) = collect(&tar);
        let image = result.unwrap();
        assert!(
            lines.contains(&"Step 1/8 : FROM python:3\n".to_string()),
            "{lines:?}"
        );
        assert!(lines.contains(&"Step 8/8 : CMD [\"run.py\"]\n".to_string()));
        assert_eq!(image.exposed, vec!["8000/tcp"]);
        assert_eq!(image.entrypoint, vec!["python"]);
        assert_eq!(image.cmd, vec!["run.py"]);
        let (again, _) = collect(&tar);
        assert_eq!(
            again.unwrap().id,
            image.id,
            "same context and Dockerfile, same id"
        );
        // The last step's layer is the image, as `Successfully built ID` names it.
        let last_layer = lines
            .iter()
            .rev()
            .find_map(|l| {
                l.strip_prefix(" ---> ")
                    .filter(|l| !l.starts_with("Running in"))
            })
            .map(str::trim);
        assert_eq!(last_layer, Some(&image.id["sha256:".len()..][..12]));
        let layers: std::collections::HashSet<&str> = lines
            .iter()
            .filter_map(|l| {
                l.strip_prefix(" ---> ")
                    .filter(|l| !l.starts_with("Running in"))
            })
            .collect();
        assert_eq!(
            layers.len(),
            8,
            "a layer of its own for each step: {layers:?}"
        );
    }

    #[test]
    fn missing_or_ignored_copy_sources_fail() {
        let tar = tar_of(&[("Dockerfile", "FROM scratch\nCOPY app.py /\n")]);
        let (result, _) = collect(&tar);
        assert!(
            result
                .unwrap_err()
                .contains("stat app.py: file does not exist")
        );
        let tar = tar_of(&[
            ("Dockerfile", "FROM scratch\nCOPY secret.key /\n"),
            (".dockerignore", "*.key\n"),
            ("secret.key", "x"),
        ]);
        assert!(
            collect(&tar)
                .0
                .unwrap_err()
                .contains("excluded by .dockerignore")
        );
        let tar = tar_of(&[("Dockerfile", "FROM scratch\nBOGUS x\n")]);
        assert!(
            collect(&tar)
                .0
                .unwrap_err()
                .contains("unknown instruction: BOGUS")
        );
        assert!(run_build(b"not a tar", "Dockerfile", &|_| {}).is_err());
    }
}
