//! Every process the benchmark starts: pinned to a core with `taskset`, logged to a file in the
//! run's temporary directory, and stopped when the benchmark ends however it ends: normally, on an
//! error (drop), on Ctrl-C or SIGTERM (a signal thread), or killed outright (`setpriv
//! --pdeathsig`, where util-linux has it, so orphans die with their parent).

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The processes alive, by name.
type Children = Arc<Mutex<Vec<(String, Child)>>>;

pub struct Procs {
    children: Children,
    /// The run's temporary directory: logs, data directories, configurations.
    pub dir: PathBuf,
    pdeathsig: bool,
}

/// Where a program is found on `PATH`.
pub fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// A port free on 127.0.0.1 now (bound and released).
pub fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Procs {
    /// Takes charge of `dir` (removed at the end unless `keep`) and of every process started
    /// from now on, including on Ctrl-C and SIGTERM.
    pub fn new(dir: PathBuf, keep: bool) -> anyhow::Result<Procs> {
        anyhow::ensure!(
            which("taskset").is_some(),
            "taskset is missing: install util-linux (apt-get install util-linux)"
        );
        let children: Children = Arc::default();
        let (watched, cleanup_dir) = (children.clone(), dir.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a signal runtime");
            let signal = rt.block_on(stop_signal());
            let mut children = watched.lock().unwrap_or_else(|e| e.into_inner());
            for (_, child) in children.iter_mut() {
                let _ = child.kill();
                let _ = child.wait();
            }
            if !keep {
                let _ = std::fs::remove_dir_all(&cleanup_dir);
            }
            eprintln!("\n{signal}: stopped {} processes", children.len());
            std::process::exit(130);
        });
        Ok(Procs {
            children,
            dir,
            pdeathsig: which("setpriv").is_some(),
        })
    }

    /// Starts `program args` on core `cpu`, output to `<dir>/<name>.log` (stdout to
    /// `<name>.out` when `stdout_file`). Returns its pid.
    pub fn spawn(
        &self,
        name: &str,
        cpu: usize,
        program: &Path,
        args: &[String],
        stdout_file: bool,
    ) -> anyhow::Result<u32> {
        let log = std::fs::File::create(self.dir.join(format!("{name}.log")))?;
        let out = if stdout_file {
            Stdio::from(std::fs::File::create(self.dir.join(format!("{name}.out")))?)
        } else {
            Stdio::from(log.try_clone()?)
        };
        let mut cmd = if self.pdeathsig {
            let mut c = Command::new("setpriv");
            c.args(["--pdeathsig", "KILL", "taskset"]);
            c
        } else {
            Command::new("taskset")
        };
        cmd.args(["-c", &cpu.to_string()]).arg(program).args(args);
        cmd.env("TOPGATE_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(log);
        let child = cmd
            .spawn()
            .map_err(|e| anyhow::anyhow!("cannot start {}: {e}", program.display()))?;
        let pid = child.id();
        self.lock().push((name.to_owned(), child));
        Ok(pid)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(String, Child)>> {
        self.children.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `Some(status)` once the process `pid` has ended.
    pub fn exited(&self, pid: u32) -> Option<std::process::ExitStatus> {
        let mut children = self.lock();
        let (_, child) = children.iter_mut().find(|(_, c)| c.id() == pid)?;
        child.try_wait().ok().flatten()
    }

    /// Waits until `pid` ends; its status.
    pub fn wait(&self, pid: u32) -> std::process::ExitStatus {
        loop {
            if let Some(status) = self.exited(pid) {
                self.lock().retain(|(_, c)| c.id() != pid);
                return status;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until `port` accepts connections, failing with the log if `pid` ends first.
    pub fn wait_port(&self, name: &str, pid: u32, port: u16) -> anyhow::Result<()> {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Some(status) = self.exited(pid) {
                anyhow::bail!("{name} stopped ({status}):\n{}", self.log_tail(name));
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        anyhow::bail!(
            "{name} did not listen on {addr} within 60 s:\n{}",
            self.log_tail(name)
        )
    }

    /// The last lines of a process's log.
    pub fn log_tail(&self, name: &str) -> String {
        let text =
            std::fs::read_to_string(self.dir.join(format!("{name}.log"))).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Stops the processes whose pids are given.
    pub fn stop(&self, pids: &[u32]) {
        let mut children = self.lock();
        for (_, child) in children.iter_mut().filter(|(_, c)| pids.contains(&c.id())) {
            let _ = child.kill();
            let _ = child.wait();
        }
        children.retain(|(_, c)| !pids.contains(&c.id()));
    }
}

impl Drop for Procs {
    fn drop(&mut self) {
        let pids: Vec<u32> = self.lock().iter().map(|(_, c)| c.id()).collect();
        self.stop(&pids);
    }
}

async fn stop_signal() -> &'static str {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut int), Ok(mut term), Ok(mut hup)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = int.recv() => "interrupted",
        _ = term.recv() => "terminated",
        _ = hup.recv() => "hung up",
    }
}
