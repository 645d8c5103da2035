//! A blocking wrapper around [`Client`], for programs without an async runtime.

use crate::client::Client;
use crate::prepare::PreparedRequest;
use crate::{Error, Request, Success};

/// [`Client`] for synchronous code: owns a current-thread tokio runtime and blocks on each call.
///
/// Do not use it from inside an async runtime (blocking there panics); use [`Client`] there.
#[derive(Debug)]
pub struct BlockingClient {
    client: Client,
    runtime: tokio::runtime::Runtime,
}

impl BlockingClient {
    /// Wraps an async client.
    pub fn new(client: Client) -> Result<Self, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Usage {
                message: format!("could not start a runtime: {e}"),
            })?;
        Ok(BlockingClient { client, runtime })
    }

    /// See [`Client::call`].
    pub fn call(&self, request: Request) -> Result<Success, Error> {
        self.runtime.block_on(self.client.call(request))
    }

    /// See [`Client::prepare`].
    pub fn prepare(&self, request: &Request) -> Result<PreparedRequest, Error> {
        self.client.prepare(request)
    }

    /// The async client inside.
    pub fn client(&self) -> &Client {
        &self.client
    }
}
