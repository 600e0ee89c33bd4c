import ExtendSSH
import Foundation
import LabSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

extension HostLabBacked.Rollback {
    /// What `killSession` did.
    struct Interrupted {
        /// The host's state before the interrupted apply.
        var old: HostState
        /// The processes killed: everything the host's sshd ran for the session.
        var killed: [ProcessTree.Entry]
        var report: HostReport?
    }

    /// Applies the new rules with a short rollback and, the moment the host's
    /// sshd has a process below it that `when` picks, kills every process
    /// below that sshd except a detached rollback, then the sshd itself. The
    /// moment can be brief: should a busy machine let it slip by (the apply
    /// then simply succeeds), it goes back to the old rules and tries again,
    /// three times in all. Records an issue unless the apply failed and the
    /// rollback was already running detached when the session died.
    static func killSession(_ lab: Lab, _ host: LabHost, during what: String,
                            sourceLocation: SourceLocation = #_sourceLocation,
                            when: (ProcessTree.Entry) -> Bool) async throws -> Interrupted {
        let agent = try lab.agents(inventory(lab), policies: newPolicies(), cluster: clients(lab),
                                   options: .shortRollback)[0]
        let sshd = try #require(lab.sshdPID(of: host), sourceLocation: sourceLocation)
        var caught: [ProcessTree.Entry] = []
        var armed: [ProcessTree.Entry] = []
        var old = try await applyOld(lab)
        var report: HostReport?
        for attempt in 1...3 where caught.isEmpty {
            if attempt > 1 { old = try await applyOld(lab) }
            let finished = Flag()
            let applying = Task {
                defer { finished.set() }
                return try await agent.applyOffPool()
            }
            while caught.isEmpty && !finished.isSet {
                let tree = ProcessTree.read()
                if tree.descendants(of: sshd).contains(where: when) {
                    caught = tree.descendants(of: sshd) { $0.isDetachedRollback }
                    armed = tree.detachedRollbacks(besides: sshd)
                    for e in caught { kill(e.pid, SIGKILL) }
                    lab.killSSHD(host)
                } else {
                    usleep(2_000)
                }
            }
            report = try await applying.value
        }
        try #require(!caught.isEmpty, "in 3 attempts the apply was never caught during \(what)", sourceLocation: sourceLocation)
        let message = report.map { "\($0.status): \($0.message)" } ?? "no report"
        let killed = caught.map { String($0.commandLine.prefix(60)) }
        let hit = caught.contains(where: when)
        #expect(hit, "killed \(killed); the apply said \(message)", sourceLocation: sourceLocation)
        #expect(report?.failed == true, "\(message)", sourceLocation: sourceLocation)
        // The rollback already ran as itself, detached in a session of its
        // own, when the session died: not still on its way there (a forked
        // shell or `setsid`) and so killed along with it.
        #expect(armed.count == 1, "the rollback was not running detached when the session died; killed: \(killed)",
                sourceLocation: sourceLocation)
        return Interrupted(old: old, killed: caught, report: report)
    }
}
