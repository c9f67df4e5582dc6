// The pf tables behind gen's aliases, as `pfctl -t NAME -T show` prints
// them on a box that loaded the alias content gen wrote. OPNsense loads a
// host or network alias into its table with
// scripts/filter/update_tables.py: each content entry is kept as written
// when it is an address or a network (lib/alias/base.py
// BaseContentParser.iter_addresses(); only a range "a-b" or a wildcard mask
// is expanded, and only anything else goes to DNS), the set is written to
// /var/db/aliastables/NAME.txt and loaded with `pfctl -T replace -f`
// (lib/alias/pf.py), the same in 25.7, 26.1 and 26.7. gen writes only IPv4
// addresses and networks, so no alias of gen's waits on DNS. pfctl prints an
// entry with inet_ntop(), "/N" only below /32 (pfctl_table.c print_addrx()),
// in the order of pf's radix tree: a table is compared as a set.
import type { Path } from '../../location.js';
import type { Model, Site } from '../../model.js';
import { writtenPolicyAliases } from '../opnsense/index.js';
import { pfNetwork } from '../opnsense/pf-text.js';
import { type ExpectedRule, expectedRules } from './firewall-rules.js';
import { SHOWN_AWK, UnsafeScriptValueError } from './script.js';

export interface ExpectedTable {
  /** The alias name, which is the pf table's name. */
  name: string;
  description: string;
  /** The entries as pfctl prints them, without duplicates, in the order gen wrote them. */
  entries: string[];
  /** Where the topology declares the first rule that names the alias, if any. */
  path?: Path;
}

/** An alias entry of gen's as pfctl prints it (pf-text.ts pfNetwork); anything else is refused. */
export function pfEntry(entry: string): string {
  const shown = pfNetwork(entry);
  if (shown === undefined) throw new UnsafeScriptValueError(`alias entry "${entry}" is not an IPv4 address or network`);
  return shown;
}

/** How many tables still unnamed are looked for each by its own text: a few searches per pf line, never one per alias of thousands. */
const FEW_LEFT = 4;

/** Every alias gen writes for the site (aliases.xml), with its table's expected entries; `rules`: the site's expectedRules(), when at hand. */
export function expectedTables(model: Model, site: Site, rules: readonly ExpectedRule[] = expectedRules(model, site)): ExpectedTable[] {
  const aliases = writtenPolicyAliases(model, site);
  // The first rule that names each table (one pass: a site can have thousands of aliases and rules),
  // ending when every alias has one: the few tables of a large policy are named by its first rules.
  const firstUse = new Map<string, Path>();
  const names = new Set(aliases.map((alias) => alias.name));
  // The last few tables not yet named, each as its "<NAME>": a table first named by a policy's last rules
  // (the internal networks' of 20,000 rules) is looked for as one text, not found among every name cut out
  // of every rule before it (a new string each, hashed to look it up).
  let left: { table: string; text: string }[] | undefined;
  for (let i = 0; i < rules.length && firstUse.size < names.size; i++) {
    const rule = rules[i]!;
    if (rule.origin === undefined) continue;
    if (left === undefined && names.size - firstUse.size <= FEW_LEFT) {
      left = [...names].filter((table) => !firstUse.has(table)).map((table) => ({ table, text: `<${table}>` }));
    }
    for (const text of rule.pf) {
      if (left !== undefined) {
        for (const { table, text: named } of left) if (!firstUse.has(table) && text.includes(named)) firstUse.set(table, rule.origin.path);
        continue;
      }
      // Each "<" with the text up to the next ">": that is an alias's name when it is one (an alias name has
      // neither), found in pf's order without a matcher and a match per table named (three a rule).
      for (let at = text.indexOf('<'); at >= 0; at = text.indexOf('<', at + 1)) {
        const end = text.indexOf('>', at + 1);
        if (end < 0) break;
        const table = text.slice(at + 1, end);
        if (names.has(table) && !firstUse.has(table)) firstUse.set(table, rule.origin.path);
      }
    }
  }
  return aliases.map((alias) => {
    const path = firstUse.get(alias.name);
    return { name: alias.name, description: alias.description, entries: [...new Set(alias.content.map(pfEntry))], ...(path ? { path } : {}) };
  });
}

/** How long the script waits for OPNsense to finish loading alias tables, in seconds. */
export const TABLE_WAIT = 120;

/**
 * The shell function: every gen table against what pf holds. OPNsense
 * loads alias tables in the background after a filter reload (filter.inc
 * filter_configure_sync(): configd_run('filter refresh_aliases', true)),
 * alias after alias in one update_tables.py run: the script waits while one
 * runs, as a table it has not reached yet is empty. The ruleset declares a
 * table for every alias (filter.inc filter_generate_aliases(): "table
 * <NAME> persist"), so one pf lacks is an alias gone from the
 * configuration. pfctl -t NAME -T show
 * prints "   A" or "   A/N" a line ("!" before a negated entry), and for a
 * table pf does not have an error and a non-zero status; any other line
 * (a warning) is not an entry. stdin: "table NAME where what" and "entry
 * NAME ADDRESS" lines.
 */
export const TABLE_FUNCTIONS = `tables_check() {
  data=$(cat)
  waited=0
  while [ "$waited" -lt ${TABLE_WAIT} ] && pgrep -f 'filter/update_tables[.]py' > /dev/null 2>&1; do sleep 1; waited=$((waited + 1)); done
  busy=
  [ "$waited" -lt ${TABLE_WAIT} ] || busy=" (OPNsense was still loading alias tables: update_tables.py ran for more than ${TABLE_WAIT} s)"
  # Names are alias names (letters, digits, "_"): safe to split on whitespace.
  names=$(printf '%s\\n' "$data" | awk -F '\\t' '$1 == "table" { print $2 }')
  { printf '%s\\n' "$data"; for t in $names; do printf '\\n@@ table %s\\n' "$t"; pfctl -t "$t" -T show 2>&1 || printf '\\n@@ error %s\\n' "$t"; done; } | awk -F '\\t' -v busy="$busy" '
    part == 0 && $1 == "table" { n++; name[n] = $2; where[n] = $3; what[n] = $4; next }
    part == 0 && $1 == "entry" { if (!(($2, $3) in want)) { want[$2, $3] = 1; nw[$2]++; w[$2, nw[$2]] = $3 }; next }
    /^@@ table / { part = 1; t = substr($0, 10); next }
    /^@@ error / { bad[substr($0, 10)] = 1; next }
    part == 0 { next }
    {
      e = $0; sub(/^[ \\t\\r]+/, "", e); sub(/[ \\t\\r]+$/, "", e)
      if (e == "") next
      # What pfctl said of a table, for the message when it has none (an error, not a list of entries): its first words only.
      if (length(raw[t]) < 1000) raw[t] = raw[t] " " e
      if (e !~ /^!?[0-9A-Fa-f:.]+(\\/[0-9]+)?$/) next
      e = tolower(e)
      if (e ~ /^!?[0-9.]+\\/32$/ || e ~ /:.*\\/128$/) sub(/\\/[0-9]+$/, "", e)
      if (!((t, e) in have)) { have[t, e] = 1; nh[t]++; h[t, nh[t]] = e }
    }
    ${SHOWN_AWK}
    END {
      for (i = 1; i <= n; i++) {
        t = name[i]; found = ""
        if (t in bad) found = "pf has no table <" t "> (OPNsense declares one for every alias: deleted on the box?):" raw[t]
        else {
          miss = ""; extra = ""; nm = 0; ne = 0
          for (k = 1; k <= nw[t]; k++) if (!((t, w[t, k]) in have)) miss = shown(miss, ++nm, w[t, k])
          for (k = 1; k <= nh[t]; k++) if (!((t, h[t, k]) in want)) extra = shown(extra, ++ne, h[t, k])
          if (nw[t] > 0 && nh[t] == 0) found = "the table is empty, not " substr(miss, 3) more(nm) " (OPNsense fills it after a filter reload: configctl filter refresh_aliases)"
          else {
            if (nm) found = found "; missing " substr(miss, 3) more(nm)
            if (ne) found = found "; extra " substr(extra, 3) more(ne)
            found = substr(found, 3)
            if (found != "") found = "changed on the box: " found
          }
        }
        if (found == "") printf "ok\\t%s\\t%s\\t\\n", what[i], where[i]
        else printf "fail\\t%s\\t%s\\t%s%s\\n", what[i], where[i], found, busy
      }
    }'
}`;

/** The data lines of tables_check: each table, then its entries. */
export function tableLines(tables: readonly ExpectedTable[], declared: (path: Path | undefined) => string): (string | number)[][] {
  const lines: (string | number)[][] = [];
  for (const table of tables) {
    const listed = table.entries.length === 0 ? 'no address' : table.entries.length <= 4 ? table.entries.join(', ') : `the ${table.entries.length} addresses gen wrote`;
    lines.push(['table', table.name, declared(table.path), `alias ${table.name} (pf table <${table.name}>) holds ${listed}`]);
    for (const entry of table.entries) lines.push(['entry', table.name, entry]);
  }
  return lines;
}
