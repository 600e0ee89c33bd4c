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
        await each(agents, concurrency: concurrency, progress: progress,
                   work: { mode == .diff ? $0.diff() : $0.apply() },
                   failed: { HostReport(host: $0.endpoint.name, status: .error, message: "\($0.endpoint.label): the worker thread failed") })
    }
}
