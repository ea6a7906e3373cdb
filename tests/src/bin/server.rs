//! The `sunshine` command line, built inside the test crate so that tests can start real
//! server processes and run its commands (`CARGO_BIN_EXE_sunshine-test-server`).

fn main() -> std::process::ExitCode {
    sunshine::cli::main()
}
