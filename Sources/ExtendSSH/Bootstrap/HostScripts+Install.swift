extension HostScripts {
    /// Where the restricted account's sudoers drop-in goes.
    static let sudoersPath = "/etc/sudoers.d/netpol-extend"
    /// Its exit status when the restricted account does not exist.
    static let noAccountStatus = 60

    /// Installs restricted access, run as root over the privileged access
    /// that exists today (shell mode). Creates the account when the host has
    /// none (`HostBootstrap.addUser`); an account that exists is left as it
    /// is, and refused when sshd could not run the forced command for it.
    /// Reads a bundle on stdin: `user`,
    /// `entry` (the entry point), `sudoers` (empty for root) and `keys` (the
    /// authorized_keys lines). Writes only what differs, each file whole
    /// (a temporary beside it, renamed over it); a sudoers file sudo would
    /// not parse is never put in place. In the account's authorized_keys
    /// (read and written as the account) it replaces every line for the entry
    /// point or for one of these keys, and keeps all others. Prints
    /// `#npx installed` and what changed.
    static let install = """
    set -u
    export LC_ALL=C PATH=/usr/sbin:/sbin:/usr/bin:/bin:$PATH
    while read -r k r e _; do [ "$k" = Uid: ] && break; done < /proc/self/status
    [ "${e-}" = 0 ] || { echo "netpol-extend: installing the restricted access needs root, and this session runs as $(id -un); nothing was changed" >&2; exit 44; }
    umask 022
    w=$(mktemp -d) || exit 50
    trap "rm -rf \\"$w\\"" EXIT
    \(bundleFunctions)bundle "user entry sudoers keys"
    params user "\(userPattern)"
    u=$(cat "$w/user")
    # Everything this needs, before the first change.
    command -v setpriv >/dev/null 2>&1 || { echo "netpol-extend: setpriv (util-linux) is not installed; it writes authorized_keys as the account; nothing was changed" >&2; exit 63; }
    sd=\(sudoersPath)
    if [ -s "$w/sudoers" ]; then
      command -v visudo >/dev/null 2>&1 && [ -d "${sd%/*}" ] || { echo "netpol-extend: $u is not root and needs sudo, but sudo (visudo, ${sd%/*}) is not installed; nothing was changed" >&2; exit 62; }
      cp "$w/sudoers" "$w/check" && chmod 0440 "$w/check" && visudo -c -q -f "$w/check" >/dev/null || { echo "netpol-extend: sudo does not take the drop-in for $u (visudo -c); nothing was changed" >&2; exit 62; }
    fi
    changed=""
    acct=$(getent passwd "$u")
    if [ -z "$acct" ]; then
      command -v useradd >/dev/null 2>&1 || { echo "netpol-extend: this host has no account $u and no useradd to create it; nothing was changed" >&2; exit \(noAccountStatus); }
      \(HostBootstrap.addUser("$u").map { "\"\($0)\"" }.joined(separator: " ")) >&2 || { echo "netpol-extend: creating the account $u (useradd) failed; nothing else was changed" >&2; exit \(noAccountStatus); }
      acct=$(getent passwd "$u")
      changed=" account"
    fi
    home=$(printf "%s\\n" "$acct" | cut -d: -f6); sh=$(printf "%s\\n" "$acct" | cut -d: -f7)
    if [ -z "$acct" ] || [ ! -d "$home" ]; then
      echo "netpol-extend: the account $u has no home directory ($home), which its key lives in; nothing was changed" >&2; exit \(noAccountStatus)
    fi
    case "$sh" in
    */nologin|*/false) echo "netpol-extend: the login shell of $u is $sh, and sshd runs the forced command through it; give $u /bin/sh (usermod -s /bin/sh $u); nothing was changed" >&2; exit \(noAccountStatus) ;;
    esac
    e=\(entryPointPath)
    if ! cmp -s "$w/entry" "$e" || [ "$(stat -c %a:%u:%g "$e")" != 755:0:0 ]; then
      mkdir -p "${e%/*}" && cp "$w/entry" "$e.new" && chown 0:0 "$e.new" && chmod 0755 "$e.new" && mv -f "$e.new" "$e" || exit 61
      changed="$changed entry-point"
    fi
    if [ -s "$w/sudoers" ] && { ! cmp -s "$w/sudoers" "$sd" || [ "$(stat -c %a:%u "$sd")" != 440:0 ]; }; then
      # sudo skips files of sudoers.d whose name holds a dot: the temporary is never read.
      cp "$w/sudoers" "$sd.new" && chmod 0440 "$sd.new" && visudo -c -q -f "$sd.new" && mv -f "$sd.new" "$sd" || { rm -f "$sd.new"; exit 62; }
      changed="$changed sudoers"
    fi
    g=$(id -g "$u") || exit 63
    # The home belongs to the account: its files are read and written as the
    # account (a symbolic link there must not make root read or write
    # elsewhere), never as root.
    as() { setpriv --reuid="$u" --regid="$g" --init-groups -- "$@"; }
    k="$home/.ssh"
    : > "$w/old"
    if as test -e "$k/authorized_keys"; then
      as cat "$k/authorized_keys" > "$w/old" || { echo "netpol-extend: $u cannot read its own $k/authorized_keys; nothing was changed there" >&2; exit 63; }
    fi
    # Ours: the lines for the entry point, and any line for one of these keys (its base64 blob).
    { awk "{ print \\" \\" \\$(NF-1) }" "$w/keys"; printf "%s\\n" "command=\\"$e\\""; } > "$w/ours"
    { grep -vF -f "$w/ours" "$w/old"; cat "$w/keys"; } > "$w/new"
    if ! cmp -s "$w/new" "$w/old"; then
      as sh -c "umask 077 && mkdir -p \\"\\$1\\" && t=\\$(mktemp \\"\\$1/.authorized_keys.XXXXXX\\") && cat > \\"\\$t\\" && mv -f \\"\\$t\\" \\"\\$1/authorized_keys\\"" npx "$k" < "$w/new" || exit 63
      changed="$changed authorized-keys"
    fi

    echo "#npx installed${changed}"

    """

    /// A login name as useradd takes it.
    static let userPattern = "[a-z_][a-z0-9_-]{0,31}"
}
