import Foundation
import KubeSupport
import LabSupport
#if canImport(Glibc)
import Glibc
#endif

/// What must go however the benchmark ends: the controller, the ipset
/// probes, the fake API server, the lab. The normal and error paths run it
/// through `defer`; SIGINT/SIGTERM/SIGHUP run it too, then exit 128+signal.
final class Cleanup: @unchecked Sendable {
    private let lock = NSLock()
    /// Held for a whole cleanup: a second caller waits for the first to finish.
    private let running = NSLock()
    private var _controller: ControllerProcess?
    private var _probe: SetProbe?
    private var _api: FakeAPIServer?
    private var _lab: Lab?
    private var sources: [any DispatchSourceSignal] = []

    var controller: ControllerProcess? {
        get { lock.withLock { _controller } }
        set { lock.withLock { _controller = newValue } }
    }
    var probe: SetProbe? {
        get { lock.withLock { _probe } }
        set { lock.withLock { _probe = newValue } }
    }
    var api: FakeAPIServer? {
        get { lock.withLock { _api } }
        set { lock.withLock { _api = newValue } }
    }
    var lab: Lab? {
        get { lock.withLock { _lab } }
        set { lock.withLock { _lab = newValue } }
    }

    /// Stops the controller (by its pid), the probes and the fake server, tears the lab down. Idempotent.
    func run() {
        running.lock()
        defer { running.unlock() }
        let (controller, probe, api, lab) = lock.withLock {
            defer { _controller = nil; _probe = nil; _api = nil; _lab = nil }
            return (_controller, _probe, _api, _lab)
        }
        controller?.stop(grace: .seconds(10))
        probe?.close()
        api?.stop()
        if let lab {
            FileHandle.standardError.write(Data("tearing down lab \(lab.id) (\(lab.hosts.count) hosts)…\n".utf8))
            lab.tearDown()
        }
    }

    func installSignalHandlers() {
        sources = ExitSignals.install { [self] _ in run() }
    }
}
