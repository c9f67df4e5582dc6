// The frame every verification script shares: options, one record per
// check, and the report (text with ✓/✗, JSON or TAP) that decides the exit
// status. Checks print records "ok|fail TAB what TAB declared TAB found";
// "note" records (ℹ) tell what needs a look but fails nothing;
// one awk program formats them all, so a script with 20,000 checks costs
// one process, not 20,000.
//
// Every value from the topology reaches a script through sq() (single
// quotes, the only quoting with no special character inside) or as a line of
// a quoted here-document (no expansion at all) whose fields passed field();
// names that become command arguments are also checked against the name
// patterns of their system before they get here.
import type { Model } from '../../model.js';
import type { Path } from '../../location.js';
import { JSON_FUNCTIONS } from './json.js';
import { TextParts } from '../parts.js';

export class UnsafeScriptValueError extends Error {}

/**
 * How many items of each kind a failed check names (missing peers, extra
 * table entries): the rest are counted. Listing them all made the check of
 * 100,000 missing peers (a restore that did not take) a line of megabytes,
 * built by awk's string copying in minutes: 20,000 took 9.6 s in onetrue awk.
 */
export const SHOWN_ITEMS = 20;

/**
 * awk functions for such lists: shown(list, n, item) is the list with the
 * n-th item appended (", " before each) while n is at most SHOWN_ITEMS,
 * else the list as it is; more(n) is ", and K more" for the K not shown.
 */
export const SHOWN_AWK = `function shown(list, n, item) { return n <= ${SHOWN_ITEMS} ? list ", " item : list }
    function more(n) { return n > ${SHOWN_ITEMS} ? ", and " (n - ${SHOWN_ITEMS}) " more" : "" }`;

/** A word for sh: single-quoted, a ' written as '\''. */
export function sq(value: string | number): string {
  const text = String(value);
  if (/[\u0000]/.test(text)) throw new UnsafeScriptValueError('a NUL character cannot reach a shell script');
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Text for one field of a record or a data line: no tab, no line break, no control character. */
export function field(value: string | number): string {
  // A number has no such character; a string is copied only when it has one (most have none).
  if (typeof value !== 'string') return String(value);
  return UNSAFE_IN_FIELD.test(value) ? value.replace(UNSAFE_IN_FIELDS, ' ') : value;
}
// Made once: a literal in field() was a new regular expression object for each of a large script's 100,000 fields.
const UNSAFE_IN_FIELD = /[\u0000-\u001f\u007f\u0085\u2028\u2029]/;
const UNSAFE_IN_FIELDS = /[\u0000-\u001f\u007f\u0085\u2028\u2029]/g;

/** One check: a shell function called with its description, declaration and arguments, each quoted. */
export function call(fn: string, what: string, where: string, args: readonly (string | number)[] = []): string {
  return [fn, ...[what, where, ...args].map(sq)].join(' ');
}

const HEREDOC_END = 'GEN_DATA_END';

/**
 * Where a script's text goes: the shared writer of long texts (TextParts),
 * handing on a part of about PART characters once a check or a data line
 * makes it that long. The data of a large policy (100,000 rules: 70 MB) is
 * then never one string, nor a list of its lines.
 */
export class ScriptText extends TextParts {
  /**
   * A line of data: its fields, tab-separated, then a line break. Each
   * field goes in as it is, with no string made of the line first.
   */
  line(fields: readonly (string | number)[]): void {
    for (let i = 0; i < fields.length; i++) {
      if (i > 0) this.add('\t');
      this.add(field(fields[i]!));
    }
    this.add('\n');
    this.mayEnd();
  }
}

/** A check's shell code: a line, or one written in parts (a here-document of many lines, made as it is written). */
export type Check = string | ((out: ScriptText) => void);

/**
 * A quoted here-document: its lines reach the command byte for byte. Its
 * lines are read from `lines` (a generator need not hold a site's 20,000
 * rules' lines as arrays) as the script is written, a part at a time.
 */
export function heredoc(lines: Iterable<readonly (string | number)[]>, command?: string): Check {
  return heredocWritten((out) => {
    for (const fields of lines) {
      // Fields hold no tab or line break (field()): only a line of one field can read the end word.
      if (fields.length === 1 && field(fields[0]!) === HEREDOC_END) throw new UnsafeScriptValueError(`a data line cannot read ${HEREDOC_END}`);
      out.line(fields);
    }
  }, command);
}

/**
 * A quoted here-document whose lines `write` adds to the script itself, each
 * of two fields or more (so none reads the end word), each field through
 * field() and each line ended with mayEnd(): the data of 100,000 peers and
 * rules with no list of fields per line, and a value repeated on several
 * lines (a rule's label) checked once.
 */
export function heredocWritten(write: (out: ScriptText) => void, command?: string): Check {
  return (out) => {
    out.add(`${command === undefined ? '' : `${command} `}<<'${HEREDOC_END}'\n`);
    write(out);
    out.add(HEREDOC_END);
  };
}

/** "topology.yaml:57": where the topology declares what a check expects. */
export type Declared = (path: Path) => string;

export function declaredIn(model: Model): Declared {
  const source = model.source;
  if (!source) return (path) => `topology ${path.join('.')}`;
  return (path) => `${source.file}:${source.lineOf(path)}`;
}

export interface ScriptFrame {
  /** bash or sh: the interpreter of the box. */
  shell: 'sh' | 'bash';
  /** What the box is, e.g. "firewall opnsense". */
  box: string;
  site: string;
  /** The topology file's name. */
  source: string;
  /** File name under out/<site>/verify/. */
  file: string;
  /** How to run it there. */
  where: string;
  /** What it does beyond reading the box's state, when it does something (said in the header). */
  effects?: string;
  /** Extra options: usage text lines and case branches. */
  options?: { usage: string; cases: string; defaults: string };
  /** Shell functions the checks use. */
  functions: string;
  /** The checks, in order: shell code printing records, a check a line (its here-document on the lines after it). */
  checks: readonly Check[];
}

/**
 * The report: reads the records, prints them in the chosen format, exits 1
 * when a check failed (or none ran). Plain POSIX awk (FreeBSD's awk, mawk,
 * gawk, busybox): no gsub() with backslashes, whose replacement rules differ
 * between awks.
 */
const REPORT = `
function hx(n) { return substr("0123456789abcdef", int(n / 16) + 1, 1) substr("0123456789abcdef", n % 16 + 1, 1) }
# What the box printed, for a terminal: a character a terminal acts on rather than shows (C0, DEL, C1 such as
# CSI U+009B, the bidirectional controls such as U+202E) as its \\uXXXX escape, a byte that starts no UTF-8
# character as \\xNN; other text, UTF-8 included, as it is. For JSON (json set) the same as JSON escapes, " and
# \\ escaped too, such a byte as U+FFFD. The script runs with LC_ALL=C, so every awk (the one true awk of the
# 2nd edition too) sees bytes, and ord[] gives their values.
function tx(s, json,   out, i, n, c, b, b2, b3, k, j, u) {
  if (s !~ /[^ -~]/ && (!json || s !~ /["\\\\]/)) return s
  out = ""
  n = length(s)
  for (i = 1; i <= n; i++) {
    c = substr(s, i, 1)
    b = ord[c]
    if (b >= 32 && b < 127) { out = out ((json && (c == "\\"" || c == "\\\\")) ? "\\\\" c : c); continue }
    if (b < 128) { out = out "\\\\u00" hx(b); continue }
    k = 0
    if (b >= 194 && b <= 223) k = 2
    else if (b >= 224 && b <= 239) k = 3
    else if (b >= 240 && b <= 244) k = 4
    b2 = ord[substr(s, i + 1, 1)]
    if (b2 < 128 || b2 > 191 || (b == 224 && b2 < 160) || (b == 237 && b2 > 159) || (b == 240 && b2 < 144) || (b == 244 && b2 > 143)) k = 0
    for (j = 2; j < k; j++) if (ord[substr(s, i + j, 1)] < 128 || ord[substr(s, i + j, 1)] > 191) k = 0
    if (k == 0) { out = out (json ? "\\\\ufffd" : "\\\\x" hx(b)); continue }
    b3 = ord[substr(s, i + 2, 1)]
    u = ""
    if (b == 194 && b2 < 160) u = "00" hx(b2)
    else if (b == 216 && b2 == 156) u = "061c"
    else if (b == 226 && ((b2 == 128 && (b3 == 142 || b3 == 143 || (b3 >= 168 && b3 <= 174))) || (b2 == 129 && b3 >= 166 && b3 <= 169))) u = "20" hx((b2 - 128) * 64 + b3 - 128)
    out = out (u == "" ? substr(s, i, k) : "\\\\u" u)
    i += k - 1
  }
  return out
}
function js(s) { return "\\"" tx(s, 1) "\\"" }
# A TAP description with a bare # would end at it, and "# TODO" or "# SKIP" after it would turn a failed check
# into a passing one for every TAP consumer: TAP 13 escapes # (and so \\) with a backslash.
function tap(s,   out, i, c) {
  out = ""
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1)
    if (c == "#" || c == "\\\\") out = out "\\\\" c
    else out = out c
  }
  return out
}
BEGIN {
  FS = "\\t"; n = 0; failed = 0
  for (i = 1; i < 256; i++) ord[sprintf("%c", i)] = i
  if (format == "json") printf "{\\"box\\":%s,\\"site\\":%s,\\"topology\\":%s,\\"checks\\":[", js(box), js(site), js(source)
  else if (format == "tap") print "TAP version 13"
  else printf "%s (site %s): what %s expects\\n", tx(box), tx(site), tx(source)
}
# A note: what the box shows that needs a look but is no failure (a peer not seen for
# months); shown after the checks, counted by none.
$1 == "note" {
  nn++
  if (format == "json") notes = notes (nn > 1 ? "," : "") sprintf("{\\"note\\":%s,\\"declared\\":%s,\\"found\\":%s}", js($2), js($3), js($4))
  else if (format == "tap") notes = notes sprintf("# note: %s (%s): %s\\n", tx($2), tx($3), tx($4))
  else notes = notes sprintf("\\342\\204\\271 %s (%s): %s\\n", tx($2), tx($3), tx($4))
  next
}
$1 == "ok" || $1 == "fail" {
  n++
  ok = $1 == "ok"
  if (!ok) failed++
  if (format == "json") printf "%s{\\"ok\\":%s,\\"check\\":%s,\\"declared\\":%s,\\"found\\":%s}", (n > 1 ? "," : ""), (ok ? "true" : "false"), js($2), js($3), js($4)
  else if (format == "tap") {
    printf "%s %d - %s (%s)\\n", (ok ? "ok" : "not ok"), n, tap(tx($2)), tap(tx($3))
    if (!ok) printf "# found: %s\\n", tx($4)
  }
  else if (ok) printf "\\342\\234\\223 %s (%s)\\n", tx($2), tx($3)
  else printf "\\342\\234\\227 %s (%s): %s\\n", tx($2), tx($3), tx($4)
}
END {
  if (format == "json") printf "],\\"notes\\":[%s],\\"passed\\":%d,\\"failed\\":%d,\\"ok\\":%s}\\n", notes, n - failed, failed, (failed == 0 && n > 0 ? "true" : "false")
  else {
    printf "%s", notes
    if (format == "tap") printf "1..%d\\n", n
    else if (n == 0) print "no check ran"
    else if (failed == 0) printf "all %d checks pass\\n", n
    else printf "%d of %d checks failed\\n", failed, n
  }
  exit (failed == 0 && n > 0) ? 0 : 1
}`;

/** flat: a command's output as one line (one record field, one message). */
export const FLAT = `# A command's output as one record field.
flat() { tr '\\t\\r\\n' '   ' | sed -e 's/  */ /g' -e 's/^ //' -e 's/ $//'; }`;

/**
 * flat_of: flat's one line, of a text in $1 into REPLY, for a bash script that reads its commands' output
 * with bash alone (the Proxmox host's): no tr and sed started, no command substitution forked.
 */
export const FLAT_OF = `# $1 on one line as flat makes a command's output (tabs, CRs and newlines as spaces, no run of spaces, none at
# either end), without a process: REPLY.
flat_of() {
  REPLY=\${1//[$'\\t\\r\\n']/ }
  while [[ $REPLY == *'  '* ]]; do REPLY=\${REPLY//'  '/ }; done
  REPLY=\${REPLY# }
  REPLY=\${REPLY% }
}`;

/** The shell library every script starts with. */
const LIBRARY = `# One record per check. found: what the box showed, on one line.
pass() { printf 'ok\\t%s\\t%s\\t\\n' "$1" "$2"; }
fail() { printf 'fail\\t%s\\t%s\\t%s\\n' "$1" "$2" "$3"; }
note() { printf 'note\\t%s\\t%s\\t%s\\n' "$1" "$2" "$3"; }
${FLAT}
# True when $1 is one of the whitespace-separated words in $2.
has_word() { case " $2 " in *" $1 "*) return 0 ;; esac; return 1; }
${JSON_FUNCTIONS}`;

export function renderScript(frame: ScriptFrame): string {
  const parts: string[] = [];
  writeScript(frame, (text) => parts.push(text));
  return parts.join('');
}

/**
 * Hands `part` the script's text in order, a part of about PART
 * characters at a time (ScriptText): the checks of a large policy are
 * megabytes (the data of 20,000 rules), made as they are written.
 */
export function writeScript(frame: ScriptFrame, part: (text: string) => void): void {
  for (const value of [frame.box, frame.site, frame.source]) {
    if (/[\\\u0000-\u001f]/.test(value)) throw new UnsafeScriptValueError(`not a name for a script header: ${JSON.stringify(value)}`);
  }
  const extraUsage = frame.options?.usage ?? '';
  const head = `#!/bin/${frame.shell === 'bash' ? 'bash' : 'sh'}
# ${field(frame.box)} (site ${field(frame.site)}): does the live box match ${field(frame.source)}?
# Generated by gen from the topology file: edit the topology, not this file.
# ${frame.effects === undefined ? "It only reads the box's state and changes nothing." : field(frame.effects)} ${field(frame.where)}
#   ${frame.shell} ${frame.file} [--json | --tap]${extraUsage ? ` ${extraUsage.split('\n')[0]}` : ''}
# One line per check: ✓ or ✗, what the topology expects, the file:line that
# declares it, and on ✗ what the box has instead. Exit status 0 when every
# check passes, 1 when something differs, 2 on a usage error.

usage() {
  echo "usage: ${frame.shell} ${frame.file} [--json | --tap]${extraUsage ? ` ${extraUsage.split('\n')[0]}` : ''}"
  echo "  --json  one JSON document (for monitoring); --tap  TAP version 13"
${extraUsage
  .split('\n')
  .slice(1)
  .map((l) => `  echo ${sq(`  ${l}`)}`)
  .join('\n')}
}

FORMAT=text
${frame.options?.defaults ?? ''}
while [ $# -gt 0 ]; do
  case $1 in
    --json) FORMAT=json ;;
    --tap) FORMAT=tap ;;
${frame.options?.cases ?? ''}
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done

LC_ALL=C
export LC_ALL
PATH=$PATH:/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin
export PATH

${LIBRARY}

${frame.functions}

checks() {
`;
  const out = new ScriptText(part);
  out.add(head);
  for (let i = 0; i < frame.checks.length; i++) {
    out.add(i > 0 ? '\n  ' : '  ');
    const check = frame.checks[i]!;
    if (typeof check === 'string') out.add(check);
    else check(out);
    out.mayEnd();
  }
  out.add(`
}

checks | awk -v format="$FORMAT" -v box=${sq(frame.box)} -v site=${sq(frame.site)} -v source=${sq(frame.source)} '${REPORT}
'
`);
  out.end();
}
