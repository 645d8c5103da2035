//! The backend-protocol call that topgate (scenario D) sends to the demo backend for the pool's
//! calls, pre-built for the references in front of the same backend (C: `bench-proxy`, E: nginx),
//! so that the backend does the same work behind every proxy.

use topgate_protocol::backend::{BackendRequest, BackendUser, WireRequest};

use crate::pool::{APP_KEY, FIELDS, METHOD, SESSION_NICK};

/// The JSON body of `POST /` to the demo backend: [`METHOD`] for item 1 as the session user.
pub fn backend_body() -> String {
    let request = BackendRequest {
        method: METHOD.to_owned(),
        params: vec![
            ("fields".to_owned(), FIELDS.to_owned()),
            ("num_iid".to_owned(), "1".to_owned()),
        ],
        files: Vec::new(),
        app_key: APP_KEY.to_owned(),
        // The demo backend reads the nick; the registry's id of the first seeded user is 1.
        user: Some(BackendUser {
            id: 1,
            nick: SESSION_NICK.to_owned(),
        }),
        request_id: "0bench000000000000000".to_owned(),
    };
    serde_json::to_string(&WireRequest::from_request(&request)).expect("a wire request is JSON")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_body_is_safe_in_an_nginx_single_quoted_string() {
        let body = super::backend_body();
        assert!(!body.contains('\'') && !body.contains('$') && !body.contains('\\'));
        assert!(body.contains("\"taobao.item.get\""));
    }
}
