//! Bad input, one table across every form field: image references, port
//! maps, env entries, names, replicas, paths, manifests, Cloud Run
//! settings and the workflow form, typed into the cockpit against the sim,
//! plus theme and keymap files given to pilothouse at start. Each value is
//! refused with a message at its field (or, for a file, naming the file);
//! the sim's records of write requests stay empty, no job starts and no file
//! is written: nothing was sent.

mod common;

use common::cockpit::Cockpit;
use crossterm::event::KeyCode;
use pilothouse::app::Model;
use pilothouse::app::cloud::deploy::SettingsState;
use pilothouse::app::core::model::Overlay;
use pilothouse::app::kube::state::KubeConnection;
use pilothouse::cli::SimArgs;
use pilothouse::sim::Sim;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Build,
    Run,
    Scale,
    Expose,
    Apply,
    CloudSettings,
    Workflow,
}

impl Form {
    /// The keys that open the form, from any pane.
    fn keys(self) -> &'static str {
        match self {
            Form::Build => "1b",
            Form::Run => "2r",
            Form::Scale => "5s",
            Form::Expose => "5x",
            Form::Apply => "5a",
            Form::CloudSettings => "9s",
            Form::Workflow => "1W",
        }
    }

    /// Checked by an effect (the build context, the manifest): the answer arrives as an event.
    fn checked_later(self) -> bool {
        matches!(self, Form::Build | Form::Apply)
    }
}

/// (form, field, value, a word the message must hold; "" for any message).
fn cases() -> Vec<(Form, usize, String, &'static str)> {
    use Form::*;
    let s = |form, field, value: &str, says| (form, field, value.to_string(), says);
    vec![
        // Build: the context, the Dockerfile, the tag.
        s(Build, 0, "no-such-dir", "no-such-dir"),
        s(Build, 0, "run.py", "directory"),
        s(Build, 0, "", ""),
        s(Build, 1, "missing.Dockerfile", "missing.Dockerfile"),
        s(Build, 1, "", ""),
        s(Build, 2, "Cookbook:latest", "lowercase"),
        s(Build, 2, "cookbook:", ""),
        s(Build, 2, ":latest", ""),
        s(Build, 2, "cook book", ""),
        s(Build, 2, "cookbook:la test", ""),
        s(Build, 2, "-cookbook", ""),
        s(Build, 2, &format!("cookbook:{}", "x".repeat(129)), ""),
        s(Build, 2, "a//b", ""),
        s(Build, 2, "", ""),
        // Run: the image, the port maps, the name, the env entries.
        s(Run, 0, "", ""),
        s(Run, 0, "UPPER", ""),
        s(Run, 0, "img:tag:extra", ""),
        s(Run, 0, "bad image", ""),
        s(Run, 1, "70000:8000", "70000"),
        s(Run, 1, "8000:0", ""),
        s(Run, 1, "abc", ""),
        s(Run, 1, "8000:", ""),
        s(Run, 1, ":8000", ""),
        s(Run, 1, "1.2.3.4.5:80:80", ""),
        s(Run, 1, "-1:80", ""),
        s(Run, 1, "80:80:80:80", ""),
        s(Run, 2, "-lead", ""),
        s(Run, 2, "has space", ""),
        s(Run, 2, "x/y", ""),
        s(Run, 3, "=value", ""),
        s(Run, 3, "1KEY=v", ""),
        s(Run, 3, "A=1 =2", ""),
        // Scale: the replicas.
        s(Scale, 0, "abc", ""),
        s(Scale, 0, "-1", ""),
        s(Scale, 0, "1000", ""),
        s(Scale, 0, "", ""),
        s(Scale, 0, "2.5", ""),
        // Expose: the type, the ports, the Service's name.
        s(Expose, 0, "ExternalName", ""),
        s(Expose, 1, "0", ""),
        s(Expose, 1, "65536", ""),
        s(Expose, 1, "http", ""),
        s(Expose, 1, "-80", ""),
        s(Expose, 2, "99999", ""),
        s(Expose, 2, "0", ""),
        s(Expose, 3, "Bad_Name", ""),
        s(Expose, 3, "-leading", ""),
        s(Expose, 3, "trailing-", ""),
        s(Expose, 3, "a.b", ""),
        s(Expose, 3, &"x".repeat(64), ""),
        // Apply: the path and what the manifest holds.
        s(Apply, 0, "missing.yaml", "missing.yaml"),
        s(Apply, 0, "broken.yaml", "line 2"),
        s(Apply, 0, "unknown-kind.yaml", "Frobnicator"),
        s(Apply, 0, "no-name.yaml", "metadata.name"),
        s(Apply, 0, "empty.yaml", "no objects"),
        s(Apply, 0, "", ""),
        // Cloud Run settings.
        s(CloudSettings, 0, "", ""),
        s(CloudSettings, 0, "UPPER-project", ""),
        s(CloudSettings, 0, "ab", ""),
        s(CloudSettings, 0, "my_project", ""),
        s(CloudSettings, 1, "", ""),
        s(CloudSettings, 1, "us central1", ""),
        s(CloudSettings, 2, "", ""),
        s(CloudSettings, 2, "Bad_Service", ""),
        s(CloudSettings, 2, &"x".repeat(64), ""),
        s(CloudSettings, 3, "Repo!", ""),
        s(CloudSettings, 4, "bad image", ""),
        s(CloudSettings, 5, "sometimes", ""),
        s(CloudSettings, 6, "maybe", ""),
        // The workflow form.
        s(Workflow, 0, "release", ""),
        s(Workflow, 1, "", ""),
        s(Workflow, 1, "bad branch", ""),
        s(Workflow, 1, "a..b", ""),
        s(Workflow, 2, "password", ""),
    ]
}

fn form_open(model: &Model) -> bool {
    matches!(model.shared.overlay, Overlay::Form(_))
}

fn focus(model: &Model) -> usize {
    match &model.shared.overlay {
        Overlay::Form(form) => form.focus,
        _ => usize::MAX,
    }
}

fn field_error(model: &Model, field: usize) -> Option<String> {
    match &model.shared.overlay {
        Overlay::Form(form) => form.fields.get(field).and_then(|f| f.error.clone()),
        _ => None,
    }
}

/// Theme and keymap files given at start, through `pilothouse config`. A
/// theme that cannot be used is refused with a sentence naming the file, the
/// line and the style, and the default theme is used instead; a keymap entry
/// that means nothing stops pilothouse (exit 2) before the terminal is touched.
fn bad_files(dir: &Path) -> usize {
    // Where pilothouse looks for user themes: $XDG_CONFIG_HOME/pilothouse/themes.
    let themes = dir.join("pilothouse/themes");
    std::fs::create_dir_all(&themes).expect("themes dir");
    let theme = |name: &str, body: &str| {
        std::fs::write(themes.join(format!("{name}.toml")), body).expect("theme");
        format!("theme = \"{name}\"\n")
    };
    let themes_refused = [
        (
            "theme = \"no-such-theme\"\n".to_string(),
            "no-such-theme.toml",
        ),
        (
            theme(
                "bad-colour",
                "name = \"bad-colour\"\nbackground = \"#000000\"\n[styles]\ntext = { fg = \"#12345g\" }\n",
            ),
            "line 4: style 'text': '#12345g' is not a colour",
        ),
        (
            theme(
                "bad-style",
                "name = \"bad-style\"\nbackground = \"#000000\"\n[styles]\nsparkle = { fg = \"red\" }\n",
            ),
            "sparkle",
        ),
        (
            theme("no-background", "name = \"no-background\"\n"),
            "missing field `background`",
        ),
    ];
    let keys_refused = [
        ("[keys.nowhere]\nx = \"quit\"\n", "nowhere"),
        ("[keys.global]\nx = \"fly\"\n", "fly"),
        ("[keys.global]\n\"ctrl-\" = \"quit\"\n", "ctrl-"),
        ("[keys.global]\nF99 = \"quit\"\n", "F99"),
        ("[keys]\nglobal = 3\n", "line 2"),
    ];
    let run = |index: usize, config: &str| {
        let path = dir.join(format!("config-{index}.toml"));
        std::fs::write(&path, config).expect("config");
        std::process::Command::new(env!("CARGO_BIN_EXE_pilothouse"))
            .args(["--config", &path.display().to_string(), "config"])
            .env("XDG_CONFIG_HOME", dir)
            .output()
            .expect("pilothouse runs")
    };
    for (index, (config, says)) in themes_refused.iter().enumerate() {
        let output = run(index, config);
        let said = String::from_utf8_lossy(&output.stdout).into_owned();
        let refusal = said
            .lines()
            .find(|l| l.contains(says) && l.ends_with("using the default theme"))
            .unwrap_or_else(|| panic!("{config:?}: refused naming {says:?}: {said}"));
        let file = format!("{}.toml", config.split('"').nth(1).expect("a theme name"));
        assert!(
            said.contains(&file),
            "{config:?}: the message names {file}: {said}"
        );
        eprintln!("refused theme {config:?}: {refusal}");
    }
    for (index, (config, says)) in keys_refused.iter().enumerate() {
        let output = run(100 + index, config);
        let said = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(output.status.code(), Some(2), "{config:?} refused: {said}");
        assert!(
            said.contains("config-1"),
            "{config:?}: the message names the file: {said}"
        );
        assert!(
            said.contains(says),
            "{config:?}: the message names {says:?}: {said}"
        );
        eprintln!("refused keys {config:?}: {}", said.trim());
    }
    themes_refused.len() + keys_refused.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bad_value_is_refused_at_its_field_and_nothing_is_sent() {
    // One preloaded container gives the Images pane an image to run.
    let sim = Sim::start(&SimArgs {
        containers: 1,
        ..SimArgs::default()
    })
    .await
    .expect("the sim starts");
    let app = sim.sample_app.clone();
    for (name, text) in [
        ("broken.yaml", "kind: Deployment\nmetadata: [unclosed\n"),
        (
            "unknown-kind.yaml",
            "apiVersion: v1\nkind: Frobnicator\nmetadata:\n  name: x\n",
        ),
        (
            "no-name.yaml",
            "apiVersion: v1\nkind: Service\nmetadata: {}\n",
        ),
        ("empty.yaml", "# nothing yet\n---\n"),
    ] {
        std::fs::write(app.join(name), text).expect("write a manifest");
    }
    // Valid Cloud Run settings: the workflow form needs them, and the settings form starts from them.
    let settings = "[cloudrun]\nproject = \"pilothouse-sim\"\nregion = \"us-central1\"\nservice = \"cookbook\"\nrepository = \"cookbook\"\n";
    std::fs::write(app.join("pilothouse.toml"), settings).expect("write the settings");
    let files_before = list(&app);
    let mut cockpit = Cockpit::start(sim.docker.host(), &sim.kubeconfig_path, app.clone());
    cockpit
        .until("the sim's objects listed", |m| {
            matches!(m.kube.connection, KubeConnection::Connected(_))
                && !m.kube.deployments.is_empty()
                && !m.docker.images.is_empty()
        })
        .await;
    cockpit.send(pilothouse::app::Event::Tick(std::time::SystemTime::now()));
    cockpit
        .until("the Cloud Run settings read", |m| {
            matches!(m.cloud.settings, SettingsState::Loaded(_))
        })
        .await;

    let cases = cases();
    for (form, field, value, says) in &cases {
        cockpit.key(KeyCode::Esc);
        cockpit.keys(form.keys());
        assert!(form_open(&cockpit.model), "{form:?} opened");
        let mut tabs = 0;
        while focus(&cockpit.model) != *field {
            cockpit.key(KeyCode::Tab);
            tabs += 1;
            assert!(tabs < 10, "{form:?} has a field {field}");
        }
        cockpit.replace_field(value);
        cockpit.key(KeyCode::Enter);
        let what = format!("{form:?} field {field} refusing {value:?}");
        if form.checked_later() {
            cockpit
                .until(&what, |m| field_error(m, *field).is_some() || !form_open(m))
                .await;
        }
        let error = field_error(&cockpit.model, *field)
            .unwrap_or_else(|| panic!("{what}: no message at the field"));
        assert!(!error.trim().is_empty(), "{what}");
        assert!(error.contains(says), "{what}: {error:?} names {says:?}");
        eprintln!("refused {form:?}[{field}] {value:?}: {error}");
    }
    cockpit.key(KeyCode::Esc);
    let refused_files = bad_files(&tempfile::tempdir().expect("tempdir").keep());

    let total = cases.len() + refused_files;
    eprintln!(
        "{total} bad values refused ({} in forms, {refused_files} in files)",
        cases.len()
    );
    assert!(total >= 50, "at least 50 bad values: {total}");
    assert!(
        cockpit.model.jobs.list.is_empty(),
        "no job started: {:?}",
        cockpit
            .model
            .jobs
            .list
            .iter()
            .map(|j| &j.title)
            .collect::<Vec<_>>()
    );
    assert_eq!(
        sim.kube.shared.writes(),
        Vec::<String>::new(),
        "the API server received no write"
    );
    let engine_writes: Vec<String> = pilothouse::sim::docker::lock(&sim.docker.engine)
        .writes
        .iter()
        .cloned()
        .collect();
    assert_eq!(
        engine_writes,
        Vec::<String>::new(),
        "the engine received no write"
    );
    assert_eq!(list(&app), files_before, "no file was written in the app");
    assert_eq!(
        std::fs::read_to_string(app.join("pilothouse.toml")).expect("the settings"),
        settings,
        "the settings file is as it was"
    );
}

/// Every path under `dir`, to prove no settings file or workflow was written.
fn list(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        for entry in std::fs::read_dir(&next).expect("read_dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path.clone());
            }
            found.push(path.display().to_string());
        }
    }
    found.sort();
    found
}

/// Kubeconfigs the cluster cannot be reached with: a CA that is not a
/// certificate, a token file that is missing, a current context that names
/// no context. The cockpit starts, says which in the header's state, and
/// never panics or retries in a loop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubeconfigs_that_cannot_be_used_are_named() {
    let sim = Sim::start(&SimArgs {
        seed: 53,
        ..SimArgs::default()
    })
    .await
    .expect("the sim starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let good = std::fs::read_to_string(&sim.kubeconfig_path).expect("the sim's kubeconfig");
    let ca_line = good
        .lines()
        .find(|l| l.trim_start().starts_with("certificate-authority-data:"))
        .expect("the sim's kubeconfig carries its CA")
        .to_string();
    let token_line = good
        .lines()
        .find(|l| l.trim_start().starts_with("token:"))
        .expect("the sim's kubeconfig carries a token")
        .to_string();
    let indent = |line: &str| line.len() - line.trim_start().len();
    let cases = [
        (
            "a CA that is not a certificate",
            good.replacen(
                &ca_line,
                &format!(
                    "{}certificate-authority-data: bm90IGEgY2VydGlmaWNhdGU=",
                    " ".repeat(indent(&ca_line))
                ),
                1,
            ),
            "the kubeconfig's certificate authority does not vouch for",
        ),
        (
            "a token file that is missing",
            good.replacen(
                &token_line,
                &format!(
                    "{}tokenFile: /nonexistent/pilothouse-token",
                    " ".repeat(indent(&token_line))
                ),
                1,
            ),
            "the token file /nonexistent/pilothouse-token of user pilothouse-sim cannot be read",
        ),
        (
            "a current context that names no context",
            good.replace(
                "current-context: pilothouse-sim\n",
                "current-context: nowhere\n",
            ),
            "nowhere",
        ),
    ];
    for (index, (what, text, named)) in cases.into_iter().enumerate() {
        let kubeconfig = dir.path().join(format!("kubeconfig-{index}"));
        std::fs::write(&kubeconfig, text).expect("kubeconfig written");
        let mut cockpit = Cockpit::start(sim.docker.host(), &kubeconfig, sim.sample_app.clone());
        cockpit
            .until(&format!("{what}: a state that says why"), |m| {
                !matches!(m.kube.connection, KubeConnection::Connecting)
            })
            .await;
        let said = format!("{:?}", cockpit.model.kube.connection);
        eprintln!("{what}: {said}");
        assert!(
            !matches!(cockpit.model.kube.connection, KubeConnection::Connected(_)),
            "{what}: connected anyway"
        );
        assert!(said.contains(named), "{what}: {said} should name {named:?}");
    }
}
