//! The legacy v1 table. Wire messages in sentence case, as seen on the wire; meanings and
//! remedies written for this catalog (the seed's copy of the table is lost).

use super::LegacyCode;
use crate::errors::Text;

const fn code(code: u32, wire_msg: &'static str, meaning: Text, remedy: Text) -> LegacyCode {
    LegacyCode {
        code,
        wire_msg,
        meaning,
        remedy,
    }
}

const UNAVAILABLE: Text = Text {
    zh: "后端服务处理失败，冒号后是具体原因。先按原因检查参数；与参数无关时稍后重试（逐次拉长间隔）；持续失败请保存完整响应并联系技术支持。",
    en: "The backend failed; the text after the colon gives the cause. Check the parameters against it first; otherwise retry later with growing intervals, and if it persists contact support with the full response.",
};

const REMOTE: Text = Text {
    zh: "后端服务故障，与调用参数无关。稍后重试（逐次拉长间隔）；写操作在重试前先确认上次调用是否已经生效。持续失败请联系技术支持。",
    en: "A backend fault, not caused by the call. Retry later with growing intervals; for a write, first check whether the previous call took effect. Contact support if it persists.",
};

const PERMISSION: Text = Text {
    zh: "确认session属于有权查看该信息的用户，必要时让该用户重新授权。",
    en: "Make sure the session belongs to a user who may see this information; have that user authorise the app again if needed.",
};

const PARAMS: Text = Text {
    zh: "按冒号后的说明对照API文档修改参数。",
    en: "Fix the parameters as the text after the colon says, checking them against the API documentation.",
};

/// All codes of ERRORS.md section 3, in code order.
pub static LEGACY: &[LegacyCode] = &[
    code(
        505,
        "Missing parameters",
        Text {
            zh: "缺少参数",
            en: "A parameter is missing",
        },
        Text {
            zh: "补全API文档要求的参数，冒号后说明缺少的是哪个参数。",
            en: "Add the parameters the API requires; the text after the colon says which one is missing.",
        },
    ),
    code(
        506,
        "Parameters error",
        Text {
            zh: "参数错误",
            en: "A parameter value is invalid",
        },
        PARAMS,
    ),
    code(
        507,
        "Parameters format error",
        Text {
            zh: "参数格式错误或不匹配",
            en: "A parameter is malformed, or paired parameters do not match",
        },
        Text {
            zh: "检查参数的格式，以及需要一一对应的参数个数和顺序是否一致。",
            en: "Check the parameters' format, and that parameters that must correspond one to one have as many entries, in the same order.",
        },
    ),
    code(
        508,
        "No permission get information",
        Text {
            zh: "无权获取信息",
            en: "No permission to get this information",
        },
        PERMISSION,
    ),
    code(
        550,
        "User service unavailable",
        Text {
            zh: "用户服务不可用",
            en: "The user service failed",
        },
        UNAVAILABLE,
    ),
    code(
        551,
        "Item service unavailable",
        Text {
            zh: "商品服务不可用",
            en: "The item service failed",
        },
        UNAVAILABLE,
    ),
    code(
        552,
        "Item image service unavailable",
        Text {
            zh: "商品图片服务不可用",
            en: "The item image service failed",
        },
        Text {
            zh: "检查图片的格式和大小（上传必须用POST）；与图片无关时稍后重试，持续失败请联系技术支持。",
            en: "Check the image's format and size (uploads must be POST); otherwise retry later, and contact support if it persists.",
        },
    ),
    code(
        554,
        "Item delete failure",
        Text {
            zh: "删除商品失败",
            en: "The item could not be deleted",
        },
        Text {
            zh: "确认商品ID正确、商品属于session对应的卖家且当前状态允许删除；冒号后是具体原因。",
            en: "Check that the item id is right, that the item belongs to the session's seller and that its state allows deletion; the text after the colon gives the cause.",
        },
    ),
    code(
        560,
        "Trade service unavailable",
        Text {
            zh: "交易服务不可用",
            en: "The trade service failed",
        },
        UNAVAILABLE,
    ),
    code(
        562,
        "Trade not exists",
        Text {
            zh: "交易不存在",
            en: "No such trade",
        },
        Text {
            zh: "检查交易编号（tid）是否正确，以及该交易是否属于session对应的用户。",
            en: "Check the trade id (tid), and that the trade belongs to the session's user.",
        },
    ),
    code(
        563,
        "Trade is invalid",
        Text {
            zh: "交易无效",
            en: "The trade is not valid for this operation",
        },
        Text {
            zh: "该交易的状态不允许这个操作（例如已关闭或已完成），请先查询交易状态。",
            en: "The trade's state does not allow this operation (it may be closed or finished); query the trade's state first.",
        },
    ),
    code(
        570,
        "Shipping service unavailable",
        Text {
            zh: "物流服务不可用",
            en: "The shipping service failed",
        },
        UNAVAILABLE,
    ),
    code(
        580,
        "Rate service unavailable",
        Text {
            zh: "评价服务不可用",
            en: "The rate service failed",
        },
        UNAVAILABLE,
    ),
    code(
        590,
        "Shop service unavailable",
        Text {
            zh: "店铺服务不可用",
            en: "The shop service failed",
        },
        UNAVAILABLE,
    ),
    code(
        601,
        "User not exists",
        Text {
            zh: "用户不存在",
            en: "No such user",
        },
        Text {
            zh: "检查传入的nick是否正确（大小写、空格、编码），或让用户重新授权以取得有效的session。",
            en: "Check the nick you sent (spelling, spaces, encoding), or have the user authorise again so that the session names an existing user.",
        },
    ),
    code(
        610,
        "Product service unavailable",
        Text {
            zh: "产品服务不可用",
            en: "The product service failed",
        },
        UNAVAILABLE,
    ),
    code(
        620,
        "Postage service unavailable",
        Text {
            zh: "邮费服务不可用",
            en: "The postage service failed",
        },
        UNAVAILABLE,
    ),
    code(
        650,
        "Refund service unavailable",
        Text {
            zh: "退款服务不可用",
            en: "The refund service failed",
        },
        UNAVAILABLE,
    ),
    code(
        651,
        "Refund id invalid",
        Text {
            zh: "退款编号无效",
            en: "The refund id is malformed",
        },
        Text {
            zh: "退款编号（refund_id）格式不正确，检查传入的是否确实是退款编号，而不是交易编号等其他编号。",
            en: "refund_id is malformed; check that it is a refund id and not a trade id or another number.",
        },
    ),
    code(
        653,
        "Refund not exists",
        Text {
            zh: "退款不存在",
            en: "No such refund",
        },
        Text {
            zh: "检查退款编号（refund_id）是否正确，以及该退款是否属于session对应的用户。",
            en: "Check the refund id (refund_id), and that the refund belongs to the session's user.",
        },
    ),
    code(
        654,
        "No permission to get refund",
        Text {
            zh: "无权获取退款信息",
            en: "No permission to get this refund",
        },
        PERMISSION,
    ),
    code(
        660,
        "Item extra service unavailable",
        Text {
            zh: "商品扩展服务不可用",
            en: "The item extension service failed",
        },
        UNAVAILABLE,
    ),
    code(
        661,
        "Item extra not exists",
        Text {
            zh: "商品扩展信息不存在",
            en: "The item has no extension record",
        },
        Text {
            zh: "检查商品ID（num_iid）是否正确，以及该商品是否设置过扩展信息。",
            en: "Check the item id (num_iid), and that the item has extension data at all.",
        },
    ),
    code(
        900,
        "Remote connection error",
        Text {
            zh: "远程服务连接错误",
            en: "Could not connect to the backend service",
        },
        REMOTE,
    ),
    code(
        901,
        "Remote service timeout",
        Text {
            zh: "远程服务超时",
            en: "The backend service timed out",
        },
        REMOTE,
    ),
    code(
        902,
        "Remote service error",
        Text {
            zh: "远程服务出错",
            en: "The backend service failed",
        },
        REMOTE,
    ),
];
