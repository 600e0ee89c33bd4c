import Foundation
import LabSupport
#if canImport(Glibc)
import Glibc
#endif

/// Real traffic between lab hosts: a listener in each host (TCP and UDP on
/// the probed ports) and a prober that sends many probes from one host at
/// once. Python, because it is on every test machine and needs no build.
enum Traffic {
    static let python = "/usr/bin/python3"
    /// Throws, saying what to install, when the machine has no python3.
    static func requirePython() throws {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw LabError("real traffic in the lab needs \(python) (apt-get install python3-minimal)")
        }
    }

    static let ip = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]
        .first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/sbin/ip"

    /// Accepts TCP (answers "ok" and closes) and echoes "ok" to every UDP
    /// datagram from the address it was sent to (IP_PKTINFO), so that a host
    /// with several addresses answers from the right one and conntrack sees a
    /// reply, not a new flow.
    static let listenerScript = """
        import selectors, socket, struct, sys
        IP_PKTINFO = 8
        sel = selectors.DefaultSelector()
        for port in [int(p) for p in sys.argv[1:]]:
            t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            t.bind(("0.0.0.0", port)); t.listen(256); t.setblocking(False)
            sel.register(t, selectors.EVENT_READ, "tcp")
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
            u.bind(("0.0.0.0", port)); u.setblocking(False)
            sel.register(u, selectors.EVENT_READ, "udp")
        print("ready", flush=True)
        while True:
            for key, _ in sel.select():
                s = key.fileobj
                try:
                    if key.data == "tcp":
                        c, _ = s.accept()
                        c.settimeout(1.0)
                        try:
                            c.sendall(b"ok")
                        except OSError:
                            pass
                        c.close()
                    else:
                        data, anc, _, peer = s.recvmsg(512, socket.CMSG_SPACE(12))
                        cmsg = []
                        for level, kind, d in anc:
                            if level == socket.IPPROTO_IP and kind == IP_PKTINFO:
                                _, _, dst = struct.unpack("I4s4s", d[:12])
                                cmsg = [(socket.IPPROTO_IP, IP_PKTINFO, struct.pack("I4s4s", 0, dst, bytes(4)))]
                        s.sendmsg([b"ok"], cmsg, 0, peer)
                except OSError:
                    pass
        """

    /// Reads `[{"src","dst","port","proto"}]` on stdin, sends every probe at
    /// once (each bound to its source address), and prints one verdict per
    /// probe: allowed (connected / answered), denied (no answer within the
    /// timeout, or the sender's own rules refused it: EPERM), or broken: …
    /// (refused, unreachable: the lab is wrong, not the rules).
    static let proberScript = """
        import errno, json, selectors, socket, sys, time
        probes = json.load(sys.stdin)
        timeout = float(sys.argv[1])
        sel = selectors.DefaultSelector()
        out = [None] * len(probes)
        def verdict(code):
            if code == 0: return "allowed"
            if code in (errno.EPERM, errno.EACCES, errno.ETIMEDOUT): return "denied"
            return "broken: " + errno.errorcode.get(code, str(code))
        for i, p in enumerate(probes):
            try:
                if p["proto"] == "tcp":
                    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                    s.setblocking(False)
                    s.bind((p["src"], 0))
                    rc = s.connect_ex((p["dst"], p["port"]))
                    if rc == errno.EINPROGRESS:
                        sel.register(s, selectors.EVENT_WRITE, (i, "tcp"))
                    else:
                        out[i] = verdict(rc); s.close()
                else:
                    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    s.setblocking(False)
                    s.bind((p["src"], 0))
                    s.connect((p["dst"], p["port"]))
                    s.send(b"probe")
                    sel.register(s, selectors.EVENT_READ, (i, "udp"))
            except OSError as e:
                out[i] = verdict(e.errno or -1)
        deadline = time.monotonic() + timeout
        while sel.get_map() and time.monotonic() < deadline:
            for key, _ in sel.select(max(0.0, deadline - time.monotonic())):
                s = key.fileobj; i, kind = key.data
                sel.unregister(s)
                if kind == "tcp":
                    out[i] = verdict(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
                else:
                    try:
                        data = s.recv(64)
                        out[i] = "allowed" if data == b"ok" else "broken: reply %r" % data
                    except OSError as e:
                        out[i] = verdict(e.errno or -1)
                s.close()
        for key in list(sel.get_map().values()):
            out[key.data[0]] = "denied"; key.fileobj.close()
        print(json.dumps(out))
        """

    /// One probe as the prober reads it.
    struct WireProbe: Codable, Hashable, Sendable {
        var src: String
        var dst: String
        var port: Int
        var proto: String
    }

    /// Sends `probes` from inside `netns` and returns one verdict per probe.
    static func probe(from netns: String, _ probes: [WireProbe], timeout: Double = 1.0) throws -> [String] {
        guard !probes.isEmpty else { return [] }
        try requirePython()
        let input = try JSONEncoder().encode(probes)
        let r = try Lab.run(["ip", "netns", "exec", netns, python, "-c", proberScript, String(timeout)], stdin: Array(input))
        guard r.succeeded else { throw LabError("prober in \(netns) exited \(r.status): \(r.stderrText)") }
        let verdicts = try JSONDecoder().decode([String].self, from: Data(r.stdout))
        guard verdicts.count == probes.count else { throw LabError("prober in \(netns) answered \(verdicts.count) of \(probes.count)") }
        return verdicts
    }
}

/// Listeners started in lab hosts, by recorded pid; `stop()` ends them (the
/// lab's teardown would too, as it ends everything inside its namespaces).
final class Listeners: @unchecked Sendable {
    private var processes: [Process] = []

    /// Starts one listener per namespace on `ports` and waits until each is ready.
    init(in namespaces: [String], ports: [Int], logDirectory: String) throws {
        try Traffic.requirePython()
        do {
            for netns in namespaces {
                let log = logDirectory + "/listener-\(netns).log"
                guard FileManager.default.createFile(atPath: log, contents: nil),
                      let handle = FileHandle(forWritingAtPath: log) else { throw LabError("cannot create \(log)") }
                defer { try? handle.close() }
                let p = Process()
                p.executableURL = URL(fileURLWithPath: Traffic.ip)
                p.arguments = ["netns", "exec", netns, Traffic.python, "-u", "-c", Traffic.listenerScript] + ports.map(String.init)
                p.standardOutput = handle
                p.standardError = handle
                p.standardInput = FileHandle.nullDevice
                try p.run()
                processes.append(p)
                let deadline = ContinuousClock.now + .seconds(10)
                while !((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("ready") {
                    guard p.isRunning, ContinuousClock.now < deadline else {
                        throw LabError("listener in \(netns) did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
                    }
                    usleep(10_000)
                }
            }
        } catch {
            stop()
            throw error
        }
    }

    /// SIGKILL to each listener (by its pid), then reaps it. Not SIGTERM: a
    /// child spawned from a test thread inherits that thread's blocked signals,
    /// so a SIGTERM would stay pending and the wait would never end.
    func stop() {
        for p in processes where p.isRunning {
            kill(p.processIdentifier, SIGKILL)
        }
        for p in processes { p.waitUntilExit() }
        processes = []
    }

    deinit { stop() }
}
