/// Works many hosts at once, each on a thread of its own (never on Swift's
/// cooperative pool), at most `concurrency` at a time. One host's failure
/// never stops the others. Reports come back in the order of `agents`.
public enum Fleet {
    public enum Mode: Sendable {
        case diff, apply
    }

    public static func run(_ agents: [HostAgent], mode: Mode, concurrency: Int,
                           progress: @escaping @Sendable (_ done: Int, _ total: Int, _ last: HostReport) -> Void = { _, _, _ in })
        async -> [HostReport] {
        var reports = [HostReport?](repeating: nil, count: agents.count)
        await withTaskGroup(of: (Int, HostReport).self) { group in
            var next = 0
            func start() {
                guard next < agents.count else { return }
                let i = next, agent = agents[i]
                next += 1
                group.addTask {
                    let r = try? await SSHTransport.offload(name: "host \(agent.endpoint.name)") {
                        mode == .diff ? agent.diff() : agent.apply()
                    }
                    return (i, r ?? HostReport(host: agent.endpoint.name, status: .error, message: "\(agent.endpoint.label): the worker thread failed"))
                }
            }
            for _ in 0..<max(1, concurrency) { start() }
            var done = 0
            for await (i, r) in group {
                reports[i] = r
                done += 1
                progress(done, agents.count, r)
                start()
            }
        }
        return reports.enumerated().map { i, r in r ?? HostReport(host: agents[i].endpoint.name, status: .error, message: "not run") }
    }
}
