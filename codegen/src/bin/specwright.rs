//! The `specwright` command: generate, check and inspect clients from OpenAPI descriptions.

use clap::Parser;

fn main() {
    let cli = specwright_codegen::cli::Cli::parse();
    let code = specwright_codegen::cli::run(cli, &mut std::io::stdout().lock(), &mut std::io::stderr().lock());
    std::process::exit(code);
}
