//! Cloud Run's naming rules, as gcloud and the APIs check them: project
//! ids, service names, regions, Artifact Registry repositories and image
//! targets. Each answers with the sentence the form shows at its field.

/// Regions Cloud Run serves (a region outside the list is allowed, with a warning).
pub const KNOWN_REGIONS: [&str; 31] = [
    "africa-south1",
    "asia-east1",
    "asia-east2",
    "asia-northeast1",
    "asia-northeast2",
    "asia-northeast3",
    "asia-south1",
    "asia-south2",
    "asia-southeast1",
    "asia-southeast2",
    "australia-southeast1",
    "australia-southeast2",
    "europe-central2",
    "europe-north1",
    "europe-southwest1",
    "europe-west1",
    "europe-west2",
    "europe-west3",
    "europe-west4",
    "europe-west6",
    "europe-west8",
    "europe-west9",
    "me-central1",
    "me-west1",
    "northamerica-northeast1",
    "northamerica-northeast2",
    "southamerica-east1",
    "us-central1",
    "us-east1",
    "us-east4",
    "us-west1",
];

/// Lowercase letters, digits and hyphens, from a letter, not ending with a hyphen, of a length in `len`.
fn lowercase_label(id: &str, len: std::ops::RangeInclusive<usize>) -> bool {
    len.contains(&id.len())
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && !id.ends_with('-')
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Google Cloud project ids: 6-30 characters, lowercase letters, digits and
/// hyphens, starting with a letter and not ending with a hyphen.
pub fn project_id(id: &str) -> Result<(), String> {
    let ok = lowercase_label(id, 6..=30);
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{id:?} is not a project id: 6-30 lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen"
        ))
    }
}

/// Cloud Run service names: up to 49 lowercase letters, digits and hyphens,
/// starting with a letter and not ending with a hyphen.
pub fn service_name(name: &str) -> Result<(), String> {
    let ok = lowercase_label(name, 1..=49);
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{name:?} is not a Cloud Run service name: up to 49 lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen"
        ))
    }
}

/// A region: one of the known, or a well-formed other one (with a warning).
pub fn region(name: &str) -> Result<Option<String>, String> {
    if KNOWN_REGIONS.contains(&name) {
        return Ok(None);
    }
    // AREA-PLACE followed by a number: europe-west12, us-south1.
    let well_formed = name.split('-').count() == 2
        && name.ends_with(|c: char| c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-');
    if well_formed {
        Ok(Some(format!(
            "{name} is not a region pilothouse knows; it is used as typed"
        )))
    } else {
        Err(format!(
            "{name:?} is not a region (such as us-central1 or europe-west1)"
        ))
    }
}

/// Artifact Registry repository ids: lowercase letters, digits and hyphens, from a letter, up to 63.
pub fn repository_id(id: &str) -> Result<(), String> {
    let ok = lowercase_label(id, 1..=63);
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{id:?} is not a repository id: lowercase letters, digits and hyphens, starting with a letter"
        ))
    }
}

/// Where Cloud Build and Cloud Run take images from: Artifact Registry, or
/// (read-only now) Container Registry, which gets a note.
pub fn image_target(image: &str) -> Result<Option<String>, String> {
    crate::app::core::validate::image_reference(image, false)?;
    let host = image.split('/').next().unwrap_or("");
    if host.ends_with("-docker.pkg.dev") {
        return Ok(None);
    }
    if host == "gcr.io" || host.ends_with(".gcr.io") {
        return Ok(Some(format!(
            "{image}: Container Registry stopped taking writes on 2025-03-18; push to Artifact Registry instead (LOCATION-docker.pkg.dev/PROJECT/REPO/IMAGE)"
        )));
    }
    Err(format!(
        "{image} is not in Artifact Registry (LOCATION-docker.pkg.dev/PROJECT/REPO/IMAGE), where Cloud Run deploys from"
    ))
}
