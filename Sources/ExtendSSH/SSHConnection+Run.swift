extension SSHConnection {
    /// Runs one command in its own session channel: sends `stdin` then EOF,
    /// collects stdout and stderr until the command ends, and returns its exit
    /// status. Input and output move at the same time, so megabytes either way
    /// cannot deadlock. A nonzero exit status is a result, not an error.
    ///
    /// - Parameter timeout: bounds the whole command; `endpoint.commandTimeout` when nil.
    public func run(_ command: String, stdin: [UInt8] = [], timeout: Duration? = nil) throws(SSHError) -> CommandResult {
        try converse(command, timeout: timeout) { _ in stdin }
    }

    /// Runs one command whose input depends on its output, in one round trip:
    /// the command starts with its input open; each time more of its stdout
    /// arrives, `reply` sees all of it so far and returns nil (wait for more)
    /// or the whole input to send, which is then followed by EOF. `reply` is
    /// not called again once it has answered. If the command ends before
    /// `reply` answers, its input is closed empty and the result returned.
    ///
    /// - Parameter timeout: bounds the whole command, the reply included.
    public func converse(_ command: String, timeout: Duration? = nil,
                         reply: (_ stdoutSoFar: [UInt8]) -> [UInt8]?) throws(SSHError) -> CommandResult {
        lock.lock()
        defer { lock.unlock() }
        let session = try openSession()
        let started = ContinuousClock.now
        let limit = timeout ?? endpoint.commandTimeout
        let driver = SessionDriver(session: session, wake: wake, deadline: started + limit, limit: limit)
        do {
            var result = try exchange(command, reply: reply, driver: driver)
            result.duration = ContinuousClock.now - started
            logger.debug("ran remote command", metadata: [
                "command": "\(Self.brief(command))", "status": "\(result.exitStatus)",
                "stdin": "\(result.inputSize)", "stdout": "\(result.stdout.count)",
                "ms": "\(result.duration.wholeMilliseconds)",
            ])
            return result
        } catch {
            // A refused channel or exec request leaves the session healthy;
            // anything else (timeout, cancel, broken transport) leaves it in
            // an unknown state mid-protocol.
            if !(error.code.map(LibSSH2.isRefusal) ?? false) {
                abandon(because: error)
            }
            throw error
        }
    }

    /// The first line of a command, cut to 60 characters, for messages.
    static func brief(_ command: String) -> String {
        let firstLine = command.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
        let cut = firstLine.count > 60 ? String(firstLine.prefix(57)) + "..." : firstLine
        return cut + (command.contains("\n") && firstLine.count <= 60 ? " ..." : "")
    }

    /// The calls the exchange makes, so that a half-sent one can be resumed.
    private enum Call {
        case writeInput
        case sendEOF
        case readOutput
        case readErrors
    }

    private func exchange(_ command: String, reply: (_ stdoutSoFar: [UInt8]) -> [UInt8]?,
                          driver: SessionDriver) throws(SSHError) -> CommandResult {
        let session = driver.session
        let shown = "`\(Self.brief(command))`"
        let channel = try driver.perform(.channel, "opening a session channel to") { session.openChannel() }
        try driver.perform(.exec, "starting \(shown) on") { channel.exec(command) }

        // nil until `reply` has answered: till then the command's input stays open.
        var stdin = reply([])
        var written = 0
        var eofSent = false
        var inputAbandoned = false
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        // libssh2 keeps one half-sent packet per session, and the next call
        // that sends must be the one that started it or libssh2 fails with
        // LIBSSH2_ERROR_BAD_USE. Reads send too (window adjustments), so when
        // a call returns EAGAIN with outbound blocked we repeat only that call.
        var resume: Call?

        while true {
            var progressed = false
            var waitFor: SocketDirections = []
            var calls: [Call]
            if let pending = resume {
                calls = [pending]
            } else {
                calls = []
                if let input = stdin, !eofSent && !inputAbandoned {
                    calls.append(written < input.count ? .writeInput : .sendEOF)
                }
                calls += [.readOutput, .readErrors]
            }
            resume = nil

            for call in calls {
                var blocked = false
                switch call {
                case .writeInput:
                    let step = (stdin ?? []).withUnsafeBytes { all in
                        channel.write(UnsafeRawBufferPointer(rebasing: all[written...]))
                    }
                    switch step {
                    case .done(let count):
                        written += count
                        progressed = progressed || count > 0
                    case .again:
                        blocked = true
                    case .failed(let code) where LibSSH2.isClosedChannel(code):
                        inputAbandoned = true
                    case .failed(let code):
                        throw session.failure(code, .exec, "sending input to \(shown) on")
                    }
                case .sendEOF:
                    switch channel.sendEOF() {
                    case .done:
                        eofSent = true
                        progressed = true
                    case .again:
                        blocked = true
                    case .failed(let code) where LibSSH2.isClosedChannel(code):
                        inputAbandoned = true
                    case .failed(let code):
                        throw session.failure(code, .exec, "ending the input of \(shown) on")
                    }
                case .readOutput, .readErrors:
                    let stream: LibSSH2Channel.Stream = call == .readOutput ? .stdout : .stderr
                    reading: while true {
                        let step = buffer.withUnsafeMutableBytes { channel.read(stream, into: $0) }
                        switch step {
                        case .done(let count) where count > 0:
                            if stream == .stdout {
                                stdout.append(contentsOf: buffer[0..<count])
                                if stdin == nil { stdin = reply(stdout) }
                            } else {
                                stderr.append(contentsOf: buffer[0..<count])
                            }
                            progressed = true
                        case .done:
                            break reading
                        case .again:
                            blocked = true
                            break reading
                        case .failed(let code):
                            throw session.failure(code, .exec, "reading the output of \(shown) on")
                        }
                    }
                }
                if blocked {
                    let directions = session.blockDirections
                    waitFor.formUnion(directions)
                    if directions.contains(.outbound) {
                        resume = call
                        break
                    }
                }
            }

            // Done when the command's output has ended and no packet is half-sent.
            // stdin the command never read is dropped, as ssh(1) does.
            if resume == nil && channel.isAtEOF { break }
            // A read of one stream may have queued the other's data: read
            // again rather than wait for a socket that has nothing more.
            if !progressed && (resume != nil || !channel.hasQueuedData) {
                try driver.wait(for: waitFor, "running \(shown) on")
            }
        }

        try driver.perform(.exec, "closing the channel of \(shown) on") { channel.close() }
        try driver.perform(.exec, "waiting for \(shown) to end on") { channel.waitClosed() }
        let signal = channel.exitSignal
        return CommandResult(
            exitStatus: signal == nil ? channel.exitStatus : 255,
            exitSignal: signal,
            stdout: stdout,
            stderr: String(decoding: stderr, as: UTF8.self),
            unreadInput: (stdin?.count ?? 0) - written,
            inputSize: stdin?.count ?? 0)
    }
}
