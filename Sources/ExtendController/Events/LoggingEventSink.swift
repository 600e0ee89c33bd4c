import Logging

/// Events as log lines only: for a controller without Kubernetes Events
/// (`--dry-run` outside a cluster, tests), and beside them.
public struct LoggingEventSink: EventSink {
    let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    public func record(_ event: ControllerEvent) async {
        logger.log(level: event.kind == .warning ? .warning : .info, "\(event.message)",
                   metadata: ["event": "\(event.reason)", "regarding": "\(event.regarding)"])
    }
}
