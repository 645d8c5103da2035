//! Where business calls go: the built-in demo service, in process (HTTP backends: `http_backend`).
//!
//! A backend answers the payload or a business error; everything else that can go wrong on the
//! way (no backend, refused, timed out, garbage) becomes a provider error of the API's product
//! line here, so the pipeline sees only [`Failure`]s.

use std::sync::Arc;
use std::time::Instant;

use topgate_demo::DemoService;
use topgate_protocol::backend::BackendRequest;
use topgate_protocol::value::Value;

use crate::catalog::{ApiSpec, BackendRef};
use crate::failure::Failure;

/// The backends a gateway can call.
#[derive(Clone, Default)]
pub struct Backends {
    pub demo: Option<Arc<DemoService>>,
}

/// A backend's answer and how long it took.
pub struct Answered {
    pub fields: Vec<(String, Value)>,
    pub backend: String,
    pub latency_ms: f64,
}

impl Backends {
    pub async fn call(
        &self,
        api: &ApiSpec,
        request: BackendRequest,
    ) -> Result<Answered, (Failure, Option<f64>)> {
        let started = Instant::now();
        let elapsed = || started.elapsed().as_secs_f64() * 1000.0;
        match &api.backend {
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
                // A panic in a backend is a gateway fault (code 10), never a dropped connection.
                let answer =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| demo.call(&request)))
                        .map_err(|_| {
                            (
                                Failure::internal(format!(
                                    "the demo backend panicked on {}",
                                    api.name
                                )),
                                Some(elapsed()),
                            )
                        })?;
                match answer {
                    Ok(fields) => Ok(Answered {
                        fields,
                        backend: "demo".into(),
                        latency_ms: elapsed(),
                    }),
                    Err(e) => Err((
                        Failure::business(
                            api.line,
                            e.sub_code,
                            e.sub_msg,
                            "backend",
                            "the backend answered a business error",
                        ),
                        Some(elapsed()),
                    )),
                }
            }
            BackendRef::Http(name) => Err((
                unavailable(api, &format!("HTTP backend {name:?} is not configured")),
                None,
            )),
        }
    }
}

/// The catalog names a backend this gateway does not have: a configuration fault of the
/// gateway (code 10), logged with the reason.
fn unavailable(api: &ApiSpec, why: &str) -> Failure {
    Failure::internal(format!("{}: {why}", api.name))
}
