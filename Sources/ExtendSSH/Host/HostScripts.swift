import ExtendCore

/// The only commands netpol-extend runs on a host: fixed text chosen by the
/// program. Nothing from the inventory, the cluster or any label ever becomes
/// part of a command line; payloads and parameters travel on stdin.
///
/// What the host keeps: `/run/netpol-extend` (the lock, the pending
/// rollback's pid, scratch space) and `/var/lib/netpol-extend` (the rollback
/// snapshot and log, persisted rules).
enum HostScripts {
    static let runDir = "/run/netpol-extend"
    static let stateDir = "/var/lib/netpol-extend"

    /// A script as a remote command line: `sh -c '…'`, through `sudo -n` when asked.
    static func command(_ script: String, sudo: Bool) -> String {
        precondition(!script.contains("'"), "host scripts are single-quoted and must not contain a quote")
        return (sudo ? "sudo -n " : "") + "sh -c '" + script + "'"
    }

    static let prelude = prelude(
        tools: "ipset iptables-save iptables-restore ip6tables-save ip6tables-restore flock setsid sha256sum", missing: "",
        notRoot: "the firewall tools need root and this session runs as $(id -un) (uid ${e-unknown}); nothing was read or changed: log in as root, or set ssh.sudo: true with the sudoers rule of templates/host/sudoers.netpol-extend-shell")

    /// What every script of ours starts with: strict, a known PATH, the
    /// `tools` it needs (`missing`: said after a missing one's name), and root.
    static func prelude(tools: String, missing: String, notRoot: String) -> String {
        """
        set -u
        export LC_ALL=C PATH=/usr/sbin:/sbin:/usr/bin:/bin:$PATH
        for t in \(tools); do
          command -v "$t" >/dev/null 2>&1 || { echo "netpol-extend: $t is not installed on this host\(missing)" >&2; exit 40; }
        done
        # The tools themselves only say "Operation not permitted" (ipset) or "you
        # must be root". The effective uid, from builtins alone (no process).
        while read -r k r e _; do [ "$k" = Uid: ] && break; done < /proc/self/status
        [ "${e-}" = 0 ] || { echo "netpol-extend: \(notRoot)" >&2; exit 44; }

        """
    }

    /// Prints what we own, in sections the client parses; changes nothing.
    /// (Each family's backend is in its `iptables-save` header line.)
    static let observe = prelude + observeBody

    static let observeBody = """
    echo "#npx ipset"
    ipset save || exit 41
    echo "#npx iptables"
    iptables-save -t filter || exit 42
    echo "#npx ip6tables"
    ip6tables-save -t filter || exit 43
    echo "#npx persist"
    p=\(stateDir)/persist
    if [ -f "$p/iptables" ]; then cat "$p/ipset" "$p/iptables" "$p/ip6tables" 2>/dev/null | sha256sum; fi
    echo "#npx end"

    """

    /// One round trip for apply, on either connection: prints what `observe`
    /// prints, then reads the client's answer on stdin, which the client
    /// writes after parsing that output:
    ///
    ///     [confirm TOKEN]          cancel this apply's pending rollback
    ///     [apply | persist]        the rest of stdin is that step's bundle
    ///
    /// Input that ends right after the observation (a converged host) ends the
    /// script without a write. A bundle step is always the last request.
    ///
    /// What the client plans against must still be what the apply loads over,
    /// without a second read of the host. Where the host's lock exists (any
    /// host that had an apply), the session reads the host under it and keeps
    /// it. A host that never had one is read without (a read creates no
    /// file); its apply then creates the lock file exclusively: if it can,
    /// no apply has begun since the read (every apply, of any version of
    /// ours, creates that file before it writes). Only if it cannot does the
    /// apply read its state again and compare it with what the client saw.
    static let session = prelude + sessionBody

    /// The session after the prelude (the entry point shares it).
    static let sessionBody = [stateFunction, lockFunction, bundleFunctions, guardFunction, lockFirst, observeBody, dispatchConfirm, confirmBody,
                              dispatchBundle, applyBody, ";;\npersist)\n", persistBody, dispatchEnd].joined()

    /// `lock` takes the host's lock on fd 9, once: later calls keep it (a
    /// second open of fd 9 would let go of it for a moment).
    static let lockFunction = """
    d=\(runDir); s=\(stateDir)
    umask 077
    locked=""
    lock() {
      [ -n "$locked" ] && return 0
      [ -d "$d" ] || mkdir -p "$d" || exit 50
      exec 9>>"$d/lock"
      flock -w 30 9 || { echo "netpol-extend: another apply or rollback holds $d/lock" >&2; exit 51; }
      locked=1
    }

    """

    /// `unchanged`: nothing of ours can have changed since the read.
    private static let lockFirst = """
    unchanged=""
    if [ -f "$d/lock" ]; then lock; unchanged=1; fi

    """

    private static let dispatchConfirm = """
    IFS= read -r req || exit 0
    case "$req" in
    "confirm "*)
    tok=${req#confirm }
    printf "%s\\n" "$tok" | grep -qxE "\(tokenPattern)" || {
      echo "netpol-extend: refused: the confirmation names no rollback of ours; nothing was changed" >&2; exit \(refusedRequestStatus); }

    """

    private static let dispatchBundle = """
    IFS= read -r req || exit 0
    ;;
    esac
    case "$req" in
    apply)

    """

    private static let dispatchEnd = """
    ;;
    *)
    echo "netpol-extend: unknown request from the client; nothing was changed" >&2; exit 57
    ;;
    esac

    """

    /// What a request's bundle may hold. Names of sets and chains are ours
    /// (`Naming.OwnedLines`), parameters have a fixed form; nothing else gets through.
    static let digestPattern = "[0-9a-f]{64}"
    static let tokenPattern = "[0-9a-f]{64}"
    static let maxRollbackSeconds = 3600
    static let setName = Naming.OwnedLines.setName
    static let ipsetLine = Naming.OwnedLines.ipset
    static let iptablesLine = Naming.OwnedLines.iptables
    /// The sections each request's bundle may have.
    static let applySections = ["expect", "token", "timeout", "rollback-ipset", "rollback-iptables", "rollback-iptables-before",
                                "rollback-ip6tables", "rollback-ip6tables-before", "rollback-destroy",
                                "ipset", "iptables", "ip6tables", "destroy"]
    static let persistSections = ["mode", "ipset", "iptables", "ip6tables"]

    /// `bundle NAMES` splits stdin (sections `#npx NAME`, up to `#npx end`)
    /// into files of `$w`, one per section; a section not in NAMES, or one
    /// named twice, refuses the request. Then the checks, each in one
    /// process or none (every process counts: a change runs them on every
    /// host). `params NAME ERE...`: each section NAME is one line (trailing
    /// empty lines aside) of its ERE, the lines read by builtins and all
    /// forms checked by one grep (lines `NAME VALUE` against `NAME (ERE)`).
    /// `owned ERE NAME...`: every line of every sent section NAME is of that
    /// form, one grep for all; a grep that fails refuses too.
    static let bundleFunctions = """
    refuse() { echo "netpol-extend: refused: the request $1; nothing was changed" >&2; exit \(refusedRequestStatus); }
    bundle() {
      awk -v dir="$w" -v names="$1" "BEGIN { n = split(names, a, \\" \\"); for (i = 1; i <= n; i++) ok[a[i]] = 1 } /^#npx /{ if (\\$2 == \\"end\\" && NF == 2) { done = 1; exit } if (NF != 2 || !(\\$2 in ok) || (\\$2 in seen)) { bad = 1; exit } seen[\\$2] = 1; f = dir \\"/\\" \\$2; printf \\"\\" > f; next } { if (f == \\"\\") { bad = 1; exit } print > f } END { if (bad) exit 2; if (!done) exit 1 }"
      case $? in
      0) ;;
      2) refuse "has a section this host does not take (or one twice)" ;;
      *) echo "netpol-extend: the payload arrived incomplete; nothing was changed" >&2; exit 52 ;;
      esac
    }
    params() {
      l=""; set -- "$@" --
      while [ "$1" != -- ]; do
        [ -f "$w/$1" ] || refuse "has no valid $1"
        v=""; x=""; IFS= read -r v < "$w/$1"
        # Past the first line, only empty ones.
        while IFS= read -r y || [ -n "$y" ]; do [ -z "$x" ] || [ -z "$y" ] || refuse "has no valid $1"; x=1; done < "$w/$1"
        l="$l$1 $v
    "
        set -- "$@" -e "$1 ($2)"; shift 2
      done
      shift
      bad=$(grep -vxE "$@" <<NPXPARAMS
    ${l%?}
    NPXPARAMS
    )
      case $? in
      1) ;;
      0) refuse "has no valid ${bad%% *}" ;;
      *) refuse "could not be checked (grep failed)" ;;
      esac
    }
    owned() {
      pat=$1; shift; n=$#
      for x in "$@"; do [ ! -s "$w/$x" ] || set -- "$@" "$w/$x"; done
      shift $n
      [ $# -gt 0 ] || return 0
      bad=$(grep -lvxE -e "$pat" "$@")
      case $? in
      1) ;;
      0) bad=${bad%%
    *}; refuse "touches what is not ours (in its ${bad##*/})" ;;
      *) refuse "could not be checked (grep failed)" ;;
      esac
    }

    """

    /// `keeps`, in the entry point (`npx_guard`): the lockout guard, held by
    /// the host itself. Its stdin: this family's rules as the host holds them
    /// (`iptables-save -t filter`), then, after each line `#npx payload`, a
    /// payload loaded over them (`--noflush`). It prints what would cut the
    /// connection off and fails when, after the first payload (or after the
    /// second, the rollback's, if the host's own rules admitted it), some
    /// chain of ours that INPUT (OUTPUT) jumps to does not accept SSH from
    /// (to) `npx_peer` on port `npx_port` before any rule that is not a plain
    /// ACCEPT: the rule `-s NET -p tcp -m tcp --dport PORT -j ACCEPT` (`-d`,
    /// `--sport` out) with NET holding the address, as extend renders it.
    /// Erring on the side of refusing: a jump is never taken as deleted, and
    /// a rule inserted, replaced or deleted in a chain of ours (extend only
    /// redeclares them whole) makes that chain fail.
    /// Only the entry point holds it (`HostScripts.entryPoint`); shell mode,
    /// whose key can run anything anyway, does not send it.
    static let keepsFunction = """
    keeps() {
      awk -v ip="$npx_peer" -v port="$npx_port" -f /dev/fd/3 3<<"NPXGUARD"
    function nib(c) { return index("0123456789abcdef", c) - 1 }
    function pad(g) { return substr("0000" g, length(g) + 1) }
    function hex(a,   p, n, v, k, h, t, hp, tp, nh, nt, i, out) {
      a = tolower(a)
      if (index(a, ":") == 0) {
        if (split(a, p, ".") != 4) return ""
        for (i = 1; i <= 4; i++) if (p[i] !~ /^[0-9]+$/ || p[i] > 255) return ""
        return sprintf("%02x%02x%02x%02x", p[1], p[2], p[3], p[4])
      }
      if (index(a, ".")) {
        n = split(a, p, ":"); v = hex(p[n]); if (v == "") return ""
        a = substr(a, 1, length(a) - length(p[n])) substr(v, 1, 4) ":" substr(v, 5, 4)
      }
      k = index(a, "::")
      if (k) { h = substr(a, 1, k - 1); t = substr(a, k + 2) } else { h = a; t = "" }
      nh = (h == "") ? 0 : split(h, hp, ":"); nt = (t == "") ? 0 : split(t, tp, ":")
      if ((!k && nh != 8) || nh + nt > 8 || index(t, "::")) return ""
      for (i = 1; i <= nh; i++) if (length(hp[i]) < 1 || length(hp[i]) > 4) return ""
      for (i = 1; i <= nt; i++) if (length(tp[i]) < 1 || length(tp[i]) > 4) return ""
      out = ""
      for (i = 1; i <= nh; i++) out = out pad(hp[i])
      for (i = nh + nt; i < 8; i++) out = out "0000"
      for (i = 1; i <= nt; i++) out = out pad(tp[i])
      return (out ~ /^[0-9a-f]+$/ && length(out) == 32) ? out : ""
    }
    function within(c,   x, net, len, f, r, d) {
      if (split(c, x, "/") == 2) { net = hex(x[1]); len = x[2] + 0 } else { net = hex(c); len = length(net) * 4 }
      if (net == "" || length(net) != length(me)) return 0
      f = int(len / 4); r = len % 4
      if (substr(net, 1, f) != substr(me, 1, f)) return 0
      if (r == 0) return 1
      d = 2 ^ (4 - r)
      return int(nib(substr(net, f + 1, 1)) / d) == int(nib(substr(me, f + 1, 1)) / d)
    }
    function guards(r, b,   w, k, i, at, tail) {
      k = split(r, w, " "); at = 3
      if (w[3] == (b == "INPUT" ? "-s" : "-d")) { if (!within(w[4])) return 0; at = 5 }
      tail = ""
      for (i = at; i <= k; i++) tail = tail " " w[i]
      return tail == " -p tcp -m tcp " (b == "INPUT" ? "--dport " : "--sport ") port " -j ACCEPT"
    }
    function check(   j, x, c, i, r, bad, best) {
      best = ""
      for (j in jump) {
        split(j, x, " "); c = x[2]; bad = (c in unknown)
        for (i = 1; !bad && i <= n[c]; i++) {
          r = rule[c, i]
          if (guards(r, x[1])) break
          if (r ~ /"/ || r !~ / -j ACCEPT$/ || index(r, " -j ") != length(r) - 9) bad = 1
        }
        if (bad && (best == "" || c < best)) best = c
      }
      return best
    }
    BEGIN { me = hex(ip); sec = 0; out = "" }
    substr($1, 1, 1) == "[" { $0 = substr($0, length($1) + 2) }
    $0 == "#npx payload" {
      if (sec == 0) g0 = (check() == ""); else if (check() != "") out = "chain " check()
      sec++; next
    }
    substr($1, 1, 5) == ":NPX-" { c = substr($1, 2); n[c] = 0; delete unknown[c]; next }
    ($1 == "-A" || $1 == "-I") && ($2 == "INPUT" || $2 == "OUTPUT") && $(NF - 1) == "-j" && substr($NF, 1, 4) == "NPX-" { jump[$2 " " $NF] = 1; next }
    substr($2, 1, 4) == "NPX-" {
      if ($1 == "-A") rule[$2, ++n[$2]] = $0
      else if ($1 == "-F" || $1 == "-X" || $1 == "-N") n[$2] = 0
      else if ($1 != "-Z") unknown[$2] = 1
    }
    END {
      if (me == "") out = "this connection (no address)"
      else if (out == "" && sec == 2 && g0 && check() != "") out = "the rollback: chain " check()
      else if (out == "" && sec == 1 && check() != "") out = "chain " check()
      if (out != "") { print out; exit 1 }
    }
    NPXGUARD
    }

    """

    /// `guard current|fresh PREFIX...`: refuses the request unless `keeps`
    /// passes the client family's payloads in the bundle (files PREFIX +
    /// iptables or ip6tables) over the host's rules (`current`) or over none
    /// (`fresh`: persisted rules, loaded at boot). In the entry point only.
    static let guardFunction = """
    # Holds a load to the lockout guard for this connection, in the entry
    # point only (with shell access the key could do anything anyway).
    # Arguments: current (the host rules first) or fresh, then the payloads (bundle file prefixes).
    guard() {
      [ -n "${npx_guard-}" ] || return 0
      [ -n "$npx_peer" ] && [ -n "$npx_port" ] || refuse "comes over a connection this host cannot tell the address of (SSH_CONNECTION did not get through sudo: the sudoers drop-in is not the one of this entry point; extend host-bootstrap --install puts it back)"
      f=iptables; case "$npx_peer" in *:*) f=ip6tables ;; esac
      cut=$({ [ "$1" = fresh ] || "$f-save" -t filter; shift; for p in "$@"; do echo "#npx payload"; cat "$w/$p$f" 2>/dev/null; done; } | keeps) ||
        refuse "would cut this connection (SSH from $npx_peer to port $npx_port) off: ${cut:-its rules} must admit it before anything else of ours (the lockout guard: list the address under the host management sources)"
    }

    """

    /// The lines of our state that the apply's precondition hashes; the
    /// client computes the same from what `observe` printed.
    static let stateFunction = """
    # Ours: sets named npx-…; rule, chain and jump lines naming an NPX- chain
    # (iptables-save lines that can hold one start with - or :).
    state() {
      h=$({ ipset save; iptables-save -t filter; ip6tables-save -t filter; } | grep -E "^(create|add) npx-|^[-:].*NPX-" | sort | sha256sum)
      echo "${h%% *}"
    }

    """

    /// Reads the bundle from stdin (sections `#npx NAME`), checks that the host
    /// still holds what was read, schedules the rollback detached from this
    /// session, then loads sets, IPv4 chains, IPv6 chains, in that order, each
    /// one transaction. A failing step rolls back at once.
    static let applyBody = """
    if [ -z "$locked" ]; then
      [ -d "$d" ] || mkdir -p "$d" || exit 50
      set -C; { true > "$d/lock"; } 2>/dev/null && unchanged=1; set +C
    fi
    lock
    [ -d "$s" ] || mkdir -p "$s" || exit 50
    # The bundle lands beside the snapshot, so that it becomes the snapshot
    # with one rename once the checks pass. One left here is from a session
    # that was killed (we hold the lock, so no apply is filling it).
    for x in "$s"/apply.*; do [ ! -d "$x" ] || rm -rf "$x"; done
    w=$(mktemp -d "$s/apply.XXXXXX") || exit 50
    trap "[ ! -d \\"$w\\" ] || rm -rf \\"$w\\"" EXIT
    bundle "\(applySections.joined(separator: " "))"
    set -- expect "\(digestPattern)" token "\(tokenPattern)" timeout "[1-9][0-9]{0,3}"
    [ ! -f "$w/rollback-iptables-before" ] || set -- "$@" rollback-iptables-before "(\(digestPattern))?"
    [ ! -f "$w/rollback-ip6tables-before" ] || set -- "$@" rollback-ip6tables-before "(\(digestPattern))?"
    params "$@"
    read -r secs < "$w/timeout"
    [ "$secs" -le \(maxRollbackSeconds) ] || refuse "asks for a rollback later than \(maxRollbackSeconds) s"
    owned "\(ipsetLine)" ipset rollback-ipset
    owned "\(iptablesLine)" iptables rollback-iptables ip6tables rollback-ip6tables
    owned "\(setName)" destroy rollback-destroy
    guard current "" rollback-
    # The rollback script is part of this program, never sent by the client.
    cat > "$w/rollback-run" <<"NPXROLLBACK"
    \(rollback)
    NPXROLLBACK
    read -r expect < "$w/expect"
    if [ -z "$unchanged" ] && [ "$(state)" != "$expect" ]; then
      echo "netpol-extend: the rules of ours on this host changed since they were read; nothing was changed, run again" >&2; exit 53
    fi
    if [ -f "$d/rollback.pid" ] && read -r old < "$d/rollback.pid" && kill -0 "$old" 2>/dev/null; then
      echo "netpol-extend: a rollback from an unconfirmed apply is still pending; nothing was changed, run again once it has run" >&2; exit 55
    fi
    rb="$s/rollback"
    rm -rf "$rb" && mv "$w" "$rb" || exit 50
    read -r tok < "$rb/token"; read -r secs < "$rb/timeout"
    # The rollback prints its pid once it runs in a session of its own, and
    # nothing is loaded before: a kill of this session from here on cannot
    # take it along (a forked child still on its way to setsid would go).
    # 9>&-: the rollback must not inherit our hold on the lock.
    rbpid=$(setsid sh "$rb/rollback-run" "$d" "$secs" "$rb" "$s" wait "npx-rollback-$tok" </dev/null 2>/dev/null 9>&- &)
    [ -n "$rbpid" ] || { echo "netpol-extend: the host-side rollback did not start; nothing was changed" >&2; exit 56; }
    echo $rbpid > "$d/rollback.pid"
    # Restore now, and only then stop the scheduled rollback: should this
    # script be killed in between, that one still runs (a second restore of
    # the same snapshot changes nothing).
    fail() {
      echo "netpol-extend: $1 failed; the previous rules are being restored" >&2
      sh "$rb/rollback-run" "$d" 0 "$rb" "$s" held "npx-rollback-$tok" >/dev/null 2>&1
      kill -TERM -- "-$rbpid" 2>/dev/null
      exit 54
    }
    if [ -s "$rb/ipset" ]; then ipset restore < "$rb/ipset" || fail "ipset restore"; fi
    if [ -s "$rb/iptables" ]; then iptables-restore --noflush < "$rb/iptables" || fail "iptables-restore"; fi
    if [ -s "$rb/ip6tables" ]; then ip6tables-restore --noflush < "$rb/ip6tables" || fail "ip6tables-restore"; fi
    if [ -s "$rb/destroy" ]; then
      while read -r n; do
        ipset destroy "$n" 2>/dev/null || echo "netpol-extend: set $n is still in use by a rule that is not ours; left in place" >&2
      done < "$rb/destroy"
    fi
    echo "#npx applied $rbpid"

    """

    /// Runs detached: after the timeout, restores what the host held before
    /// the apply (arguments: run dir, seconds, snapshot dir, state dir, "wait"
    /// or "held" when the caller already holds the lock, and a token naming it).
    static let rollback = """
    d=$1; secs=$2; rb=$3; s=$4; mode=$5
    # Detached now (setsid ran before us): tell the apply, and let go of its pipe.
    echo $$; exec >/dev/null
    export LC_ALL=C PATH=/usr/sbin:/sbin:/usr/bin:/bin:$PATH
    [ "$secs" -gt 0 ] && sleep "$secs"
    if [ "$mode" != held ]; then exec 9>"$d/lock"; flock 9; fi
    rc=0
    # An apply stopped half way leaves the temporary twin of the set it was
    # building, half filled. No apply is building now (we hold the lock), so
    # every twin is such a leftover: it goes, or the host would not hold
    # exactly what it held before.
    # A reader of the set (`ipset save` or `list` elsewhere) holds it for a
    # moment and a destroy then fails as busy: try again briefly.
    gone() { for i in 1 2 3 4 5 6 7 8 9 10; do ipset destroy "$1" 2>/dev/null && return 0; ipset list -n | grep -qxF "$1" || return 0; sleep 0.2 2>/dev/null || sleep 1; done; return 1; }
    twins() { for n in $(ipset list -n | grep -E "^\(Naming.setPrefix)[0-9a-f]+\(Naming.tempSuffix)$"); do gone "$n" || rc=1; done; }
    twins
    if [ -s "$rb/rollback-ipset" ]; then ipset restore < "$rb/rollback-ipset" || rc=1; fi
    # The chains of a family go back only if its transaction went in (each is
    # atomic): its lines of ours no longer hash to what they were before.
    moved() {
      h=$("$1-save" -t filter | grep -E "^[-:].*NPX-" | LC_ALL=C sort | sha256sum)
      read -r was < "$rb/rollback-$1-before" || return 0
      [ "${h%% *}" != "$was" ]
    }
    if [ -s "$rb/rollback-iptables" ] && moved iptables; then iptables-restore --noflush < "$rb/rollback-iptables" || rc=1; fi
    if [ -s "$rb/rollback-ip6tables" ] && moved ip6tables; then ip6tables-restore --noflush < "$rb/rollback-ip6tables" || rc=1; fi
    if [ -s "$rb/rollback-destroy" ]; then
      while read -r n; do gone "$n"; done < "$rb/rollback-destroy"
    fi
    # And once more at the end: a twin that a restore still dying when we
    # began finished creating is a leftover too.
    twins
    echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) rolled back an unconfirmed apply, status $rc" >> "$s/rollback.log"
    rm -f "$d/rollback.pid"
    exit $rc
    """

    /// Cancels the pending rollback named by `$tok`, if it is still pending.
    /// Exit 30: it already ran (or never existed).
    static let confirmBody = """
    lock
    pid=""
    [ -f "$d/rollback.pid" ] && read -r pid < "$d/rollback.pid"
    if [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr "\\000" " " < "/proc/$pid/cmdline" | grep -qF "npx-rollback-$tok"; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
      rm -f "$d/rollback.pid"
      echo "#npx confirmed"
    else
      echo "netpol-extend: no pending rollback for this apply: it already ran and restored the previous rules" >&2
      exit 30
    fi
    exec 9>&-; locked=""

    """
}
