import ExtendCore
import Foundation
import Logging

/// Works one host over SSH: reads what it holds of ours, and (for apply)
/// loads the change under a rollback that the host runs by itself unless a
/// fresh connection confirms it. Blocking: run it on a thread of its own
/// (`Fleet` does).
public struct HostAgent: Sendable {
    public struct Options: Sendable {
        /// Seconds after which an unconfirmed apply restores the previous rules.
        public var rollbackAfter: Int = 30
        /// Run the firewall commands through `sudo -n` (shell mode; in
        /// restricted mode the entry point goes through sudo by itself).
        public var sudo: Bool = false
        /// Send scripts to a shell, or only request words to the entry point.
        public var mode: SSHMode = .shell
        /// Install the rules so they survive a reboot (persist: true).
        public var persist: Bool = false
        /// Tests only: skip the confirmation, as if the fresh connection never came.
        public var skipConfirmation: Bool = false
        public init() {}
    }

    public var endpoint: SSHEndpoint
    public var desired: HostDesiredState
    public var options: Options
    public var logger: Logger

    public init(endpoint: SSHEndpoint, desired: HostDesiredState, options: Options = Options(),
                logger: Logger = SSHConnection.defaultLogger) {
        self.endpoint = endpoint
        self.desired = desired
        self.options = options
        self.logger = logger
    }

    var host: String { endpoint.name }

    /// diff: read and compare; never writes.
    public func diff() -> HostReport {
        let started = ContinuousClock.now
        do {
            let conn = try connectFirst()
            defer { conn.close() }
            try checkEntryPoint(conn)
            let obs = try observe(conn)
            let plan = Planner.plan(desired, observed: obs.observed)
            let mode = HostPlan.enforcementChange(obs.observed, desired).map { "; \($0)" } ?? ""
            return report(plan.inSync ? .inSync : .changes, plan: plan, obs, started,
                          plan.inSync ? "in sync" : "\(plan.steps.count) step(s) pending: +\(plan.added) -\(plan.removed)\(mode)")
        } catch {
            return failure(error, started)
        }
    }

    /// apply: converge this host, atomically, confirmed over a fresh connection
    /// (or, for a change of set members alone in restricted mode, over the
    /// same one: `confirmsOverOpenConnection`).
    ///
    /// Two remote commands for a host that changes, one for a host that does
    /// not: on the first connection one `session` reads the host and, in the
    /// same round trip, loads the change (or only the persisted rules, or
    /// nothing); on a fresh connection another reads the host again and, if it
    /// holds what we wanted, cancels the rollback (and persists).
    public func apply() -> HostReport {
        let run = apply(over: nil)
        run.keep?.close()
        return run.report
    }

    /// apply, with the run's first `session` over `warm` (a connection kept
    /// open since this host's last run) when one is given, and the connection
    /// fit to keep for the next run handed back instead of closed.
    ///
    /// A kept connection may have died while idle (sshd restarted, the host
    /// rebooted, a firewall forgot it). If it fails before anything was sent
    /// to the host, that is, before the observation came back and a request
    /// was answered, the host was only read: it is closed and the run starts
    /// again, once, on a fresh connection (whose host key is checked as on
    /// every new connection). Once a load may have been sent, a failure is the
    /// run's failure as on a fresh connection: the host's rollback covers a
    /// half-sent load, and the controller retries with its backoff after
    /// observing the host again.
    ///
    /// The confirmation is made over a fresh connection (it proves the new
    /// rules admit a new SSH connection from us); that connection is the one
    /// kept, and the first is closed. A change of set members alone in
    /// restricted mode is confirmed over the first connection instead
    /// (`confirmsOverOpenConnection`), which is then the one kept.
    public func apply(over warm: SSHConnection?) -> KeptConnectionRun {
        let started = ContinuousClock.now
        let token = Self.token()
        var run = KeptConnectionRun(report: HostReport(host: host, status: .error, message: ""))
        func firstSession() -> SessionExchange<FirstRequest> {
            SessionExchange<FirstRequest>(desired: desired) { obs, plan in
                if !plan.inSync {
                    let bundle = ApplyBundle.make(plan: plan, rollback: RollbackPayloads.plan(back: obs.observed, from: desired),
                                                  observation: obs, token: token, rollbackAfter: options.rollbackAfter)
                    return (.apply, Array("apply\n".utf8) + bundle.bytes)
                }
                if let bundle = persistence(obs) {
                    return (.persist, Array("persist\n".utf8) + bundle.bytes)
                }
                return nil
            }
        }
        // The connection in hand: closed on any failure, kept on success.
        var conn: SSHConnection? = nil
        /// The first session over a new connection, whose host is checked now
        /// (a kept connection's was checked by the run that kept it).
        func overFresh(_ session: SessionExchange<FirstRequest>) throws(SSHError) -> CommandResult {
            let fresh = try connectFirst()
            conn = fresh
            run.opened += 1
            try checkEntryPoint(fresh)
            return try talk(fresh, session)
        }
        do {
            var session = firstSession()
            let r: CommandResult
            if let warm {
                conn = warm
                switch reuse(warm, session) {
                case .success(let result):
                    r = result
                    run.reused = true
                case .failure(let error):
                    // Nothing was asked of the host: safe to start again on a fresh connection.
                    guard session.sent == nil, error.stage != .cancelled else { throw error }
                    warm.close()
                    conn = nil
                    run.dropped = error.message
                    logger.debug("kept SSH connection failed; connecting again", metadata: [
                        "host": "\(endpoint.label)", "reason": "\(error.message)",
                    ])
                    session = firstSession()
                    r = try overFresh(session)
                }
            } else {
                r = try overFresh(session)
            }
            let (obs, plan) = try observed(session, r)
            switch session.sent {
            case nil:
                run.report = report(.inSync, plan: plan, obs, started, "in sync; nothing written")
                run.keep = conn
                return run
            case .persist:
                guard r.succeeded else { throw remote("persisting the rules", r) }
                run.report = report(.applied, plan: plan, obs, started,
                                    options.persist ? "rules were in sync; persisted them" : "rules were in sync; removed persisted rules")
                run.keep = conn
                return run
            case .apply:
                guard r.succeeded, r.stdoutText.contains("#npx applied") else { throw remote("apply", r) }
            }
            if options.skipConfirmation {
                throw SSHError(.unconfirmed, host: endpoint.label,
                    "\(endpoint.label): the apply was not confirmed (confirmation skipped); the host restores its previous rules by itself within \(options.rollbackAfter) s")
            }
            if let open = conn, confirmsOverOpenConnection(plan) {
                try confirm(token: token, over: open)
                run.report = report(.applied, plan: plan, obs, started,
                                    "applied and confirmed: +\(plan.added) -\(plan.removed) (set members only, over the open connection)")
                run.keep = open
                return run
            }
            conn?.close()
            conn = nil
            let confirming = try connectToConfirm()
            conn = confirming
            run.opened += 1
            try confirm(token: token, over: confirming)
            run.report = report(.applied, plan: plan, obs, started, "applied and confirmed: +\(plan.added) -\(plan.removed)")
            run.keep = conn
            return run
        } catch {
            conn?.close()
            run.report = failure(error, started)
            return run
        }
    }

    /// The first `session` over a kept connection, its failure as a value.
    private func reuse(_ conn: SSHConnection, _ session: SessionExchange<FirstRequest>) -> Result<CommandResult, SSHError> {
        do {
            return .success(try talk(conn, session))
        } catch {
            return .failure(error)
        }
    }

    /// Runs the first connection's `session`. Once the change was sent, a
    /// broken session may have left it half loaded: the host's rollback
    /// takes care of that, and the message says so.
    private func talk(_ conn: SSHConnection, _ session: SessionExchange<FirstRequest>) throws(SSHError) -> CommandResult {
        do {
            return try conn.converse(command(.session), reply: session.reply)
        } catch {
            guard session.sent == .apply else { throw error }
            throw SSHError(.unconfirmed, host: endpoint.label,
                "\(error.message); the apply was interrupted: if it had started, the host restores its previous rules by itself within \(options.rollbackAfter) s")
        }
    }

    /// The observation a `session` read, or why there is none: the script
    /// stopped before it (a missing tool, sudo refused) or printed garbage.
    private func observed<R>(_ session: SessionExchange<R>, _ r: CommandResult) throws(SSHError) -> (HostObservation, HostPlan) {
        switch session.outcome {
        case .success(let value)?:
            return value
        case .failure(let f)?:
            throw SSHError(.remote, host: endpoint.label, "\(endpoint.label): cannot read the host's rules: \(f.description)")
        case nil:
            guard r.succeeded else { throw remote("reading the rules", r) }
            throw SSHError(.remote, host: endpoint.label,
                "\(endpoint.label): cannot read the host's rules: the host's output ended early (\(r.stdout.count) bytes)")
        }
    }

    /// The run's first connection. Whatever stops it, a timeout included (a
    /// host that is down answers nothing), the host was not reached and
    /// nothing was changed: it is reported unreachable, not as an error.
    func connectFirst() throws(SSHError) -> SSHConnection {
        do throws(SSHError) {
            return try SSHConnection.connect(endpoint, logger: logger)
        } catch where error.stage == .timeout {
            throw SSHError(.connect, host: endpoint.label, error.message)
        }
    }

    /// Whether this apply may be confirmed over the connection it was loaded
    /// on (a new session there: no handshake, no new sshd process) rather
    /// than over a fresh one. The fresh connection proves that the new rules
    /// admit a new SSH connection from us. For a change of set members alone
    /// (`HostPlan.changesMembersOnly`: no chain, rule, jump or set created or
    /// destroyed) on a host whose entry point holds the lockout guard
    /// (restricted mode, its version checked when the connection was opened),
    /// that is already established: the guard refused the load unless every
    /// chain of ours that INPUT and OUTPUT jump to accepts SSH from this
    /// connection's address by a plain CIDR rule before any other rule of
    /// ours, and those chains are the ones the change leaves as they were; a
    /// set member cannot change whether that rule matches. In shell mode
    /// there is no guard, and a structural change is confirmed over a fresh
    /// connection as ever. Either way the confirmation reads the host again
    /// and cancels the rollback only if it holds exactly what we wanted.
    func confirmsOverOpenConnection(_ plan: HostPlan) -> Bool {
        options.mode == .restricted && plan.changesMembersOnly
    }

    /// The fresh connection a confirmation goes over.
    func connectToConfirm() throws(SSHError) -> SSHConnection {
        do {
            return try SSHConnection.connect(endpoint, logger: logger)
        } catch {
            throw SSHError(.unconfirmed, host: endpoint.label,
                "\(endpoint.label): the apply could not be confirmed over a fresh connection (\(error.message)); the host restores its previous rules by itself within \(options.rollbackAfter) s")
        }
    }

    /// Over a fresh connection, in one `session`: the host must hold exactly
    /// what we wanted; only then is the pending rollback cancelled (and the
    /// rules persisted, when asked). Anything else leaves the rollback to run
    /// by itself.
    func confirm(token: String, over conn: SSHConnection) throws(SSHError) {
        let session = SessionExchange<ConfirmRequest>(desired: desired) { obs, check in
            guard check.inSync else { return nil }
            let confirm = Array("confirm \(token)\n".utf8)
            guard let bundle = persistence(obs) else { return (ConfirmRequest(persist: false), confirm) }
            return (ConfirmRequest(persist: true), confirm + Array("persist\n".utf8) + bundle.bytes)
        }
        let r = try conn.converse(command(.session), reply: session.reply)
        let check: HostPlan
        do {
            check = try observed(session, r).1
        } catch {
            throw SSHError(.unconfirmed, host: endpoint.label,
                "\(error.message); not confirmed, the host restores its previous rules by itself within \(options.rollbackAfter) s")
        }
        guard check.inSync else {
            throw SSHError(.unconfirmed, host: endpoint.label,
                "\(endpoint.label): after the apply the host does not hold the wanted rules (+\(check.added) -\(check.removed)); not confirmed, the host restores its previous rules by itself within \(options.rollbackAfter) s")
        }
        guard r.stdoutText.contains("#npx confirmed") else {
            throw SSHError(.unconfirmed, host: endpoint.label,
                "\(endpoint.label): \(r.stderr.trimmedLastLine.isEmpty ? "confirmation failed (exit \(r.exitStatus))" : r.stderr.trimmedLastLine)")
        }
        if session.sent?.persist == true && !r.succeeded { throw remote("persisting the rules", r) }
    }

    /// What the persisted rules should be (the payloads of a fresh host), or
    /// nil when the host already has exactly that (or none, and none is wanted).
    func persistence(_ obs: HostObservation) -> ApplyBundle? {
        var b = ApplyBundle()
        if options.persist {
            let r = RenderedHost(desired)
            let files = [r.ipset, r.iptables[.inet] ?? "", r.iptables[.inet6] ?? ""]
            if obs.persisted == Naming.sha256Hex(files.joined()) { return nil }
            b.add("mode", "on")
            b.add("ipset", files[0])
            b.add("iptables", files[1])
            b.add("ip6tables", files[2])
        } else {
            if obs.persisted == nil { return nil }
            b.add("mode", "off")
        }
        return b
    }

    func observe(_ conn: SSHConnection) throws(SSHError) -> HostObservation {
        let r = try conn.run(command(.observe))
        guard r.succeeded else { throw remote("reading the rules", r) }
        do {
            return try HostObservation.parse(r.stdoutText)
        } catch {
            throw SSHError(.remote, host: endpoint.label, "\(endpoint.label): cannot read the host's rules: \(error.description)")
        }
    }

    /// Restricted mode: the host's entry point must be this extend's own
    /// (`version` answers with a digest of its text), or nothing is read or
    /// changed: one older than this extend may check or load differently
    /// from what this extend expects. Shell mode sends its scripts each time.
    func checkEntryPoint(_ conn: SSHConnection) throws(SSHError) {
        guard options.mode == .restricted else { return }
        let r = try conn.run("version")
        let said = r.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        if r.succeeded && said == HostScripts.versionReply { return }
        let prefix = "netpol-extend-host version "
        let what: String
        if r.succeeded && said.hasPrefix(prefix) {
            let version = said.dropFirst(prefix.count).prefix { !$0.isNewline }.prefix(64)
            what = "is version \(version), and this extend speaks \(HostScripts.entryPointVersion)"
        } else if r.exitStatus == Int32(HostScripts.refusedStatus) {
            what = "is older than this extend (it does not answer version), which speaks \(HostScripts.entryPointVersion)"
        } else {
            throw remote("checking the entry point's version", r)
        }
        throw SSHError(.remote, host: endpoint.label,
            "\(endpoint.label): the entry point on this host (\(HostScripts.entryPointPath)) \(what); nothing was read or changed: "
                + "install this extend's with extend host-bootstrap --install --host \(endpoint.name) (with the inventory of the privileged access)")
    }

    /// The remote command line for `request`: its script (shell mode), or its word alone (restricted).
    func command(_ request: HostScripts.Request) -> String {
        switch options.mode {
        case .shell: HostScripts.command(request.script, sudo: options.sudo)
        case .restricted: request.rawValue
        }
    }

    func remote(_ what: String, _ r: CommandResult) -> SSHError {
        let why = r.stderr.trimmedLastLine
        return SSHError(.remote, host: endpoint.label,
            "\(endpoint.label): \(what) failed (exit \(r.exitStatus)\(r.exitSignal.map { ", signal \($0)" } ?? ""))"
                + (why.isEmpty ? "" : ": \(why)") + hint(why, status: r.exitStatus))
    }

    /// What to do about a refusal whose cause is the host's set-up, not the run.
    private func hint(_ why: String, status: Int32) -> String {
        switch options.mode {
        case .shell:
            // sudo's own messages start "sudo: "; with -n, an account it will not
            // let through says only "a password is required".
            guard options.sudo && why.hasPrefix("sudo: ") else { return "" }
            return "; sudo -n did not run the host script as root for \(endpoint.user): the account needs a NOPASSWD rule for /bin/sh -c *, as in templates/host/sudoers.netpol-extend-shell"
        case .restricted:
            if why.hasPrefix("sudo: ") {
                return "; sudo -n did not run \(HostScripts.entryPointPath) as root for \(endpoint.user): the account needs the sudoers drop-in that extend host-bootstrap prints (templates/host/sudoers.netpol-extend)"
            }
            switch status {
            case 127:
                // A shell ran the word: the key is not restricted to the entry point.
                return "; ssh.mode is restricted but this key's login ran a shell, not \(HostScripts.entryPointPath): install the restricted key with extend host-bootstrap"
            default:
                return ""
            }
        }
    }

    private func report(_ status: HostReport.Status, plan: HostPlan, _ obs: HostObservation,
                        _ started: ContinuousClock.Instant, _ message: String) -> HostReport {
        HostReport(host: host, status: status, message: message, diff: plan.diff, added: plan.added, removed: plan.removed,
                   backends: Dictionary(uniqueKeysWithValues: obs.observed.backends.map { ($0.key.rawValue, $0.value) }),
                   milliseconds: Int((ContinuousClock.now - started).wholeMilliseconds))
    }

    private func failure(_ error: any Error, _ started: ContinuousClock.Instant) -> HostReport {
        let ms = Int((ContinuousClock.now - started).wholeMilliseconds)
        guard let e = error as? SSHError else {
            return HostReport(host: host, status: .error, message: "\(endpoint.label): \(error)", milliseconds: ms)
        }
        let unreachable: Set<SSHError.Stage> = [.configuration, .resolve, .connect, .handshake, .hostKey, .auth]
        return HostReport(host: host, status: unreachable.contains(e.stage) ? .unreachable : .error, message: e.message, milliseconds: ms)
    }

    /// A random token naming this apply's rollback, so a confirmation can
    /// only cancel its own: 64 hex digits (the host takes no other form).
    static func token() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<4).map { _ in
            let hex = String(g.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}

extension String {
    /// The last non-empty line, for error messages from a host's stderr.
    var trimmedLastLine: String {
        split(separator: "\n").last.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
    }
}
