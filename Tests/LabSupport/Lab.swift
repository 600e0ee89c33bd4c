import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Throwaway SSH hosts for tests: Linux network namespaces, each with its own
/// sshd, on one bridge, addressed inside 198.18.0.0/15.
///
/// Every lab draws a random id and a free /24 of its own, so labs in
/// concurrent tests or CI runs never collide. The bridge lives in the root
/// namespace with the /24's `.1` (`managementAddress`), so this process (the
/// SSH client under test) reaches the hosts at `.10`, `.11`, …
///
/// Build one with `Lab.withHosts`, which tears everything down when the body
/// returns or throws: processes (by recorded pid), namespaces, links, files.
public final class Lab: @unchecked Sendable {
    /// Six hex digits, unique per lab; in every name the lab gives.
    public let id: String
    /// The lab's /24, e.g. `198.18.37.0/24`.
    public let subnet: String
    /// The bridge's address, which is where this process's SSH connections come from.
    public let managementAddress: String
    /// The bridge in the root namespace: `npxbr<id>`.
    public let bridge: String
    /// The lab's temporary directory (keys, sshd configs and logs, known_hosts files).
    public let directory: String
    public let hosts: [LabHost]
    /// The user the lab's keys are authorized for.
    public let user = "root"
    /// An unencrypted ed25519 client key, authorized on every host.
    public let clientKey: LabKey
    /// An ed25519 client key encrypted with its `passphrase`, authorized on every host.
    public let encryptedClientKey: LabKey
    /// `authorized_keys` shared by every host's sshd.
    public let authorizedKeysPath: String
    /// A known_hosts file with a plain entry for every host (`[address]:port` when the port is not 22).
    public let knownHostsPath: String

    let prefix: String
    let resources: LabResources
    private let sshdLock = NSLock()
    private var sshdPIDs: [Int: pid_t] = [:]

    /// Builds a lab, runs `body` with it, and tears the lab down however `body` ends.
    public static func withHosts<T>(
        count: Int = 1, sshPort: Int = 22, _ body: (Lab) async throws -> T
    ) async throws -> T {
        let lab = try Lab(count: count, sshPort: sshPort)
        defer { lab.tearDown() }
        return try await body(lab)
    }

    /// Builds a lab of `count` hosts whose sshd listens on `sshPort`. Call
    /// `tearDown()` when done (or use `withHosts`). On failure, whatever was
    /// already made is removed before the error is thrown.
    public init(count: Int, sshPort: Int = 22) throws {
        guard (1...200).contains(count) else { throw LabError("a lab has 1 to 200 hosts, not \(count)") }
        if let missing = Lab.missingPrerequisites.first {
            throw LabError("cannot build a lab on this machine: \(missing)")
        }
        for problem in Lab.removeAbandoned() {
            FileHandle.standardError.write(Data("\(problem)\n".utf8))
        }
        let id = Lab.randomHex(6)
        let resources = LabResources()
        self.id = id
        self.resources = resources
        bridge = "npxbr\(id)"
        do {
            directory = try Lab.makeDirectory(id: id, resources: resources)
            resources.keepJournal(at: directory + "/" + Lab.journalName)
            authorizedKeysPath = directory + "/authorized_keys"
            try Lab.prepareMachine()
            clientKey = try Lab.makeKey(in: directory, named: "client", type: .ed25519, passphrase: nil)
            encryptedClientKey = try Lab.makeKey(
                in: directory, named: "client-encrypted", type: .ed25519,
                passphrase: "lab-passphrase-" + Lab.randomHex(12))
            try Lab.append(lines: [clientKey.publicKey, encryptedClientKey.publicKey], to: authorizedKeysPath)

            prefix = try Lab.createBridge(bridge, resources: resources)
            subnet = prefix + ".0/24"
            managementAddress = prefix + ".1"
            var hosts: [LabHost] = []
            for index in 0..<count {
                hosts.append(try Lab.createHost(
                    index: index, labID: id, prefix: prefix, bridge: bridge, port: sshPort,
                    directory: directory, authorizedKeys: authorizedKeysPath, resources: resources))
            }
            self.hosts = hosts
            knownHostsPath = directory + "/known_hosts"
            try Lab.append(lines: hosts.map { Lab.knownHostsLine(for: $0) }, to: knownHostsPath)
        } catch {
            let problems = resources.tearDown()
            let note = problems.isEmpty ? "" : " (and teardown left: \(problems.joined(separator: "; ")))"
            throw LabError("building lab \(id) failed: \(error)\(note)")
        }
        for host in hosts {
            do {
                try startSSHD(host)
            } catch {
                tearDown()
                throw error
            }
        }
    }

    /// Removes everything this lab made: kills its processes (recorded pids,
    /// then whatever is left inside its namespaces), deletes its namespaces,
    /// links and directory. Problems are reported on stderr, never thrown.
    /// Safe to call more than once.
    @discardableResult
    public func tearDown() -> [String] {
        let problems = resources.tearDown()
        for problem in problems {
            FileHandle.standardError.write(Data("lab \(id) teardown: \(problem)\n".utf8))
        }
        return problems
    }

    /// The lab's network namespaces.
    public var namespaces: [String] { hosts.map(\.netns) }

    /// The pids of the processes this lab started and has not yet stopped.
    public var processIDs: [Int32] { resources.recordedChildren }

    /// An address inside the lab's /24 that no host has: nothing answers there.
    public var unusedAddress: String { prefix + ".250" }

    /// A fresh path inside the lab's directory.
    public func path(_ name: String) -> String { directory + "/" + name }

    static func randomHex(_ digits: Int) -> String {
        String((0..<digits).map { _ in "0123456789abcdef".randomElement() ?? "0" })
    }

    private static func makeDirectory(id: String, resources: LabResources) throws(LabError) -> String {
        var template = Array("/tmp/npx-lab-\(id)-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ $0.baseAddress.flatMap { mkdtemp($0) } }) else {
            throw LabError("cannot create a lab directory: \(String(cString: strerror(errno)))")
        }
        let path = String(cString: made)
        resources.record(directory: path)
        return path
    }

    /// The mount points every lab host gets a private tmpfs on, and sshd's
    /// privilege-separation directory.
    private static func prepareMachine() throws(LabError) {
        for path in ["/var/lib/netpol-extend", "/run/netpol-extend", "/run/sshd"] {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw LabError("cannot create \(path): \(error)")
            }
        }
    }

    static func append(lines: [String], to path: String) throws(LabError) {
        let text = lines.map { $0 + "\n" }.joined()
        guard let handle = FileHandle(forWritingAtPath: path) else {
            guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
                throw LabError("cannot write \(path)")
            }
            return
        }
        defer { try? handle.close() }
        do {
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(text.utf8))
        } catch {
            throw LabError("cannot append to \(path): \(error)")
        }
    }

    // MARK: sshd bookkeeping

    func recordSSHD(_ pid: pid_t, for host: LabHost) {
        sshdLock.withLock { sshdPIDs[host.index] = pid }
        resources.record(child: pid, "sshd of \(host.name)")
    }

    func takeSSHD(for host: LabHost) -> pid_t? {
        sshdLock.withLock { sshdPIDs.removeValue(forKey: host.index) }
    }

    /// The pid of the host's running sshd, if the lab started one and it has not been killed.
    public func sshdPID(of host: LabHost) -> Int32? {
        sshdLock.withLock { sshdPIDs[host.index] }
    }
}
