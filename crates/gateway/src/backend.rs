//! Where business calls go: the built-in demo service, in process, or an HTTP backend
//! ([`crate::http_backend`], `docs/backend-protocol.md`).
//!
//! A backend answers the payload or a business error; everything else that can go wrong on the
//! way (no backend, refused, timed out, garbage) becomes a provider error of the API's product
//! line here, so the pipeline sees only [`Failure`]s.

// A `Failure` is the cold path and carries what the archive needs; boxing it would buy nothing.
#![allow(clippy::result_large_err)]

use std::sync::Arc;
use std::time::Instant;

use topgate_demo::DemoService;
use topgate_protocol::backend::{BackendRequest, BackendResult};
use topgate_protocol::value::Value;

use crate::catalog::{ApiSpec, BackendRef, Catalog};
use crate::failure::Failure;
use crate::http_backend::HttpBackends;

/// The backends a gateway can call.
#[derive(Clone, Default)]
pub struct Backends {
    pub demo: Option<Arc<DemoService>>,
    /// The connection pools of the catalog's HTTP backends, made on first use.
    pub http: Arc<HttpBackends>,
}

/// A backend's answer and how long it took.
pub struct Answered {
    pub fields: Vec<(String, Value)>,
    pub backend: String,
    pub latency_ms: f64,
}

impl Backends {
    /// Calls `api`'s backend as `catalog` (the version the request has seen throughout)
    /// declares it, within the API's timeout. On failure, the backend's latency when it was
    /// reached.
    pub async fn call(
        &self,
        catalog: &Catalog,
        api: &ApiSpec,
        request: BackendRequest,
    ) -> Result<Answered, (Failure, Option<f64>)> {
        let started = Instant::now();
        let elapsed = || started.elapsed().as_secs_f64() * 1000.0;
        let answer = match &api.backend {
            BackendRef::Demo => {
                let Some(demo) = &self.demo else {
                    return Err((
                        unavailable(
                            api,
                            "the built-in demo backend is not enabled (start with --demo)",
                        ),
                        None,
                    ));
                };
                call_demo(demo, api, &request).map_err(|f| (f, Some(elapsed())))?
            }
            BackendRef::Http(name) => {
                let Some(spec) = catalog.backends.get(name) else {
                    return Err((
                        unavailable(api, &format!("HTTP backend {name:?} is not configured")),
                        None,
                    ));
                };
                self.http
                    .call(spec, api.line, catalog.timeout_for(api), &request)
                    .await
                    .map_err(|f| (f, Some(elapsed())))?
            }
        };
        match answer {
            Ok(fields) => Ok(Answered {
                fields,
                backend: api.backend.name().to_owned(),
                latency_ms: elapsed(),
            }),
            Err(e) => Err((
                Failure::business(
                    api.line,
                    e.sub_code,
                    e.sub_msg,
                    "backend",
                    format!("backend {} answered a business error", api.backend.name()),
                ),
                Some(elapsed()),
            )),
        }
    }
}

/// The demo service, in process. A panic in it is a gateway fault (code 10), never a dropped
/// connection.
fn call_demo(
    demo: &DemoService,
    api: &ApiSpec,
    request: &BackendRequest,
) -> Result<BackendResult, Failure> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| demo.call(request)))
        .map_err(|_| Failure::internal(format!("the demo backend panicked on {}", api.name)))
}

/// The catalog names a backend this gateway does not have: a configuration fault of the
/// gateway (code 10), logged with the reason.
fn unavailable(api: &ApiSpec, why: &str) -> Failure {
    Failure::internal(format!("{}: {why}", api.name))
}
