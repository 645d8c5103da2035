//! Administration of the registry: `topgate app|user|session ...`, on the data directory, or
//! on the registry a configuration file names (`--config`: PostgreSQL, shared by many nodes).
//!
//! A running server on the same data directory (or database) sees every change within a
//! second. With `--server URL` a command goes through a running gateway's admin API instead
//! (`docs/admin-api.md`), and prints the same. `--json`
//! prints one JSON document for scripts.

mod limits;
mod target;

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, Subcommand};
use serde_json::{json, Value};
use topgate_gateway::{config, stores};
use topgate_protocol::time::format_gmt8;
use topgate_store::{unix_now_ms, App, NewApp, NewSession, Registry, Session, User};

use crate::admin_client::RemoteArgs;
use target::Target;

#[derive(Args, Clone)]
pub struct StoreArgs {
    /// Data directory [default: $TOPGATE_DATA_DIR or ~/.local/share/topgate]
    #[arg(long, value_name = "DIR", env = "TOPGATE_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// The gateway's configuration file: administer the registry its [store] names (PostgreSQL)
    #[arg(long, value_name = "FILE", env = "TOPGATE_CONFIG")]
    config: Option<PathBuf>,
    /// Print JSON for scripts
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    remote: RemoteArgs,
}

impl StoreArgs {
    /// The admin API with `--server`, else the registry itself.
    fn open(&self) -> anyhow::Result<Target> {
        let config_dir = || {
            let path = self.config.as_ref()?;
            config::Config::load(path).ok()?.data_dir
        };
        let dir = self.data_dir.clone().or_else(config_dir);
        match self
            .remote
            .client(&dir.unwrap_or_else(config::default_data_dir))?
        {
            Some(client) => Ok(Target::Remote(client)),
            None => self.open_local().map(Target::Local),
        }
    }

    fn open_local(&self) -> anyhow::Result<Arc<dyn Registry>> {
        let settings = match &self.config {
            Some(path) => config::Config::load(path)?,
            None => config::Config::default(),
        };
        let dir = self
            .data_dir
            .clone()
            .or(settings.data_dir)
            .unwrap_or_else(config::default_data_dir);
        if settings.store.registry == stores::Backend::Sqlite {
            std::fs::create_dir_all(&dir).map_err(|e| {
                anyhow::anyhow!("cannot create the data directory {}: {e}", dir.display())
            })?;
        }
        stores::open_registry(&settings.store, &dir)
    }
}

#[derive(Subcommand)]
pub enum AppCommand {
    /// Create an app; prints its key and secret
    Create {
        #[arg(long)]
        name: String,
        /// Permission package to grant (repeatable)
        #[arg(long = "grant", value_name = "PKG")]
        grants: Vec<String>,
        /// Partner the app belongs to
        #[arg(long)]
        partner: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List apps
    List {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Show one app (with its secret)
    Show {
        app_key: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Disable an app: its calls are refused (code 42)
    Disable {
        app_key: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Enable an app again
    Enable {
        app_key: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Grant a permission package
    Grant {
        app_key: String,
        package: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Revoke a permission package
    Revoke {
        app_key: String,
        package: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Replace the app's secret; prints the new one
    RotateSecret {
        app_key: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Show or set the app's flow-control limits (with --api: on one API)
    Limits {
        app_key: String,
        /// The limit of this app on this API (app×API) instead of the app's
        #[arg(long, value_name = "METHOD")]
        api: Option<String>,
        #[command(flatten)]
        limit: limits::LimitArgs,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Clear the app's flow-control counters (the app's and its per-API ones)
    ResetCounters {
        app_key: String,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user
    Create {
        #[arg(long)]
        nick: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List users
    List {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Show or set the user's flow-control limits (all the user's sessions together)
    Limits {
        nick: String,
        #[command(flatten)]
        limit: limits::LimitArgs,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand)]
pub enum SessionCommand {
    /// Issue a session (a user's authorisation of an app); prints the session key
    Issue {
        #[arg(long = "app", value_name = "KEY")]
        app_key: String,
        #[arg(long = "user", value_name = "NICK")]
        nick: String,
        /// Lifetime, e.g. 30d, 12h, 90m
        #[arg(long, default_value = "30d", value_parser = humantime::parse_duration)]
        ttl: std::time::Duration,
        /// Permission package the user grants (repeatable) [default: all of the app's]
        #[arg(long = "grant", value_name = "PKG")]
        grants: Vec<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Revoke a session: calls with it are refused (code 27)
    Revoke {
        key: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List sessions
    List {
        #[arg(long = "app", value_name = "KEY")]
        app_key: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Show or set the session's flow-control limits
    Limits {
        key: String,
        #[command(flatten)]
        limit: limits::LimitArgs,
        #[command(flatten)]
        store: StoreArgs,
    },
}

pub use limits::{run_api, run_partner, ApiCommand, PartnerCommand};

pub fn run_app(cmd: AppCommand) -> anyhow::Result<u8> {
    let now = unix_now_ms();
    let (store, app) = match cmd {
        AppCommand::Create {
            name,
            grants,
            partner,
            store,
        } => {
            let app = store.open()?.create_app(
                NewApp {
                    name,
                    grants,
                    partner,
                    app_key: None,
                    secret: None,
                },
                now,
            )?;
            (store, app)
        }
        AppCommand::List { store } => {
            let apps = store.open()?.apps()?;
            if store.json {
                print_json(&Value::Array(
                    apps.iter().map(|a| app_json(a, false)).collect(),
                ));
            } else {
                println!(
                    "{:<10} {:<8} {:<24} {:<12} packages",
                    "app_key", "enabled", "name", "partner"
                );
                for a in &apps {
                    println!(
                        "{:<10} {:<8} {:<24} {:<12} {}",
                        a.app_key,
                        a.enabled,
                        a.name,
                        a.partner.as_deref().unwrap_or("-"),
                        a.grants.join(",")
                    );
                }
            }
            return Ok(0);
        }
        AppCommand::Show { app_key, store } => {
            let app = store.open()?.app(&app_key)?;
            (store, app)
        }
        AppCommand::Disable { app_key, store } => {
            let app = store.open()?.set_app_enabled(&app_key, false)?;
            (store, app)
        }
        AppCommand::Enable { app_key, store } => {
            let app = store.open()?.set_app_enabled(&app_key, true)?;
            (store, app)
        }
        AppCommand::Grant {
            app_key,
            package,
            store,
        } => {
            let app = store.open()?.grant(&app_key, &package)?;
            (store, app)
        }
        AppCommand::Revoke {
            app_key,
            package,
            store,
        } => {
            let app = store.open()?.revoke(&app_key, &package)?;
            (store, app)
        }
        AppCommand::RotateSecret { app_key, store } => {
            let app = store.open()?.rotate_secret(&app_key)?;
            (store, app)
        }
        AppCommand::Limits {
            app_key,
            api,
            limit,
            store,
        } => return limits::app(&store, &app_key, api.as_deref(), &limit),
        AppCommand::ResetCounters { app_key, store } => {
            return limits::reset_counters(&store, &app_key)
        }
    };
    if store.json {
        print_json(&app_json(&app, true));
    } else {
        println!(
            "app_key   {}\nsecret    {}\nname      {}\nenabled   {}\npartner   {}\npackages  {}",
            app.app_key,
            app.secret,
            app.name,
            app.enabled,
            app.partner.as_deref().unwrap_or("-"),
            app.grants.join(",")
        );
    }
    Ok(0)
}

pub fn run_user(cmd: UserCommand) -> anyhow::Result<u8> {
    match cmd {
        UserCommand::Create { nick, store } => {
            let user = store.open()?.create_user(&nick, unix_now_ms())?;
            if store.json {
                print_json(&user_json(&user))
            } else {
                println!("user {} created (id {})", user.nick, user.id)
            }
        }
        UserCommand::List { store } => {
            let users = store.open()?.users()?;
            if store.json {
                print_json(&Value::Array(users.iter().map(user_json).collect()));
            } else {
                for u in &users {
                    println!("{:<8} {}", u.id, u.nick)
                }
            }
        }
        UserCommand::Limits { nick, limit, store } => return limits::user(&store, &nick, &limit),
    }
    Ok(0)
}

pub fn run_session(cmd: SessionCommand) -> anyhow::Result<u8> {
    match cmd {
        SessionCommand::Issue {
            app_key,
            nick,
            ttl,
            grants,
            store,
        } => {
            let session = store.open()?.issue_session(NewSession {
                app_key,
                user_nick: nick,
                ttl_ms: ttl.as_millis() as i64,
                grants,
                key: None,
                now_ms: unix_now_ms(),
            })?;
            if store.json {
                print_json(&session_json(&session))
            } else {
                println!("{}", session.key);
                eprintln!(
                    "session for user id {} on app {}, expires {} (GMT+8), packages {}",
                    session.user_id,
                    session.app_key,
                    format_gmt8(session.expires_at_ms),
                    session.grants.join(",")
                );
            }
        }
        SessionCommand::Revoke { key, store } => {
            let session = store.open()?.revoke_session(&key)?;
            if store.json {
                print_json(&session_json(&session))
            } else {
                println!("session revoked")
            }
        }
        SessionCommand::List { app_key, store } => {
            let sessions = store.open()?.sessions(app_key.as_deref())?;
            if store.json {
                print_json(&Value::Array(sessions.iter().map(session_json).collect()));
            } else {
                for s in &sessions {
                    println!(
                        "{:<48} app {:<10} user {:<6} expires {} {}",
                        s.key,
                        s.app_key,
                        s.user_id,
                        format_gmt8(s.expires_at_ms),
                        if s.revoked { "revoked" } else { "" }
                    );
                }
            }
        }
        SessionCommand::Limits { key, limit, store } => {
            return limits::session(&store, &key, &limit)
        }
    }
    Ok(0)
}

fn print_json(v: &Value) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

fn app_json(a: &App, with_secret: bool) -> Value {
    let mut v = json!({"app_key": a.app_key, "name": a.name, "enabled": a.enabled, "partner": a.partner, "packages": a.grants, "created_at": format_gmt8(a.created_at_ms)});
    if with_secret {
        v["secret"] = json!(a.secret);
    }
    v
}

fn user_json(u: &User) -> Value {
    json!({"id": u.id, "nick": u.nick, "created_at": format_gmt8(u.created_at_ms)})
}

fn session_json(s: &Session) -> Value {
    json!({"key": s.key, "app_key": s.app_key, "user_id": s.user_id, "packages": s.grants, "expires_at": format_gmt8(s.expires_at_ms), "expires_at_ms": s.expires_at_ms, "revoked": s.revoked})
}
