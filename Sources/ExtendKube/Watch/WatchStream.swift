import Dispatch

/// One watch request, read line by line as the server writes them. The
/// transfer blocks, so it runs on the watcher's own serial queue (never the
/// cooperative pool, never the API client's queue, which lists and gets
/// must not wait behind a stream that lasts minutes); lines reach the
/// async side through an `AsyncStream`. The last element says how the
/// stream ended. When the consumer stops (its task cancelled, or it sets
/// `stop` on leaving), libcurl's progress callback ends the transfer within
/// about a second.
enum WatchStream {
    enum Piece: Sendable {
        case line(String)
        case end(End)
    }

    enum End: Sendable {
        /// The server ended the stream cleanly (`timeoutSeconds`, or its own limit).
        case completed
        /// Cut (no terminating chunk), unreachable or idle too long.
        case failed(KubeError)
        /// Not a 2xx: the server's whole answer (403, 410, 429, 500...).
        case answered(HTTPResponse)
    }

    static func open(_ request: APIRequest, client: APIClient, timeouts: Timeouts, transport: any StreamingTransport,
                     queue: DispatchQueue) -> (pieces: AsyncStream<Piece>, stop: StopFlag) {
        let stop = StopFlag()
        let (stream, continuation) = AsyncStream<Piece>.makeStream()
        continuation.onTermination = { _ in stop.set() }
        queue.async {
            var splitter = LineSplitter()
            let end: End
            do throws(KubeError) {
                let http = try client.http(request, timeouts: timeouts)
                let response = try transport.stream(http, stop: stop) { bytes in
                    for line in splitter.feed(bytes) { continuation.yield(.line(line)) }
                }
                if (200..<300).contains(response.status) {
                    if let rest = splitter.finish() { continuation.yield(.line(rest)) }
                    end = .completed
                } else {
                    end = .answered(response)
                }
            } catch {
                end = .failed(error)
            }
            continuation.yield(.end(end))
            continuation.finish()
        }
        return (stream, stop)
    }
}
