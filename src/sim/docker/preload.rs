//! Containers preloaded for scale tests (`pilothouse sim --containers N`): one
//! image and N running containers of it, as a busy developer machine has.

use super::state::{Engine, RunState, SimContainer, SimImage};
use std::collections::BTreeMap;

/// The image every preloaded container runs.
pub const LOAD_IMAGE: &str = "load:latest";

impl Engine {
    /// Add `count` running containers named `load-0000`…, labelled `pilothouse.load=1`.
    pub fn preload_containers(&mut self, count: usize) {
        if count == 0 {
            return;
        }
        let image_id = format!("sha256:{}", self.new_id(LOAD_IMAGE));
        let now = Engine::now();
        self.images.push(SimImage {
            id: image_id.clone(),
            tags: vec![LOAD_IMAGE.to_string()],
            created: now,
            size: 1_234_567,
            labels: BTreeMap::new(),
            env: Vec::new(),
            exposed: Vec::new(),
            cmd: vec!["sleep".into(), "infinity".into()],
            entrypoint: Vec::new(),
            workdir: "/".into(),
            files: Default::default(),
        });
        for i in 0..count {
            let name = format!("load-{i:04}");
            let id = self.new_id(&name);
            self.containers.push(SimContainer {
                id,
                name,
                image: LOAD_IMAGE.to_string(),
                image_id: image_id.clone(),
                cmd: vec!["sleep".into(), "infinity".into()],
                env: Vec::new(),
                labels: BTreeMap::from([("pilothouse.load".to_string(), "1".to_string())]),
                exposed: Vec::new(),
                requested: Vec::new(),
                bound: Vec::new(),
                created: now,
                state: RunState::Running,
                exit_code: 0,
                started_at: Some(now),
                finished_at: None,
                logs: Vec::new(),
                listeners: Vec::new(),
                files: BTreeMap::new(),
                mounts: Vec::new(),
                network_mode: "default".into(),
                networks: Vec::new(),
                auto_remove: false,
                open_stdin: false,
                tty: false,
                exits: 0,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preloaded_containers_run_the_load_image_with_distinct_ids() {
        let mut engine = Engine::default();
        engine.preload_containers(1000);
        assert_eq!(engine.containers.len(), 1000);
        assert!(
            engine
                .containers
                .iter()
                .all(|c| c.state == RunState::Running)
        );
        let ids: std::collections::HashSet<_> = engine.containers.iter().map(|c| &c.id).collect();
        assert_eq!(ids.len(), 1000);
        assert_eq!(engine.find_image(LOAD_IMAGE), Some(0));
        assert_eq!(engine.containers[999].name, "load-0999");
    }
}
