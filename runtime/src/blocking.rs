//! The blocking facade: the async client driven by a private runtime on one background thread.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::thread::JoinHandle;

use tokio::sync::{mpsc, oneshot};

use crate::client::ClientCore;
use crate::error::Error;
use crate::request::Request;
use crate::response::RawResponse;
use crate::items::{BlockingItemStream, EventItem};
use crate::stream::BlockingByteStream;
use serde::de::DeserializeOwned;
use crate::transport::{Decoder, Transport, exchange, open_stream};

type Job = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// The blocking transport: calls wait for their result.
///
/// Each client (and all its clones) owns one named background thread running a current-thread
/// Tokio runtime; calls cross a channel and wait for a one-shot reply. The thread stops when the
/// last clone is dropped. Calling from a thread that runs an async runtime returns
/// [`Error::BlockingInAsyncContext`] instead of blocking that runtime.
#[derive(Clone, Debug)]
pub struct BlockingTransport {
    core: ClientCore,
    worker: Arc<Worker>,
}

#[derive(Debug)]
pub(crate) struct Worker {
    jobs: Option<mpsc::UnboundedSender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    fn start() -> Result<Self, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|_| Error::WorkerStopped)?;
        let (jobs, mut queue) = mpsc::unbounded_channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("specwright-blocking".to_owned())
            .spawn(move || {
                runtime.block_on(async move {
                    while let Some(job) = queue.recv().await {
                        tokio::spawn(job);
                    }
                });
            })
            .map_err(|_| Error::WorkerStopped)?;
        Ok(Self { jobs: Some(jobs), thread: Some(thread) })
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing the queue ends the worker's loop; then wait for the thread to finish, unless
        // this is the worker itself or a thread of some runtime, which must not block.
        self.jobs.take();
        if let Some(thread) = self.thread.take() {
            let on_worker = thread.thread().id() == std::thread::current().id();
            if !on_worker && tokio::runtime::Handle::try_current().is_err() {
                let _ = thread.join();
            }
        }
    }
}

impl Transport for BlockingTransport {
    type Output<T: Send + 'static, E: Send + 'static> = Result<T, Error<E>>;
    type ByteStream = BlockingByteStream;
    type ItemStream<I: DeserializeOwned + Send + 'static> = BlockingItemStream<I>;

    fn from_core(core: ClientCore) -> Result<Self, Error> {
        Ok(Self { core, worker: Arc::new(Worker::start()?) })
    }

    fn core(&self) -> &ClientCore {
        &self.core
    }

    fn with_core(&self, core: ClientCore) -> Self {
        Self { core, worker: self.worker.clone() }
    }

    fn stream<T: Send + 'static, E: Send + 'static>(
        &self,
        request: Request,
        decode: Decoder<T, E>,
    ) -> Self::Output<BlockingByteStream, E> {
        let core = self.core.clone();
        let worker = self.worker.clone();
        self.wait_for(async move {
            let stream = open_stream(core, request, decode).await?;
            Ok(stream.into_blocking(worker))
        })
    }

    fn items<I: DeserializeOwned + Send + 'static, T: Send + 'static, E: Send + 'static>(
        &self,
        request: Request,
        decode: Decoder<T, E>,
        events: EventItem,
    ) -> Self::Output<BlockingItemStream<I>, E> {
        let core = self.core.clone();
        let worker = self.worker.clone();
        self.wait_for(async move {
            let stream = open_stream(core, request, decode).await?;
            let (operation, attempts, limit) = (stream.operation(), stream.attempts(), stream.item_limit());
            Ok(BlockingItemStream::new(operation, attempts, limit, stream.into_blocking(worker), events))
        })
    }

    fn run<T, E, U>(
        &self,
        request: Request,
        decode: Decoder<T, E>,
        finish: fn(RawResponse, T) -> U,
    ) -> Self::Output<U, E>
    where
        T: Send + 'static,
        E: Send + 'static,
        U: Send + 'static,
    {
        self.wait_for(exchange(self.core.clone(), request, decode, finish))
    }
}

impl BlockingTransport {
    /// Stops the background thread and waits for it to end, if this is the last handle on it:
    /// while a clone of the client (or a stream it opened) is alive, the thread goes on and
    /// stops when the last one is dropped. Dropping the client does the same without waiting
    /// from inside an async runtime.
    pub fn close(self) -> Result<(), Error> {
        let Ok(mut worker) = Arc::try_unwrap(self.worker) else { return Ok(()) };
        worker.jobs.take();
        let Some(thread) = worker.thread.take() else { return Ok(()) };
        if tokio::runtime::Handle::try_current().is_ok() {
            // The thread still stops, now that its queue is closed; it is not waited for.
            return Err(Error::BlockingInAsyncContext);
        }
        thread.join().map_err(|_| Error::WorkerStopped)
    }

    /// Runs `call` on the worker and waits for its result.
    fn wait_for<U, E>(&self, call: impl Future<Output = Result<U, Error<E>>> + Send + 'static) -> Result<U, Error<E>>
    where
        U: Send + 'static,
        E: Send + 'static,
    {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::BlockingInAsyncContext);
        }
        let jobs = self.worker.jobs.as_ref().ok_or(Error::WorkerStopped)?;
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::pin(async move {
            let _ = reply.send(call.await);
        });
        jobs.send(job).map_err(|_| Error::WorkerStopped)?;
        answer.blocking_recv().map_err(|_| Error::WorkerStopped)?
    }
}
