//! The keymap: the built-in table, lookups, and a user's overrides.
use super::*;

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

#[test]
fn default_keymap_parses_and_contexts_override_global() {
    let map = Keymap::default_map();
    assert_eq!(
        map.lookup(Context::Containers, &key(KeyCode::Char('r'))),
        Some(Action::Restart)
    );
    assert_eq!(
        map.lookup(Context::Images, &key(KeyCode::Char('r'))),
        Some(Action::Run)
    );
    assert_eq!(
        map.lookup(Context::Images, &key(KeyCode::Char('q'))),
        Some(Action::Quit)
    );
    assert_eq!(map.lookup(Context::Jobs, &key(KeyCode::Char('s'))), None);
    let ctrl_d = KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL);
    assert_eq!(
        map.lookup(Context::Containers, &ctrl_d),
        Some(Action::Remove)
    );
    assert_eq!(
        map.lookup(Context::Containers, &key(KeyCode::Char('d'))),
        None
    );
}

#[test]
fn bad_keymaps_are_refused_with_the_key() {
    let err = Keymap::parse("[global]\n\"hyper-x\" = \"quit\"\n").unwrap_err();
    assert!(err.contains("hyper-x"), "{err}");
    let err = Keymap::parse("[global]\n\"x\" = \"explode\"\n").unwrap_err();
    assert!(err.contains("explode"), "{err}");
}

fn overrides(text: &str) -> Result<(Keymap, Vec<String>), String> {
    let table: std::collections::BTreeMap<String, toml::Table> = toml::from_str(text).unwrap();
    Keymap::default_map().with_overrides(&table)
}

#[test]
fn a_user_key_replaces_one_binding_and_conflicts_are_reported() {
    let (map, conflicts) = overrides("[pods]\n\"K\" = \"yaml\"\n").unwrap();
    assert!(conflicts.is_empty(), "{conflicts:?}");
    assert_eq!(
        map.lookup(Context::Pods, &key(KeyCode::Char('K'))),
        Some(Action::Yaml)
    );
    assert_eq!(
        map.lookup(Context::Pods, &key(KeyCode::Char('y'))),
        Some(Action::Yaml)
    );

    let (map, conflicts) = overrides("[deployments]\n\"s\" = \"yaml\"\n").unwrap();
    assert_eq!(
        map.lookup(Context::Deployments, &key(KeyCode::Char('s'))),
        Some(Action::Yaml)
    );
    assert_eq!(conflicts, ["scale no longer has a key in [deployments]"]);

    let (map, conflicts) = overrides("[global]\n\"r\" = \"help\"\n\"q\" = \"none\"\n").unwrap();
    assert_eq!(map.lookup(Context::Jobs, &key(KeyCode::Char('q'))), None);
    assert!(
        !conflicts.iter().any(|c| c.starts_with("quit")),
        "ctrl-c still quits: {conflicts:?}"
    );
    assert!(
        conflicts.iter().any(|c| c.contains("[global] r is taken")
            && c.contains("containers")
            && c.contains("images")),
        "{conflicts:?}"
    );

    let (map, conflicts) = overrides("[global]\n\" \" = \"help\"\n\"space\" = \"quit\"\n").unwrap();
    assert_eq!(
        map.lookup(Context::Jobs, &key(KeyCode::Char(' '))),
        Some(Action::Quit)
    );
    assert_eq!(
        conflicts,
        ["[keys.global] \" \" and \"space\" are the same key; \"space\" wins"]
    );
}

#[test]
fn bad_overrides_name_the_table_and_the_key() {
    let err = overrides("[podz]\n\"K\" = \"yaml\"\n").unwrap_err();
    assert!(err.contains("keys.podz") && err.contains("pods"), "{err}");
    let err = overrides("[pods]\n\"K\" = \"yodel\"\n").unwrap_err();
    assert!(
        err.contains("keys.pods \"K\"") && err.contains("yodel"),
        "{err}"
    );
    let err = overrides("[pods]\n\"hyper-k\" = \"yaml\"\n").unwrap_err();
    assert!(err.contains("hyper-k"), "{err}");
}

#[test]
fn grouped_bindings_list_every_key_of_an_action() {
    let map = Keymap::default_map();
    let global = map.grouped(Context::Global);
    let (_, keys) = global.iter().find(|(a, _)| *a == Action::Down).unwrap();
    assert!(keys.contains(&"j".to_string()) && keys.contains(&"↓".to_string()));
}
