//! The user line: `taobao.user.get`, `taobao.users.get`.

use topgate_protocol::backend::{BackendRequest, BackendResult, BusinessError};
use topgate_protocol::Value;

use super::shorten;
use crate::args::{dedup, fields, invalid, list, missing, text};
use crate::model::Data;
use crate::views;

/// The most nicks one `taobao.users.get` takes.
pub const MAX_NICKS: usize = 40;

/// `taobao.user.get`: the user `nick`, or the session's user.
pub fn user_get(data: &Data, req: &BackendRequest) -> BackendResult {
    let sel = fields(req)?;
    let nick = match (text(req, "nick"), &req.user) {
        (Some(nick), _) => nick,
        (None, Some(user)) => user.nick.as_str(),
        (None, None) => {
            return Err(BusinessError::new(
                "isv.missing-parameter",
                "缺少参数nick：不传nick时需要用户授权（session）",
            ))
        }
    };
    let user = data
        .users
        .get(nick)
        .ok_or_else(|| BusinessError::new("isv.user-not-exist", "用户不存在"))?;
    Ok(vec![("user".into(), views::user(user, &sel))])
}

/// `taobao.users.get`: several users by nick; any unknown nick fails the call.
pub fn users_get(data: &Data, req: &BackendRequest) -> BackendResult {
    let sel = fields(req)?;
    let nicks = list(req, "nicks");
    if nicks.is_empty() {
        return Err(missing("nicks"));
    }
    if nicks.len() > MAX_NICKS {
        return Err(invalid(format!("nicks不能超过{MAX_NICKS}个")));
    }
    let users = dedup(nicks)
        .into_iter()
        .map(|nick| {
            data.users
                .get(nick)
                .map(|u| views::user(u, &sel))
                .ok_or_else(|| {
                    BusinessError::new(
                        "isv.user-not-exist",
                        format!("用户不存在:{}", shorten(nick)),
                    )
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(vec![("users".into(), Value::list("user", users))])
}
