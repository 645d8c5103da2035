//! Legacy v1 business codes (ERRORS.md section 3, from the legacy official table).
//!
//! v1 has no sub codes: the code itself is specific, and `msg` is the English name, a colon and
//! the detail (`Item service unavailable:获取单个商品失败`).
//!
//! A v2 business error (product line + sub code) becomes a v1 code by [`legacy_for`]:
//!
//! | v2 sub code (prefixed or bare) | v1 code |
//! |---|---|
//! | `isv.missing-parameter` | 505 |
//! | `isv.invalid-parameter` | 506 |
//! | `isv.parameters-mismatch` | 507 |
//! | `isv.invalid-permission` | 508; 654 on the refund line |
//! | `isv.user-not-exist` | 601 |
//! | `isv.trade-not-exist` | 562 |
//! | `isv.refund-not-exist` | 653 |
//! | `isv.item-extra-not-exist` | 661 |
//! | `isp.remote-connection-error` | 900 |
//! | `isp.remote-service-timeout` | 901 |
//! | `isp.remote-service-error` | 902 |
//! | `isp.<x>-service-unavailable`, any other or unknown sub code | the call's line's "service unavailable" code, 902 for lines without one |
//!
//! "Service unavailable" codes per line: user 550, item 551, trade 560, logistics 570, rate 580,
//! shop 590, product 610, postage template 620, refund 650, item extension 660. Note that the v1
//! numbers are not the v2 product-line codes (v1 550 is the user service; v2 550 is logistics).

mod table;

use super::{ProductLine, SubCode, Text};

pub use table::LEGACY;

/// One legacy v1 business code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LegacyCode {
    pub code: u32,
    /// The `msg` as sent, without the `:detail`.
    pub wire_msg: &'static str,
    pub meaning: Text,
    pub remedy: Text,
}

/// The legacy code with this number.
pub fn legacy(code: i64) -> Option<&'static LegacyCode> {
    LEGACY.iter().find(|c| i64::from(c.code) == code)
}

fn must(code: u32) -> &'static LegacyCode {
    match legacy(i64::from(code)) {
        Some(c) => c,
        None => unreachable!("legacy code {code} is missing from LEGACY"),
    }
}

/// The line's v1 "service unavailable" code, if it has one.
pub fn legacy_unavailable(line: ProductLine) -> Option<&'static LegacyCode> {
    use ProductLine::*;
    let code = match line {
        User => 550,
        Item => 551,
        Trade => 560,
        Logistics => 570,
        Rate => 580,
        Shop => 590,
        Product => 610,
        PostageTemplate => 620,
        Refund => 650,
        ItemExtension => 660,
        Category | Taobaoke | System | IcpFiling | Incremental | PriceComparison | Poster
        | Jianghu | Distribution | Taoxiu | Billing | Misc => return None,
    };
    Some(must(code))
}

/// The v1 code for a v2 business error of `line` with `sub_code` (prefixed or bare, any case,
/// with or without `:detail`). See the module documentation for the table.
pub fn legacy_for(line: ProductLine, sub_code: &str) -> &'static LegacyCode {
    use SubCode::*;
    let code = match super::read_sub_code(sub_code).known {
        Some(MissingParameter) => 505,
        Some(InvalidParameter) => 506,
        Some(ParametersMismatch) => 507,
        Some(InvalidPermission) if line == ProductLine::Refund => 654,
        Some(InvalidPermission) => 508,
        Some(UserNotExist) => 601,
        Some(TradeNotExist) => 562,
        Some(RefundNotExist) => 653,
        Some(ItemExtraNotExist) => 661,
        Some(RemoteConnectionError) => 900,
        Some(RemoteServiceTimeout) => 901,
        Some(RemoteServiceError) => 902,
        _ => return legacy_unavailable(line).unwrap_or_else(|| must(902)),
    };
    must(code)
}

/// The v1 `msg`: "Item service unavailable:获取单个商品失败" (no space after the colon; just the
/// wire msg when the detail is empty).
pub fn legacy_msg(code: &LegacyCode, detail: &str) -> String {
    if detail.trim().is_empty() {
        code.wire_msg.to_string()
    } else {
        format!("{}:{}", code.wire_msg, detail)
    }
}
