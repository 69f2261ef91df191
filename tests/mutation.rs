//! Every workload that protects shared state with a primitive must fail `ftbench stress` (GIL off,
//! `--jitter`) once that primitive is swapped for a stand-in that synchronizes nothing: proof that
//! its `verify` can see the primitive missing. Workloads with nothing to protect are listed as
//! exempt with the reason, and a workload in neither list fails the suite.

mod common;

use std::collections::BTreeSet;

use common::{repo, workloads};
use ftbench::results::GilMode;
use ftbench::stress::{stress, table, StressArgs};
use ftbench::workload::{discover, name_of};

/// Workload → the line, appended after tests/fixtures/mutation/standins.py, that swaps its
/// primitive for a stand-in (the workloads look these names up at call time).
const MUTANTS: &[(&str, &str)] = &[
    ("lock_counter", "threading = without(threading, Lock=NoLock)"),
    ("rlock_reentrant", "threading = without(threading, RLock=NoLock)"),
    ("condition_predicate", "threading = without(threading, Condition=NoCondition)"),
    ("event_signal", "threading = without(threading, Event=NoEvent)"),
    ("barrier_phases", "threading = without(threading, Barrier=NoBarrier)"),
    ("queue_pipeline", "queue = without(queue, Queue=RacyQueue)"),
    ("simplequeue_pipeline", "queue = without(queue, SimpleQueue=RacyQueue)"),
    ("message_passing_owner", "queue = without(queue, SimpleQueue=RacyQueue)"),
    ("sharded_counter", "threading = without(threading, Lock=NoLock)"),
    ("dict_lock", "threading = without(threading, Lock=NoLock)"),
    ("concurrent_dict", "AtomicInt64 = RacyInt"),
    ("immutable_snapshot", "threading = without(threading, Lock=NoLock)"),
    ("locked_dict_reads", "threading = without(threading, Lock=NoLock)"),
    ("bank_transfer_global_lock", "threading = without(threading, Lock=NoLock)"),
    ("bank_transfer_ordered_locks", "threading = without(threading, Lock=NoLock)"),
    ("atomic_ft_utils", "AtomicInt64 = RacyInt"),
    ("atomic_pyatomix", "AtomicInt = RacyInt"),
    ("atomic_atomicx", "AtomicInt = RacyInt"),
    ("semaphore_pool", "threading = without(threading, Semaphore=NoLock)"),
    ("semaphore_pool_bounded", "threading = without(threading, BoundedSemaphore=NoLock)"),
    ("queue_bounded", "queue = without(queue, Queue=RacyQueue)"),
    ("deque_queue", "deque = RacyDeque"),
    ("snapshot_tuple", "threading = without(threading, Lock=NoLock)"),
    ("snapshot_frozen_dataclass", "threading = without(threading, Lock=NoLock)"),
    ("thread_local_state", "_local = _types.SimpleNamespace()"),
    ("ft_utils_atomic_reference", "threading = without(threading, Lock=NoLock)"),
    (
        "ft_utils_rwlock",
        "RWLock = lambda: _types.SimpleNamespace(**dict.fromkeys( \
                         ['lock_read', 'unlock_read', 'lock_write', 'unlock_write'], lambda: None))",
    ),
    ("ft_utils_concurrent_deque", "ConcurrentDeque = RacyDeque"),
    ("ft_utils_concurrent_queue", "ConcurrentQueue = RacyQueue"),
    // The stand-in needs neither the package nor 3.14t, so the mutant runs on every interpreter.
    (
        "atomic_atomics",
        "atomics = _types.SimpleNamespace(atomic=lambda width, atype: RacyInt(), INT=None); \
                        PACKAGES = []; MIN_PYTHON = (3,)",
    ),
];

/// Workloads whose `verify` cannot see a missing primitive, because there is none guarding shared state.
const EXEMPT: &[(&str, &str)] = &[
    ("cpu_only", "the threads share nothing"),
    ("lock_private", "the threads share nothing, not even the Lock"),
    ("lock_shared", "the shared Lock guards only per-thread counters: the Lock itself is what is measured"),
    ("executor_map", "the tasks share nothing; the executor hands out work and guards no shared state"),
    ("unsafe_counter", "an unsynchronized baseline: there is no primitive to remove"),
    ("bank_transfer_unsync", "an unsynchronized baseline: there is no primitive to remove"),
    ("explicit_state", "the threads share nothing"),
    ("executor_submit", "the tasks share nothing; the executor hands out work and guards no shared state"),
    ("shared_list_append", "relies on the list's internal lock, which Python code cannot remove"),
    ("shared_dict_writes", "relies on the dict's internal lock, which Python code cannot remove"),
    ("shared_list_append_lock", "its Lock guards an append the list already makes atomic: the pair measures the Lock's cost"),
    ("shared_dict_writes_lock", "its Lock guards a store the dict already makes atomic: the pair measures the Lock's cost"),
    ("context_thread_inherit", "the primitive is an interpreter flag set at start-up (ENV), not an object to swap"),
    ("context_thread_inherit_off", "the primitive is an interpreter flag set at start-up (ENV), not an object to swap"),
    ("warnings_context_aware", "the primitive is an interpreter flag set at start-up (ENV), not an object to swap"),
    ("warnings_context_unaware", "an unsynchronized baseline: there is no primitive to remove"),
];

/// The opt-in interpreter-scaling loops (`interp_*`) share nothing between threads: exempt as a group.
const EXEMPT_PREFIX: &str = "interp_";

#[test]
fn every_workload_is_either_mutated_or_exempt() {
    let names: BTreeSet<String> =
        discover(&repo().join("python_workloads")).unwrap().iter().map(|p| name_of(p)).filter(|n| !n.starts_with(EXEMPT_PREFIX)).collect();
    let mutated: BTreeSet<String> = MUTANTS.iter().map(|(n, _)| n.to_string()).collect();
    let exempt: BTreeSet<String> = EXEMPT.iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(mutated.len(), MUTANTS.len(), "a workload is listed twice in MUTANTS");
    assert!(mutated.is_disjoint(&exempt), "mutated and exempt: {:?}", mutated.intersection(&exempt).collect::<Vec<_>>());
    let listed: BTreeSet<String> = mutated.union(&exempt).cloned().collect();
    let unlisted: Vec<_> = names.difference(&listed).collect();
    assert!(unlisted.is_empty(), "add these workloads to MUTANTS in tests/mutation.rs (or to EXEMPT, saying why): {unlisted:?}");
    let stale: Vec<_> = listed.difference(&names).collect();
    assert!(stale.is_empty(), "listed in tests/mutation.rs but not in python_workloads/: {stale:?}");
}

#[test]
fn stress_fails_every_workload_whose_primitive_is_removed() {
    let dir = workloads(&[]);
    let standins = std::fs::read_to_string(repo().join("tests/fixtures/mutation/standins.py")).unwrap();
    for (name, swap) in MUTANTS {
        let original = std::fs::read_to_string(repo().join("python_workloads").join(format!("{name}.py"))).unwrap();
        std::fs::write(dir.path().join(format!("{name}.py")), format!("{original}{standins}\n{swap}\n")).unwrap();
    }
    let args = StressArgs {
        workloads: Vec::new(),
        rounds: 30,
        threads: 4,
        ops: Some(1000),
        jitter: true,
        workloads_dir: Some(dir.path().to_path_buf()),
        timeout: 120,
    };
    let outcomes = stress(std::path::Path::new(env!("CARGO_BIN_EXE_ftbench")), &args).unwrap();
    println!("{}", table(&outcomes));
    let mut survivors = Vec::new();
    for (name, _) in MUTANTS {
        let off = outcomes.iter().find(|o| o.workload == *name && o.mode == Some(GilMode::Off)).unwrap();
        // A mutant that failed to load or hung would also be a "failure": demand that verify caught it.
        assert!(!off.skipped && off.problem.is_none(), "{name}: the mutant did not run: {off:?}");
        if !(off.broken_rounds > 0 && off.is_failure()) {
            survivors.push(format!("{name}: {off:?}"));
        }
    }
    assert!(survivors.is_empty(), "without their primitive, these passed every round:\n{}", survivors.join("\n"));
}
