//! `topgate catalog check FILE`: every problem, one per line, `FILE:LINE:COL: message`.

use std::path::PathBuf;

use clap::Subcommand;
use topgate_gateway::catalog::Catalog;

#[derive(Subcommand)]
pub enum CatalogCommand {
    /// Report every problem of a catalog file (exit 0 clean, 1 problems, 2 unreadable)
    Check {
        file: PathBuf,
        /// Print the APIs of a clean catalog
        #[arg(long)]
        list: bool,
    },
}

pub fn run(cmd: CatalogCommand) -> anyhow::Result<u8> {
    let CatalogCommand::Check { file, list } = cmd;
    let text = std::fs::read_to_string(&file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    match Catalog::parse(&text) {
        Ok(catalog) => {
            if list {
                let mut names: Vec<_> = catalog.apis.keys().cloned().collect();
                names.sort();
                for n in names {
                    println!("{n}");
                }
            }
            eprintln!("{}: ok, {} APIs", file.display(), catalog.len());
            Ok(0)
        }
        Err(errors) => {
            for p in &errors.0 {
                println!("{}:{}:{}: {}", file.display(), p.line, p.column, p.message);
            }
            eprintln!("{}: {} problem(s)", file.display(), errors.0.len());
            Ok(1)
        }
    }
}
