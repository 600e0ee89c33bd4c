import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Lab {
    /// The host's sshd files: an ed25519 host key and a config that listens
    /// on the host's address only and logs VERBOSE to a file of its own.
    ///
    /// Remote shells get an empty HOME of the host's own (`SetEnv HOME`): the
    /// hosts share this machine's filesystem, and root's ~/.bashrc here runs
    /// pyenv's init, whose `pyenv rehash` serialises every shell on the
    /// machine through one lock file and waits up to 60 s for it. That made
    /// remote commands of a busy lab stall for a minute now and then; a real
    /// host's shell start-up is its own. `Lab.useMachineShellStartup` undoes it.
    static func makeSSHDFiles(
        index: Int, netns: String, address: String, port: Int, veth: String,
        directory: String, authorizedKeys: String
    ) throws(LabError) -> LabHost {
        let home = directory + "/" + netns
        do {
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        } catch {
            throw LabError("cannot create \(home): \(error)")
        }
        let shellHome = home + "/home"
        do {
            try FileManager.default.createDirectory(atPath: shellHome, withIntermediateDirectories: true)
        } catch {
            throw LabError("cannot create \(shellHome): \(error)")
        }
        let hostKey = home + "/ssh_host_ed25519_key"
        try LabProcess.check(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "lab host \(netns)", "-f", hostKey])
        let publicKey = try readText(hostKey + ".pub").trimmingCharacters(in: .whitespacesAndNewlines)
        let config = home + "/sshd_config"
        let log = home + "/sshd.log"
        let text = """
            ListenAddress \(address)
            Port \(port)
            HostKey \(hostKey)
            PidFile \(home)/sshd.pid
            AuthorizedKeysFile \(authorizedKeys)
            PermitRootLogin prohibit-password
            StrictModes no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            UseDNS no
            PrintMotd no
            PrintLastLog no
            LogLevel VERBOSE
            MaxStartups 200:30:400
            MaxSessions 64
            Subsystem sftp internal-sftp
            \(shellHomeSetting)\(shellHome)

            """
        guard FileManager.default.createFile(atPath: config, contents: Data(text.utf8)) else {
            throw LabError("cannot write \(config)")
        }
        return LabHost(
            index: index, name: netns, netns: netns, address: address, port: port, veth: veth,
            hostKeyPath: hostKey, hostPublicKey: publicKey, sshdConfigPath: config, sshdLogPath: log)
    }

    static let shellHomeSetting = "SetEnv HOME="

    /// Restarts every host's sshd so that remote shells run this machine's
    /// root ~/.bashrc again, as they would without the lab's empty HOME
    /// (for measurements that want the lab as the machine makes it).
    public func useMachineShellStartup() throws {
        for host in hosts {
            killSSHD(host)
            let config = try Lab.readText(host.sshdConfigPath)
            let kept = config.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix(Self.shellHomeSetting) }.joined(separator: "\n")
            guard FileManager.default.createFile(atPath: host.sshdConfigPath, contents: Data(kept.utf8)) else {
                throw LabError("cannot write \(host.sshdConfigPath)")
            }
            try startSSHD(host)
        }
    }

    /// Starts the host's sshd inside its namespace, in a mount namespace of its
    /// own where /var/lib/netpol-extend and /run/netpol-extend are the host's
    /// own (each host keeps its own state there), and waits until it accepts
    /// connections. Its pid is recorded; teardown stops it. `covering` bind
    /// mounts lab files over paths in that mount namespace only (see `slowDown`),
    /// and `overlays` mount overlays there (see `addAccount`).
    public func startSSHD(_ host: LabHost, covering: [(file: String, path: String)] = [], overlays: [LabOverlay] = []) throws {
        if let running = sshdPID(of: host), LabProcess.isRunning(running) { return }
        // The host's own directories are bind mounts of directories in the
        // lab, so a test can still read them after the host's sshd is gone.
        let home = host.directory
        let state = home + "/var-lib-netpol-extend", run = home + "/run-netpol-extend"
        try? FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        try? FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        // Overlays first: a file or directory covered inside one (/etc/sudoers.d in an /etc overlay) stays covered.
        let script = "mount --bind '\(state)' /var/lib/netpol-extend && mount --bind '\(run)' /run/netpol-extend"
            + overlays.map { " && mount -t overlay npx-lab -o 'lowerdir=\($0.path),upperdir=\($0.upper),workdir=\($0.work)' '\($0.path)'" }.joined()
            + covering.map { " && mount --bind '\($0.file)' '\($0.path)'" }.joined()
            + " && exec /usr/sbin/sshd -D -f '\(host.sshdConfigPath)' -E '\(host.sshdLogPath)'"
        let startLog = host.sshdLogPath + ".start"
        let pid = try LabProcess.spawn(
            ["ip", "netns", "exec", host.netns, "unshare", "--mount", "--propagation", "private", "sh", "-c", script],
            logFile: startLog)
        recordSSHD(pid, for: host)
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if !LabProcess.isRunning(pid) {
                _ = takeSSHD(for: host)
                resources.forget(child: pid)
                let said = ((try? Lab.readText(startLog)) ?? "") + ((try? Lab.readText(host.sshdLogPath)) ?? "")
                throw LabError("sshd for \(host.name) exited at start: \(said)")
            }
            if LabNetwork.canConnect(to: host.address, port: host.port, within: .milliseconds(200)) { return }
            usleep(20_000)
        }
        throw LabError("sshd for \(host.name) did not accept connections on \(host.address):\(host.port) within 15s")
    }

    /// Stops the host's sshd (SIGTERM, then SIGKILL) so it refuses new
    /// connections. Sessions already open are left; teardown ends them.
    /// Its private tmpfs state goes with it once those sessions end.
    public func killSSHD(_ host: LabHost) {
        guard let pid = takeSSHD(for: host) else { return }
        LabProcess.terminate(pid)
        resources.forget(child: pid)
    }

    static func readText(_ path: String) throws(LabError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LabError("cannot read \(path)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
