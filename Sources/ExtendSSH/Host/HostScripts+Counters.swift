/// `extend audit`'s requests: the packet counters of our rules, read (and
/// optionally zeroed) without changing a rule. On stdin, at most one line:
/// `no-droplog` leaves the kernel log out (the controller, which uses the
/// counters alone, asks so after every run); nothing (`extend audit`) reads
/// it; any other input is refused before anything is read.
extension HostScripts {
    /// What the counters requests take on stdin to leave the kernel log out.
    static let noDropLog = "no-droplog"

    /// Reads the option line; sets `droplog` to 1 unless `no-droplog` came.
    static let countersOption = """
    droplog=1
    if IFS= read -r opt || [ -n "$opt" ]; then
      case "$opt" in
      \(noDropLog)) droplog="" ;;
      *) echo "netpol-extend: refused: unknown option for the counters; nothing was read" >&2; exit \(refusedRequestStatus) ;;
      esac
    fi

    """

    /// Prints `iptables-save -c` and `ip6tables-save -c` of the filter table
    /// (sections `#npx iptables`, `#npx ip6tables`, `#npx end`); changes
    /// nothing. Each family is one consistent snapshot of its counters.
    /// The kernel log's lines of our drop-log prefixes (logDrops), the last
    /// 500, after a line naming where they came from: `via dmesg`, `via
    /// journalctl`, or `via none` when neither can be read (no permission, a
    /// container without the kernel log). A network namespace's LOG rules
    /// log only with net.netfilter.nf_log_all_netns=1 in the init namespace.
    static let dropLogSection = """
    if [ -n "$droplog" ]; then
    echo "#npx droplog"
    # The kernel log is read once: formatting it is most of what a reading costs the host.
    if k=$(dmesg 2>/dev/null); then
      echo "via dmesg"; printf "%s\n" "$k" | grep -E "npx:[IE]:[0-9a-f]{8} " | tail -n 500; k=""
    elif command -v journalctl >/dev/null 2>&1 && journalctl -k -q -n 1 --no-pager >/dev/null 2>&1; then
      echo "via journalctl"; journalctl -k -q -o cat --no-pager -n 20000 | grep -E "npx:[IE]:[0-9a-f]{8} " | tail -n 500
    else
      echo "via none"
    fi
    fi

    """

    static let countersBody = """
    \(countersOption)echo "#npx iptables"
    iptables-save -c -t filter || exit 42
    echo "#npx ip6tables"
    ip6tables-save -c -t filter || exit 43
    \(dropLogSection)echo "#npx end"

    """

    /// The same sections, in the same `[packets:bytes] -A …` form, but each
    /// chain of ours (`NPX-…`, and no other) is listed and zeroed by one
    /// `iptables -v -S CHAIN -Z`: the counters printed are those the zeroing
    /// cleared. Under the host's lock, so no apply or rollback replaces a
    /// chain meanwhile. The chains are zeroed one after another, not in one
    /// transaction: see docs/rollout.md ("Resetting the counters") for what a
    /// packet that arrives meanwhile means.
    static let countersResetBody = """
    \(countersOption)d=\(runDir)
    umask 077
    [ -d "$d" ] || mkdir -p "$d" || exit 50
    exec 9>>"$d/lock"
    flock -w 30 9 || { echo "netpol-extend: another apply or rollback holds $d/lock; no counter was read or zeroed" >&2; exit 51; }
    t="$d/counters.$$"
    trap "rm -f \\"$t\\"" EXIT
    for f in iptables ip6tables; do
      echo "#npx $f"
      echo "*filter"
      chains=$("$f-save" -t filter | sed -n "s/^:\\(NPX-[A-Za-z0-9_-]*\\) .*/\\1/p") || exit 42
      for c in $chains; do
        # -S -v prints "-A CHAIN … -c PACKETS BYTES -j …", then "Zeroing chain" (dropped).
        "$f" -w -v -S "$c" -Z > "$t" || { echo "netpol-extend: $f -Z $c failed; the chains before it were zeroed" >&2; exit 42; }
        sed -n -E "s/^(-A .*) -c ([0-9]+) ([0-9]+)( .*)?$/[\\2:\\3] \\1\\4/p" "$t"
      done
      echo "COMMIT"
    done
    \(dropLogSection)echo "#npx end"

    """
}
