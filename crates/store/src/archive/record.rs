//! What the gateway knows about one call once it is answered: the evidence (DESIGN.md "The
//! archive"). Filled along the pipeline, handed to the archive and the metrics.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CallRecord {
    pub request_id: String,
    pub received_at_ms: i64,
    pub client_addr: Option<String>,
    pub http_method: String,
    pub app_key: Option<String>,
    pub method: Option<String>,
    pub version: Option<String>,
    pub format: Option<String>,
    pub sign_method: Option<String>,
    /// The parameters as received, sorted; `session` masked, files as name and size.
    pub params: Vec<(String, String)>,
    /// The check that failed (`signature`, `timestamp`, `session`, `backend`, ...).
    pub failed_check: Option<String>,
    /// Why, as the server saw it ("timestamp is 14 minutes behind the server").
    pub check_detail: Option<String>,
    /// On a signature failure: the string the server signed (never the secret).
    pub string_to_sign: Option<String>,
    pub code: Option<i64>,
    pub sub_code: Option<String>,
    /// The response body as sent (bounded by the archive).
    pub response_body: String,
    pub latency_ms: f64,
    pub backend: Option<String>,
    pub backend_latency_ms: Option<f64>,
}

impl CallRecord {
    pub fn is_error(&self) -> bool {
        self.code.is_some()
    }
}
