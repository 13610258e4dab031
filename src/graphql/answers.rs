//! Whole answers, kept briefly: a wallboard asks the same query many times a second, and
//! resolving its hundreds of fields again each time (through loaders and the item cache)
//! costs far more than the vendors' data changes. An answer without errors is kept for
//! `cache.answer_ttl_ms` (1 s, never longer than the shortest item TTL) under the tenant,
//! the query text and its variables, the operation, and the cache's write generation,
//! which every invalidation moves (on every replica, when the cache is in Redis): after
//! any write, no answer from before it is served.
//!
//! Once its TTL is over, an answer is due: it is still served, and the first request to
//! find it so has the next one computed in the background, on the renewal thread at a
//! low priority (a rebuild of hundreds of fields is milliseconds of CPU that would
//! otherwise hold one of the few runtime workers, and every request queued behind it:
//! see [`Answers::renew`]); until that
//! one is kept (at most another TTL) the due one is served. A popular query so never
//! makes its callers wait for a rebuild (stale while revalidate). An answer is never
//! older than its item cache entries plus twice the TTL, and never older than a write.
//!
//! An answer is kept as its serialized JSON, so serving it costs a copy of bytes, not a
//! walk of hundreds of fields. It is kept by hooks of the schema's extension
//! ([`super::pipeline`]), run after the limits and the access checks, so only an operation
//! that passed them is kept; only queries, and only answers without errors. The hooks
//! serve kept answers to every
//! transport; the HTTP edge also looks one up *before* executing (see [`Answers::lookup`]):
//! the same tenant, query text, variables and operation passed every check when the
//! answer was kept (the limits depend on nothing else), and the edge checks the caller
//! may read, the one check that depends on who asks. While the cache store fails,
//! nothing is kept or served.
//!
//! May depend on: `cache` (the write generation), `graphql::context`.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use async_graphql::{
    Response, Value, Variables,
    extensions::ExtensionContext,
    parser::types::{DocumentOperations, ExecutableDocument, OperationType},
};
use bytes::Bytes;

use super::context::RequestContext;
use crate::{
    cache::{Cache, digest},
    config::CacheSettings,
};

/// One kept answer.
#[derive(Debug)]
pub struct Kept {
    /// Its `data`, serialized.
    data: Bytes,
    /// The operation that ran (its name, if it had one), for the metrics.
    pub operation: Option<String>,
    /// When it was kept.
    kept_at: Instant,
    /// Whether a request is computing its successor (it is due).
    renewing: AtomicBool,
}

impl Kept {
    /// Lets the next caller to find this due answer start its renewal (this one's
    /// renewal did not start).
    pub fn renewal_not_started(&self) {
        self.renewing.store(false, Ordering::Release);
    }

    /// The GraphQL response body: `{"data":…}`.
    pub fn body(&self) -> Bytes {
        let mut body = Vec::with_capacity(self.data.len() + 9);
        body.extend_from_slice(b"{\"data\":");
        body.extend_from_slice(&self.data);
        body.push(b'}');
        body.into()
    }
}

/// The answers kept in this process.
pub struct Answers {
    ttl: Duration,
    kept: moka::sync::Cache<String, Arc<Kept>>,
    /// The answers being computed for callers who found none, by key: identical
    /// requests arriving meanwhile wait for that one instead of computing their own (a
    /// wall of screens asking at once costs one execution, and its memory, not one each).
    computing: Mutex<HashMap<String, tokio::sync::watch::Receiver<Option<Shared>>>>,
    /// The renewal thread's queue (see [`Answers::renew`]); `None` if it could not start.
    renewals: std::sync::OnceLock<Option<tokio::sync::mpsc::Sender<RenewalJob>>>,
}

/// What [`Answers::lookup`] found.
pub enum Lookup {
    /// An answer to serve.
    Kept(Arc<Kept>),
    /// A due answer to serve, whose successor the caller starts computing in the
    /// background (a [`Renewal`]).
    Renew(Arc<Kept>),
    /// None: the caller executes the request. While it holds this, identical requests
    /// wait for it (its answer, once kept, is theirs); dropping it releases them.
    Compute(Option<Computing>),
    /// What the identical request computed meanwhile answered, kept or not (a failure
    /// included: waiters share it rather than each asking the vendor again).
    Shared(Shared),
}

/// Marks the execution that computes a due answer's successor in the background: no
/// client waits for it, and it is not counted as a client's request.
#[derive(Debug, Clone, Copy)]
pub struct Renewal;

/// A caller computing an answer others may wait for (see [`Lookup::Compute`]).
pub struct Computing {
    answers: Arc<Answers>,
    key: String,
    done: tokio::sync::watch::Sender<Option<Shared>>,
}

/// An answer as the HTTP edge sends it: whether the request was refused before it ran,
/// and the serialized JSON body.
#[derive(Debug, Clone)]
pub struct Shared {
    /// Refused before it ran (no `data`): a 400 under `application/graphql-response+json`.
    pub request_error: bool,
    /// The JSON body.
    pub body: Bytes,
}

impl Computing {
    /// Hands `answer` (a cheap copy: the bytes are shared) to the identical requests
    /// waiting for this one.
    pub fn share(&self, answer: &Shared) {
        let _ = self.done.send(Some(answer.clone()));
    }
}

impl Drop for Computing {
    fn drop(&mut self) {
        // Dropping the sender (after this) wakes every waiter.
        self.answers
            .computing
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.key);
    }
}

impl Answers {
    /// Answers kept as `settings` say (`answer_ttl_ms` 0: none), never longer than the
    /// shortest item TTL (presence cached 0 s: no answer kept either).
    pub fn new(settings: &CacheSettings) -> Self {
        let shortest_item = [
            settings.directory_ttl_secs,
            settings.presence_ttl_secs,
            settings.reference_ttl_secs,
        ]
        .into_iter()
        .min()
        .unwrap_or(0);
        let ttl = Duration::from_millis(settings.answer_ttl_ms).min(Duration::from_secs(shortest_item));
        let kept = moka::sync::Cache::builder()
            .max_capacity(settings.answer_max_mib.max(1) * 1024 * 1024)
            .weigher(|key: &String, kept: &Arc<Kept>| {
                u32::try_from(key.len() + kept.data.len()).unwrap_or(u32::MAX)
            })
            // Due after `ttl`, served while its successor is computed for another `ttl`.
            .time_to_live(ttl.max(Duration::from_millis(1)) * 2)
            .build();
        Self {
            ttl,
            kept,
            computing: Mutex::default(),
            renewals: std::sync::OnceLock::new(),
        }
    }

    fn enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    /// The answer under `key` if it is not due yet.
    fn fresh(&self, key: &str) -> Option<Arc<Kept>> {
        self.kept
            .get(key)
            .filter(|kept| kept.kept_at.elapsed() < self.ttl)
    }

    /// The answer kept for `tenant`'s request `id`, as the HTTP edge looks it up before
    /// executing (the caller must be allowed to read: see the module documentation).
    /// When there is none and an identical request is being computed, waits for that one
    /// (at most until `deadline`) and serves its answer. Nothing while the cache store
    /// fails. The request then executed carries `id` (see [`AnswerId`]).
    pub async fn lookup(
        self: &Arc<Self>,
        cache: &Cache,
        tenant: &str,
        id: &AnswerId,
        deadline: tokio::time::Instant,
    ) -> Lookup {
        if !self.enabled() {
            return Lookup::Compute(None);
        }
        let Some(generation) = cache.write_generation().await else {
            return Lookup::Compute(None);
        };
        let key = answer_key(tenant, generation, id.operation.as_deref(), &id.digest);
        if let Some(kept) = self.kept.get(&key) {
            if kept.kept_at.elapsed() < self.ttl {
                return Lookup::Kept(kept);
            }
            // Due: served all the same; the first caller to see it so has the next one
            // computed.
            let first = kept
                .renewing
                .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
                .is_ok();
            return if first {
                Lookup::Renew(kept)
            } else {
                Lookup::Kept(kept)
            };
        }
        let waiting = {
            let mut computing = self.computing.lock().unwrap_or_else(PoisonError::into_inner);
            match computing.get(&key) {
                Some(done) => done.clone(),
                None => {
                    let (done, waiting) = tokio::sync::watch::channel(None);
                    computing.insert(key.clone(), waiting);
                    return Lookup::Compute(Some(Computing {
                        answers: self.clone(),
                        key,
                        done,
                    }));
                }
            }
        };
        let mut waiting = waiting;
        // The sender is dropped when the computation ends, however it ends.
        let _ = tokio::time::timeout_at(deadline, waiting.changed()).await;
        if let Some(shared) = waiting.borrow().clone() {
            return Lookup::Shared(shared);
        }
        match self.fresh(&key) {
            Some(kept) => Lookup::Kept(kept),
            // Not kept (it failed, or took too long): computed afresh.
            None => Lookup::Compute(None),
        }
    }
}

/// Renewals waiting for the renewal thread; past this many, a due answer is not
/// renewed (it is computed again on request once it expires).
const RENEWALS_QUEUED: usize = 64;
/// Renewals the renewal thread runs at once (each mostly waits on vendor round trips).
const RENEWALS_RUNNING: usize = 16;

/// A renewal: the execution computing a due answer's successor.
type RenewalJob = futures::future::BoxFuture<'static, ()>;

impl Answers {
    /// Runs `renewal` (the computation of a due answer's successor) on this cache's
    /// renewal thread: one thread, started when first needed and ended with the cache,
    /// at a low scheduling priority (nice 10, on Linux), running up to
    /// [`RENEWALS_RUNNING`] renewals at once. A rebuild of a wallboard is milliseconds of
    /// CPU; at normal priority it competes with the runtime's workers for the cores, and
    /// the requests they are serving meanwhile wait (the tail of the latency). At low
    /// priority it takes the CPU they leave idle. The tasks it spawns (loader batches)
    /// run on the runtime as usual. `false` when it was not started: the queue is full,
    /// or the thread could not start.
    pub fn renew(&self, renewal: impl Future<Output = ()> + Send + 'static) -> bool {
        let queue = self.renewals.get_or_init(|| {
            let (send, receive) = tokio::sync::mpsc::channel(RENEWALS_QUEUED);
            let runtime = tokio::runtime::Handle::current();
            let started = std::thread::Builder::new()
                .name("answer-renewal".into())
                .spawn(move || {
                    lower_priority();
                    runtime.block_on(run_renewals(receive));
                });
            match started {
                Ok(_) => Some(send),
                Err(e) => {
                    tracing::warn!(error = %e, "no answer renewal thread: due answers are computed on request");
                    None
                }
            }
        });
        let Some(queue) = queue else { return false };
        let queued = queue.try_send(Box::pin(renewal)).is_ok();
        if !queued {
            tracing::debug!("answer renewals queue full: a due answer is left to expire");
        }
        queued
    }
}

/// The renewal thread's loop: takes renewals from `queue` while fewer than
/// [`RENEWALS_RUNNING`] run, until the cache is dropped (its sender with it) and the
/// running ones end. A renewal that panics is logged; the others go on.
async fn run_renewals(mut queue: tokio::sync::mpsc::Receiver<RenewalJob>) {
    use futures::{FutureExt as _, StreamExt as _, stream::FuturesUnordered};
    let mut running = FuturesUnordered::new();
    let mut open = true;
    while open || !running.is_empty() {
        tokio::select! {
            job = queue.recv(), if open && running.len() < RENEWALS_RUNNING => match job {
                Some(job) => running.push(std::panic::AssertUnwindSafe(job).catch_unwind()),
                None => open = false,
            },
            Some(done) = running.next(), if !running.is_empty() => {
                if done.is_err() {
                    tracing::error!("an answer renewal panicked; the due answer expires and is computed on request");
                }
            }
        }
    }
}

/// Lowers the calling thread's scheduling priority (Linux: the nice value is a thread's
/// own, and a thread it starts inherits it; the renewal thread starts none). Nothing
/// elsewhere; a failure only leaves the priority as it was.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority on the calling thread's id changes only that thread's nice
    // value; it reads and writes no memory of ours.
    unsafe {
        let _ = libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, 10);
    }
}

/// What a request's answer is kept under, besides the tenant and the write generation:
/// the digest of its query text and variables, and the operation as the client named it
/// (`None` when it named none). The HTTP edge computes it once, looks the answer up by
/// it, and hands it to the execution as request data, so the answer is kept where the
/// edge looks (async-graphql names the operation it runs even when the client did not)
/// and the digest of a large request is not computed twice. Other transports leave it
/// out; the extension then computes its own.
#[derive(Debug, Clone)]
pub struct AnswerId {
    digest: String,
    operation: Option<String>,
}

impl AnswerId {
    /// The id of a request for `query` with `variables`, the JSON text the client sent
    /// (hashed as sent: the same values spelt differently are another request, which
    /// costs a miss, never a wrong answer), and the `operation` it named.
    pub fn new(query: &str, variables: Option<&str>, operation: Option<&str>) -> Self {
        Self {
            digest: digest(&[query.as_bytes(), variables.unwrap_or("{}").as_bytes()]),
            operation: operation.map(str::to_owned),
        }
    }
}

/// The digest of a query text with its variables.
fn document_digest(query: &str, variables: &Variables) -> String {
    digest(&[
        query.as_bytes(),
        &serde_json::to_vec(variables).unwrap_or_default(),
    ])
}

/// Where an answer is kept: the tenant, the write generation, the operation asked for
/// (none when the request named none) and the document's digest.
fn answer_key(tenant: &str, generation: u64, operation: Option<&str>, digest: &str) -> String {
    // `-` for none, `=` before a name: no name and an empty one are different requests.
    let (mark, name) = match operation {
        Some(name) => ('=', name),
        None => ('-', ""),
    };
    format!("{tenant}\u{0}{generation}\u{0}{mark}{name}\u{0}{digest}")
}

/// The parsed document's digest and which of its operations are queries.
struct Document {
    digest: String,
    /// The operation as the HTTP edge keyed it ([`AnswerId`]); `None` without one.
    edge_operation: Option<Option<String>>,
    /// By operation name (`None`: the document's one anonymous operation).
    queries: HashMap<Option<String>, bool>,
    /// The name of the document's only operation, when it has one named operation.
    only_name: Option<String>,
}

/// One request's keeping and serving of answers from [`Answers`]; its hooks are run by
/// [`super::pipeline`].
pub(super) struct ForRequest {
    answers: Arc<Answers>,
    document: Mutex<Option<Document>>,
}

fn queries(document: &ExecutableDocument) -> HashMap<Option<String>, bool> {
    match &document.operations {
        DocumentOperations::Single(op) => HashMap::from([(None, op.node.ty == OperationType::Query)]),
        DocumentOperations::Multiple(ops) => ops
            .iter()
            .map(|(name, op)| (Some(name.to_string()), op.node.ty == OperationType::Query))
            .collect(),
    }
}

impl ForRequest {
    pub(super) fn new(answers: Arc<Answers>) -> Self {
        Self {
            answers,
            document: Mutex::default(),
        }
    }

    /// Notes what the answer's key needs of the parsed document.
    pub(super) fn parsed(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        document: &ExecutableDocument,
    ) {
        if !self.answers.enabled() {
            return;
        }
        let id = ctx.data_opt::<AnswerId>();
        *self.document.lock().unwrap_or_else(PoisonError::into_inner) = Some(Document {
            digest: match id {
                Some(id) => id.digest.clone(),
                None => document_digest(query, variables),
            },
            // The edge's key names the operation as the client did.
            edge_operation: id.map(|id| id.operation.clone()),
            queries: queries(document),
            only_name: match &document.operations {
                DocumentOperations::Multiple(ops) if ops.len() == 1 => {
                    ops.keys().next().map(|n| n.to_string())
                }
                _ => None,
            },
        });
    }

    /// Serves the operation's kept answer, or runs it, `next`, and keeps its answer.
    pub(super) async fn execute<F: Future<Output = Response>>(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: impl FnOnce() -> F,
    ) -> Response {
        let document = self
            .document
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let request = ctx.data_opt::<RequestContext>();
        let (Some(document), Some(request)) = (document, request) else {
            return next().await;
        };
        // The operation that runs: the named one, or the document's only one.
        let is_query = match operation_name {
            Some(name) => document.queries.get(&Some(name.to_owned())).copied(),
            None if document.queries.len() == 1 => document.queries.values().next().copied(),
            None => None,
        };
        if is_query != Some(true) {
            return next().await;
        }
        let Some(generation) = request.cache.write_generation().await else {
            return next().await;
        };
        let keyed_as = match &document.edge_operation {
            Some(operation) => operation.as_deref(),
            None => operation_name,
        };
        let key = answer_key(&request.tenant.id, generation, keyed_as, &document.digest);
        if let Some(kept) = self.answers.fresh(&key)
            && let Ok(data) = serde_json::from_slice::<Value>(&kept.data)
        {
            return Response::new(data);
        }
        let response = next().await;
        // Only a plain answer: no errors, nothing in `extensions`, nothing for the HTTP
        // layer beyond the data.
        if response.errors.is_empty()
            && response.extensions.is_empty()
            && response.http_headers.is_empty()
            && let Ok(data) = serde_json::to_vec(&response.data)
        {
            let operation = operation_name
                .map(str::to_owned)
                .or_else(|| document.only_name.clone());
            let kept = Kept {
                data: data.into(),
                operation,
                kept_at: Instant::now(),
                renewing: AtomicBool::new(false),
            };
            self.answers.kept.insert(key, Arc::new(kept));
        }
        response
    }
}
