import ExtendCore
import ExtendInput

extension Informer {
    /// What to do when a watch is over.
    enum WatchOutcome {
        /// Ended as planned (timeoutSeconds): open the next from where it got to.
        case renew
        /// 410: the resourceVersion is gone; list again.
        case relist
        /// Failed: back off (honouring the server's Retry-After), then resume.
        case retry(retryAfter: Duration?)
    }

    /// One watch from `progress.resourceVersion`, until it ends; each event
    /// handed on as it comes.
    func watch(_ progress: inout Progress, emit: @Sendable (InformerBatch) async -> Void) async -> WatchOutcome {
        let from = progress.resourceVersion ?? ""
        let seconds = max(1, Int(options.watchTimeout.components.seconds))
        let path = "\(resource.collectionPath)?watch=1&allowWatchBookmarks=true&resourceVersion=\(APIClient.queryEscape(from))&timeoutSeconds=\(seconds)"
        let request = APIRequest(verb: "watch", resource: resource, path: path)
        let timeouts = Timeouts(connect: client.timeouts.connect, request: options.watchTimeout + options.watchMargin,
                                idle: options.idleTimeout)
        let started = ContinuousClock.now
        var received = 0
        let stream = WatchStream.open(request, client: client, timeouts: timeouts, transport: transport, queue: queue)
        // Leaving early (410, an ERROR event, cancellation) ends the transfer too.
        defer { stream.stop.set() }
        for await piece in stream.pieces {
            switch piece {
            case .line(let line):
                received += 1
                progress.events += 1
                let name = "\(client.config.server)\(path) (event \(progress.events))"
                if let outcome = await handle(WatchEvent.decode(line, name: name, resource: resource), source: name,
                                              progress: &progress, emit: emit) {
                    return outcome
                }
            case .end(.completed):
                if received == 0 && ContinuousClock.now - started < options.minimumWatch {
                    note(KubeError(.response, "the API server \(client.config.server) ended the watch of \(resource) at once, with no event (\(request.purpose))"))
                    return .retry(retryAfter: nil)
                }
                return .renew
            case .end(.failed(let error)):
                note(error)
                return .retry(retryAfter: nil)
            case .end(.answered(let response)):
                client.errorResponse(response.status)
                let error = APIErrorMessage.error(for: response, request: request, server: client.config.server,
                                                  origin: client.config.origin)
                note(error)
                if response.status == 410 { return .relist }
                if response.status == 401, client.credentials.canRefresh { client.credentials.invalidate() }
                return .retry(retryAfter: response.status == 429 ? response.retryAfter ?? .seconds(1) : nil)
            }
        }
        // The stream finished without saying how: the task was cancelled.
        return .retry(retryAfter: nil)
    }

    /// One event: the cache decides whether it is news; the resourceVersion
    /// moves on either way. Returns an outcome when the watch must end.
    private func handle(_ event: WatchEvent, source: String, progress: inout Progress,
                        emit: @Sendable (InformerBatch) async -> Void) async -> WatchOutcome? {
        var change: ClusterChange?
        var problems: [ObjectProblem] = []
        switch event {
        case .added(let object), .modified(let object):
            change = progress.cache.upsert(object)
            problems = self.problems([object], source: source)
            advance(&progress, to: object.resourceVersion)
        case .deleted(let object):
            change = progress.cache.delete(object)
            advance(&progress, to: object.resourceVersion)
        case .bookmark(let rv):
            advance(&progress, to: rv)
            state.withLock { $0.bookmarks += 1 }
        case .expired(let message):
            client.errorResponse(410)
            note(KubeError(.expired, "the API server \(client.config.server) expired the watch of \(resource) from resourceVersion \(progress.resourceVersion ?? "") (410: \(message)); listing again",
                           status: 410, reason: "Expired"))
            return .relist
        case .error(let status):
            if let code = status.code { client.errorResponse(code) }
            note(KubeError(.response, "the API server \(client.config.server) ended the watch of \(resource) with an error: \(status.code.map(String.init) ?? "no code") \(status.reason): \(status.message)",
                           status: status.code, reason: status.reason))
            return .retry(retryAfter: nil)
        case .unreadable(let type, let diagnostics):
            problems = [ObjectProblem(source: source, object: type.isEmpty ? "a watch event" : "a \(type) event", diagnostics: diagnostics)]
        }
        succeeded(&progress)
        report(problems)
        state.withLock { $0.objects = progress.cache.count }
        if change != nil || !problems.isEmpty {
            await emit(InformerBatch(resource: resource, changes: change.map { [$0] } ?? [], problems: problems))
        }
        return nil
    }

    private func advance(_ progress: inout Progress, to rv: String) {
        guard !rv.isEmpty else { return }
        progress.resourceVersion = rv
        state.withLock { $0.resourceVersion = rv }
    }
}
