//! The simulated engine over TLS, as `dockerd --tlsverify` (and minikube's
//! engine behind `docker-env`) serves it: a CA made for the run, a server
//! certificate for 127.0.0.1, and clients must show a certificate of the same
//! CA. The client's files land in a cert dir laid out as minikube's
//! (`ca.pem`, `cert.pem`, `key.pem`), for DOCKER_CERT_PATH.

use color_eyre::eyre::{Result, WrapErr};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, SanType,
};
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::sync::Arc;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::{RootCertStore, ServerConfig};

/// A certificate authority made for the run.
pub(crate) type Authority = CertifiedIssuer<'static, KeyPair>;

pub(crate) fn new_authority() -> Result<Authority> {
    let ca_key = KeyPair::generate().wrap_err("cannot make the CA key")?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "pilothouse sim CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    CertifiedIssuer::self_signed(ca_params, ca_key).wrap_err("cannot sign the CA")
}

/// A server certificate of the CA for 127.0.0.1 and localhost, and its key.
fn server_certificate(ca: &Authority) -> Result<(CertificateDer<'static>, PrivateKeyDer<'static>)> {
    server_certificate_for(ca, &["localhost"])
}

/// A server certificate of the CA for these names and 127.0.0.1, and its key.
fn server_certificate_for(
    ca: &Authority,
    names: &[&str],
) -> Result<(CertificateDer<'static>, PrivateKeyDer<'static>)> {
    let server_key = KeyPair::generate()?;
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut server_params = CertificateParams::new(names)?;
    server_params
        .subject_alt_names
        .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_cert = server_params.signed_by(&server_key, ca)?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    Ok((CertificateDer::from(server_cert.der().to_vec()), key))
}

/// HTTPS as an API server serves it: its own CA (returned as PEM, for the
/// kubeconfig's certificate-authority-data), clients authenticated by
/// their bearer token rather than a certificate.
pub fn https_config() -> Result<(ServerConfig, String)> {
    https_config_for(&["localhost"])
}

/// HTTPS for these host names, with a CA of its own (returned as PEM, for the
/// client to trust): the simulated Google APIs that gcloud reaches through its proxy.
pub fn https_config_for(names: &[&str]) -> Result<(ServerConfig, String)> {
    let ca = new_authority()?;
    let (cert, key) = server_certificate_for(&ca, names)?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .wrap_err("cannot use the server certificate")?;
    Ok((config, ca.pem()))
}

/// Make a CA, a server certificate and a client certificate; write the
/// client's three files into `cert_dir`; return the server's TLS config.
pub fn server_config(cert_dir: &Path) -> Result<ServerConfig> {
    let ca = new_authority()?;
    let (server_cert, server_key) = server_certificate(&ca)?;

    let client_key = KeyPair::generate()?;
    let mut client_params = CertificateParams::new(Vec::<String>::new())?;
    client_params
        .distinguished_name
        .push(DnType::CommonName, "pilothouse sim client");
    client_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let client_cert = client_params.signed_by(&client_key, &ca)?;

    crate::sim::private::create_dir(cert_dir)
        .wrap_err_with(|| format!("cannot make {}", cert_dir.display()))?;
    for (name, text) in [
        ("ca.pem", ca.pem()),
        ("cert.pem", client_cert.pem()),
        ("key.pem", client_key.serialize_pem()),
    ] {
        let path = cert_dir.join(name);
        crate::sim::private::write(&path, text)
            .wrap_err_with(|| format!("cannot write {}", path.display()))?;
    }

    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    roots.add(ca.der().clone())?;
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .wrap_err("cannot build the client verifier")?;
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![server_cert], server_key)
        .wrap_err("cannot use the server certificate")?;
    Ok(config)
}
