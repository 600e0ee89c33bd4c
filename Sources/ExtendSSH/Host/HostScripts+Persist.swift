extension HostScripts {
    static let unitName = "netpol-extend-restore.service"

    /// Installs (mode on) or removes (mode off) the rules that survive a
    /// reboot: the payloads of a fresh host in /var/lib/netpol-extend/persist,
    /// and, where systemd runs, a unit that loads them before the network.
    static let persistBody = """
    s=\(stateDir); p=$s/persist
    umask 077
    # The request is checked in a directory beside the persisted rules: one
    # refused leaves no trace (not even their directory).
    mkdir -p "$s" || exit 50
    w=$(mktemp -d "$s/persist.XXXXXX") || exit 50
    trap "rm -rf \\"$w\\"" EXIT
    bundle "\(persistSections.joined(separator: " "))"
    params mode "on|off"
    owned "\(ipsetLine)" ipset; owned "\(iptablesLine)" iptables ip6tables
    [ "$(cat "$w/mode")" = off ] || guard fresh ""
    # The unit is part of this program, never sent by the client.
    cat > "$w/unit" <<"NPXUNIT"
    \(restoreUnit)NPXUNIT
    unit=/etc/systemd/system/\(unitName)
    if [ "$(cat "$w/mode")" = off ]; then
      if [ -f "$unit" ] && [ -d /run/systemd/system ]; then systemctl disable --quiet \(unitName) 2>/dev/null; fi
      rm -f "$unit" "$p/ipset" "$p/iptables" "$p/ip6tables"
      echo "#npx persist off"
      exit 0
    fi
    mkdir -p "$p" || exit 50
    for f in ipset iptables ip6tables; do mv -f "$w/$f" "$p/$f" || exit 50; done
    if [ -d /run/systemd/system ]; then
      if ! cmp -s "$w/unit" "$unit"; then cp "$w/unit" "$unit" && systemctl daemon-reload || exit 56; fi
      systemctl enable --quiet \(unitName) || exit 56
      echo "#npx persist systemd"
    else
      echo "#npx persist files"
    fi

    """

    /// Kept identical to templates/netpol-extend-restore.service (a test
    /// checks). `$$` is systemd's escape for a literal `$`.
    static let restoreUnit = """
    [Unit]
    Description=netpol-extend: load the NetworkPolicy rules this host last confirmed
    DefaultDependencies=no
    After=local-fs.target
    Before=network-pre.target
    Wants=network-pre.target

    [Service]
    Type=oneshot
    RemainAfterExit=yes
    ExecStart=/bin/sh -c "p=/var/lib/netpol-extend/persist; ipset restore -exist < $$p/ipset && iptables-restore --noflush < $$p/iptables && { [ ! -s $$p/ip6tables ] || ip6tables-restore --noflush < $$p/ip6tables; }"

    [Install]
    WantedBy=multi-user.target

    """
}
