//! Any bytes a client may receive: the parser must answer a typed result or a typed error,
//! never panic. Whatever parses as a TOP response must render and parse again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use topgate_protocol::parse::{parse, sniff, Outcome};
use topgate_protocol::render::{render_error, render_success, Format, ResponseForm, Version};

fuzz_target!(|data: &[u8]| {
    let _ = sniff(data);
    if let Ok(response) = parse(data) {
        for form in [
            ResponseForm::new(Format::Json, Version::V2, false),
            ResponseForm::new(Format::Xml, Version::V2, false),
            ResponseForm::new(Format::Json, Version::V1, false),
        ] {
            let body = match &response.outcome {
                Outcome::Success(s) => render_success(form, "taobao.fuzz.get", &s.fields, "fuzz"),
                Outcome::Error(e) => render_error(form, e),
            };
            parse(&body).expect("rendered bodies parse");
        }
    }
});
