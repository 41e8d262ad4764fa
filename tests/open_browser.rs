//! `o` opens the published port through the browser the user chose:
//! `$BROWSER` is honoured (its own test binary, since it sets the variable).

use pilothouse::app::Command;
use pilothouse::app::core::event::Event;
use pilothouse::effects::Effects;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

#[tokio::test]
async fn open_url_runs_the_browser_from_the_environment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let record = dir.path().join("opened.txt");
    let browser = dir.path().join("fake-browser");
    std::fs::write(
        &browser,
        format!("#!/bin/sh\necho \"$1\" > '{}'\n", record.display()),
    )
    .expect("write the fake browser");
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&browser)
        .status()
        .expect("chmod");
    // SAFETY: this test binary has this one test, so no other thread reads the environment meanwhile.
    unsafe { std::env::set_var("BROWSER", &browser) };

    let (tx, mut rx) = mpsc::unbounded_channel();
    let (_client_tx, client_rx) = watch::channel(None);
    let mut effects = Effects::new(tx, client_rx, dir.path().to_path_buf());
    effects.perform(Command::OpenUrl("http://127.0.0.1:8000/".into()));
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(text) = std::fs::read_to_string(&record)
            && !text.is_empty()
        {
            assert_eq!(text.trim(), "http://127.0.0.1:8000/");
            break;
        }
        if let Ok(Event::EffectFailed(why)) = rx.try_recv() {
            panic!("opening failed: {why}");
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the browser from $BROWSER was not run"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
