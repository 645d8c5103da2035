//! Pipeline step 7: a request's business parameters against the API's catalog entry.
//!
//! Parameters are checked in declaration order, then the rules; the first failure wins. For one
//! parameter: presence (40), then its value or each list item (41), then the list size (a
//! business error), then a file's size (3). Parameters the catalog does not declare are ignored,
//! as TOP does. An empty text value counts as absent. List items are split on `,`, trimmed, and
//! empty items dropped (`1, 2,` is two items).

use topgate_protocol::backend::BusinessError;
use topgate_protocol::errors::{PlatformError, SubCode};
use topgate_protocol::Params;

use super::model::{ApiSpec, Bound, ParamSpec, ParamType, Rule};

/// Why a request's business parameters were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamFailure {
    /// Platform code 40, `Missing required arguments:<name>`.
    #[error("missing required parameter {name}")]
    Missing { name: String },
    /// Platform code 41, `Invalid arguments:<name>`; `reason` is the sub_msg.
    #[error("invalid parameter {name}: {reason}")]
    Invalid { name: String, reason: String },
    /// A business error of the API's product line (code = the line's code).
    #[error("{sub_code}: {sub_msg}")]
    Business { sub_code: String, sub_msg: String },
    /// Platform code 3, `Upload Fail`.
    #[error("file {name} is {size} bytes, over its limit of {max}")]
    FileTooLarge { name: String, size: u64, max: u64 },
}

impl ParamFailure {
    /// The platform error this failure answers with; `None` for a business error.
    pub fn platform_error(&self) -> Option<PlatformError> {
        match self {
            ParamFailure::Missing { .. } => Some(PlatformError::MissingRequiredArguments),
            ParamFailure::Invalid { .. } => Some(PlatformError::InvalidArguments),
            ParamFailure::FileTooLarge { .. } => Some(PlatformError::UploadFail),
            ParamFailure::Business { .. } => None,
        }
    }

    /// The business error, for [`ParamFailure::Business`].
    pub fn business_error(&self) -> Option<BusinessError> {
        match self {
            ParamFailure::Business { sub_code, sub_msg } => {
                Some(BusinessError::new(sub_code.clone(), sub_msg.clone()))
            }
            _ => None,
        }
    }

    fn business(code: SubCode, sub_msg: impl Into<String>) -> Self {
        ParamFailure::Business {
            sub_code: code.as_string(),
            sub_msg: sub_msg.into(),
        }
    }
}

/// Checks `params` against `api`: `Ok` when the call may go to the backend.
pub fn validate(api: &ApiSpec, params: &Params) -> Result<(), ParamFailure> {
    for spec in &api.params {
        check_param(spec, params)?;
    }
    for rule in &api.rules {
        check_rule(rule, params)?;
    }
    Ok(())
}

fn present(params: &Params, name: &str) -> bool {
    params.non_empty(name).is_some() || params.file(name).is_some()
}

/// The items of a list value: split on commas, trimmed, empty ones dropped.
pub fn list_items(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim).filter(|s| !s.is_empty())
}

fn check_param(spec: &ParamSpec, params: &Params) -> Result<(), ParamFailure> {
    let name = &spec.name;
    let invalid = |reason: String| ParamFailure::Invalid {
        name: name.clone(),
        reason,
    };
    let missing = || ParamFailure::Missing { name: name.clone() };
    if spec.kind == ParamType::File {
        return match params.file(name) {
            Some(file) => {
                let size = file.data.len() as u64;
                match spec.max_size {
                    Some(max) if size > max => Err(ParamFailure::FileTooLarge {
                        name: name.clone(),
                        size,
                        max,
                    }),
                    _ => Ok(()),
                }
            }
            None if params.non_empty(name).is_some() => {
                Err(invalid("must be a file upload".into()))
            }
            None if spec.required => Err(missing()),
            None => Ok(()),
        };
    }
    if params.file(name).is_some() {
        return Err(invalid("must be a text value, not a file upload".into()));
    }
    let Some(value) = params.non_empty(name) else {
        return if spec.required {
            Err(missing())
        } else {
            Ok(())
        };
    };
    if !spec.list {
        return check_value(spec, value).map_err(invalid);
    }
    let mut count = 0;
    for (i, item) in list_items(value).enumerate() {
        check_value(spec, item).map_err(|reason| invalid(format!("item {} {reason}", i + 1)))?;
        count += 1;
    }
    match spec.max_items {
        _ if count == 0 && spec.required => Err(missing()),
        Some(max) if count > max => Err(ParamFailure::business(
            SubCode::InvalidParameter,
            format!("{name}不能超过{max}个"),
        )),
        _ => Ok(()),
    }
}

/// Checks one value (or one list item) against the parameter's type and constraints.
fn check_value(spec: &ParamSpec, value: &str) -> Result<(), String> {
    match spec.kind {
        ParamType::String => {}
        ParamType::Number => {
            let n = parse_number(value).ok_or("must be a number")?;
            if let Some(min) = spec.min.filter(|&min| less(n, min)) {
                return Err(format!("must be at least {min}"));
            }
            if let Some(max) = spec.max.filter(|&max| less(max, n)) {
                return Err(format!("must be at most {max}"));
            }
        }
        ParamType::Boolean => {
            if !value.eq_ignore_ascii_case("true") && !value.eq_ignore_ascii_case("false") {
                return Err("must be true or false".into());
            }
        }
        ParamType::Date => {
            if !is_date(value) {
                return Err("must be yyyy-MM-dd HH:mm:ss or yyyy-MM-dd".into());
            }
        }
        ParamType::Json => {
            if serde_json::from_str::<serde::de::IgnoredAny>(value).is_err() {
                return Err("must be valid JSON".into());
            }
        }
        ParamType::File => return Err("must be a file upload".into()),
    }
    let chars = || value.chars().count();
    if let Some(min) = spec.min_length.filter(|&min| chars() < min) {
        return Err(format!("must be at least {min} characters long"));
    }
    if let Some(max) = spec.max_length.filter(|&max| chars() > max) {
        return Err(format!("must be at most {max} characters long"));
    }
    if !spec.allowed.is_empty() && !spec.allowed.iter().any(|a| a == value) {
        return Err(format!("must be one of {}", spec.allowed.join(", ")));
    }
    Ok(())
}

/// `a < b`, exactly for two integers, as f64 otherwise.
fn less(a: Bound, b: Bound) -> bool {
    match (a, b) {
        (Bound::Int(a), Bound::Int(b)) => a < b,
        _ => a.as_f64() < b.as_f64(),
    }
}

/// `-?[0-9]+(\.[0-9]+)?`: an i64 when it fits and has no fraction, else an f64.
fn parse_number(s: &str) -> Option<Bound> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || frac.is_some_and(|f| !all_digits(f)) {
        return None;
    }
    match (frac, s.parse::<i64>()) {
        (None, Ok(i)) => Some(Bound::Int(i)),
        _ => s.parse::<f64>().ok().map(Bound::Float),
    }
}

/// `yyyy-MM-dd HH:mm:ss` or `yyyy-MM-dd`, a real calendar date and time of day.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(r)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let date_ok = |y: u32, m: u32, d: u32| {
        let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
        let days = match m {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return false,
        };
        (1..=days).contains(&d)
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' || !date_ok(y, m, d) {
        return false;
    }
    match b.len() {
        10 => true,
        19 if b[10] == b' ' && b[13] == b':' && b[16] == b':' => {
            matches!((num(11..13), num(14..16), num(17..19)), (Some(h), Some(mi), Some(sec)) if h < 24 && mi < 60 && sec < 60)
        }
        _ => false,
    }
}

fn check_rule(rule: &Rule, params: &Params) -> Result<(), ParamFailure> {
    match rule {
        Rule::AtLeastOneOf {
            params: names,
            message,
        } => {
            if names.iter().any(|n| present(params, n)) {
                Ok(())
            } else {
                Err(ParamFailure::business(
                    SubCode::MissingParameter,
                    message.clone(),
                ))
            }
        }
        Rule::SameLength {
            params: names,
            message,
        } => {
            let mut counts = names
                .iter()
                .filter_map(|n| params.non_empty(n))
                .map(|v| list_items(v).count());
            let first = counts.next();
            if counts.any(|c| Some(c) != first) {
                Err(ParamFailure::business(
                    SubCode::ParametersMismatch,
                    message.clone(),
                ))
            } else {
                Ok(())
            }
        }
    }
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
