//! The TOP wire contract, with no I/O: everything in topgate (gateway, SDK, diagnosis) reads it.
//!
//! - [`params`]: the merged parameter set of a request, system and business parameters.
//! - [`sign`]: the canonical string and the `md5` / `hmac` / `hmac-sha256` signatures.
//! - [`time`]: `timestamp` in GMT+8 or epoch milliseconds, and the skew check.
//! - [`errors`]: the error catalog (platform codes, product lines, sub codes, legacy v1 codes).
//! - [`value`]: the payload tree a success response carries.
//! - [`render`]: success and error bodies in every form (v2/v1 × JSON/XML, simplified JSON).
//! - [`parse`]: any body a client may receive, back into types.

pub mod backend;
pub mod errors;
pub mod params;
pub mod parse;
pub mod render;
pub mod sign;
pub mod time;
pub mod value;

pub use params::{FileParam, Params};
pub use render::{ErrorBody, Format, ResponseForm, Version};
pub use value::Value;
