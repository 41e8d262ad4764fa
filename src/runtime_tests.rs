//! How the event loop batches events and decides when to draw.

use super::*;
use crate::app::core::model::Model;

/// The loop's half that `handle` needs: a model, effects, and the channel.
struct Batches {
    tx: mpsc::UnboundedSender<Event>,
    rx: mpsc::UnboundedReceiver<Event>,
    effects: Effects,
    model: Model,
    now: SystemTime,
    // Kept so the effects' engine watch stays open for the test.
    _engine: watch::Sender<Option<crate::sources::docker_endpoint::EngineClient>>,
}

impl Batches {
    fn new() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let (engine, client_rx) = watch::channel(None);
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        Self {
            effects: Effects::new(tx.clone(), client_rx, ".".into()),
            model: Model::new(".".into(), false, now),
            tx,
            rx,
            now,
            _engine: engine,
        }
    }

    /// `first`, with `waiting` already queued behind it, as one batch.
    fn handle(&mut self, first: Event, waiting: Vec<Event>) -> Redraw {
        for event in waiting {
            let _ = self.tx.send(event);
        }
        handle(
            &mut self.model,
            &mut self.effects,
            &mut CrashSwitch::default(),
            first,
            &mut self.rx,
            &mut Vec::new(),
        )
    }
}

#[tokio::test]
async fn a_batch_draws_when_any_of_its_events_changed_the_screen() {
    let mut batches = Batches::new();
    let now = batches.now;
    // A resize changes the screen; the tick behind it in the same batch changes nothing…
    let resized = batches.handle(
        Event::Resize(100, 30),
        vec![Event::Tick(now + Duration::from_secs(1))],
    );
    // …and the draw stays due, at once: the user did it.
    assert_eq!(resized, Redraw::Now);
    assert!(
        batches.rx.try_recv().is_err(),
        "the tick was taken in the batch"
    );
    let idle = batches.handle(Event::Tick(now + Duration::from_secs(2)), vec![]);
    assert_eq!(idle, Redraw::No, "and an idle tick alone draws nothing");
}

#[tokio::test]
async fn what_the_world_changed_waits_for_its_frame_and_a_key_beside_it_does_not() {
    let mut batches = Batches::new();
    let failed = || Event::EffectFailed("the engine went away".into());
    assert_eq!(batches.handle(failed(), vec![]), Redraw::WhenDue);
    let key = Event::Key(crossterm::event::KeyEvent::from(
        crossterm::event::KeyCode::Char('?'),
    ));
    assert_eq!(batches.handle(failed(), vec![key]), Redraw::Now);
}
