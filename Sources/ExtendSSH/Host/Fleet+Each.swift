extension Fleet {
    /// Runs `work` for every agent, each on a thread of its own (never on
    /// Swift's cooperative pool), at most `concurrency` at a time; results in
    /// the order of `agents`. `failed` stands in for a worker thread that
    /// could not run (`work` itself reports its own failures in `T`).
    /// `progress` hears of each result as it comes (done so far, total, the result).
    public static func each<T: Sendable>(_ agents: [HostAgent], concurrency: Int,
                                         progress: (_ done: Int, _ total: Int, _ last: T) -> Void = { _, _, _ in },
                                         work: @escaping @Sendable (HostAgent) -> T,
                                         failed: @escaping @Sendable (HostAgent) -> T) async -> [T] {
        var results = [T?](repeating: nil, count: agents.count)
        await withTaskGroup(of: (Int, T).self) { group in
            var next = 0
            func start() {
                guard next < agents.count else { return }
                let i = next, agent = agents[i]
                next += 1
                group.addTask {
                    let r = try? await SSHTransport.offload(name: "host \(agent.endpoint.name)") { work(agent) }
                    return (i, r ?? failed(agent))
                }
            }
            for _ in 0..<max(1, concurrency) { start() }
            var done = 0
            for await (i, r) in group {
                results[i] = r
                done += 1
                progress(done, agents.count, r)
                start()
            }
        }
        return results.enumerated().map { i, r in r ?? failed(agents[i]) }
    }
}
