/// The doctor's one command on a host: a short capture of what arrives there.
extension HostScripts {
    /// Reads its parameters from stdin, each checked before use, never
    /// evaluated: a line `SECONDS PORT SSHPORT EXCLUDED` (PORT 0: every port;
    /// EXCLUDED `-`: nothing excluded; otherwise the address whose packets to
    /// SSHPORT are the doctor's own session), then one of the host's
    /// addresses per line. Runs `tcpdump` on every interface for SECONDS (or
    /// 2,000 packets), writing the capture to stdout; changes nothing.
    static let capture = prelude(
        tools: "tcpdump timeout", missing: "; the doctor needs it (Debian: apt-get install \(captureTools))",
        notRoot: "capturing packets needs root and this session runs as $(id -un) (uid ${e-unknown}): log in as root, or set ssh.sudo: true")
        + captureBody

    static let captureBody = """
    bad() { echo "netpol-extend: the doctor sent a malformed request ($1); nothing was captured" >&2; exit 46; }
    read -r secs port sshport excluded || bad "no parameters"
    case "$secs" in ""|*[!0-9]*) bad "seconds";; esac
    case "$port" in ""|*[!0-9]*) bad "port";; esac
    case "$sshport" in ""|*[!0-9]*) bad "ssh port";; esac
    case "$excluded" in ""|*[!0-9a-fA-F:.-]*) bad "excluded address";; esac
    [ "$secs" -ge 1 ] && [ "$secs" -le 300 ] || bad "seconds out of range"
    set --
    while read -r a; do
      case "$a" in ""|*[!0-9a-fA-F:.]*) bad "address";; esac
      if [ $# -eq 0 ]; then set -- dst host "$a"; else set -- "$@" or dst host "$a"; fi
    done
    [ $# -gt 0 ] || bad "no address"
    set -- "(" "$@" ")"
    [ "$port" = 0 ] || set -- "$@" and dst port "$port"
    [ "$excluded" = - ] || set -- "$@" and not "(" src host "$excluded" and dst port "$sshport" ")"
    # What tcpdump says (listening on…, N packets captured) goes to stderr:
    # the client shows them only when the capture fails.
    timeout -s INT "$secs" tcpdump -i any -n -p -s 128 -c 2000 -U -w - "$@"
    s=$?
    [ "$s" = 124 ] && exit 0
    exit "$s"

    """

    static let captureTools = "tcpdump coreutils"
}
