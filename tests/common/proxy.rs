//! A proxy the test controls, between the cockpit and the sim: `cut` drops
//! every open connection (the server went away mid-request), `kill` stops
//! listening too (connection refused), and a new proxy on the same address
//! is the server's return.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpSocket, TcpStream, UnixListener, UnixStream};
use tokio::task::JoinHandle;

type Links = Arc<Mutex<Vec<JoinHandle<()>>>>;

pub struct Proxy {
    accept: JoinHandle<()>,
    links: Links,
}

impl Proxy {
    /// Listen on 127.0.0.1:`port` (0: any) and forward to `upstream`; returns the port too.
    pub async fn tcp(port: u16, upstream: SocketAddr) -> (Self, u16) {
        let socket = TcpSocket::new_v4().expect("a socket");
        // The same port again after a kill, with its old connections in TIME_WAIT.
        socket.set_reuseaddr(true).expect("SO_REUSEADDR");
        socket
            .bind(SocketAddr::from(([127, 0, 0, 1], port)))
            .expect("the proxy's port is free");
        let listener: TcpListener = socket.listen(64).expect("listen");
        let port = listener.local_addr().expect("address").port();
        let links = Links::default();
        let kept = links.clone();
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if let Ok(server) = TcpStream::connect(upstream).await {
                    keep(&kept, client, server);
                }
            }
        });
        (Self { accept, links }, port)
    }

    /// Listen on the Unix socket `path` and forward to the socket `upstream`.
    pub fn unix(path: &Path, upstream: PathBuf) -> Self {
        let _ = std::fs::remove_file(path);
        let listener = UnixListener::bind(path).expect("the proxy's socket");
        let links = Links::default();
        let kept = links.clone();
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if let Ok(server) = UnixStream::connect(&upstream).await {
                    keep(&kept, client, server);
                }
            }
        });
        Self { accept, links }
    }

    /// Drop every open connection; new ones are still accepted.
    pub fn cut(&self) {
        if let Ok(mut links) = self.links.lock() {
            links.drain(..).for_each(|link| link.abort());
        }
    }

    /// Stop listening and drop every connection; returns once the listener is closed.
    pub async fn kill(mut self) {
        self.cut();
        self.accept.abort();
        let _ = (&mut self.accept).await;
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.cut();
        self.accept.abort();
    }
}

fn keep<C, S>(links: &Links, mut client: C, mut server: S)
where
    C: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let link = tokio::spawn(async move {
        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
    });
    if let Ok(mut links) = links.lock() {
        links.retain(|l| !l.is_finished());
        links.push(link);
    }
}
