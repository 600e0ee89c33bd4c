import ExtendCore

/// The client's side of one `HostScripts.session`: waits for the host's
/// observation, plans against it, and answers once with the request that
/// `answer` picks (or with nothing, which ends the script without a write).
/// `Request` is what may be asked on that connection (see `FirstRequest`,
/// `ConfirmRequest`).
final class SessionExchange<Request: Equatable> {
    /// What the host's observation came to: read and planned, or unreadable.
    private(set) var outcome: Result<(HostObservation, HostPlan), ObserveFailure>?
    /// What the client asked the host to do after the observation; nil for nothing.
    private(set) var sent: Request?
    private var scanner = ObservationScanner()
    private let desired: HostDesiredState
    private let answer: (HostObservation, HostPlan) -> (Request, [UInt8])?

    init(desired: HostDesiredState, answer: @escaping (HostObservation, HostPlan) -> (Request, [UInt8])?) {
        self.desired = desired
        self.answer = answer
    }

    /// For `SSHConnection.converse`: nil until the observation has arrived.
    func reply(_ output: [UInt8]) -> [UInt8]? {
        guard let observed = scanner.observation(in: output) else { return nil }
        let desired = self.desired
        outcome = observed.map { ($0, Planner.plan(desired, observed: $0.observed)) }
        guard case .success(let (obs, plan)) = outcome, let (request, bytes) = answer(obs, plan) else { return [] }
        sent = request
        return bytes
    }
}

/// What the first connection's `session` may ask after reading the host.
enum FirstRequest: Equatable {
    /// Load the change (the rest of the input is the bundle).
    case apply
    /// Only (un)persist the rules, which are in sync.
    case persist
}

/// What the fresh connection's `session` may ask: cancel the rollback, and
/// persist the rules in the same go when asked.
struct ConfirmRequest: Equatable {
    var persist: Bool
}
