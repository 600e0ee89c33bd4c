import Logging

/// Events that go to the log only (no API, or before the API is reachable).
public struct LoggingEventSink: EventSink {
    public let logger: Logger
    public init(logger: Logger) { self.logger = logger }

    public func record(_ event: ControllerEvent) async {
        let line: Logger.Message = "event \(event.reason) (\(event.regarding)): \(event.message)"
        if event.kind == .warning { logger.warning(line) } else { logger.info(line) }
    }
}
