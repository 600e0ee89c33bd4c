import ExtendInput
import ExtendKube
import Foundation
import Logging

/// The cluster read through the Kubernetes API, from the source spec/cli.md
/// names: `--kubeconfig`/`--context`, else the pod's service account, else
/// `$KUBECONFIG`, else `~/.kube/config`. `--verbose` says which one was used
/// (server, context, user; never a credential) and how much was read.
enum APILoading {
    static func read(_ cluster: ClusterOptions, common: CommonOptions, console: Console) async throws(KubeError) -> ManifestLoad {
        let config = try ClusterSource.resolve(kubeconfig: cluster.kubeconfig, context: cluster.context)
        if config.skipsTLSVerification {
            console.note("extend: warning: \(config.origin) sets insecure-skip-tls-verify: the API server \(config.server) is not verified")
        }
        var logger = Logger(label: "netpol-extend.kube")
        logger.logLevel = common.verbose ? .debug : .warning
        let client = APIClient(config: config, logger: logger)
        let start = ContinuousClock.now
        let read = try await ClusterReader(client: client).read()
        if common.verbose {
            console.note("cluster: \(config.server), \(config.origin): read \(read.summary) in \(milliseconds(ContinuousClock.now - start)) ms")
        }
        return read.load
    }

    private static func milliseconds(_ d: Duration) -> Int64 {
        d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
    }
}
