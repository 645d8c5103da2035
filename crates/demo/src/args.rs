//! Reading business parameters defensively, and the business errors the service answers.
//!
//! The gateway has checked the catalog's constraints already; these checks repeat what the
//! service relies on, so that no input (junk numbers, huge values, a missing session) can make
//! it panic or answer nonsense.

use topgate_protocol::backend::{BackendRequest, BackendUser, BusinessError};

use crate::select::Fields;

pub type Res<T> = Result<T, BusinessError>;

pub fn missing(name: &str) -> BusinessError {
    BusinessError::new("isv.missing-parameter", format!("缺少必选参数{name}"))
}

pub fn invalid(msg: impl Into<String>) -> BusinessError {
    BusinessError::new("isv.invalid-parameter", msg)
}

pub fn no_permission(msg: &str) -> BusinessError {
    BusinessError::new("isv.invalid-permission", msg)
}

pub fn item_not_exist() -> BusinessError {
    BusinessError::new("isv.item-not-exist", "商品不存在")
}

/// A parameter's value, trimmed; empty counts as absent.
pub fn text<'a>(req: &'a BackendRequest, name: &str) -> Option<&'a str> {
    req.param(name).map(str::trim).filter(|v| !v.is_empty())
}

/// `fields`, required by every API that returns records.
pub fn fields(req: &BackendRequest) -> Res<Fields> {
    text(req, "fields")
        .map(Fields::parse)
        .ok_or_else(|| missing("fields"))
}

/// A positive integer id (`num_iid`, `tid`, `refund_id`).
pub fn parse_id(name: &str, value: &str) -> Res<i64> {
    match value.trim().parse::<i64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(invalid(format!("{name}必须是正整数"))),
    }
}

/// An optional positive integer id parameter.
pub fn opt_id(req: &BackendRequest, name: &str) -> Res<Option<i64>> {
    text(req, name).map(|v| parse_id(name, v)).transpose()
}

/// A required positive integer id parameter.
pub fn id(req: &BackendRequest, name: &str) -> Res<i64> {
    opt_id(req, name)?.ok_or_else(|| missing(name))
}

/// An optional integer within `min..=max`.
pub fn int_in(req: &BackendRequest, name: &str, min: i64, max: i64) -> Res<Option<i64>> {
    let Some(v) = text(req, name) else {
        return Ok(None);
    };
    match v.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ if max == i64::MAX => Err(invalid(format!("{name}必须是不小于{min}的整数"))),
        _ => Err(invalid(format!("{name}必须是{min}到{max}之间的整数"))),
    }
}

/// An optional boolean (`true`/`false`, any case).
pub fn boolean(req: &BackendRequest, name: &str) -> Res<Option<bool>> {
    match text(req, name) {
        None => Ok(None),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(_) => Err(invalid(format!("{name}必须是true或false"))),
    }
}

/// A comma-separated list, trimmed, empty entries dropped.
pub fn list<'a>(req: &'a BackendRequest, name: &str) -> Vec<&'a str> {
    text(req, name)
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect()
}

/// `values` without repeats, first occurrence kept.
pub fn dedup<T: PartialEq>(values: Vec<T>) -> Vec<T> {
    let mut out = Vec::with_capacity(values.len());
    for v in values {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// The session's user, for APIs that act on behalf of one.
pub fn session_user(req: &BackendRequest) -> Res<&BackendUser> {
    req.user.as_ref().ok_or_else(|| {
        BusinessError::new(
            "isv.missing-parameter",
            "缺少session：该API需要用户授权后调用",
        )
    })
}

/// Page `page_no` of `page_size` (default `default_size`, at most `max_size`) over `total`
/// records: the index range to return.
pub fn page(
    req: &BackendRequest,
    total: usize,
    default_size: i64,
    max_size: i64,
) -> Res<std::ops::Range<usize>> {
    let page_no = int_in(req, "page_no", 1, i64::MAX)?.unwrap_or(1);
    let page_size = int_in(req, "page_size", 1, max_size)?.unwrap_or(default_size);
    let start = (page_no - 1)
        .checked_mul(page_size)
        .and_then(|s| usize::try_from(s).ok())
        .unwrap_or(usize::MAX)
        .min(total);
    let end = start.saturating_add(page_size as usize).min(total);
    Ok(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(params: &[(&str, &str)]) -> BackendRequest {
        let mut params: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        params.sort();
        BackendRequest {
            method: "m".into(),
            params,
            files: vec![],
            app_key: "k".into(),
            user: None,
            request_id: "r".into(),
        }
    }

    #[test]
    fn paging_never_overflows() {
        assert_eq!(page(&req(&[]), 47, 40, 200), Ok(0..40));
        assert_eq!(page(&req(&[("page_no", "2")]), 47, 40, 200), Ok(40..47));
        let huge = req(&[("page_no", "9223372036854775807"), ("page_size", "200")]);
        assert_eq!(page(&huge, 47, 40, 200), Ok(47..47));
        assert!(page(&req(&[("page_size", "-1")]), 47, 40, 200).is_err());
        assert!(page(&req(&[("page_size", "201")]), 47, 40, 200).is_err());
        assert!(page(&req(&[("page_no", "0")]), 47, 40, 200).is_err());
    }

    #[test]
    fn ids_and_lists() {
        assert_eq!(parse_id("num_iid", " 7 "), Ok(7));
        assert!(parse_id("num_iid", "abc").is_err());
        assert!(parse_id("num_iid", "0").is_err());
        assert!(parse_id("num_iid", "99999999999999999999").is_err());
        let r = req(&[("nicks", "a, b,,a ")]);
        assert_eq!(list(&r, "nicks"), vec!["a", "b", "a"]);
        assert_eq!(dedup(list(&r, "nicks")), vec!["a", "b"]);
    }
}
