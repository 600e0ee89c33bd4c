/// The two Python 3 programs a kernel lab runs inside its namespaces, written
/// into the lab's directory when the lab is built. Python only uses its
/// standard library here (`-I -S`: no site packages, no environment).
enum NetnsScripts {
    /// `listener.py READY PORTS PROTOS ADDRESS...`: serves every port on every
    /// protocol on each of the host's own addresses, then writes READY.
    ///
    /// One socket per address (not the wildcard): a UDP answer must leave from
    /// the address the probe was sent to, or the prober's connected socket and
    /// conntrack would not see it as the reply. TCP and SCTP: accept, send
    /// "ok\n", close. UDP: answer every datagram with "ok".
    static let listener = #"""
    import os, selectors, socket, sys

    def main():
        ready, ports, protos = sys.argv[1], [int(p) for p in sys.argv[2].split(",")], sys.argv[3].split(",")
        sel = selectors.DefaultSelector()
        for address in sys.argv[4:]:
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            for port in ports:
                for proto in protos:
                    if proto == "udp":
                        s = socket.socket(family, socket.SOCK_DGRAM)
                    else:
                        s = socket.socket(family, socket.SOCK_STREAM,
                                          socket.IPPROTO_SCTP if proto == "sctp" else 0)
                        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    s.bind((address, port))
                    if proto != "udp":
                        s.listen(128)
                    s.setblocking(False)
                    sel.register(s, selectors.EVENT_READ, proto)
        with open(ready + ".tmp", "w") as f:
            f.write("%d\n" % os.getpid())
        os.rename(ready + ".tmp", ready)
        while True:
            for key, _ in sel.select():
                s = key.fileobj
                try:
                    if key.data == "udp":
                        _, peer = s.recvfrom(2048)
                        s.sendto(b"ok", peer)
                    else:
                        conn, _ = s.accept()
                        try:
                            conn.setblocking(True)
                            conn.sendall(b"ok\n")
                        finally:
                            conn.close()
                except OSError:
                    pass

    main()
    """#

    /// `prober.py TIMEOUT` with lines `SOURCE DESTINATION PORT PROTO` on
    /// stdin: runs every probe at once (one event loop, non-blocking sockets)
    /// and prints `INDEX VERDICT DETAIL` per probe.
    ///
    /// allowed: the listener's "ok" came back. denied: no connection or
    /// reply within TIMEOUT seconds, or the sender's own OUTPUT rules dropped
    /// it (EPERM). broken: anything else (refused, unreachable, a connection
    /// that never answers); a broken probe says the lab is wrong, not the rules.
    /// A stream connection that got through its handshake has passed both
    /// hosts' rules; it then gets a longer grace for the "ok".
    static let prober = #"""
    import errno, selectors, socket, sys, time

    REPLY_GRACE = 3.0

    def verdict_for(err, what):
        if err == errno.EPERM:
            return ("denied", "%s: dropped by the sender's own rules (EPERM)" % what)
        if err == errno.ETIMEDOUT:
            return ("denied", "%s: timed out" % what)
        return ("broken", "%s: %s" % (what, errno.errorcode.get(err, str(err))))

    def main():
        timeout = float(sys.argv[1])
        probes = [line.split() for line in sys.stdin.read().splitlines() if line.strip()]
        results = {}
        pending = {}
        sel = selectors.DefaultSelector()
        start = time.monotonic()
        for i, (src, dst, port, proto) in enumerate(probes):
            family = socket.AF_INET6 if ":" in dst else socket.AF_INET
            try:
                if proto == "udp":
                    s = socket.socket(family, socket.SOCK_DGRAM)
                else:
                    s = socket.socket(family, socket.SOCK_STREAM,
                                      socket.IPPROTO_SCTP if proto == "sctp" else 0)
                s.setblocking(False)
                s.bind((src, 0))
            except OSError as e:
                results[i] = ("broken", "socket/bind %s: %s" % (src, e))
                continue
            try:
                if proto == "udp":
                    s.connect((dst, int(port)))
                    s.send(b"probe\n")
                    phase, events = "reply", selectors.EVENT_READ
                else:
                    err = s.connect_ex((dst, int(port)))
                    if err not in (0, errno.EINPROGRESS):
                        results[i] = verdict_for(err, "connect")
                        s.close()
                        continue
                    phase, events = "connect", selectors.EVENT_WRITE
            except OSError as e:
                results[i] = verdict_for(e.errno, "send")
                s.close()
                continue
            pending[s] = [i, proto, phase, start + timeout, b""]
            sel.register(s, events)

        def finish(s, verdict):
            results[pending[s][0]] = verdict
            del pending[s]
            sel.unregister(s)
            s.close()

        def connected(s):
            try:
                s.getpeername()
                return True
            except OSError:
                return False

        while pending:
            now = time.monotonic()
            for s, (i, proto, phase, deadline, buf) in list(pending.items()):
                if now < deadline:
                    continue
                if phase == "connect" and connected(s):
                    # Connected just as time ran out: the rules let it through.
                    pending[s][2:4] = ["stream-reply", now + REPLY_GRACE]
                    sel.modify(s, selectors.EVENT_READ)
                elif phase == "stream-reply":
                    finish(s, ("broken", "connected, but no \"ok\" within %.1fs (got %r)" % (REPLY_GRACE, buf)))
                else:
                    finish(s, ("denied", "no %s within %.1fs" % ("connection" if phase == "connect" else "reply", timeout)))
            if not pending:
                break
            wait = max(0.0, min(p[3] for p in pending.values()) - time.monotonic())
            for key, _ in sel.select(wait):
                s = key.fileobj
                i, proto, phase, deadline, buf = pending[s]
                if phase == "connect":
                    err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if err != 0:
                        finish(s, verdict_for(err, "connect"))
                    else:
                        pending[s][2:4] = ["stream-reply", time.monotonic() + REPLY_GRACE]
                        sel.modify(s, selectors.EVENT_READ)
                    continue
                try:
                    data = s.recv(64)
                except OSError as e:
                    finish(s, verdict_for(e.errno, "receive"))
                    continue
                if phase == "reply":
                    if data.startswith(b"ok"):
                        finish(s, ("allowed", "udp reply"))
                    else:
                        finish(s, ("broken", "unexpected reply %r" % data))
                    continue
                buf += data
                pending[s][4] = buf
                if b"\n" in buf or not data:
                    if buf.startswith(b"ok"):
                        finish(s, ("allowed", "%s connection answered" % proto))
                    else:
                        finish(s, ("broken", "connection answered %r" % buf))

        for i in range(len(probes)):
            verdict, detail = results[i]
            print(i, verdict, detail)

    main()
    """#
}
