//! The zip archive `gcloud run deploy --source` uploads, read into the tar a
//! build context is: the central directory's entries, stored or deflated.

use std::io::Read;

fn u16_at(bytes: &[u8], at: usize) -> Option<usize> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?) as usize)
}

fn u32_at(bytes: &[u8], at: usize) -> Option<usize> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize)
}

/// The files of a zip archive as (path, contents), directories left out.
pub fn entries(zip: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let malformed = || "the source archive is not a zip file gcloud would write".to_string();
    // The end-of-central-directory record: the last "PK\x05\x06" (a comment may follow it).
    let end = (0..zip.len().saturating_sub(21))
        .rev()
        .find(|&at| zip[at..].starts_with(b"PK\x05\x06"))
        .ok_or_else(malformed)?;
    let count = u16_at(zip, end + 10).ok_or_else(malformed)?;
    let mut at = u32_at(zip, end + 16).ok_or_else(malformed)?;
    let mut files = Vec::with_capacity(count);
    for _ in 0..count {
        if !zip
            .get(at..)
            .is_some_and(|rest| rest.starts_with(b"PK\x01\x02"))
        {
            return Err(malformed());
        }
        let method = u16_at(zip, at + 10).ok_or_else(malformed)?;
        let compressed = u32_at(zip, at + 20).ok_or_else(malformed)?;
        let name_len = u16_at(zip, at + 28).ok_or_else(malformed)?;
        let extra_len = u16_at(zip, at + 30).ok_or_else(malformed)?;
        let comment_len = u16_at(zip, at + 32).ok_or_else(malformed)?;
        let local = u32_at(zip, at + 42).ok_or_else(malformed)?;
        let name =
            String::from_utf8_lossy(zip.get(at + 46..at + 46 + name_len).ok_or_else(malformed)?)
                .into_owned();
        at += 46 + name_len + extra_len + comment_len;
        if name.ends_with('/') {
            continue;
        }
        let local_name = u16_at(zip, local + 26).ok_or_else(malformed)?;
        let local_extra = u16_at(zip, local + 28).ok_or_else(malformed)?;
        let start = local + 30 + local_name + local_extra;
        let data = zip.get(start..start + compressed).ok_or_else(malformed)?;
        let contents = match method {
            0 => data.to_vec(),
            8 => {
                let mut out = Vec::new();
                flate2::read::DeflateDecoder::new(data)
                    .read_to_end(&mut out)
                    .map_err(|e| format!("{name} in the source archive cannot be inflated: {e}"))?;
                out
            }
            other => {
                return Err(format!(
                    "{name} in the source archive uses compression method {other}"
                ));
            }
        };
        files.push((name, contents));
    }
    Ok(files)
}

/// The same files as a tar, as a build context is sent.
pub fn to_tar(zip: &[u8]) -> Result<Vec<u8>, String> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, contents) in entries(zip)? {
        let mut header = tar::Header::new_gnu();
        header.set_size(contents.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, &name, contents.as_slice())
            .map_err(|e| format!("cannot put {name} into the build context: {e}"))?;
    }
    builder
        .into_inner()
        .map_err(|e| format!("cannot make the build context: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A zip of one stored file and one deflated, written by hand as zip writers do.
    fn zip_of(files: &[(&str, &[u8], bool)]) -> Vec<u8> {
        use std::io::Write;
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, data, deflate) in files {
            let stored = if *deflate {
                let mut encoder =
                    flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
                encoder.write_all(data).unwrap();
                encoder.finish().unwrap()
            } else {
                data.to_vec()
            };
            let method: u16 = if *deflate { 8 } else { 0 };
            let offset = out.len() as u32;
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&[20, 0, 0, 0]);
            out.extend_from_slice(&method.to_le_bytes());
            out.extend_from_slice(&[0; 8]);
            out.extend_from_slice(&(stored.len() as u32).to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(&stored);
            central.extend_from_slice(b"PK\x01\x02");
            central.extend_from_slice(&[20, 0, 20, 0, 0, 0]);
            central.extend_from_slice(&method.to_le_bytes());
            central.extend_from_slice(&[0; 8]);
            central.extend_from_slice(&(stored.len() as u32).to_le_bytes());
            central.extend_from_slice(&(data.len() as u32).to_le_bytes());
            central.extend_from_slice(&(name.len() as u16).to_le_bytes());
            central.extend_from_slice(&[0; 12]);
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
        let central_at = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(b"PK\x05\x06");
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&(files.len() as u16).to_le_bytes());
        out.extend_from_slice(&(files.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&central_at.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out
    }

    #[test]
    fn stored_and_deflated_files_come_out_whole() {
        let zip = zip_of(&[
            ("Dockerfile", b"FROM scratch\n", false),
            ("app/run.py", b"print('hello')\n", true),
        ]);
        let files = entries(&zip).expect("readable");
        assert_eq!(
            files[0],
            ("Dockerfile".to_string(), b"FROM scratch\n".to_vec())
        );
        assert_eq!(
            files[1],
            ("app/run.py".to_string(), b"print('hello')\n".to_vec())
        );
        assert!(to_tar(&zip).is_ok_and(|tar| tar.len() >= 3 * 512));
        assert!(entries(b"not a zip").is_err());
    }
}
