//! Who is measuring a run: the process writing its results.json, recorded in it, so that a reader
//! can tell a live run from one whose process died without a word (SIGKILL, a closed laptop lid,
//! a CI job's time limit), which can never mark itself.

use serde::{Deserialize, Serialize};
use sysinfo::{Pid, ProcessRefreshKind, ProcessesToUpdate, System};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct RunOwner {
    pub pid: u32,
    pub host: String,
    /// When that process started, seconds since the epoch: a pid the system gave to another
    /// process since has another start.
    pub process_started: u64,
}

impl RunOwner {
    /// This process.
    pub fn current() -> RunOwner {
        let pid = std::process::id();
        RunOwner { pid, host: host(), process_started: process_start(pid).unwrap_or_default() }
    }

    /// Whether the owner still runs: None when it ran on another host (this one cannot tell).
    pub fn alive(&self) -> Option<bool> {
        (self.host == host()).then(|| process_start(self.pid) == Some(self.process_started))
    }
}

fn host() -> String {
    System::host_name().unwrap_or_else(|| "unknown".into())
}

/// A process's start time, None when there is no such process.
fn process_start(pid: u32) -> Option<u64> {
    let pid = Pid::from_u32(pid);
    let mut sys = System::new();
    sys.refresh_processes_specifics(ProcessesToUpdate::Some(&[pid]), true, ProcessRefreshKind::nothing());
    sys.process(pid).map(|p| p.start_time())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_finished_one_is_not() {
        assert_eq!(RunOwner::current().alive(), Some(true));
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        let owner = RunOwner { pid, host: host(), process_started: process_start(pid).unwrap_or(1) };
        child.wait().unwrap();
        assert_eq!(owner.alive(), Some(false), "exited and reaped");
        let reused = RunOwner { process_started: RunOwner::current().process_started + 1, ..RunOwner::current() };
        assert_eq!(reused.alive(), Some(false), "the same pid, started at another time: another process");
        assert_eq!(RunOwner { host: "elsewhere".into(), ..RunOwner::current() }.alive(), None);
    }
}
