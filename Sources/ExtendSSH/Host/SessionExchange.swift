import ExtendCore

/// The client's side of one `HostScripts.session`: waits for the host's
/// observation, plans against it, and answers once with the request that
/// `answer` picks (or with nothing, which ends the script without a write).
final class SessionExchange {
    /// What the client asked the host to do after the observation.
    enum Request: Equatable {
        case nothing
        case apply
        case persist
        case confirm(persist: Bool)
    }

    /// What the host's observation came to: read and planned, or unreadable.
    private(set) var outcome: Result<(HostObservation, HostPlan), ObserveFailure>?
    private(set) var sent: Request = .nothing
    private var scanner = ObservationScanner()
    private let desired: HostDesiredState
    private let answer: (HostObservation, HostPlan) -> (Request, [UInt8])

    init(desired: HostDesiredState, answer: @escaping (HostObservation, HostPlan) -> (Request, [UInt8])) {
        self.desired = desired
        self.answer = answer
    }

    /// For `SSHConnection.converse`: nil until the observation has arrived.
    func reply(_ output: [UInt8]) -> [UInt8]? {
        guard let observed = scanner.observation(in: output) else { return nil }
        let desired = self.desired
        outcome = observed.map { ($0, Planner.plan(desired, observed: $0.observed)) }
        guard case .success(let (obs, plan)) = outcome else { return [] }
        let (request, bytes) = answer(obs, plan)
        sent = request
        return bytes
    }
}
