//! Files only their owner may read, as kubectl keeps `~/.kube/config` and
//! minikube its profile: the simulated cluster's folder holds a kubeconfig,
//! a gcloud configuration and TLS keys.

use std::fs::{DirBuilder, OpenOptions, Permissions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// A folder (and any missing parents) open to its owner only (0700).
pub fn create_dir(path: &Path) -> std::io::Result<()> {
    DirBuilder::new().recursive(true).mode(0o700).create(path)?;
    // An existing folder keeps its mode under create: set it.
    std::fs::set_permissions(path, Permissions::from_mode(0o700))
}

/// Write a file its owner alone may read (0600), replacing what is there.
pub fn write(path: &Path, contents: impl AsRef<[u8]>) -> std::io::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.set_permissions(Permissions::from_mode(0o600))?;
    file.write_all(contents.as_ref())
}

/// Write a new file (0600); an existing one is left alone and is an error.
pub fn write_new(path: &Path, contents: impl AsRef<[u8]>) -> std::io::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn only_the_owner_may_read() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("a/b");
        create_dir(&folder).unwrap();
        assert_eq!(mode(&folder), 0o700);
        let file = folder.join("kubeconfig");
        write_new(&file, "x").unwrap();
        assert_eq!(mode(&file), 0o600);
        assert!(
            write_new(&file, "y").is_err(),
            "never over an existing file"
        );
        std::fs::set_permissions(&file, Permissions::from_mode(0o644)).unwrap();
        write(&file, "z").unwrap();
        assert_eq!(
            (
                mode(&file),
                std::fs::read_to_string(&file).unwrap().as_str()
            ),
            (0o600, "z")
        );
    }
}
