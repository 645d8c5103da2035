//! The error catalog: every error topgate can answer or a client can receive, in one table.
//!
//! Source: `ERRORS.md` (platform codes, product lines, sub codes, legacy v1 codes, flow control).
//! The gateway, the SDK and the diagnosis all read this module; nothing else in the project
//! spells an error message by hand.

mod business;
mod doc;
mod legacy;
mod platform;

pub use business::*;
pub use doc::*;
pub use legacy::*;
pub use platform::*;

/// A text in the two languages the catalog speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    pub zh: &'static str,
    pub en: &'static str,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.zh,
            Lang::En => self.en,
        }
    }
}

/// Output language for human-readable catalog text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    Zh,
    #[default]
    En,
}

/// Whose fault an error is: who has to act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The calling app (ISV): its parameters, credentials or envelope.
    Caller,
    /// The end user: has not authorised the app.
    User,
    /// The platform's own access layer or policy (quota, blocks, an internal fault).
    Platform,
    /// The business service behind the gateway.
    Provider,
    /// The network between client and server.
    Network,
}

/// How to read an error (PROTOCOL.md section 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    Connection,
    FormatMismatch,
    Platform,
    IsvBusiness,
    Provider,
    FlowControl,
}

impl Fault {
    pub fn as_str(self) -> &'static str {
        match self {
            Fault::Caller => "caller",
            Fault::User => "user",
            Fault::Platform => "platform",
            Fault::Provider => "provider",
            Fault::Network => "network",
        }
    }
}

impl ErrorClass {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::Connection => "connection",
            ErrorClass::FormatMismatch => "format-mismatch",
            ErrorClass::Platform => "platform",
            ErrorClass::IsvBusiness => "isv-business",
            ErrorClass::Provider => "provider",
            ErrorClass::FlowControl => "flow-control",
        }
    }
}
