//! The sub codes the catalog knows: ERRORS.md section 2 (the seed's list, with the family
//! prefix) and the flow-control codes.
//!
//! Flow control: ERRORS.md gives three sub codes for code 7
//! (`accesscontrol.limited-by-app-access-count`, `accesscontrol.limited-by-api-access-count`,
//! `accesscontrol.limited-by-app-api-access-count`). The other four are topgate's own spellings,
//! in the same pattern, for the limits that have no documented sub code:
//! `accesscontrol.limited-by-app-frequency` (code 8),
//! `accesscontrol.limited-by-user-access-count` (code 4),
//! `accesscontrol.limited-by-session-access-count` (code 5) and
//! `accesscontrol.limited-by-partner-access-count` (code 6).
//!
//! Code 27 comes with two sub codes TOP sends without a family prefix: `invalid-sessionkey`
//! (sub_msg `SessionKey非法`) and `session-expired` (`SessionKey已过期`).
//!
//! `isp.counter-store-unavailable` is topgate's own too: with code 10, when the shared counters
//! (Redis) cannot be reached and the deployment fails closed (`[counters] on_failure`).

use super::{ProductLine, SubFamily};
use crate::errors::{Fault, PlatformError, Text};

/// Sub codes the catalog knows (ERRORS.md section 2 + flow control), with the family prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubCode {
    UserNotExist,
    MissingParameter,
    InvalidParameter,
    ParametersMismatch,
    InvalidPermission,
    RemoteServiceError,
    RemoteServiceTimeout,
    RemoteConnectionError,
    /// `isp.<slug>-service-unavailable`.
    ServiceUnavailable(ProductLine),
    /// topgate's own spelling (code 10): the flow-control counters cannot be reached.
    CounterStoreUnavailable,
    /// `invalid-sessionkey`, bare, with code 27.
    InvalidSessionKey,
    /// `session-expired`, bare, with code 27.
    SessionExpired,
    ItemExtraNotExist,
    TradeNotExist,
    RefundNotExist,
    LimitedByAppAccessCount,
    LimitedByApiAccessCount,
    LimitedByAppApiAccessCount,
    /// topgate's own spelling (code 8).
    LimitedByAppFrequency,
    /// topgate's own spelling (code 4).
    LimitedByUserAccessCount,
    /// topgate's own spelling (code 5).
    LimitedBySessionAccessCount,
    /// topgate's own spelling (code 6).
    LimitedByPartnerAccessCount,
}

/// What the catalog knows about a sub code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubCodeSpec {
    pub meaning: Text,
    pub remedy: Text,
    pub fault: Fault,
    /// Whether the same request may succeed later, unchanged.
    pub retryable: bool,
}

const fn spec(zh: &'static str, en: &'static str, remedy: Text, fault: Fault) -> SubCodeSpec {
    SubCodeSpec {
        meaning: Text { zh, en },
        remedy,
        fault,
        retryable: matches!(fault, Fault::Provider | Fault::Platform),
    }
}

const BACKEND_RETRY: Text = Text {
    zh: "后端服务出现故障，与参数无关时稍后重试（逐次拉长间隔）；持续失败请保存完整响应（含request_id）并联系技术支持。",
    en: "The backend failed. Retry later with growing intervals; if it persists, contact support with the full response (including request_id).",
};

const WAIT_BAN: Text = Text {
    zh: "等待sub_msg“This ban will last for N more seconds”给出的N秒后再调用；在客户端限速、缓存结果，必要时申请提高配额。",
    en: "Wait the N seconds given by sub_msg \"This ban will last for N more seconds\" before calling again; throttle and cache on the client side, and ask for a higher quota if you need one.",
};

impl SubCode {
    /// The sub code on the wire, with its family prefix: "isv.missing-parameter",
    /// "isp.item-service-unavailable", "accesscontrol.limited-by-app-access-count".
    pub fn as_string(self) -> String {
        match self {
            SubCode::ServiceUnavailable(line) => line.unavailable_sub_code(),
            _ if self.family() == SubFamily::Bare => self.bare_name(),
            _ => format!("{}.{}", self.prefix(), self.bare_name()),
        }
    }

    /// The family the catalog sends this sub code in.
    pub fn family(self) -> SubFamily {
        use SubCode::*;
        match self {
            UserNotExist | MissingParameter | InvalidParameter | ParametersMismatch
            | InvalidPermission | ItemExtraNotExist | TradeNotExist | RefundNotExist => {
                SubFamily::Isv
            }
            RemoteServiceError
            | RemoteServiceTimeout
            | RemoteConnectionError
            | ServiceUnavailable(_)
            | CounterStoreUnavailable => SubFamily::Isp,
            LimitedByAppAccessCount
            | LimitedByApiAccessCount
            | LimitedByAppApiAccessCount
            | LimitedByAppFrequency
            | LimitedByUserAccessCount
            | LimitedBySessionAccessCount
            | LimitedByPartnerAccessCount => SubFamily::AccessControl,
            InvalidSessionKey | SessionExpired => SubFamily::Bare,
        }
    }

    fn prefix(self) -> &'static str {
        match self.family() {
            SubFamily::Isv => "isv",
            SubFamily::Isp => "isp",
            SubFamily::AccessControl => "accesscontrol",
            SubFamily::Bare | SubFamily::Other => "",
        }
    }

    /// The sub code without its family prefix, as the seed writes it: "missing-parameter".
    pub fn bare_name(self) -> String {
        use SubCode::*;
        let name = match self {
            UserNotExist => "user-not-exist",
            MissingParameter => "missing-parameter",
            InvalidParameter => "invalid-parameter",
            ParametersMismatch => "parameters-mismatch",
            InvalidPermission => "invalid-permission",
            RemoteServiceError => "remote-service-error",
            RemoteServiceTimeout => "remote-service-timeout",
            RemoteConnectionError => "remote-connection-error",
            ServiceUnavailable(line) => return format!("{}-service-unavailable", line.slug()),
            CounterStoreUnavailable => "counter-store-unavailable",
            InvalidSessionKey => "invalid-sessionkey",
            SessionExpired => "session-expired",
            ItemExtraNotExist => "item-extra-not-exist",
            TradeNotExist => "trade-not-exist",
            RefundNotExist => "refund-not-exist",
            LimitedByAppAccessCount => "limited-by-app-access-count",
            LimitedByApiAccessCount => "limited-by-api-access-count",
            LimitedByAppApiAccessCount => "limited-by-app-api-access-count",
            LimitedByAppFrequency => "limited-by-app-frequency",
            LimitedByUserAccessCount => "limited-by-user-access-count",
            LimitedBySessionAccessCount => "limited-by-session-access-count",
            LimitedByPartnerAccessCount => "limited-by-partner-access-count",
        };
        name.to_string()
    }

    /// The `sub_msg` topgate sends with this sub code when topgate itself produces it; `None`
    /// for the sub codes whose `sub_msg` comes from a backend or a catalog rule.
    pub fn wire_sub_msg(self) -> Option<&'static str> {
        match self {
            SubCode::CounterStoreUnavailable => {
                Some("The call could not be counted against its limits; retry later")
            }
            SubCode::InvalidSessionKey => Some("SessionKey非法"),
            SubCode::SessionExpired => Some("SessionKey已过期"),
            _ => None,
        }
    }

    /// For a flow-control sub code, the platform error it comes with (4-8); None otherwise.
    pub fn flow_control_code(self) -> Option<PlatformError> {
        use SubCode::*;
        match self {
            LimitedByAppAccessCount | LimitedByApiAccessCount | LimitedByAppApiAccessCount => {
                Some(PlatformError::AppCallLimited)
            }
            LimitedByAppFrequency => Some(PlatformError::AppCallExceedsLimitedFrequency),
            LimitedByUserAccessCount => Some(PlatformError::UserCallLimited),
            LimitedBySessionAccessCount => Some(PlatformError::SessionCallLimited),
            LimitedByPartnerAccessCount => Some(PlatformError::PartnerCallLimited),
            _ => None,
        }
    }

    /// Every sub code: each variant once, `ServiceUnavailable` once per product line.
    pub fn all() -> Vec<SubCode> {
        use SubCode::*;
        let mut all = vec![
            UserNotExist,
            MissingParameter,
            InvalidParameter,
            ParametersMismatch,
            InvalidPermission,
            RemoteServiceError,
            RemoteServiceTimeout,
            RemoteConnectionError,
        ];
        all.extend(ProductLine::ALL.iter().map(|&l| ServiceUnavailable(l)));
        all.extend([
            CounterStoreUnavailable,
            InvalidSessionKey,
            SessionExpired,
            ItemExtraNotExist,
            TradeNotExist,
            RefundNotExist,
            LimitedByAppAccessCount,
            LimitedByApiAccessCount,
            LimitedByAppApiAccessCount,
            LimitedByAppFrequency,
            LimitedByUserAccessCount,
            LimitedBySessionAccessCount,
            LimitedByPartnerAccessCount,
        ]);
        all
    }

    /// The catalog entry (exhaustive match). Retryable exactly when the provider or the
    /// platform's flow control is at fault.
    pub fn spec(self) -> SubCodeSpec {
        use Fault::{Caller, Platform, Provider, User};
        use SubCode::*;
        match self {
            UserNotExist => spec(
                "用户不存在：传入的nick或session对应的用户找不到记录",
                "No such user: the nick sent, or the session's user, has no record",
                Text {
                    zh: "检查传入的nick是否正确（大小写、空格、编码），或让用户重新授权以取得有效的session。",
                    en: "Check the nick you sent (spelling, spaces, encoding), or have the user authorise again so that the session names an existing user.",
                },
                Caller,
            ),
            MissingParameter => spec(
                "缺少参数",
                "A parameter is missing",
                Text {
                    zh: "按sub_msg补全参数，例如sub_msg“iid和num_iid至少要传入一个”表示iid或num_iid必须传入一个。",
                    en: "Add the parameter sub_msg names; for example, a sub_msg saying iid and num_iid are both absent means one of them must be sent.",
                },
                Caller,
            ),
            InvalidParameter => spec(
                "参数错误，例如sub_msg“用户传入的iid不能超过40个”",
                "A parameter is invalid, e.g. more than 40 iids were sent",
                Text {
                    zh: "按sub_msg指出的问题修改参数的值、格式或个数；sub_code冒号后的部分（如trade_id:P07）指出了出错的参数。",
                    en: "Fix the parameter's value, format or count as sub_msg says; a suffix after a colon in sub_code (e.g. trade_id:P07) names the parameter.",
                },
                Caller,
            ),
            ParametersMismatch => spec(
                "参数不匹配：需要一一对应的入参没有对应上",
                "Parameters that must correspond one to one do not",
                Text {
                    zh: "检查成对传入的参数（如一组ID和与之对应的一组数量）个数是否相同、顺序是否一一对应。",
                    en: "Check that paired parameters (e.g. a list of ids and the matching list of quantities) have as many entries, in the same order.",
                },
                Caller,
            ),
            InvalidPermission => spec(
                "权限不足：用户由于权限问题不能进行该操作",
                "Permission denied: the user may not perform this operation",
                Text {
                    zh: "确认session属于有权进行该操作的用户（例如卖家的数据只能由卖家本人操作），必要时让有权限的用户授权。",
                    en: "Make sure the session belongs to a user who may do this (e.g. only a seller may act on the seller's own data); have that user authorise the app if needed.",
                },
                User,
            ),
            RemoteServiceError => spec(
                "调用后端服务错误",
                "The backend service returned an error",
                BACKEND_RETRY,
                Provider,
            ),
            RemoteServiceTimeout => spec(
                "调用后端服务超时",
                "The backend service timed out",
                Text {
                    zh: "稍后重试（逐次拉长间隔）。写操作在重试前先查询上次调用是否已经生效，避免重复提交。",
                    en: "Retry later with growing intervals. For a write, first check whether the previous call took effect, so as not to apply it twice.",
                },
                Provider,
            ),
            RemoteConnectionError => spec(
                "调用后端服务连接错误",
                "Could not connect to the backend service",
                BACKEND_RETRY,
                Provider,
            ),
            ServiceUnavailable(_) => spec(
                "调用后端服务失败：该产品线的后端服务不可用",
                "The product line's backend service is unavailable",
                BACKEND_RETRY,
                Provider,
            ),
            CounterStoreUnavailable => spec(
                "平台的流控计数服务暂时不可用，调用未被处理",
                "The platform's flow-control counters could not be reached; the call was not served",
                Text {
                    zh: "与调用参数无关，稍后重试（逐次拉长间隔）；持续失败请保存完整响应（含request_id）并联系平台。",
                    en: "Nothing to change in the call: retry later with growing intervals; if it persists, contact the platform with the full response (including request_id).",
                },
                // The service side, as every isp. sub code: not the caller's to fix.
                Provider,
            ),
            InvalidSessionKey => spec(
                "session不合法：它不是这个应用通过用户授权得到的，或者拼写有误、已被注销",
                "The session key is not valid: it was not issued to this app by the user's authorisation, or it is mistyped or revoked",
                Text {
                    zh: "检查传入的session是否完整、是否属于这个app_key；让用户重新授权，使用新的session。",
                    en: "Check that the session is sent whole and was issued to this app_key; have the user authorise the app again and send the new session.",
                },
                Caller,
            ),
            SessionExpired => spec(
                "session已过期",
                "The session has expired",
                Text {
                    zh: "用户需要重新授权，然后使用新的session；在session到期前提醒用户续期。",
                    en: "The user must authorise the app again; then send the new session. Remind users to renew before the session expires.",
                },
                User,
            ),
            ItemExtraNotExist => spec(
                "商品扩展信息不存在",
                "The item has no extension record",
                Text {
                    zh: "检查传入的商品ID（num_iid）是否正确，以及该商品是否设置过扩展信息。",
                    en: "Check the item id (num_iid) you sent, and that the item has extension data at all.",
                },
                Caller,
            ),
            TradeNotExist => spec(
                "交易记录不存在",
                "No such trade",
                Text {
                    zh: "检查交易编号（tid）是否正确，以及该交易是否属于session对应的用户。",
                    en: "Check the trade id (tid) you sent, and that the trade belongs to the session's user.",
                },
                Caller,
            ),
            RefundNotExist => spec(
                "退款记录不存在",
                "No such refund",
                Text {
                    zh: "检查退款编号（refund_id）是否正确，以及该退款是否属于session对应的用户。",
                    en: "Check the refund id (refund_id) you sent, and that the refund belongs to the session's user.",
                },
                Caller,
            ),
            LimitedByAppAccessCount => spec(
                "应用调用次数超限（整个应用）",
                "The app as a whole has used up its call quota",
                WAIT_BAN,
                Platform,
            ),
            LimitedByApiAccessCount => spec(
                "接口调用次数超限（该接口对所有应用的限制）",
                "The API's limit for all callers is reached",
                WAIT_BAN,
                Platform,
            ),
            LimitedByAppApiAccessCount => spec(
                "本应用调用该接口的次数超限",
                "This app has used up its quota for this API",
                WAIT_BAN,
                Platform,
            ),
            LimitedByAppFrequency => spec(
                "应用调用频率超限",
                "The app is calling too frequently",
                WAIT_BAN,
                Platform,
            ),
            LimitedByUserAccessCount => spec(
                "用户调用次数超限",
                "The user has used up their call quota",
                WAIT_BAN,
                Platform,
            ),
            LimitedBySessionAccessCount => spec(
                "会话调用次数超限",
                "The session has used up its call quota",
                WAIT_BAN,
                Platform,
            ),
            LimitedByPartnerAccessCount => spec(
                "合作伙伴调用次数超限",
                "The partner has used up its call quota",
                WAIT_BAN,
                Platform,
            ),
        }
    }
}
