//! Any query string or form body: the decoder must answer parameters or a typed error, never
//! panic; decoded parameters must sign and echo.
#![no_main]

use libfuzzer_sys::fuzz_target;
use topgate_protocol::params::Params;
use topgate_protocol::sign::{sign, string_to_sign, verify, EmptyValues, SignMethod};

fuzz_target!(|data: &[u8]| {
    if let Ok(params) = Params::from_urlencoded(data) {
        let _ = params.echo();
        let _ = string_to_sign(&params, EmptyValues::Drop, None);
        let s = sign(SignMethod::HmacSha256, "secret", &params, None);
        assert!(verify(SignMethod::HmacSha256, "secret", &params, None, &s));
        let _ = topgate_protocol::time::parse_timestamp(params.timestamp().unwrap_or(""));
    }
});
