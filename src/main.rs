//! The `ai-modeler` binary: parse the command line and hand over to
//! [`ai_modeler::cli::run`]. No arguments means `serve`.

use clap::Parser;

fn main() -> std::process::ExitCode {
    ai_modeler::cli::run(ai_modeler::cli::Cli::parse())
}
