import Foundation
import LabSupport

/// Counts what each lab host's sshd logged (LogLevel VERBOSE): connections
/// authenticated ("Accepted publickey") and sessions started ("Starting
/// session: command …" for a remote command, "subsystem 'sftp'" for a file
/// transfer). Counted the same way for both tools, from the server side.
struct SSHDCounts: Equatable {
    var connections = 0
    var commands = 0
    var transfers = 0

    static func - (a: Self, b: Self) -> Self {
        SSHDCounts(connections: a.connections - b.connections, commands: a.commands - b.commands,
                   transfers: a.transfers - b.transfers)
    }

    /// Per host, in the lab's order.
    static func read(_ lab: Lab) -> [SSHDCounts] {
        lab.hosts.map { host in
            let text = (FileManager.default.contents(atPath: host.sshdLogPath)).map { String(decoding: $0, as: UTF8.self) } ?? ""
            var c = SSHDCounts()
            for line in text.split(whereSeparator: \.isNewline) {  // sshd -E writes CRLF
                if line.contains("Accepted publickey for ") { c.connections += 1 }
                else if line.contains("Starting session: ") {
                    if line.contains("subsystem") { c.transfers += 1 } else { c.commands += 1 }
                }
            }
            return c
        }
    }
}
