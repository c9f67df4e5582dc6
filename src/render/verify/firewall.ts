// The firewall's verification script: FreeBSD /bin/sh, POSIX only, run on
// the OPNsense box (console option 8, or ssh) with the tools it has there:
// ifconfig, wg, sockstat, pfctl, pgrep, route, pluginctl, openssl, date. It covers the
// checks an operator would do by hand: WireGuard instances up with their
// address, MTU and port, exactly the enabled peers, the interfaces assigned
// and enabled, every compiled rule loaded as written (pf's text of it under
// its label: ../opnsense/pf-text.ts), the tables of the aliases they
// name (./firewall-tables.ts), the MSS clamp, outbound NAT, routes,
// HAProxy's listeners and its certificates.
//
// Output formats OPNsense's own code reads the same way: the first ifconfig
// line carries flags and mtu (scripts/wireguard/wg_show.py), `wg show <if>`
// prints tab-separated fields (wg(8)), sockstat columns are USER COMMAND
// PID FD PROTO LOCAL FOREIGN with "?" for kernel sockets such as if_wg's
// (sockstat.c), and rules.debug ends each rule with `label "X" # descr`
// (lib/states.py fetch_rule_labels()).
import type { Firewall, FirewallInterface, Model, Site } from '../../model.js';
import { formatIPv4 } from '../../net.js';
import { ANTI_LOCKOUT_SETTING } from '../../targets/opnsense/anti-lockout.js';
import { opnsenseContext } from '../opnsense/context.js';
import { OUTBOUND_MODE } from '../opnsense/nat.js';
import { mssClamps } from '../opnsense/scrub.js';
import { type ExpectedRule, expectedRules } from './firewall-rules.js';
import { TABLE_FUNCTIONS, expectedTables, tableLines } from './firewall-tables.js';
import { type Check, type Declared, SHOWN_AWK, type ScriptFrame, type ScriptText, UnsafeScriptValueError, call, field, heredoc, heredocWritten, writeScript } from './script.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,62}$/;

/** A device, interface key or group name used as a command argument. */
function name(value: string): string {
  if (!NAME.test(value)) throw new UnsafeScriptValueError(`"${value}" is not an interface name`);
  return value;
}

/** 10.0.1.1/24 → FreeBSD ifconfig's "0xffffff00". */
function netmaskHex(prefix: number): string {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return `0x${mask.toString(16).padStart(8, '0')}`;
}

const FUNCTIONS = `# ifconfig DEV: admin state, MTU, IPv4 addresses ("A/0xMASK") and groups.
if_check() { # what where dev address netmask mtu
  out=$(ifconfig "$3" 2>&1) || { fail "$1" "$2" "ifconfig $3: $(printf '%s' "$out" | flat)"; return; }
  flags=$(printf '%s\\n' "$out" | sed -n '1s/^[^<]*<\\([^>]*\\)>.*/\\1/p' | tr ',' ' ')
  mtu=$(printf '%s\\n' "$out" | sed -n '1s/.* mtu \\([0-9][0-9]*\\).*/\\1/p')
  inet=$(printf '%s\\n' "$out" | awk '$1 == "inet" { for (k = 3; k < NF; k++) if ($k == "netmask") { printf "%s%s/%s", sep, $2, $(k + 1); sep = " " } }')
  problems=
  has_word UP "$flags" || problems="$problems; down (flags $flags)"
  [ -z "$4" ] || has_word "$4/$5" "$inet" || problems="$problems; IPv4 $inet, not $4/$5"
  [ -z "$6" ] || [ "$mtu" = "$6" ] || problems="$problems; MTU $mtu, not $6"
  if [ -z "$problems" ]; then pass "$1" "$2"; else fail "$1" "$2" "\${problems#; }"; fi
}

if_group_check() { # what where dev group
  groups=$(ifconfig "$3" 2>/dev/null | sed -n 's/^[[:space:]]*groups:[[:space:]]*//p')
  if has_word "$4" "$groups"; then pass "$1" "$2"; else fail "$1" "$2" "groups of $3: \${groups:-none}"; fi
}

# pluginctl -g PATH: a value of config.xml as OPNsense reads it.
config_check() { # what where path expected [empty-means-expected]
  value=$(pluginctl -g "$3" 2>&1 | flat)
  if [ "$value" = "$4" ] || { [ -z "$value" ] && [ "\${5:-}" = default ]; }; then pass "$1" "$2"; else fail "$1" "$2" "$3 is \\"$value\\""; fi
}

# The anti-lockout rule is off while <system><webgui><noantilockout> exists, whatever its value (filter.lib.inc
# filter_core_get_antilockout: isset); pluginctl prints the webgui section as JSON, with the key when it exists.
anti_lockout_check() { # what where on|off
  webgui=$(pluginctl -g system.webgui 2>&1)
  # Anything but the section's JSON object (an error, nothing) says neither on nor off.
  lines=
  case $webgui in '{'*) lines=$(printf '%s\\n' "$webgui" | json_flat) || lines= ;; esac
  if [ -z "$lines" ]; then webgui=$(printf '%s' "$webgui" | flat); fail "$1" "$2" "pluginctl -g system.webgui: \${webgui:-no output}"; return; fi
  if printf '%s\\n' "$lines" | json_get /noantilockout > /dev/null; then state=off; else state=on; fi
  if [ "$state" = "$3" ]; then pass "$1" "$2"
  elif [ "$state" = off ]; then fail "$1" "$2" "it is off: system.webgui.noantilockout is set"
  else fail "$1" "$2" "it is on: system.webgui has no noantilockout"
  fi
}

# The instance's peers against the enabled peers of the topology (stdin: key, name, declared).
peers_check() { # what where dev
  actual=$(wg show "$3" allowed-ips 2>&1) || { fail "$1" "$2" "wg show $3: $(printf '%s' "$actual" | flat)"; cat > /dev/null; return; }
  found=$({ cat; printf '\\n@@\\n%s\\n' "$actual"; } | awk -F '\\t' '
    !sep && $0 == "@@" { sep = 1; next }
    !sep && $0 == "" { next }
    !sep { n++; key[n] = $1; who[$1] = $2 " (" $3 ")"; ips[$1] = $4; next }
    NF >= 1 && $1 != "" { m++; have[m] = $1; got[$1] = $2 }
    ${SHOWN_AWK}
    END {
      for (i = 1; i <= n; i++) if (!(key[i] in got)) miss = shown(miss, ++nm, who[key[i]] " " key[i])
      for (i = 1; i <= m; i++) if (!(have[i] in who)) extra = shown(extra, ++ne, have[i] " (" got[have[i]] ")")
      for (i = 1; i <= n; i++) if ((key[i] in got) && got[key[i]] != ips[key[i]]) wrong = shown(wrong, ++nw, who[key[i]] " has " got[key[i]] ", not " ips[key[i]])
      if (nm) out = out "; missing " substr(miss, 3) more(nm)
      if (ne) out = out "; extra " substr(extra, 3) more(ne)
      if (nw) out = out "; allowed IPs: " substr(wrong, 3) more(nw)
      print substr(out, 3)
    }')
  if [ -z "$found" ]; then pass "$1" "$2"; else fail "$1" "$2" "$found"; fi
}

# The peers (stdin: key, name, declared) whose latest handshake is $4 days old or more, or who had none:
# a note, no failure ($4 is the instance's idle_peer_days, the age at which the runbook removes a peer).
# wg(8) prints 0 for none; the kernel keeps it only while the device exists (a reboot, or a restart of the
# instance, which destroys it: wg-service-control.php wg_stop), so "none" means none since the device came up.
handshake_note() { # what where dev days hint
  actual=$(wg show "$3" latest-handshakes 2>/dev/null) || { cat > /dev/null; return; }
  now=$(date +%s)
  case $now in '' | *[!0-9]*) cat > /dev/null; return ;; esac
  found=$({ cat; printf '\n@@\n%s\n' "$actual"; } | awk -F '\t' -v now="$now" -v days="$4" '
    !sep && $0 == "@@" { sep = 1; next }
    !sep && $0 == "" { next }
    !sep { n++; key[n] = $1; who[$1] = $2; next }
    NF >= 2 && $2 ~ /^[0-9][0-9]*$/ { at[$1] = $2 + 0 }
    ${SHOWN_AWK}
    END {
      for (i = 1; i <= n; i++) {
        k = key[i]
        if (!(k in at)) continue
        if (at[k] == 0) never = shown(never, ++nn, who[k])
        else if (now - at[k] >= days * 86400) old = shown(old, ++no, who[k] " (" int((now - at[k]) / 86400) " days ago)")
      }
      if (no) out = out "; last handshake " days " or more days ago: " substr(old, 3) more(no)
      if (nn) out = out "; no handshake since the device came up: " substr(never, 3) more(nn)
      print substr(out, 3)
    }')
  [ -z "$found" ] || note "$1" "$2" "$found; $5"
}

listen_check() { # what where dev port
  port=$(wg show "$3" listen-port 2>&1 | flat)
  socket=$(sockstat -l -4 -6 2>/dev/null | awk -v p=":$4" '$5 ~ /^udp/ && substr($6, length($6) - length(p) + 1) == p { print $2 " " $5 " " $6; exit }')
  problems=
  [ "$port" = "$4" ] || problems="$problems; wg show $3 listen-port: $port"
  [ -n "$socket" ] || problems="$problems; sockstat -l: no UDP socket on port $4"
  if [ -z "$problems" ]; then pass "$1" "$2"; else fail "$1" "$2" "\${problems#; }"; fi
}

tcp_listen_check() { # what where address port command
  local_address=$3
  [ "$local_address" != 0.0.0.0 ] || local_address='*'
  holders=$(sockstat -l -4 -6 2>/dev/null | awk -v a="$local_address:$4" -v p=":$4" '$5 ~ /^tcp/ && ($6 == a || $6 == "*" p) { print $2 }' | sort -u | tr '\\n' ' ' | sed 's/ $//')
  if has_word "$5" "$holders"; then pass "$1" "$2"
  elif [ -n "$holders" ]; then fail "$1" "$2" "port $4 is held by $holders"
  else fail "$1" "$2" "nothing listens on TCP $3:$4"; fi
}

route_check() { # what where destination gateway device
  out=$(route -n get "$3" 2>&1)
  gateway=$(printf '%s\\n' "$out" | sed -n 's/^[[:space:]]*gateway:[[:space:]]*//p')
  device=$(printf '%s\\n' "$out" | sed -n 's/^[[:space:]]*interface:[[:space:]]*//p')
  problems=
  [ -z "$4" ] || [ "$gateway" = "$4" ] || problems="$problems; gateway \${gateway:-none}, not $4"
  [ "$device" = "$5" ] || problems="$problems; interface \${device:-none}, not $5"
  [ -n "$device" ] || problems="$problems; $(printf '%s' "$out" | flat)"
  if [ -z "$problems" ]; then pass "$1" "$2"; else fail "$1" "$2" "\${problems#; }"; fi
}

pf_enabled_check() { # what where
  status=$(pfctl -si 2>&1 | sed -n '1p')
  case $status in "Status: Enabled"*) pass "$1" "$2" ;; *) fail "$1" "$2" "pfctl -si: $status" ;; esac
}

# Every compiled rule by its label, as gen wrote it, and every clamp by its
# words, in the loaded ruleset (pfctl -P -sr: ports as numbers); rules.debug
# says why one is missing. A label proves only that some rule of that label
# is loaded (an MVC rule keeps its uuid, its label, through any edit), so
# what pf shows under it must be the lines gen expects, as a set (pf makes
# one rule per protocol of tcp/udp), reply-to aside (OPNsense derives it
# from the interface's current gateway), and so is the state's "if-bound"
# off enc0: a box that binds states to interfaces ("set state-policy
# if-bound", filter.inc) gives it to every rule without a policy of its own
# (pfctl parse.y), and pfctl prints it (print_rule()); gen's passes on enc0
# keep floating states, which the VPC's packets need on the tunnel's VTI too,
# and are compared whole. stdin: label LABEL where what |
# pf LABEL TEXT (one per expected line) | scrub WORDS where what (WORDS:
# "a=b" = a followed by b).
ruleset_check() {
  # Each part starts on a line of its own, whatever the one before ended with.
  { cat; printf '\\n@@ loaded\\n'; pfctl -P -sr 2>&1; printf '\\n@@ debug\\n'; cat "$RULES_DEBUG" 2>/dev/null; } | awk -F '\\t' -v debug="$RULES_DEBUG" '
    $0 == "@@ loaded" { part = 1; next }
    $0 == "@@ debug" { part = 2; next }
    part == 0 && $0 == "" { next }
    part == 0 && $1 == "pf" { ne[$2]++; wrote[$2, ne[$2]] = $3; next }
    part == 0 { n++; kind[n] = $1; want[n] = $2; where[n] = $3; what[n] = $4; next }
    part == 1 {
      if (match($0, / label "[^"]*"/)) {
        l = substr($0, RSTART + 8, RLENGTH - 9); loaded[l] = 1
        t = substr($0, 1, RSTART - 1) substr($0, RSTART + RLENGTH)
        sub(/ reply-to (\\{[^}]*\\}|\\([^)]*\\)|[^ ]+)/, "", t); sub(/ +$/, "", t)
        if (t !~ / on enc0 /) sub(/ keep state \\(if-bound\\)/, " keep state", t)
        ng[l]++; got[l, ng[l]] = t
      }
      if ($0 ~ /^scrub /) scrubs[++s] = " " $0 " "
      next
    }
    part == 2 {
      lines++
      if (match($0, / label "[^"]*"/)) {
        l = substr($0, RSTART + 8, RLENGTH - 9); compiled[l] = $0; reason[l] = last
        i = index($0, "\\" # "); if (i) bydescr[substr($0, i + 4)] = l
      }
      if ($0 ~ /^#scrub/) commented_scrub[++cs] = $0
      last = $0
    }
    function words(i,   ws, k, p, q, ok, j) {
      k = split(want[i], ws, " ")
      for (j = 1; j <= s; j++) {
        ok = 1
        for (p = 1; p <= k && ok; p++) {
          q = ws[p]; sub(/=/, " ", q)
          if (index(scrubs[j], " " q " ") == 0) ok = 0
        }
        if (ok) return 1
      }
      return 0
    }
    function span(w, from, to,   out, k) {
      out = ""
      for (k = from; k <= to; k++) out = out (k > from ? " " : "") w[k]
      return out
    }
    # The words that differ, with the keyword before them ("port = 8443", "from 10.9.9.0/24").
    function wdiff(a, b,   wa, wb, na, nb, i, j, f) {
      na = split(a, wa, " "); nb = split(b, wb, " ")
      i = 1; while (i <= na && i <= nb && wa[i] == wb[i]) i++
      j = 0; while (j <= na - i && j <= nb - i && wa[na - j] == wb[nb - j]) j++
      f = i; if (f > 1) f--; if (f > 1 && (wa[f] == "=" || wa[f] == "!")) f--
      return "pf has \\"" span(wa, f, na - j) "\\" where gen wrote \\"" span(wb, f, nb - j) "\\" (" a ")"
    }
    # What differs between the rules pf loaded under label l and those gen wrote; "" when they are the same set.
    function differs(l,   j, k, miss, extra, m, x, lastmiss, lastextra) {
      for (j = 1; j <= ng[l]; j++) used[l, j] = 0
      m = 0; x = 0; miss = ""; extra = ""
      for (k = 1; k <= ne[l]; k++) {
        for (j = 1; j <= ng[l]; j++) if (!used[l, j] && got[l, j] == wrote[l, k]) break
        if (j <= ng[l]) used[l, j] = 1
        else { m++; lastmiss = wrote[l, k]; miss = miss "; not loaded: \\"" wrote[l, k] "\\"" }
      }
      for (j = 1; j <= ng[l]; j++) if (!used[l, j]) { x++; lastextra = got[l, j]; extra = extra "; loaded instead: \\"" got[l, j] "\\"" }
      if (m == 0 && x == 0) return ""
      if (m == 1 && x == 1) return wdiff(lastextra, lastmiss)
      return substr(miss extra, 3)
    }
    function why_label(i,   l, d, other) {
      l = want[i]
      if (l in compiled) {
        if (compiled[l] ~ /^#/) return "OPNsense compiled it commented out" (reason[l] ~ /^#debug:/ ? " (" substr(reason[l], 8) ")" : "") " in " debug
        return "compiled into " debug " but not loaded: pf refused the ruleset (pfctl -nf " debug " says why)"
      }
      d = what[i]; sub(/^rule [^ ]* loaded as written: /, "", d)
      if (d in bydescr) return "not loaded: the box has a rule with this description under label " bydescr[d] ", so it differs from what gen wrote (changed on the box?)"
      if (lines == 0) return "not in the loaded ruleset, and " debug " is not readable"
      return "not in the configuration: restore the merged configuration (gen opnsense merge)"
    }
    function why_scrub(i,   j) {
      for (j = 1; j <= cs; j++) if (index(commented_scrub[j], "max-mss " substr(want[i], index(want[i], "max-mss=") + 8)) > 0) return "OPNsense compiled it commented out (its interface is unknown: is WireGuard enabled?)"
      return "not in the loaded ruleset: restore the merged configuration (gen opnsense merge)"
    }
    END {
      for (i = 1; i <= n; i++) {
        found = ""
        if (kind[i] == "label") {
          ok = (want[i] in loaded)
          if (ok) { found = differs(want[i]); if (found != "") { ok = 0; found = "changed on the box: " found } }
          else found = why_label(i)
        } else {
          ok = words(i); if (!ok) found = why_scrub(i)
        }
        if (ok) printf "ok\\t%s\\t%s\\t\\n", what[i], where[i]
        else printf "fail\\t%s\\t%s\\t%s\\n", what[i], where[i], found
      }
    }'
}

# The certificate a TLS listener serves: expiry and names.
cert_check() { # what where address port server-name name...
  what="$1 and stays valid $DAYS more days" where=$2 address=$3 port=$4 sni=$5
  shift 5
  [ "$address" != 0.0.0.0 ] || address=127.0.0.1
  pem=$(openssl s_client -connect "$address:$port" -servername "$sni" < /dev/null 2> /dev/null | sed -n '/-BEGIN CERTIFICATE-/,/-END CERTIFICATE-/p')
  if [ -z "$pem" ]; then fail "$what" "$where" "no certificate from $address:$port"; return; fi
  end=$(printf '%s\\n' "$pem" | openssl x509 -noout -enddate 2>&1 | sed 's/^notAfter=//')
  names=$(printf '%s\\n' "$pem" | openssl x509 -noout -ext subjectAltName 2>/dev/null | tr ',' '\\n' | sed -n 's/^[[:space:]]*DNS://p' | tr '\\n' ' ')
  problems=
  printf '%s\\n' "$pem" | openssl x509 -noout -checkend $((DAYS * 86400)) > /dev/null 2>&1 || problems="$problems; expires $end, within $DAYS days"
  for n in "$@"; do has_word "$n" "$names" || problems="$problems; does not name $n (names: \${names:-none})"; done
  if [ -z "$problems" ]; then pass "$what" "$where"; else fail "$what" "$where" "\${problems#; }"; fi
}`;

function interfaceChecks(firewall: Firewall, declared: Declared): Check[] {
  const out: Check[] = [];
  for (const iface of firewall.interfaces) {
    const where = declared(iface.path);
    const key = name(iface.key);
    const label = `${key.toUpperCase()} (${iface.name})`;
    out.push(call('config_check', `${label} is assigned to ${iface.device}`, where, [`interfaces.${key}.if`, name(iface.device)]));
    out.push(call('config_check', `${label} is enabled`, where, [`interfaces.${key}.enable`, '1']));
    if (iface.kind === 'wireguard') continue; // the instance's own check covers the device
    const address = iface.addressing === 'static' && iface.address !== undefined && iface.prefix !== undefined ? iface.address : '';
    out.push(
      call(
        'if_check',
        `${iface.device} is up${address ? ` with ${address}/${iface.prefix}` : ''}${iface.mtu !== undefined ? `, MTU ${iface.mtu}` : ''}`,
        where,
        [name(iface.device), address, address ? netmaskHex(iface.prefix!) : '', iface.mtu ?? ''],
      ),
    );
  }
  return out;
}

type Peer = Site['wireguard'][number]['peers'][number];

/**
 * Each peer's data line (key, name, declared, and with `address` its
 * address), written as the script is: 100,000 peers' lines are not held
 * as a list, nor each as a list of its fields.
 */
function peerLines(peers: readonly Peer[], declared: Declared, address: boolean): (out: ScriptText) => void {
  return (out) => {
    for (const p of peers) {
      out.add(field(p.publicKey!));
      out.add('\t');
      out.add(field(p.name));
      out.add('\t');
      out.add(field(declared(p.path)));
      if (address) {
        out.add('\t');
        out.add(field(p.address));
        out.add('/32');
      }
      out.add('\n');
      out.mayEnd();
    }
  };
}

function wireguardChecks(site: Site, declared: Declared, sites: number): Check[] {
  const checks: Check[] = [];
  if (site.wireguard.length) checks.push(call('config_check', 'WireGuard is enabled (VPN ▸ WireGuard ▸ Instances: Enable WireGuard)', declared(site.wireguard[0]!.path), ['OPNsense.wireguard.general.enabled', '1']));
  for (const wg of site.wireguard) {
    const where = declared(wg.path);
    const dev = name(wg.device);
    checks.push(call('if_check', `WireGuard ${wg.name} (${dev}) is up with ${wg.address}/${wg.prefix}, MTU ${wg.mtu}`, where, [dev, wg.address, netmaskHex(wg.prefix), wg.mtu]));
    checks.push(call('if_group_check', `${dev} is in the interface group wireguard (rules on the WireGuard group apply to it)`, where, [dev, 'wireguard']));
    if (wg.listenPort !== undefined) checks.push(call('listen_check', `${dev} listens on UDP port ${wg.listenPort}`, where, [dev, wg.listenPort]));
    const linked = wg.peers.filter((p) => p.enabled && p.publicKey !== undefined);
    checks.push(
      heredocWritten(
        peerLines(linked, declared, true),
        call('peers_check', `${dev} has exactly the ${linked.length} enabled peer${linked.length === 1 ? '' : 's'}, each with its own address`, where, [dev]),
      ),
    );
    checks.push(call('route_check', `the tunnel network ${wg.block.cidr} is routed to ${dev}`, where, [formatIPv4(wg.block.base), '', dev]));
    if (linked.length > 0) {
      const scope = `--instance ${wg.name}${sites > 1 ? ` --site ${site.name}` : ''}`;
      checks.push(
        heredocWritten(
          peerLines(linked, declared, false),
          call('handshake_note', `peers of ${dev} not seen for ${wg.idlePeerDays} days (a note, not a failure)`, where, [dev, wg.idlePeerDays, `take one out of the tunnel with gen wg disable NAME ${scope}`]),
        ),
      );
    }
  }
  return checks;
}

/**
 * The data lines of ruleset_check: each rule by its label, its pf text, then
 * the MSS clamps. A rule's lines are written field by field, its label
 * checked once for all of them, and its description after the words before
 * it (no string made of the two to check).
 */
function rulesetLines(model: Model, site: Site, rules: readonly ExpectedRule[], declared: Declared): (out: ScriptText) => void {
  const firewall = site.firewall!;
  return (out) => {
    for (const rule of rules) {
      const label = field(rule.label);
      out.add('label\t');
      out.add(label);
      out.add('\t');
      out.add(field(declared(rule.origin?.path ?? firewall.path)));
      out.add('\trule ');
      out.add(label.slice(0, 8));
      out.add(' loaded as written: ');
      out.add(field(rule.description));
      out.add('\n');
      out.mayEnd();
      for (const text of rule.pf) {
        out.add('pf\t');
        out.add(label);
        out.add('\t');
        out.add(field(text));
        out.add('\n');
        out.mayEnd();
      }
    }
    for (const clamp of mssClamps(opnsenseContext(model, site, firewall))) {
      const iface = clamp.interface === 'wireguard' ? 'wireguard' : (firewall.interfaces.find((i) => i.key === clamp.interface)?.device ?? clamp.interface);
      const words = [`on=${name(iface)}`, clamp.family, 'proto=tcp', `from=${clamp.src}/${clamp.srcmask}`, `max-mss=${clamp.maxMss}`].join(' ');
      const instances = clamp.instances.map((i) => i.name).join(', ');
      out.line(['scrub', words, declared(clamp.instances[0]!.path.concat('mtu')), `TCP MSS clamp ${clamp.maxMss} (${clamp.family === 'inet' ? 'IPv4' : 'IPv6'} from ${clamp.src}/${clamp.srcmask}) on ${iface} for the MTU ${clamp.mtu} of ${instances} is loaded`]);
    }
  };
}

function ruleChecks(model: Model, site: Site, rules: readonly ExpectedRule[], declared: Declared): Check[] {
  return [call('pf_enabled_check', 'pf is enabled', declared(site.firewall!.path)), heredocWritten(rulesetLines(model, site, rules, declared), 'ruleset_check')];
}

/** A rule names an alias by its pf table, and what the rule matches is what the table holds. */
function tableChecks(model: Model, site: Site, rules: readonly ExpectedRule[], declared: Declared): Check[] {
  const tables = expectedTables(model, site, rules);
  if (tables.length === 0) return [];
  return [heredoc(tableLines(tables, (path) => declared(path ?? site.firewall!.path)), 'tables_check')];
}

/**
 * The anti-lockout rule passes the GUI and SSH ports ahead of every policy rule while it is on: gen's lint and policy
 * tests count it as the topology says. A topology that says it is off leaves the switch to steps.md (it is in
 * <system>, which the merge keeps); skipped, the box passes what the policy denies.
 */
function antiLockoutChecks(firewall: Firewall, declared: Declared): Check[] {
  const on = firewall.antiLockout.enabled;
  const what = on
    ? `OPNsense's anti-lockout rule is on (TCP ${firewall.antiLockout.ports.join(', ')} to the firewall), as the policy checks count it`
    : `OPNsense's anti-lockout rule is off (${ANTI_LOCKOUT_SETTING}, a step of steps.md)`;
  return [call('anti_lockout_check', what, declared(firewall.antiLockout.path), [on ? 'on' : 'off'])];
}

function natChecks(firewall: Firewall, declared: Declared): Check[] {
  const mode = OUTBOUND_MODE[firewall.nat.outbound];
  // No <mode> at all is automatic to OPNsense (filter.inc): a box whose NAT settings were never saved.
  return [call('config_check', `outbound NAT mode is ${mode}`, declared(firewall.path.concat('nat')), ['nat.outbound.mode', mode, ...(mode === 'automatic' ? ['default'] : [])])];
}

function routeChecks(firewall: Firewall, declared: Declared): Check[] {
  const byName = new Map(firewall.interfaces.map((i) => [i.name, i]));
  return firewall.routes.map((route) => {
    const iface: FirewallInterface | undefined = byName.get(route.interface);
    return call('route_check', `${route.network} is routed via ${route.via}${iface ? ` on ${iface.device}` : ''}`, declared(route.path), [route.network, route.via, name(iface?.device ?? route.interface)]);
  });
}

function haproxyChecks(site: Site, declared: Declared): Check[] {
  const out: Check[] = [];
  // Each frontend's certificates in the order of the certificates (looked up, not searched: frontends × certificates).
  const order = new Map(site.haproxy.certificates.map((c, i) => [c.name, i]));
  const certificatesOf = (frontend: Site['haproxy']['frontends'][number]) =>
    [...new Set(frontend.certificates)]
      .flatMap((name) => (order.has(name) ? [order.get(name)!] : []))
      .sort((a, b) => a - b)
      .map((i) => site.haproxy.certificates[i]!);
  for (const frontend of site.haproxy.frontends) {
    const where = declared(frontend.path);
    out.push(call('tcp_listen_check', `HAProxy frontend ${frontend.name} listens on ${frontend.address}:${frontend.port}`, where, [frontend.address, frontend.port, 'haproxy']));
    if (frontend.httpRedirect) out.push(call('tcp_listen_check', `HAProxy frontend ${frontend.name} redirects from ${frontend.address}:80`, where, [frontend.address, 80, 'haproxy']));
    for (const certificate of certificatesOf(frontend)) {
      const names = [certificate.domain, ...certificate.altNames];
      const serverName = certificate.domain.replace(/^\*\./, 'www.');
      out.push(
        call(
          'cert_check',
          `the certificate ${certificate.name} served on ${frontend.address}:${frontend.port} names ${names.join(', ')}`,
          declared(certificate.path),
          [frontend.address, frontend.port, serverName, ...names],
        ),
      );
    }
  }
  return out;
}

export function firewallScriptName(firewall: Firewall): string {
  return `firewall-${firewall.name}.sh`;
}

export function firewallScript(model: Model, site: Site, declared: Declared): string {
  const parts: string[] = [];
  writeFirewallScript(model, site, declared, (text) => parts.push(text));
  return parts.join('');
}

/**
 * Hands `part` the firewall's script a part at a time (script.ts
 * writeScript): the rule data of a large policy is megabytes, made as it
 * is written.
 */
export function writeFirewallScript(model: Model, site: Site, declared: Declared, part: (text: string) => void): void {
  const firewall = site.firewall!;
  // Made once for both checks that read them: 20,000 rules are as many objects, each with its origin looked up.
  const rules = expectedRules(model, site);
  const checks = [
    ...interfaceChecks(firewall, declared),
    ...wireguardChecks(site, declared, model.sites.length),
    ...ruleChecks(model, site, rules, declared),
    ...tableChecks(model, site, rules, declared),
    ...antiLockoutChecks(firewall, declared),
    ...natChecks(firewall, declared),
    ...routeChecks(firewall, declared),
    ...haproxyChecks(site, declared),
  ];
  const file = firewallScriptName(firewall);
  const frame: ScriptFrame = {
    shell: 'sh',
    box: `firewall ${firewall.name}`,
    site: site.name,
    source: model.source?.file ?? 'the topology',
    file,
    where: 'Run it on the firewall as root (console option 8, or ssh):',
    options: {
      usage: '[--days N] [--rules-debug FILE]\n--days N  a certificate must stay valid N more days (default 14)\n--rules-debug FILE  the ruleset OPNsense compiled (default /tmp/rules.debug)',
      defaults: 'DAYS=14\nRULES_DEBUG=/tmp/rules.debug',
      cases: [
        '    --days) [ $# -ge 2 ] || { usage >&2; exit 2; }; DAYS=$2; shift ;;',
        '    --rules-debug) [ $# -ge 2 ] || { usage >&2; exit 2; }; RULES_DEBUG=$2; shift ;;',
      ].join('\n'),
    },
    functions: `${FUNCTIONS}

${TABLE_FUNCTIONS}

case $DAYS in '' | *[!0-9]*) usage >&2; exit 2 ;; esac`,
    checks,
  };
  writeScript(frame, part);
}
