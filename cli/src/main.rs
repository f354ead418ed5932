//! The `specwright` command: generate, check and inspect clients from OpenAPI descriptions.

use clap::Parser;

fn main() {
    let cli = specwright_cli::Cli::parse();
    // Not locked for the whole run: generation runs stages on threads of their own, and a
    // panic message from one of them must not wait for a lock this thread holds.
    let code = specwright_cli::run(cli, &mut std::io::stdout(), &mut std::io::stderr());
    std::process::exit(code);
}
