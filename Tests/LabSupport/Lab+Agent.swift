import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Lab {
    /// Starts an ssh-agent on a socket in the lab's directory (its pid is
    /// recorded; teardown stops it), loads `keys` into it, and returns the
    /// socket path. Nothing in this process's environment changes.
    public func startAgent(adding keys: [LabKey]) throws -> String {
        let socket = directory + "/agent-" + Lab.randomHex(4) + ".sock"
        let pid = try LabProcess.spawn(["ssh-agent", "-D", "-a", socket], logFile: directory + "/agent.log")
        resources.record(child: pid, "ssh-agent \(socket)")
        let deadline = ContinuousClock.now + .seconds(10)
        while !FileManager.default.fileExists(atPath: socket) {
            guard ContinuousClock.now < deadline, LabProcess.isRunning(pid) else {
                throw LabError("ssh-agent did not create \(socket)")
            }
            usleep(10_000)
        }
        for key in keys {
            var environment = ["SSH_AUTH_SOCK": socket]
            if let passphrase = key.passphrase {
                // ssh-add reads a passphrase only from a terminal or SSH_ASKPASS.
                let askpass = directory + "/askpass-" + Lab.randomHex(4)
                let script = "#!/bin/sh\nprintf '%s\\n' '\(passphrase)'\n"
                guard FileManager.default.createFile(
                    atPath: askpass, contents: Data(script.utf8), attributes: [.posixPermissions: 0o700]) else {
                    throw LabError("cannot write \(askpass)")
                }
                environment["SSH_ASKPASS"] = askpass
                environment["SSH_ASKPASS_REQUIRE"] = "force"
                environment["DISPLAY"] = ":0"
            }
            try LabProcess.check(["ssh-add", key.path], environment: environment)
        }
        return socket
    }
}
