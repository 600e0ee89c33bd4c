import Foundation
import LabSupport
#if canImport(Glibc)
import Glibc
#endif

/// What must go however the benchmark ends: the lab, the Ansible child
/// running at the time, Ansible's SSH control masters. The normal and
/// error paths run it through `defer`; SIGINT/SIGTERM/SIGHUP run it too.
final class Cleanup: @unchecked Sendable {
    private let lock = NSLock()
    /// Held for a whole cleanup: a second caller (the error path while a
    /// signal's cleanup runs) waits for the first to finish, never exits midway.
    private let running = NSLock()
    private var _lab: Lab?
    private var _child: pid_t?
    private var _workspace: AnsibleWorkspace?
    private var sources: [any DispatchSourceSignal] = []
    private var _signal: Int32?

    /// The signal that stopped the benchmark, if one did.
    var signalled: Int32? { lock.withLock { _signal } }

    var lab: Lab? {
        get { lock.withLock { _lab } }
        set { lock.withLock { _lab = newValue } }
    }
    var child: pid_t? {
        get { lock.withLock { _child } }
        set { lock.withLock { _child = newValue } }
    }
    var workspace: AnsibleWorkspace? {
        get { lock.withLock { _workspace } }
        set { lock.withLock { _workspace = newValue } }
    }

    /// Ends the Ansible child (by its pid), closes the control masters, tears the lab down. Idempotent.
    func run() {
        running.lock()
        defer { running.unlock() }
        let (lab, child, ws) = lock.withLock {
            defer { _lab = nil; _child = nil; _workspace = nil }
            return (_lab, _child, _workspace)
        }
        if let child {
            // Foundation's Process reaps it; here only signal it, by its pid.
            kill(child, SIGTERM)
            usleep(2_000_000)
            kill(child, SIGKILL)
        }
        if let ws { AnsibleRun.closeControlMasters(ws) }
        if let lab {
            FileHandle.standardError.write(Data("tearing down lab \(lab.id) (\(lab.hosts.count) hosts)…\n".utf8))
            lab.tearDown()
        }
    }

    /// On SIGINT, SIGTERM or SIGHUP: clean up, then exit 128+signal.
    func installSignalHandlers() {
        sources = ExitSignals.install { [self] sig in
            lock.withLock { _signal = sig }
            run()
        }
    }
}
