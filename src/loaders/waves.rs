//! When a loader's batch starts: once the operation that asked for its keys pauses.
//! GraphQL resolves a level's fields in a poll of the operation's task (or a few in a
//! row), each asking its loader for keys; the batch those keys make must wait until
//! every field of the level has asked, and no longer. DataLoader's own answer is a
//! timer (1 ms by default, and tokio's timer rounds even a zero wait up to its next
//! millisecond tick): paid at every level of a cold query, and still not sure to hold a
//! whole level. So the loaders' wait is zero, on async-io's timer (done at once), and
//! this gate holds the batches instead: one asked for during a poll of the operation
//! is held until the operation pauses, then spawned; one asked for outside it (by
//! another batch, or by the early reads of `graphql::prefetch`) is spawned at once.
//!
//! The operation pauses when, after a poll, the runtime has nothing of it to run again
//! at once. A poll that ran out of its task's cooperative budget (or yielded) asks to
//! be polled again, and has not asked every key of its level yet; tokio wakes such a
//! task from its worker's deferred list, ahead of a task that yields after it. So at
//! the end of a poll the gate spawns a releaser that yields once before it starts the
//! held batches, and does nothing if the operation is being polled again by then (the
//! end of that poll spawns the next).

use std::sync::{Arc, Mutex, PoisonError};

use futures::future::BoxFuture;

/// One request's gate (see the module documentation).
#[derive(Default)]
pub struct Waves {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Polls of the operation under way (0 or 1: a task polls one at a time).
    polling: usize,
    /// Whether a releaser is on its way.
    releasing: bool,
    /// The batches asked for during the operation's polls, not started yet.
    held: Vec<BoxFuture<'static, ()>>,
}

impl Waves {
    /// Starts `batch` now, or once the operation under way pauses.
    pub(super) fn start(&self, batch: BoxFuture<'static, ()>) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.polling > 0 || state.releasing {
            state.held.push(batch);
        } else {
            drop(state);
            tokio::spawn(batch);
        }
    }

    /// `operation`, whose polls hold the batches they ask for until it pauses.
    pub fn around<F: Future>(self: &Arc<Self>, operation: F) -> Waved<F> {
        Waved {
            operation: Box::pin(operation),
            waves: self.clone(),
        }
    }

    /// Starts the held batches unless the operation is being polled.
    fn release(&self) {
        let held = {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            state.releasing = false;
            if state.polling > 0 {
                return;
            }
            std::mem::take(&mut state.held)
        };
        for batch in held {
            tokio::spawn(batch);
        }
    }
}

/// An operation whose polls gate its loaders' batches ([`Waves::around`]).
pub struct Waved<F> {
    operation: std::pin::Pin<Box<F>>,
    waves: Arc<Waves>,
}

impl<F: Future> Future for Waved<F> {
    type Output = F::Output;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<F::Output> {
        let this = &mut *self;
        this.waves
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .polling += 1;
        // Ends the poll however it ends (a panic included).
        let _poll = PollEnds(this.waves.clone());
        this.operation.as_mut().poll(cx)
    }
}

/// The end of a poll of the operation: a releaser is sent for what it held.
struct PollEnds(Arc<Waves>);

impl Drop for PollEnds {
    fn drop(&mut self) {
        {
            let mut state = self.0.state.lock().unwrap_or_else(PoisonError::into_inner);
            state.polling -= 1;
            if state.polling > 0 || state.releasing || state.held.is_empty() {
                return;
            }
            state.releasing = true;
        }
        let waves = self.0.clone();
        tokio::spawn(async move {
            tokio::task::yield_now().await;
            waves.release();
        });
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn batch(started: &Arc<AtomicUsize>) -> BoxFuture<'static, ()> {
        let started = started.clone();
        Box::pin(async move {
            started.fetch_add(1, Ordering::SeqCst);
        })
    }

    async fn until(started: &AtomicUsize, n: usize) {
        while started.load(Ordering::SeqCst) < n {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test]
    async fn a_batch_asked_while_the_operation_runs_starts_once_it_pauses() {
        let waves = Arc::new(Waves::default());
        let started = Arc::new(AtomicUsize::new(0));
        // Asked for during a poll: held while it lasts.
        let (w, s) = (waves.clone(), started.clone());
        let during = waves
            .around(async move {
                w.start(batch(&s));
                w.start(batch(&s));
                (w.state.lock().unwrap().held.len(), s.load(Ordering::SeqCst))
            })
            .await;
        assert_eq!(during, (2, 0));
        until(&started, 2).await;
        // A poll that yields (as one out of cooperative budget does) has not asked
        // every key of its level: what it asked waits for the poll after it.
        let (w, s) = (waves.clone(), started.clone());
        let after_yield = waves
            .around(async move {
                w.start(batch(&s));
                tokio::task::yield_now().await;
                w.start(batch(&s));
                (w.state.lock().unwrap().held.len(), s.load(Ordering::SeqCst))
            })
            .await;
        assert_eq!(after_yield, (2, 2));
        until(&started, 4).await;
        // Outside the operation's polls: spawned at once.
        waves.start(batch(&started));
        until(&started, 5).await;
        assert!(waves.state.lock().unwrap().held.is_empty());
    }
}
