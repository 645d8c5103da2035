//! `topgate`: the gateway, its administration, and the ISV's tools, in one binary.
//!
//! Exit codes: 0 success; 1 the thing asked about is an error (an API error for `call`, problems
//! found for `catalog check`, an error response for `diagnose`); 2 usage, I/O or transport error.

mod admin;
mod admin_client;
mod archive_cmd;
mod archive_view;
mod call;
mod catalog_cmd;
mod demo_backend_cmd;
mod diagnose;
mod log_writer;
mod serve;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "topgate", version, about = "An open-platform API gateway that speaks the TOP protocol", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the gateway (`--demo` for the built-in commerce backend and demo credentials)
    Serve(serve::ServeArgs),
    /// Run the demo commerce service as an HTTP backend (docs/backend-protocol.md)
    DemoBackend(demo_backend_cmd::DemoBackendArgs),
    /// Manage apps (keys, secrets, permission packages)
    #[command(subcommand)]
    App(admin::AppCommand),
    /// Manage users
    #[command(subcommand)]
    User(admin::UserCommand),
    /// Issue and revoke sessions (user authorisations)
    #[command(subcommand)]
    Session(admin::SessionCommand),
    /// Call an API like an SDK does: sign, send, print, save; a one-line diagnosis on errors
    Call(call::CallArgs),
    /// Explain a saved response (file or stdin) or an archived call (--request-id)
    Diagnose(diagnose::DiagnoseArgs),
    /// Flow-control limits on all the apps of a partner
    #[command(subcommand)]
    Partner(admin::PartnerCommand),
    /// Flow-control limits on an API (the registry's, replacing the catalog's)
    #[command(subcommand)]
    Api(admin::ApiCommand),
    /// Check an API catalog file
    #[command(subcommand)]
    Catalog(catalog_cmd::CatalogCommand),
    /// Read the call archive: `show ID` (the request id of a response), `list` with filters
    #[command(subcommand)]
    Archive(archive_cmd::ArchiveCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve::run(args),
        Command::DemoBackend(args) => demo_backend_cmd::run(args),
        Command::App(cmd) => admin::run_app(cmd),
        Command::User(cmd) => admin::run_user(cmd),
        Command::Session(cmd) => admin::run_session(cmd),
        Command::Partner(cmd) => admin::run_partner(cmd),
        Command::Api(cmd) => admin::run_api(cmd),
        Command::Catalog(cmd) => catalog_cmd::run(cmd),
        Command::Archive(cmd) => archive_cmd::run(cmd),
        Command::Call(args) => block_on(call::run(args)),
        Command::Diagnose(args) => block_on(diagnose::run(args)),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Runs an async command on a runtime of its own; its `i32` is the exit code.
fn block_on(f: impl std::future::Future<Output = anyhow::Result<i32>>) -> anyhow::Result<u8> {
    let code = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(f)?;
    Ok(u8::try_from(code).unwrap_or(2))
}
