//! The credentials and names the gateway registers for `topgate serve --demo`, so that a client
//! can call the demo catalog out of the box.

/// The demo app's key.
pub const APP_KEY: &str = "12345678";
/// The demo app's secret (the protocol's published test vector uses it too).
pub const APP_SECRET: &str = "helloworld";
/// A session of [`SESSION_NICK`] for the demo app, granted every package.
pub const SESSION_KEY: &str = "demo-session-tbtest561";
/// The user the demo session belongs to: a seller with items, trades and refunds.
pub const SESSION_NICK: &str = "tbtest561";
/// Every permission package the demo catalog names.
pub const PACKAGES: &[&str] = &[
    "user-basic",
    "item-read",
    "item-write",
    "trade-read",
    "refund-read",
];
/// The demo users' nicks, [`SESSION_NICK`] first: the gateway registers them.
pub const USERS: &[&str] = &[
    "tbtest561",
    "sandbox_c_1",
    "sandbox_c_2",
    "sandbox_b_2",
    "茶香小铺",
];
