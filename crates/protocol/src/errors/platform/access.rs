//! Platform errors 3-15: uploads, flow control, permissions, platform faults.
//! Chinese from the seed (section 四, OCR damage repaired), English written for this catalog.

use super::PlatformSpec;
use crate::errors::{ErrorClass, Fault, Text};

pub(super) static UPLOAD_FAIL: PlatformSpec = PlatformSpec {
    code: 3,
    wire_msg: "Upload Fail",
    meaning: Text {
        zh: "图片上传失败",
        en: "Image upload failed",
    },
    remedy: Text {
        zh: "将格式正确、大小适当的图片作为文件放进消息体里传输（multipart/form-data，必须用POST）。如果传输仍然失败，请减小图片大小（可能超过了该参数允许的文件大小），或者增加网络带宽后再尝试。",
        en: "Send a correctly formatted image of reasonable size as a file part of a multipart/form-data POST body. If it still fails, shrink the image (it may exceed the size allowed for the parameter) or try again over a faster connection.",
    },
    fault: Fault::Caller,
    retryable: false,
    class: ErrorClass::Platform,
    takes_detail: false,
};

const QUOTA_REMEDY: Text = Text {
    zh: "调整程序逻辑，合理利用API（缓存结果、合并请求）。等待封禁结束后再调用：sub_msg“This ban will last for N more seconds”给出剩余的秒数；按天计的配额要等第二天。或者向技术运维的同学申请增加调用次数。",
    en: "Use the API more sparingly (cache results, batch requests). Call again when the ban is over: sub_msg \"This ban will last for N more seconds\" gives the seconds left; a daily quota resets the next day. Or ask the platform operators to raise the limit.",
};

pub(super) static USER_CALL_LIMITED: PlatformSpec = PlatformSpec {
    code: 4,
    wire_msg: "User Call Limited",
    meaning: Text {
        zh: "用户调用次数超限",
        en: "The user has used up their call quota",
    },
    remedy: QUOTA_REMEDY,
    fault: Fault::Platform,
    retryable: true,
    class: ErrorClass::FlowControl,
    takes_detail: false,
};

pub(super) static SESSION_CALL_LIMITED: PlatformSpec = PlatformSpec {
    code: 5,
    wire_msg: "Session Call Limited",
    meaning: Text {
        zh: "会话调用次数超限",
        en: "The session has used up its call quota",
    },
    remedy: QUOTA_REMEDY,
    fault: Fault::Platform,
    retryable: true,
    class: ErrorClass::FlowControl,
    takes_detail: false,
};

pub(super) static PARTNER_CALL_LIMITED: PlatformSpec = PlatformSpec {
    code: 6,
    wire_msg: "Partner Call Limited",
    meaning: Text {
        zh: "合作伙伴调用次数超限",
        en: "The partner has used up its call quota",
    },
    remedy: QUOTA_REMEDY,
    fault: Fault::Platform,
    retryable: true,
    class: ErrorClass::FlowControl,
    takes_detail: false,
};

pub(super) static APP_CALL_LIMITED: PlatformSpec = PlatformSpec {
    code: 7,
    wire_msg: "App Call Limited",
    meaning: Text {
        zh: "应用调用次数超限",
        en: "The app has used up its call quota",
    },
    remedy: QUOTA_REMEDY,
    fault: Fault::Platform,
    retryable: true,
    class: ErrorClass::FlowControl,
    takes_detail: false,
};

pub(super) static APP_CALL_EXCEEDS_LIMITED_FREQUENCY: PlatformSpec = PlatformSpec {
    code: 8,
    wire_msg: "App Call Exceeds Limited Frequency",
    meaning: Text {
        zh: "应用调用频率超限",
        en: "The app is calling too frequently",
    },
    remedy: Text {
        zh: "降低API调用频率，不要过于频繁地调用：在客户端限速，并等待sub_msg“This ban will last for N more seconds”给出的N秒后再调用。",
        en: "Call less often: throttle on the client side, and wait the N seconds given by sub_msg \"This ban will last for N more seconds\" before calling again.",
    },
    fault: Fault::Platform,
    retryable: true,
    class: ErrorClass::FlowControl,
    takes_detail: false,
};

pub(super) static HTTP_ACTION_NOT_ALLOWED: PlatformSpec = PlatformSpec {
    code: 9,
    wire_msg: "Http Action Not Allowed",
    meaning: Text {
        zh: "方法被禁止",
        en: "HTTP method not allowed",
    },
    remedy: Text {
        zh: "请用大写的POST或GET。如果有图片等文件传入，一定要用POST（multipart/form-data）才可以。",
        en: "Use upper-case POST or GET. A request that carries a file (an image upload) must be a multipart/form-data POST.",
    },
    fault: Fault::Caller,
    retryable: false,
    class: ErrorClass::Platform,
    takes_detail: false,
};

pub(super) static SERVICE_CURRENTLY_UNAVAILABLE: PlatformSpec = PlatformSpec {
    code: 10,
    wire_msg: "Service Currently Unavailable",
    meaning: Text {
        zh: "服务不可用",
        en: "Service currently unavailable",
    },
    remedy: Text {
        zh: "多数是由未知异常引起的。请仔细检查传入的参数是否符合文档中描述的样子；参数没有问题就稍后重试（逐次拉长间隔）；仍然失败请保存完整响应（含request_id）并联系技术支持。",
        en: "Usually an unexpected fault. Check the parameters against the API documentation; if they are right, retry later with growing intervals; if it persists, contact support with the full response (including request_id).",
    },
    fault: Fault::Platform,
    retryable: true,
    class: ErrorClass::Platform,
    takes_detail: false,
};

pub(super) static INSUFFICIENT_ISV_PERMISSIONS: PlatformSpec = PlatformSpec {
    code: 11,
    wire_msg: "Insufficient isv permissions",
    meaning: Text {
        zh: "开发者权限不足",
        en: "The app (ISV) lacks permission for this API",
    },
    remedy: Text {
        zh: "app_key所对应的应用不具备调用当前接口的权限。需要联系运营或技术支持的同学开通调用该接口的权限。",
        en: "The app identified by app_key may not call this API. Ask the platform operators or support to grant the app access to it.",
    },
    fault: Fault::Caller,
    retryable: false,
    class: ErrorClass::Platform,
    takes_detail: false,
};

pub(super) static INSUFFICIENT_USER_PERMISSIONS: PlatformSpec = PlatformSpec {
    code: 12,
    wire_msg: "Insufficient user permissions",
    meaning: Text {
        zh: "用户权限不足",
        en: "The user has not granted this permission",
    },
    remedy: Text {
        zh: "用户没有授权应用进行此操作。请让用户重新授权（取得包含所需权限的新session），或确认该用户本身有权进行此操作。",
        en: "The user has not authorised the app for this operation. Have the user authorise again (a new session with the needed permission), or check that this user may perform it at all.",
    },
    fault: Fault::User,
    retryable: false,
    class: ErrorClass::Platform,
    takes_detail: false,
};

pub(super) static INSUFFICIENT_PARTNER_PERMISSIONS: PlatformSpec = PlatformSpec {
    code: 13,
    wire_msg: "Insufficient partner permissions",
    meaning: Text {
        zh: "合作伙伴权限不足",
        en: "The partner lacks permission for this API",
    },
    remedy: Text {
        zh: "合作伙伴没有调用当前接口的权限。需要联系运营或技术支持的同学开通相应权限。",
        en: "The partner the call is made for may not call this API. Ask the platform operators or support to grant the permission.",
    },
    fault: Fault::Caller,
    retryable: false,
    class: ErrorClass::Platform,
    takes_detail: false,
};

pub(super) static REMOTE_SERVICE_ERROR: PlatformSpec = PlatformSpec {
    code: 15,
    wire_msg: "Remote service error",
    meaning: Text {
        zh: "远程服务出错",
        en: "Remote service error",
    },
    remedy: Text {
        zh: "API调用后端服务出错。ISV首先查看自己的参数是否合法（sub_code和sub_msg会指出问题），如果参数没有问题请过一段时间再尝试，如果还不行请联系技术支持。",
        en: "The API's backend service failed. First check your parameters (sub_code and sub_msg point at the problem); if they are valid, retry after a while; if it still fails, contact support.",
    },
    fault: Fault::Caller,
    retryable: true,
    class: ErrorClass::IsvBusiness,
    takes_detail: false,
};
