//! Business errors (v2, codes 500-1000): product lines, sub codes, flow control, classification
//! (ERRORS.md section 2, seed section 二.4 and 五).
//!
//! A backend failure comes back as `code` = the product line's code, `msg` =
//! [`REMOTE_SERVICE_ERROR`] (or [`REMOTE_SERVICE_TIMEOUT`]) and the cause in `sub_code`/`sub_msg`.

mod sub_codes;

use super::{ErrorClass, PlatformError, Text};

pub use sub_codes::{SubCode, SubCodeSpec};

/// The v2 `msg` of a business error.
pub const REMOTE_SERVICE_ERROR: &str = "Remote service error";
/// The v2 `msg` of a business error caused by a backend timeout.
pub const REMOTE_SERVICE_TIMEOUT: &str = "Remote service timeout";

/// A product line: the kind of API, and the v2 `code` of its business errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProductLine {
    User,
    Category,
    Trade,
    Refund,
    Item,
    ItemExtension,
    PostageTemplate,
    Product,
    Logistics,
    Shop,
    Rate,
    Taobaoke,
    System,
    IcpFiling,
    Incremental,
    PriceComparison,
    Poster,
    Jianghu,
    Distribution,
    Taoxiu,
    Billing,
    Misc,
}

impl ProductLine {
    /// Every product line, in code order.
    pub const ALL: &'static [ProductLine] = &[
        ProductLine::User,
        ProductLine::Category,
        ProductLine::Trade,
        ProductLine::Refund,
        ProductLine::Item,
        ProductLine::ItemExtension,
        ProductLine::PostageTemplate,
        ProductLine::Product,
        ProductLine::Logistics,
        ProductLine::Shop,
        ProductLine::Rate,
        ProductLine::Taobaoke,
        ProductLine::System,
        ProductLine::IcpFiling,
        ProductLine::Incremental,
        ProductLine::PriceComparison,
        ProductLine::Poster,
        ProductLine::Jianghu,
        ProductLine::Distribution,
        ProductLine::Taoxiu,
        ProductLine::Billing,
        ProductLine::Misc,
    ];

    /// (code, slug, name): one exhaustive table.
    fn info(self) -> (u32, &'static str, Text) {
        use ProductLine::*;
        let t = |zh, en| Text { zh, en };
        match self {
            User => (500, "user", t("用户", "user")),
            Category => (510, "category", t("类目", "category")),
            Trade => (520, "trade", t("交易", "trade")),
            Refund => (521, "refund", t("退款", "refund")),
            Item => (530, "item", t("商品", "item")),
            ItemExtension => (531, "item-extra", t("商品扩展", "item extension")),
            PostageTemplate => (532, "postage", t("邮费模板", "postage template")),
            Product => (540, "product", t("产品", "product")),
            Logistics => (550, "logistics", t("物流", "logistics")),
            Shop => (560, "shop", t("店铺", "shop")),
            Rate => (570, "rate", t("评价", "rate")),
            Taobaoke => (580, "taobaoke", t("淘宝客", "taobaoke")),
            System => (590, "system", t("系统", "system")),
            IcpFiling => (591, "icp", t("备案", "ICP filing")),
            Incremental => (600, "increment", t("增量API", "incremental API")),
            PriceComparison => (610, "compare", t("比价", "price comparison")),
            Poster => (620, "poster", t("画报", "poster")),
            Jianghu => (630, "jianghu", t("江湖", "jianghu")),
            Distribution => (640, "distribution", t("分销", "distribution")),
            Taoxiu => (650, "taoxiu", t("淘秀", "taoxiu")),
            Billing => (660, "billing", t("收费", "billing")),
            Misc => (670, "misc", t("杂项（保证金等）", "misc (deposits etc.)")),
        }
    }

    /// The v2 `code` of this line's business errors.
    pub fn code(self) -> u32 {
        self.info().0
    }

    /// The short name used in catalog files and in `isp.<slug>-service-unavailable`.
    pub fn slug(self) -> &'static str {
        self.info().1
    }

    /// The line with this slug (ASCII case-insensitive).
    pub fn from_slug(s: &str) -> Option<ProductLine> {
        let s = s.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|l| l.slug().eq_ignore_ascii_case(s))
    }

    /// The line with this v2 code.
    pub fn from_code(code: i64) -> Option<ProductLine> {
        Self::ALL
            .iter()
            .copied()
            .find(|l| i64::from(l.code()) == code)
    }

    /// The line's name, "商品" / "item".
    pub fn name(self) -> Text {
        self.info().2
    }

    /// `isp.<slug>-service-unavailable`, e.g. "isp.item-service-unavailable".
    pub fn unavailable_sub_code(self) -> String {
        format!("isp.{}-service-unavailable", self.slug())
    }
}

/// The family of a sub code, from its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubFamily {
    /// `isv.`: the caller's fault.
    Isv,
    /// `isp.`: the provider's fault.
    Isp,
    /// `accesscontrol.`: flow control.
    AccessControl,
    /// No prefix, as the seed writes them ("missing-parameter").
    Bare,
    /// Some other `prefix.`.
    Other,
}

/// What reading a sub code from the wire found. Accepts the family prefix or none (the seed
/// writes them bare: "missing-parameter"), any case ("Invalid-permission"), `_` for `-`, and a
/// ":detail" suffix ("isv.invalid-parameter:trade_id:P07").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubCodeInfo {
    /// The sub code exactly as received.
    pub raw: String,
    pub family: SubFamily,
    /// The catalog's sub code, when the name (and the prefix, if any) matches one.
    pub known: Option<SubCode>,
    /// Whatever followed the first `:`, if not empty ("trade_id:P07").
    pub detail: Option<String>,
}

/// Reads a sub code as received. A prefixed code is `known` only when its prefix is the
/// catalog code's own family (`isp.missing-parameter` is not `isv.missing-parameter`); a bare
/// one matches any family.
pub fn read_sub_code(raw: &str) -> SubCodeInfo {
    let (name, detail) = match raw.split_once(':') {
        Some((name, detail)) => {
            let detail = detail.trim();
            (name, (!detail.is_empty()).then(|| detail.to_string()))
        }
        None => (raw, None),
    };
    let norm = name.trim().to_ascii_lowercase().replace('_', "-");
    let (family, bare) = match norm.split_once('.') {
        Some(("isv", rest)) => (SubFamily::Isv, rest),
        Some(("isp", rest)) => (SubFamily::Isp, rest),
        Some(("accesscontrol", rest)) => (SubFamily::AccessControl, rest),
        Some(_) => (SubFamily::Other, norm.as_str()),
        None => (SubFamily::Bare, norm.as_str()),
    };
    let known = match family {
        SubFamily::Other => None,
        _ => SubCode::all()
            .into_iter()
            .find(|c| c.bare_name() == bare && (family == SubFamily::Bare || c.family() == family)),
    };
    SubCodeInfo {
        raw: raw.to_string(),
        family,
        known,
        detail,
    }
}

/// The flow-control `sub_msg`: exactly "This ban will last for N more seconds", N = max(secs, 1).
pub fn ban_message(secs: u64) -> String {
    format!("This ban will last for {} more seconds", secs.max(1))
}

/// Parses N out of "This ban will last for N more seconds" (tolerant of case, spacing, even
/// spaces squeezed out, and surrounding text). None if the sentence is absent.
pub fn parse_ban_seconds(sub_msg: &str) -> Option<u64> {
    const LEAD: &str = "banwilllastfor";
    let squeezed: String = sub_msg
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    let mut rest = squeezed.as_str();
    while let Some(at) = rest.find(LEAD) {
        rest = &rest[at + LEAD.len()..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && rest[digits..].starts_with("moresecond") {
            if let Ok(n) = rest[..digits].parse() {
                return Some(n);
            }
        }
    }
    None
}

/// PROTOCOL.md section 5 for an error body: flow control if code 4..=8, or sub_code family
/// accesscontrol, or a ban sentence in sub_msg; else provider if sub_code starts with "isp.";
/// else platform if code < 100 and not 15/40/41; else ISV business.
///
/// One refinement: a code < 100 that is not in the platform table (real responses show 50 with
/// `Remote service error`) followed by a business sub code (`isv.*`, or a bare one the catalog
/// knows) is ISV business, not platform. Catalog platform codes stay platform whatever their
/// sub code (27 with `invalid-sessionkey`, 11 with `isv.permission-*`).
pub fn classify(code: i64, sub_code: Option<&str>, sub_msg: Option<&str>) -> ErrorClass {
    let sub = sub_code.map(read_sub_code);
    let family = sub.as_ref().map(|s| s.family);
    let business_sub = sub.as_ref().is_some_and(|s| {
        s.family == SubFamily::Isv
            || (s.family == SubFamily::Bare
                && s.known.is_some_and(|k| k.family() == SubFamily::Isv))
    });
    if (4..=8).contains(&code)
        || family == Some(SubFamily::AccessControl)
        || sub_msg.and_then(parse_ban_seconds).is_some()
    {
        ErrorClass::FlowControl
    } else if family == Some(SubFamily::Isp) {
        ErrorClass::Provider
    } else if code < 100
        && !matches!(code, 15 | 40 | 41)
        && (PlatformError::from_code(code).is_some() || !business_sub)
    {
        ErrorClass::Platform
    } else {
        ErrorClass::IsvBusiness
    }
}
