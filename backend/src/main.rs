//! The `sunshine` binary: the server and its command line.

fn main() -> std::process::ExitCode {
    sunshine::cli::main()
}
