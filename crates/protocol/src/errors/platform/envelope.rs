//! Platform errors 21-47: the request envelope, the system parameters, parsing.
//! Chinese from the seed (section 四, OCR damage repaired), English written for this catalog.

use super::PlatformSpec;
use crate::errors::{ErrorClass, Fault, Text};

/// An envelope error: the caller's fault, not retryable, class platform, no detail.
const fn envelope(code: u32, wire_msg: &'static str, meaning: Text, remedy: Text) -> PlatformSpec {
    PlatformSpec {
        code,
        wire_msg,
        meaning,
        remedy,
        fault: Fault::Caller,
        retryable: false,
        class: ErrorClass::Platform,
        takes_detail: false,
    }
}

pub(super) static MISSING_METHOD: PlatformSpec = envelope(
    21,
    "Missing method",
    Text {
        zh: "缺少方法名参数",
        en: "The method parameter is missing",
    },
    Text {
        zh: "在传入的参数中加入method字段，例如method=taobao.item.get。",
        en: "Add the method parameter, e.g. method=taobao.item.get.",
    },
);

pub(super) static INVALID_METHOD: PlatformSpec = envelope(
    22,
    "Invalid method",
    Text {
        zh: "不存在的方法名",
        en: "No API has this method name",
    },
    Text {
        zh: "传入的method字段必须是你所调用的API的名称，并且该API是确实存在的；请对照API文档检查拼写（如taobao.item.get）。",
        en: "method must be the name of an API that exists; check its spelling (e.g. taobao.item.get) against the API documentation.",
    },
);

pub(super) static INVALID_FORMAT: PlatformSpec = envelope(
    23,
    "Invalid format",
    Text {
        zh: "非法数据格式",
        en: "Invalid response format",
    },
    Text {
        zh: "传入的format必须为json或xml中的一种（不传时默认为xml）。",
        en: "format must be json or xml (xml when absent).",
    },
);

pub(super) static MISSING_SIGNATURE: PlatformSpec = envelope(
    24,
    "Missing signature",
    Text {
        zh: "缺少签名参数",
        en: "The sign parameter is missing",
    },
    Text {
        zh: "传入的参数中必须包含sign字段（按签名算法算出的大写十六进制串）。",
        en: "Add the sign parameter: the request signature as upper-case hex.",
    },
);

pub(super) static INVALID_SIGNATURE: PlatformSpec = envelope(
    25,
    "Invalid signature",
    Text {
        zh: "非法签名",
        en: "The signature does not match",
    },
    Text {
        zh: "签名必须根据正确的算法算出来：取除sign和文件参数以外的全部参数，按参数名的字节序排序，把参数名和（解码后的）参数值依次拼接成一个字符串，中间不加分隔符；sign_method为md5时计算MD5(secret+字符串+secret)，为hmac时计算以secret为密钥的HMAC-MD5，为hmac-sha256时计算HMAC-SHA256，结果转成大写十六进制。请确认使用的是该app_key对应的secret，且sign_method与实际使用的算法一致。`topgate call --dry-run`可以显示待签名的字符串，便于对照。",
        en: "Compute the signature with the documented algorithm: take every parameter except sign and file parameters, sort them by name (byte order), and concatenate each name and decoded value with no separators; then md5 is MD5(secret + string + secret), hmac is HMAC-MD5 keyed with the secret, hmac-sha256 is HMAC-SHA256 keyed with the secret, all as upper-case hex. Check that you use the secret of this app_key and that sign_method names the algorithm you used. `topgate call --dry-run` shows the string to sign, to compare with yours.",
    },
);

pub(super) static MISSING_SESSION: PlatformSpec = envelope(
    26,
    "Missing session",
    Text {
        zh: "缺少SessionKey参数",
        en: "The session parameter is missing",
    },
    Text {
        zh: "该API需要用户授权：传入的参数中必须包含session字段（用户授权应用后得到的SessionKey）。",
        en: "This API acts on behalf of a user: add the session parameter, the SessionKey obtained when the user authorised the app.",
    },
);

pub(super) static INVALID_SESSION: PlatformSpec = envelope(
    27,
    "Invalid session",
    Text {
        zh: "非法的SessionKey参数",
        en: "The session is invalid or expired",
    },
    Text {
        zh: "传入的session必须是用户授权（绑定）后拿到的。报session不合法可能是用户没有授权或session过期造成的，需要让用户重新授权，然后传入新的SessionKey。",
        en: "session must be a SessionKey obtained from the user's authorisation of this app. It has usually expired, or was never issued to this app: have the user authorise again and send the new SessionKey.",
    },
);

pub(super) static MISSING_APP_KEY: PlatformSpec = envelope(
    28,
    "Missing app key",
    Text {
        zh: "缺少AppKey参数",
        en: "The app_key parameter is missing",
    },
    Text {
        zh: "传入的参数中必须包含app_key字段。",
        en: "Add the app_key parameter.",
    },
);

pub(super) static INVALID_APP_KEY: PlatformSpec = envelope(
    29,
    "Invalid app key",
    Text {
        zh: "非法的AppKey参数",
        en: "No app has this app key",
    },
    Text {
        zh: "传入的app_key必须是确实存在的。还没有AppKey的请先去申请；已经有了AppKey却调用不通的，请检查是否传错，仍不行请联系技术支持解决。",
        en: "app_key must be an issued app key. If you have none, apply for one; if yours is refused, check it for typos and that it belongs to this environment, then contact support.",
    },
);

pub(super) static MISSING_TIMESTAMP: PlatformSpec = envelope(
    30,
    "Missing timestamp",
    Text {
        zh: "缺少时间戳参数",
        en: "The timestamp parameter is missing",
    },
    Text {
        zh: "传入的参数中必须包含timestamp字段，格式为yyyy-MM-dd HH:mm:ss（GMT+8），或毫秒级的Unix时间戳。",
        en: "Add the timestamp parameter: yyyy-MM-dd HH:mm:ss in GMT+8, or epoch milliseconds.",
    },
);

pub(super) static INVALID_TIMESTAMP: PlatformSpec = envelope(
    31,
    "Invalid timestamp",
    Text {
        zh: "非法的时间戳参数",
        en: "The timestamp is malformed or out of range",
    },
    Text {
        zh: "时间戳格式为yyyy-MM-dd HH:mm:ss（GMT+8），例如2021-01-25 20:23:30，或毫秒级的Unix时间戳。服务端允许客户端请求时间误差为10分钟：请校准本机时钟，并确认用的是GMT+8时间而不是本地时区的时间。",
        en: "Send yyyy-MM-dd HH:mm:ss in GMT+8 (e.g. 2021-01-25 20:23:30) or epoch milliseconds. The server allows 10 minutes of clock skew either way: sync the client's clock and make sure the time is GMT+8, not the local time zone.",
    },
);

pub(super) static MISSING_VERSION: PlatformSpec = envelope(
    32,
    "Missing version",
    Text {
        zh: "缺少版本参数",
        en: "The v parameter is missing",
    },
    Text {
        zh: "传入的参数中必须包含v字段：2.0（旧格式为1.0）。",
        en: "Add the v parameter: 2.0 (1.0 for the legacy format).",
    },
);

pub(super) static INVALID_VERSION: PlatformSpec = envelope(
    33,
    "Invalid version",
    Text {
        zh: "非法的版本参数",
        en: "The version is not a number",
    },
    Text {
        zh: "传入的版本号格式错误，必须为数字格式，如2.0。",
        en: "v must be a number, e.g. 2.0.",
    },
);

pub(super) static UNSUPPORTED_VERSION: PlatformSpec = envelope(
    34,
    "Unsupported version",
    Text {
        zh: "不支持的版本号",
        en: "This version is not served",
    },
    Text {
        zh: "传入的版本号没有被提供。现在只支持1.0和2.0两种版本，推荐使用2.0（错误信息带有sub_code，更全面）。",
        en: "Only versions 1.0 and 2.0 are served; use 2.0, whose errors carry sub codes.",
    },
);

pub(super) static MISSING_REQUIRED_ARGUMENTS: PlatformSpec = PlatformSpec {
    takes_detail: true,
    class: ErrorClass::IsvBusiness,
    ..envelope(
        40,
        "Missing required arguments",
        Text {
            zh: "缺少必选参数",
            en: "A required parameter is missing",
        },
        Text {
            zh: "传入的参数中漏掉了必传的参数，msg中冒号后面是参数名（如Missing required arguments:num_iid）。请仔细对照API文档检查。",
            en: "A required parameter is missing; its name follows the colon in msg (e.g. Missing required arguments:num_iid). Check the API's documentation for the required parameters.",
        },
    )
};

pub(super) static INVALID_ARGUMENTS: PlatformSpec = PlatformSpec {
    takes_detail: true,
    class: ErrorClass::IsvBusiness,
    ..envelope(
        41,
        "Invalid arguments",
        Text {
            zh: "非法的参数",
            en: "A parameter does not match its documented format",
        },
        Text {
            zh: "传入的参数不符合文档中说明的参数格式，msg中冒号后面是参数名（如Invalid arguments:num_iid），请参照文档进行修改。",
            en: "A parameter does not match its documented format; its name follows the colon in msg (e.g. Invalid arguments:num_iid). Correct it as the API documentation describes.",
        },
    )
};

pub(super) static FORBIDDEN_REQUEST: PlatformSpec = PlatformSpec {
    fault: Fault::Platform,
    ..envelope(
        42,
        "Forbidden request",
        Text {
            zh: "请求被禁止",
            en: "The request is forbidden",
        },
        Text {
            zh: "请求被拒绝，例如调用来源的IP或应用被禁止访问。请检查应用的状态和IP设置；原因不明时请联系技术支持。",
            en: "The request was refused, for example because the calling IP or the app is blocked. Check the app's status and IP settings; contact support if the cause is unclear.",
        },
    )
};

pub(super) static PARAMETER_ERROR: PlatformSpec = envelope(
    43,
    "Parameter error",
    Text {
        zh: "参数错误",
        en: "The parameters could not be parsed",
    },
    Text {
        zh: "参数解析发生错误或异常，一般是用户传入参数非法引起的（请求体过大也会如此）。请仔细检查入参格式、范围、是否一一对应等等情况。",
        en: "The parameters could not be parsed, usually because one is malformed (an oversized request body does this too). Check each parameter's format and range, and that paired parameters correspond one to one.",
    },
);

pub(super) static ISP_ERROR: PlatformSpec = PlatformSpec {
    fault: Fault::Platform,
    retryable: true,
    ..envelope(
        44,
        "Isp error",
        Text {
            zh: "后台接入服务错误",
            en: "The platform's access service failed",
        },
        Text {
            zh: "这是后台服务异常引起的错误，与调用方无关。请稍后重试；持续出现请保存完整响应（含request_id）并联系技术支持。",
            en: "A fault in the platform's own access service, not in the call. Retry later; if it persists, contact support with the full response (including request_id).",
        },
    )
};

pub(super) static INVALID_ENCODING: PlatformSpec = envelope(
    47,
    "Invalid encoding",
    Text {
        zh: "编码错误",
        en: "The request is not valid UTF-8",
    },
    Text {
        zh: "请求的参数必须是UTF-8编码（再进行URL编码）。请检查客户端的字符集设置，例如不要用GBK编码中文参数。",
        en: "Every parameter must be UTF-8 before percent-encoding. Check the client's character set settings (e.g. do not encode Chinese text as GBK).",
    },
);
