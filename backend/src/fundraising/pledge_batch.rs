//! Pledges on PostgreSQL, written in batches: group commit in the application.
//!
//! Every pledge arriving while earlier ones are being written joins the next batch, and a
//! batch is one statement — the campaign and project checks, the pledges with their
//! idempotency keys, the donors and the running totals are data-modifying parts
//! of one `WITH` query over the batch's rows — committed once. Each request still gets its
//! answer only after its pledge is committed, so nothing is lost on a crash; what is
//! shared is the round trip, the plan and the commit's flush, which are what a pledge
//! waited on. Under light load a batch is one pledge.
//!
//! A batch's pledges all count in one slot of the running totals, and batches written at
//! the same time take different slots, so they do not wait on each other's rows; the
//! totals are locked in key order, so they cannot deadlock with payments either.
//!
//! Each of the writers keeps its own connection for as long as it works, taken out of the
//! pool for good: a connection borrowed for every batch would cost a round trip more each
//! time (the pool checks a connection with the database when it is given back), and the
//! writer's connection runs the statement by its generic plan. Left to choose, PostgreSQL
//! plans a prepared statement afresh for its first five runs and keeps doing so whenever
//! it guesses that pays; for this statement, planning costs more than running (a batch of
//! one by pgbench -M prepared: 1.12 ms planned each time, 0.42 ms by the generic plan).
//!
//! The generic path in `pledges` does the same in a transaction and is what SQLite runs;
//! the black-box tests run both.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use sea_orm::DatabaseConnection;
use sea_orm::sqlx::postgres::{PgConnection, PgPool};
use sea_orm::sqlx::{self, Connection as _};
use tokio::sync::{Mutex, mpsc, oneshot, watch};

use super::pledge_keys;
use super::pledge_statement::{self as statement, Answer, BatchSize};
use super::pledges::{Draft, PledgeCreated, campaign_not_open, unknown_project};
use super::totals::SLOTS;
use crate::error::{AppError, AppResult};
use crate::idempotency::Outcome;
use crate::personal_data::Vault;

/// Batches written at the same time, each by a writer with its own connection: two, so
/// that one gathers pledges while the other commits; more would only make smaller
/// batches, each paying the statement's fixed cost.
const WRITERS: usize = 2;
/// A batch gathered while another writer is writing waits until it holds as many pledges
/// as that one, but never for more than this many.
const BUSY_BATCH: usize = 8;

/// A pledge waiting for its batch.
struct Job {
    draft: Draft,
    /// The pledge as the batch's JSON row.
    row: String,
    reply: oneshot::Sender<AppResult<Outcome<PledgeCreated>>>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("pledge", &self.draft.pledge.id)
            .finish()
    }
}

/// The pledges waiting, shared by the writers: whichever writer is free takes the next
/// batch from it.
struct Queue {
    receiver: mpsc::Receiver<Job>,
    /// Pledges held back because their idempotency key was already in a batch.
    held: VecDeque<Job>,
}

/// What every writer shares.
struct Shared {
    queue: Mutex<Queue>,
    pool: PgPool,
    db: DatabaseConnection,
    /// Opens the tokens kept with idempotency keys, for the answers to retries.
    vault: Arc<Vault>,
    /// Batches begun, for the totals slot of the next one.
    rounds: AtomicUsize,
    /// How many pledges the batches being written hold: none once no writer is writing.
    writing: watch::Sender<usize>,
}

/// The handle requests give their pledges to.
#[derive(Debug, Clone)]
pub struct PledgeWriter {
    sender: mpsc::Sender<Job>,
    /// Set when the server stops: the writers end and close their connections.
    stop: Arc<watch::Sender<bool>>,
}

impl PledgeWriter {
    /// Starts the writers on the runtime it is called from; `db` must be PostgreSQL.
    pub fn start(db: DatabaseConnection, vault: Arc<Vault>) -> Self {
        let (sender, receiver) = mpsc::channel(4 * statement::MAX_BATCH * WRITERS);
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue {
                receiver,
                held: VecDeque::new(),
            }),
            pool: db.get_postgres_connection_pool().clone(),
            db,
            vault,
            rounds: AtomicUsize::new(0),
            writing: watch::Sender::new(0),
        });
        let (stop, stopped) = watch::channel(false);
        for _ in 0..WRITERS {
            tokio::spawn(writer(shared.clone(), stopped.clone()));
        }
        Self {
            sender,
            stop: Arc::new(stop),
        }
    }

    /// Ends the writers once they have no batch in hand, so that the pool can close: for
    /// the end of a graceful shutdown, when no request is waiting for its pledge any more.
    pub fn stop(&self) {
        self.stop.send_replace(true);
    }

    /// Writes the pledge with the next batch and answers once it is committed.
    pub(super) async fn write(&self, draft: Draft) -> AppResult<Outcome<PledgeCreated>> {
        let row = statement::encode(&draft)?;
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(Job { draft, row, reply })
            .await
            .map_err(|_| AppError::internal("the pledge writer has stopped"))?;
        answer
            .await
            .map_err(|_| AppError::internal("the pledge writer dropped a pledge"))?
    }
}

/// One writer: takes a batch, writes it on its own connection, answers, and again, until
/// the server stops. A connection that failed other than by the database's refusal is
/// dropped and a new one taken.
async fn writer(shared: Arc<Shared>, mut stopped: watch::Receiver<bool>) {
    let mut connection: Option<PgConnection> = None;
    while let Some(batch) = next_batch(&shared, &mut stopped).await {
        let size = batch.len();
        shared.writing.send_modify(|n| *n += size);
        metrics::histogram!("pledge_batch_size").record(size as f64);
        let round = shared.rounds.fetch_add(1, Ordering::Relaxed);
        let slot = i16::try_from(round % SLOTS as usize).unwrap_or_default();
        let conn = match connection.take() {
            Some(conn) => Ok(conn),
            None => connect(&shared.pool).await,
        };
        match conn {
            Ok(mut conn) => {
                let started = std::time::Instant::now();
                let fit = write_batch(&mut conn, &shared, batch, slot).await;
                metrics::histogram!("pledge_batch_seconds").record(started.elapsed().as_secs_f64());
                if fit {
                    connection = Some(conn);
                }
            }
            Err(error) => fail(batch, &error),
        }
        shared.writing.send_modify(|n| *n -= size);
    }
    if let Some(conn) = connection {
        conn.close().await.ok();
    }
}

/// A connection of the writer's own: out of the pool, set to run statements by their
/// generic plans.
async fn connect(pool: &PgPool) -> Result<PgConnection, sqlx::Error> {
    let mut conn = pool.acquire().await?.detach();
    sqlx::query("SET plan_cache_mode = force_generic_plan")
        .execute(&mut conn)
        .await?;
    Ok(conn)
}

/// The next batch: pledges held back last time first, each key once a batch, then what
/// has arrived, waiting for one if there is none. While another writer is writing, it
/// waits for more until it holds as many as that writer's batch (`busy_target`): a
/// batch's fixed cost (its plan, its commit) is most of a small batch's, and the other
/// writer will soon be free. `None` once the server stops.
async fn next_batch(shared: &Shared, stopped: &mut watch::Receiver<bool>) -> Option<Vec<Job>> {
    let mut queue = tokio::select! {
        queue = shared.queue.lock() => queue,
        _ = stopped.wait_for(|stop| *stop) => return None,
    };
    let queue = &mut *queue;
    let mut batch = Batch::default();
    for job in std::mem::take(&mut queue.held) {
        batch.join(job, &mut queue.held);
    }
    if batch.jobs.is_empty() {
        let job = tokio::select! {
            job = queue.receiver.recv() => job?,
            _ = stopped.wait_for(|stop| *stop) => return None,
        };
        batch.join(job, &mut queue.held);
    }
    let mut writing = shared.writing.subscribe();
    while !batch.is_full() {
        let job = match queue.receiver.try_recv() {
            Ok(job) => job,
            Err(_) if batch.jobs.len() >= busy_target(shared) => break,
            Err(_) => tokio::select! {
                job = queue.receiver.recv() => match job {
                    Some(job) => job,
                    None => break,
                },
                _ = writing.wait_for(|n| *n == 0) => break,
                _ = stopped.wait_for(|stop| *stop) => break,
            },
        };
        batch.join(job, &mut queue.held);
    }
    Some(batch.jobs)
}

/// A batch being gathered.
#[derive(Default)]
struct Batch {
    jobs: Vec<Job>,
    /// Its size so far: pledges, their rows' bytes, and their idempotency keys (one
    /// pledge per key).
    size: BatchSize,
}

impl Batch {
    fn is_full(&self) -> bool {
        self.size.is_full()
    }

    /// Takes `job`, or holds it back for a later batch if this one is full or holds its
    /// key already.
    fn join(&mut self, job: Job, held: &mut VecDeque<Job>) {
        let key = job.draft.pledge.idempotency_key.as_deref();
        if self.size.admits(job.row.len(), key) {
            self.jobs.push(job);
        } else {
            held.push_back(job);
        }
    }
}

/// Writes a batch and answers each of its pledges; whether the connection is still fit
/// for the next batch. If the batch fails as a whole for any reason but a reference-code
/// clash, each pledge is tried alone, so that one bad pledge cannot fail the others.
async fn write_batch(
    conn: &mut PgConnection,
    shared: &Shared,
    mut batch: Vec<Job>,
    slot: i16,
) -> bool {
    let error = match attempt_with_fresh_codes(conn, &mut batch, slot).await {
        Ok(answers) => {
            conclude(shared, batch, answers).await;
            return true;
        }
        Err(error) => error,
    };
    if batch.len() == 1 || !refused(&error) {
        fail(batch, &error);
        return refused(&error);
    }
    for job in batch {
        let mut single = vec![job];
        match attempt_with_fresh_codes(conn, &mut single, slot).await {
            Ok(answers) => conclude(shared, single, answers).await,
            Err(error) => {
                fail(single, &error);
                if !refused(&error) {
                    return false;
                }
            }
        }
    }
    true
}

/// Whether the database refused the statement and the connection is fine, rather than
/// the connection failing: an error of the connection (class 08) or an operator's
/// intervention such as a shutdown or `pg_terminate_backend` (class 57) ends it.
fn refused(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(e) => !e
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57")),
        _ => false,
    }
}

fn fail(batch: Vec<Job>, error: &sqlx::Error) {
    for job in batch {
        let _ = job.reply.send(Err(AppError::internal(error.to_string())));
    }
}

async fn attempt_with_fresh_codes(
    conn: &mut PgConnection,
    batch: &mut [Job],
    slot: i16,
) -> Result<Vec<Answer>, sqlx::Error> {
    let mut last = None;
    for _ in 0..5 {
        let rows: Vec<&str> = batch.iter().map(|job| job.row.as_str()).collect();
        match statement::run(conn, &rows, slot).await {
            Err(error) if is_reference_clash(&error) => {
                for job in batch.iter_mut() {
                    job.draft.draw_code();
                    job.row = statement::encode(&job.draft)
                        .map_err(|e| sqlx::Error::Encode(e.to_string().into()))?;
                }
                last = Some(error);
            }
            other => return other,
        }
    }
    Err(last.unwrap_or_else(|| sqlx::Error::Protocol("no free reference code".into())))
}

async fn conclude(shared: &Shared, batch: Vec<Job>, answers: Vec<Answer>) {
    for job in batch {
        let answer = answers.iter().find(|a| a.pledge_id == job.draft.pledge.id);
        let outcome = match answer {
            Some(answer) => outcome(shared, &job, answer).await,
            None => Err(AppError::internal("the pledge batch lost a row")),
        };
        let _ = job.reply.send(outcome);
    }
}

async fn outcome(shared: &Shared, job: &Job, answer: &Answer) -> AppResult<Outcome<PledgeCreated>> {
    if answer.made {
        return Ok(Outcome::Fresh(job.draft.created()));
    }
    // Not made: a pledge made with its key before gives the answer, even if the campaign
    // has closed since (as on SQLite, where the key is looked up first).
    if let Some(first) = pledge_keys::first_answer(&shared.db, &shared.vault, &job.draft).await? {
        return Ok(Outcome::Replayed(first));
    }
    match answer.campaign_status.as_deref() {
        None => return Err(AppError::field("campaign_id", "募捐活动不存在")),
        Some("open") => {}
        Some(_) => return Err(campaign_not_open()),
    }
    if answer.project_known != Some(true) {
        return Err(unknown_project());
    }
    Err(AppError::internal("the pledge batch made nothing"))
}

/// A clash on the pledges' unique reference code (the only unique index the statement
/// can hit without an `ON CONFLICT`).
fn is_reference_clash(error: &sqlx::Error) -> bool {
    error.as_database_error().is_some_and(|e| {
        e.is_unique_violation() && e.constraint() == Some("pledges_reference_code_key")
    })
}

/// How many pledges a batch gathered while another is being written waits for: as many
/// as that batch holds, up to `BUSY_BATCH`. A batch as large as the one in flight pays no
/// more per pledge, and by starting now it overlaps the other's commit instead of
/// queueing behind it.
fn busy_target(shared: &Shared) -> usize {
    shared.writing.borrow().clamp(1, BUSY_BATCH)
}
