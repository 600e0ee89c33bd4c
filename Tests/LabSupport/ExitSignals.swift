import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// For the lab benchmarks: on SIGINT, SIGTERM or SIGHUP, say so, run
/// `cleanup` (the lab and whatever else must go), then exit 128+signal. Keep
/// the returned sources alive as long as the handlers should stay.
public enum ExitSignals {
    public static func install(_ cleanup: @escaping @Sendable (Int32) -> Void) -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM, SIGHUP].map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                FileHandle.standardError.write(Data("\nsignal \(sig): cleaning up\n".utf8))
                cleanup(sig)
                exit(128 + sig)
            }
            source.resume()
            return source
        }
    }
}
