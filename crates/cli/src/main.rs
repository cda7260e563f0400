//! The `waymark` command: import a council's documents, then check, reconcile, count and export.

mod args;
mod commands;
mod config;
mod demo;
mod keys;
mod outcome_file;
mod output;
mod publish;
mod report;
mod serve;
mod sheets;
mod staff;
mod synth;
mod telemetry;
mod transfer;

use clap::{CommandFactory, FromArgMatches};
use std::process::ExitCode;

/// Why a command failed. Bad input and bad usage exit with 2; anything else with 1.
#[derive(Debug)]
pub enum Failure {
    /// The user can fix this: a bad file, a wrong option, an empty database.
    Input(String),
    /// Something went wrong inside Waymark or the database.
    Internal(anyhow::Error),
    /// A check found the data broken (e.g. a tampered audit trail): exit 1 with this message.
    Broken(String),
}

impl From<waymark_store::StoreError> for Failure {
    fn from(e: waymark_store::StoreError) -> Self {
        match e {
            waymark_store::StoreError::Usage(msg)
            | waymark_store::StoreError::Conflict(msg)
            | waymark_store::StoreError::NotFound(msg) => Failure::Input(msg),
            e @ (waymark_store::StoreError::Refused(_) | waymark_store::StoreError::Invalid(_)) => {
                Failure::Input(e.to_string())
            }
            other => Failure::Internal(other.into()),
        }
    }
}

impl From<waymark_import::ImportError> for Failure {
    fn from(e: waymark_import::ImportError) -> Self {
        Failure::Input(e.to_string())
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Internal(e.into())
    }
}

fn main() -> ExitCode {
    let matches = args::Cli::command().get_matches();
    let mut args = match args::Cli::from_arg_matches(&matches) {
        Ok(args) => args,
        Err(e) => e.exit(),
    };
    args.db_named = !matches!(
        matches.value_source("db"),
        None | Some(clap::parser::ValueSource::DefaultValue)
    );
    let serving = match &args.command {
        args::Command::Serve(_) => true,
        args::Command::Demo(demo) => !demo.load_only,
        _ => false,
    };
    telemetry::start_logging(args.log_format, serving);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("waymark: could not start: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(commands::run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(msg)) => {
            eprintln!("waymark: {msg}");
            ExitCode::from(2)
        }
        Err(Failure::Broken(msg)) => {
            eprintln!("waymark: {msg}");
            ExitCode::from(1)
        }
        Err(Failure::Internal(e)) => {
            eprintln!("waymark: {e:#}");
            ExitCode::from(1)
        }
    }
}
