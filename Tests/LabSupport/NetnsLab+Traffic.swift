import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension NetnsLab {
    /// Starts one listener per host (each on all the host's addresses) and
    /// waits, by polling, until every one has bound its sockets.
    func startListeners() throws(LabError) {
        let script = try write(NetnsScripts.listener, to: "listener.py")
        let python = try NetnsLab.python()
        var started: [(host: NetnsHost, ready: String, log: String, process: Process)] = []
        for h in hosts where !h.addresses.isEmpty {
            let ready = path("ready-\(h.index)"), log = path("listener-\(h.index).log")
            let argv = ["ip", "netns", "exec", h.netns, python, "-I", "-S", script, ready,
                        ports.map(String.init).joined(separator: ","),
                        protocols.map(\.rawValue).joined(separator: ",")] + h.addresses
            let process = try NetnsCommand.spawn(argv, logFile: log)
            resources.record(process: process, "listener in \(h)")
            started.append((h, ready, log, process))
        }
        let deadline = ContinuousClock.now + .seconds(20)
        var waiting = started
        while !waiting.isEmpty {
            waiting = waiting.filter { !FileManager.default.fileExists(atPath: $0.ready) }
            if let dead = waiting.first(where: { !$0.process.isRunning }) {
                let log = (try? String(contentsOfFile: dead.log, encoding: .utf8)) ?? ""
                throw LabError("the listener in \(dead.host) exited: \(log)")
            }
            if waiting.isEmpty { break }
            if ContinuousClock.now > deadline {
                throw LabError("listeners in \(waiting.map(\.host)) not ready within 20s")
            }
            usleep(2_000)
        }
    }

    /// Sends every batch's probes from its host, all hosts at once, and
    /// returns each batch's results in order.
    /// - Parameter timeout: how long a probe may go unanswered before it counts as denied.
    public func probe(_ batches: [(from: NetnsHost, probes: [NetnsProbe])],
                      timeout: Duration = .milliseconds(500)) throws(LabError) -> [[NetnsProbeResult]] {
        let script = try proberScript()
        let python = try NetnsLab.python()
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        var running: [(NetnsHost, [NetnsProbe], NetnsCommand.Running)] = []
        for (host, probes) in batches where !probes.isEmpty {
            let input = probes.map { "\($0.source) \($0.destination) \($0.port) \($0.proto.rawValue)\n" }.joined()
            running.append((host, probes, try start([python, "-I", "-S", script, String(seconds)], in: host, stdin: input)))
        }
        var out: [[NetnsProbeResult]] = []
        var failure: LabError?
        for (host, probes, command) in running {
            do throws(LabError) {
                let result = try command.wait(timeout: timeout + .seconds(30))
                guard result.succeeded else { throw LabError("the prober in \(host) failed: \(result)") }
                out.append(try parse(result.stdout, probes, host))
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        // Batches without probes get no prober, but keep their place.
        var results: [[NetnsProbeResult]] = []
        var next = out.makeIterator()
        for batch in batches { results.append(batch.probes.isEmpty ? [] : next.next() ?? []) }
        return results
    }

    private func parse(_ text: String, _ probes: [NetnsProbe], _ host: NetnsHost) throws(LabError) -> [NetnsProbeResult] {
        var results: [NetnsProbeResult?] = Array(repeating: nil, count: probes.count)
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ", maxSplits: 2).map(String.init)
            guard words.count >= 2, let i = Int(words[0]), probes.indices.contains(i),
                  let verdict = NetnsProbeResult.Verdict(rawValue: words[1]) else {
                throw LabError("the prober in \(host) printed \"\(line)\"")
            }
            results[i] = NetnsProbeResult(probe: probes[i], verdict: verdict, detail: words.count > 2 ? words[2] : "")
        }
        let missing = results.indices.filter { results[$0] == nil }
        guard missing.isEmpty else { throw LabError("the prober in \(host) gave no result for probes \(missing)") }
        return results.compactMap { $0 }
    }

    private func proberScript() throws(LabError) -> String {
        let file = directory + "/prober.py"
        if FileManager.default.fileExists(atPath: file) { return file }
        return try write(NetnsScripts.prober, to: "prober.py")
    }

    private func write(_ text: String, to name: String) throws(LabError) -> String {
        let file = directory + "/" + name
        let temp = path(name)
        guard FileManager.default.createFile(atPath: temp, contents: Data(text.utf8)),
              rename(temp, file) == 0 else {
            throw LabError("cannot write \(file)")
        }
        return file
    }
}
