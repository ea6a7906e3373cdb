//! A `sunshine` server in a child process, so that its memory can be measured apart from
//! the load driver's.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::database::TestDatabase;

/// A running server process.
pub struct ServerProcess {
    child: Child,
    /// The program and the flag that make it the server's command line.
    program: PathBuf,
    flag: String,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The database it runs on (dropped after the server).
    pub database: TestDatabase,
}

impl ServerProcess {
    /// Starts `program args…` as a server on `database`, on a free port, and waits until
    /// `/ready` answers.
    pub async fn start(
        program: PathBuf,
        args: &[&str],
        database: TestDatabase,
    ) -> anyhow::Result<Self> {
        let port = free_port()?;
        let child = Command::new(&program)
            .args(args)
            // Benchmarks pledge from one address far above the public limit.
            .env("SUNSHINE_PLEDGES_PER_MINUTE", "100000000")
            .env("SUNSHINE_LOGINS_PER_MINUTE", "100000000")
            .env("DATABASE_URL", &database.url)
            .env("SUNSHINE_DATA_DIR", &database.data_dir)
            .env("SUNSHINE_BIND", format!("127.0.0.1:{port}"))
            .env("SUNSHINE_ENV", "development")
            .env("SUNSHINE_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()?;
        let mut server = Self {
            child,
            flag: args.first().map(|a| (*a).to_owned()).unwrap_or_default(),
            program,
            base: format!("http://127.0.0.1:{port}"),
            database,
        };
        server.wait_ready().await?;
        Ok(server)
    }

    async fn wait_ready(&mut self) -> anyhow::Result<()> {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait()? {
                anyhow::bail!("server exited early: {status}");
            }
            let ready = client.get(format!("{}/ready", self.base)).send().await;
            if ready.is_ok_and(|r| r.status().is_success()) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        anyhow::bail!("server not ready within 60 s")
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's resident memory now and at its peak, in bytes (Linux `/proc`).
    pub fn memory(&self) -> (u64, u64) {
        memory_of(self.child.id())
    }

    /// Starts the peak over from the memory now, so that `memory` gives the peak of
    /// what follows (Linux: writing 5 to `clear_refs` resets `VmHWM`).
    pub fn reset_peak(&self) -> std::io::Result<()> {
        std::fs::write(format!("/proc/{}/clear_refs", self.child.id()), "5")
    }
}

/// How a command of the server's program went.
pub struct CommandRun {
    pub succeeded: bool,
    pub elapsed: Duration,
    /// Peak resident memory, bytes, as last seen while it ran (sampled every 5 ms).
    pub peak_bytes: u64,
    pub stdout: String,
}

impl ServerProcess {
    /// Runs `sunshine <args…>` (such as `check`) on the server's database and data, as
    /// an operator would beside the running server.
    pub fn run_command(&self, args: &[&str]) -> anyhow::Result<CommandRun> {
        let started = Instant::now();
        let mut child = Command::new(&self.program)
            .arg(&self.flag)
            .args(args)
            .env("DATABASE_URL", &self.database.url)
            .env("SUNSHINE_DATA_DIR", &self.database.data_dir)
            .env("SUNSHINE_ENV", "development")
            .env("SUNSHINE_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let mut peak_bytes = 0;
        let status = loop {
            if let Some(status) = child.try_wait()? {
                break status;
            }
            peak_bytes = peak_bytes.max(memory_of(child.id()).1);
            std::thread::sleep(Duration::from_millis(5));
        };
        let elapsed = started.elapsed();
        let mut stdout = String::new();
        if let Some(mut out) = child.stdout.take() {
            std::io::Read::read_to_string(&mut out, &mut stdout)?;
        }
        Ok(CommandRun {
            succeeded: status.success(),
            elapsed,
            peak_bytes,
            stdout,
        })
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// A process's resident memory now and at its peak, in bytes; 0 once it is gone.
fn memory_of(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn free_port() -> std::io::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}
