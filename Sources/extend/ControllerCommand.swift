import ArgumentParser
import ExtendController
import ExtendCore
import ExtendInput
import ExtendKube
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// `extend controller`: the long-running pod (spec/cli.md). Watches the
/// cluster and the inventory file, keeps every host converged, serves
/// /healthz, /readyz and /metrics, and stops cleanly on SIGTERM.
struct ControllerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller",
        abstract: "Long-running: watch the cluster and the inventory file, keep every host converged.")

    @OptionGroup var inventory: InventoryOptions
    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var fleet: FleetOptions

    @Flag(name: .long, help: "Compute and report what each host would get (logs, metrics); connect to no host.")
    var dryRun = false

    @Flag(inversion: .prefixedNo, help: "Log the connections each change of the cluster or the inventory opens and closes, with their causes, as `extend diff --connections` prints them (judged off the reconcile loop, once per burst). Default: on with --dry-run, off otherwise.")
    var logConnectionChanges: Bool?

    @Option(name: .long, help: ArgumentHelp("Where /healthz, /readyz and /metrics listen.", valueName: "host:port"))
    var listen = "0.0.0.0:8080"

    @Option(name: .long, help: "Seconds between two runs on one host: a burst of changes becomes one run.")
    var minInterval: Double = 1

    @Option(name: .long, help: "Seconds between full resyncs: every host read and repaired (drift).")
    var resync: Double = 600

    @Option(name: .long, help: "Seconds between two reads of the inventory file.")
    var inventoryPoll: Double = 5

    @Option(name: .long, help: "Seconds after which an unconfirmed change is rolled back on the host.")
    var rollbackAfter = 30

    @Option(name: .long, help: "Log lines as text or json (one JSON object per line).")
    var logFormat: LogFormat = .text

    @Flag(name: .long, help: "Log each step (debug).")
    var verbose = false

    @Flag(name: .long, help: "Elect one leader among replicas on a Lease; only the leader writes to hosts. Without it, this process is the only writer.")
    var leaderElection = false

    @Option(name: .long, help: "The Lease to elect on.")
    var leaseName = "netpol-extend"

    @Option(name: .long, help: "The controller's own namespace, for its Lease and Events (default: $POD_NAMESPACE, else the kubeconfig context's).")
    var namespace: String?

    @Flag(name: .long, help: "Do not post Kubernetes Events (host failures, rejected inventories, leadership); log them only.")
    var noEvents = false

    @Option(name: .long, help: ArgumentHelp("The ConfigMap, in the controller's namespace, that keeps the managed hosts record: hosts that leave the inventory while no controller runs are still cleaned.", valueName: "name"))
    var managedHostsConfigmap = "netpol-extend-managed-hosts"

    @Flag(name: .long, help: "Keep the companion NetworkPolicies in the cluster: create, update and delete them as policies, labels and the inventory change, so the cluster's own enforcement admits the legacy hosts too (docs/both-directions.md). Needs create, update, patch and delete on networkpolicies.")
    var companions = false

    enum LogFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    func validate() throws {
        if !cluster.manifests.isEmpty {
            throw ValidationError("the controller watches the cluster through the API: give --kubeconfig/--context, or run it in a pod; --manifests is for the one-shot commands")
        }
        guard LabelValidation.isDNS1123Subdomain(managedHostsConfigmap) else {
            throw ValidationError("--managed-hosts-configmap \(managedHostsConfigmap): a ConfigMap name is a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', at most 253 characters")
        }
        guard listenAddress != nil else { throw ValidationError("--listen \(listen): expected host:port, such as 0.0.0.0:8080") }
        for (name, v) in [("--min-interval", minInterval), ("--resync", resync), ("--inventory-poll", inventoryPoll)] where !(v > 0) {
            throw ValidationError("\(name) must be a number of seconds above 0")
        }
        guard (5...3600).contains(rollbackAfter) else { throw ValidationError("--rollback-after must be between 5 and 3600 seconds") }
    }

    var listenAddress: (host: String, port: Int)? {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        let host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return host.isEmpty ? nil : (host, port)
    }

    func run() async throws {
        // SIGTERM is how Kubernetes stops a pod: a mask inherited blocked
        // (a parent's worker thread can pass one on) would make us deaf to it.
        var stop = sigset_t()
        sigemptyset(&stop)
        sigaddset(&stop, SIGTERM)
        sigaddset(&stop, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &stop, nil)
        let level: Logger.Level = verbose ? .debug : .info
        let format = logFormat
        LoggingSystem.bootstrap { label in
            var h: any LogHandler = format == .json ? JSONLineLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
        let logger = Logger(label: "netpol-extend.controller")
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

        let console = Console()
        let load = InventoryLoader.load(path: inventory.inventory)
        guard let inv = load.inventory, !load.hasErrors else {
            console.report(load.diagnostics)
            throw ExitCode(1)
        }
        let config: ClientConfig
        do {
            config = try ClusterSource.resolve(kubeconfig: cluster.kubeconfig, context: cluster.context)
        } catch {
            console.error(error.message)
            throw ExitCode(1)
        }
        logger.info("cluster: \(config.server) (\(config.origin)); inventory \(inventory.inventory): \(inv.hosts.count) host(s)\(dryRun ? "; dry run: no host is contacted" : "")")
        let metrics = ControllerMetrics()
        let client = APIClient(config: config, logger: Logger(label: "netpol-extend.kube"),
                               errorResponse: { metrics.apiError(code: $0) })
        let watch = ClusterWatch(client: client)
        let status = ControllerStatus()
        let environment = ProcessInfo.processInfo.environment
        let home = namespace ?? environment["POD_NAMESPACE"].flatMap { $0.isEmpty ? nil : $0 } ?? config.namespace
        let events: any EventSink = noEvents ? LoggingEventSink(logger: logger) : KubernetesEventSink(
            client: client, namespace: home,
            involvedObject: .controller(environment: environment, fallback: .lease(namespace: home, name: leaseName)),
            logger: Logger(label: "netpol-extend.events"))
        let leadership = Leadership(leading: !leaderElection)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if leaderElection {
            let identity = LeaderIdentity.choose(environment: environment, hostName: ProcessInfo.processInfo.hostName)
            logger.info("leader election on lease \(home)/\(leaseName) as \(identity)")
            services.append(.init(service: LeaderElectionService(
                settings: .init(identity: identity), store: LeaseClient(client: client, namespace: home, name: leaseName),
                leadership: leadership, events: events, regarding: "lease \(home)/\(leaseName)",
                logger: Logger(label: "netpol-extend.leader"))))
        }
        // Each host's SSH connection is kept between runs; one unused for three resyncs (a standby's, say) is closed.
        let runner: any HostRunner = dryRun ? DryRunHostRunner() : SSHHostRunner(
            rollbackAfter: rollbackAfter, idleLimit: .milliseconds(Int64(3 * resync * 1000)), metrics: metrics,
            logger: Logger(label: "netpol-extend.ssh"))
        let settings = ReconcileSettings(minInterval: .milliseconds(Int64(minInterval * 1000)), resyncInterval: .milliseconds(Int64(resync * 1000)),
                                         concurrency: fleet.concurrency)
        let record = ManagedHostsConfigMap(client: client, namespace: home, name: managedHostsConfigmap)
        logger.info("managed hosts record: \(record.name)\(dryRun ? " (read only: dry run)" : "")")
        let keeper = companions ? CompanionReconciler(settings: .init(dryRun: dryRun), store: CompanionStore(client: client),
                                                      leadership: leadership, events: events, metrics: metrics, status: status,
                                                      logger: Logger(label: "netpol-extend.companions")) : nil
        if companions { logger.info("companion NetworkPolicies: kept in the cluster\(dryRun ? " (dry run: reported, not written)" : "")") }
        let connections = (logConnectionChanges ?? dryRun)
            ? ConnectionChangeLog(logger: Logger(label: "netpol-extend.connections")) : nil
        if connections != nil { logger.info("connection changes: logged after each change (judged off the reconcile loop, once per burst)") }
        let service = ControllerService(
            configuration: .init(inventoryPath: inventory.inventory, reconcile: settings, inventoryPoll: .milliseconds(Int64(inventoryPoll * 1000)),
                                 writesRecord: !dryRun),
            inventory: inv, cluster: { emit in await watch.run(emit: emit) }, runner: runner, events: events,
            status: status, leadership: leadership, logger: logger, health: { watch.health }, record: record,
            companions: keeper, connections: connections)
        guard let (host, port) = listenAddress else { throw ExitCode(1) }
        let http = HealthEndpoint.application(host: host, port: port, status: status, registry: registry,
                                              logger: Logger(label: "netpol-extend.http")) { bound in
            logger.info("listening on \(host):\(bound) for /healthz, /readyz, /metrics")
        }
        services += [.init(service: http), .init(service: service)]
        let group = ServiceGroup(configuration: .init(services: services,
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
