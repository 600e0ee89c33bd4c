import Foundation

/// The one place an API answer that is not a success becomes a `KubeError`:
/// the server's `Status` (reason, message, code), the request, and what the
/// user can do about it. Nothing here quotes a credential.
enum APIErrorMessage {
    static func error(for response: HTTPResponse, request: APIRequest, server: String, origin: ConfigOrigin,
                      attempts: Int = 1) -> KubeError {
        let status = APIStatus.decode(response.body)
        let code = response.status
        let reason = status?.reason ?? ""
        let said = status?.message.flatMap { $0.isEmpty ? nil : $0 } ?? plainText(response)
        let at = "the API server \(server)"
        let what = request.purpose
        let retried = attempts > 1 ? " after \(attempts) attempts" : ""
        switch code {
        case 401:
            return KubeError(.unauthorized,
                "\(at) rejected the credentials of \(who(origin)) (\(reason.isEmpty ? "Unauthorized" : reason)) to \(what): check the token or client certificate of \(credentialLocation(origin)); it may have expired or belong to another cluster",
                status: code, reason: reason)
        case 403:
            let scope = request.namespace.map { "in namespace \($0) (a Role and RoleBinding there, or a ClusterRole)" } ?? "cluster-wide (a ClusterRole bound with a ClusterRoleBinding)"
            return KubeError(.forbidden,
                "\(at) forbids \(who(origin)) to \(what): \(said). The account needs an RBAC rule allowing \"\(request.verb)\" on \"\(request.resource.name)\" (API group \"\(request.resource.group)\") \(scope); \(needs(request))",
                status: code, reason: reason)
        case 404:
            return KubeError(.notFound,
                "\(at) has no \(request.path) (\(what)): \(said); is \(server) a Kubernetes API server serving \(request.resource.group.isEmpty ? "v1" : "\(request.resource.group)/\(request.resource.version)")?",
                status: code, reason: reason)
        case 409:
            let why = reason == "AlreadyExists" ? "it already exists" : "it changed since it was read (someone else wrote it first)"
            return KubeError(.conflict, "\(at) refused to \(what): \(said) (409 \(reason.isEmpty ? "Conflict" : reason)); \(why): read it again",
                             status: code, reason: reason)
        case 410:
            return KubeError(.expired, "\(at) answered 410 \(reason.isEmpty ? "Gone" : reason) to \(what): \(said)",
                             status: code, reason: reason)
        case 429:
            return KubeError(.tooManyRequests,
                "\(at) is overloaded and kept answering 429 \(reason.isEmpty ? "TooManyRequests" : reason) to \(what)\(retried): \(said); try again later",
                status: code, reason: reason)
        case 500...599:
            return KubeError(.server,
                "\(at) failed with \(code) \(reason.isEmpty ? "" : "\(reason) ")to \(what)\(retried): \(said)",
                status: code, reason: reason)
        default:
            return KubeError(.response, "\(at) answered \(code) \(reason.isEmpty ? "" : "\(reason) ")to \(what): \(said)",
                             status: code, reason: reason)
        }
    }

    /// The RBAC extend needs for a request, for a 403's message.
    static func needs(_ request: APIRequest) -> String {
        switch request.resource {
        case .networkPolicies where request.verb != "get" && request.verb != "list" && request.verb != "watch":
            "the controller with --companions needs create, update, patch and delete on networkpolicies.networking.k8s.io cluster-wide (the companions live beside their policies)"
        case .leases: "the controller needs get, create and update on leases.coordination.k8s.io in its own namespace (leader election)"
        case .events: "the controller needs create and patch on events in its own namespace"
        case .configMaps: "the controller needs get and update on its managed hosts record (a ConfigMap, by name) and create on configmaps, in its own namespace"
        default: "extend needs get, list and watch on namespaces, pods and networkpolicies.networking.k8s.io"
        }
    }

    /// `user "fake-admin"`, `the pod's service account`.
    static func who(_ origin: ConfigOrigin) -> String {
        switch origin.source {
        case .kubeconfig: "user \"\(origin.user)\""
        case .inCluster: "the pod's service account"
        }
    }

    private static func credentialLocation(_ origin: ConfigOrigin) -> String {
        switch origin.source {
        case .kubeconfig(let files): "user \"\(origin.user)\" in \(files.joined(separator: ":")) (context \"\(origin.context ?? "")\")"
        case .inCluster(let dir): "the service account token in \(dir)"
        }
    }

    /// A body that is not a Status: its first line, if it reads as text.
    private static func plainText(_ r: HTTPResponse) -> String {
        let text = String(decoding: r.body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let line = text.split(separator: "\n").first.map(String.init) ?? ""
        return line.isEmpty ? "no details given" : line
    }
}
