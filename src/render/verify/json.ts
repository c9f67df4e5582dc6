// How every verification script reads the JSON its box's tools print (pvesh,
// proxmox-backup-manager, pluginctl): one awk parser, shared by all. awk is
// on every box; jq is on none of them, and neither python3 nor Perl's
// JSON::PP (perl-modules) is a dependency of proxmox-backup-server
// (proxmox-backup debian/control: only ifupdown2, a Recommends, brings
// python3).
//
// json_flat turns a document into lines "PATH<TAB>VALUE", one per string,
// number, true, false and null: PATH the keys and array positions from the
// top (/key, /0/id), VALUE a string with its escapes decoded, {} or [] for an empty object or array, but a control
// character (\n, \t, \u0000, DEL) written as its \uXXXX escape, so that each
// value stays on its line and no value can start a line of its own; a key
// inside a string value is text, never a path. Values reach the shell only
// as the output of $(...) into a variable, never as code.
//
// Plain POSIX awk (FreeBSD's, mawk, gawk, busybox): no gsub() with
// backslashes; the scripts run with LC_ALL=C, so awk sees bytes and
// sprintf("%c", n) makes one byte (as the report's ord[] table relies on).

/** The awk program of json_flat, single-quoted in the script: it holds no '. */
const FLAT = String.raw`
function here() { return d == 0 ? "" : (type[d] == "o" ? pth[d] "/" key[d] : pth[d] "/" idx[d]) }
function ctl(u) { return "\\u00" substr(hexd, int(u / 16) + 1, 1) substr(hexd, u % 16 + 1, 1) }
function utf8(u) {
  if (u < 32 || u == 127) return ctl(u)
  if (u < 128) return chr[u]
  if (u < 2048) return chr[192 + int(u / 64)] chr[128 + u % 64]
  if (u < 65536) return chr[224 + int(u / 4096)] chr[128 + int(u / 64) % 64] chr[128 + u % 64]
  return chr[240 + int(u / 262144)] chr[128 + int(u / 4096) % 64] chr[128 + int(u / 64) % 64] chr[128 + u % 64]
}
function hex4(at,   k, c, u) {
  u = 0
  for (k = 0; k < 4; k++) {
    c = index(hexd, tolower(substr(line, at + k, 1)))
    if (c == 0) bad()
    u = u * 16 + c - 1
  }
  return u
}
function bad() { status = 1; exit 1 }
# The string that starts at i, just past its opening quote; i ends past its closing quote.
function str(   out, c, u, lo) {
  out = ""
  while (1) {
    if (i > n) bad()
    c = substr(line, i, 1)
    i++
    if (c == "\"") return out
    if (c != "\\") { out = out ((ord[c] < 32 || ord[c] == 127) ? ctl(ord[c]) : c); continue }
    c = substr(line, i, 1)
    i++
    if (c == "\"" || c == "\\" || c == "/") out = out c
    else if (c == "b") out = out ctl(8)
    else if (c == "f") out = out ctl(12)
    else if (c == "n") out = out ctl(10)
    else if (c == "r") out = out ctl(13)
    else if (c == "t") out = out ctl(9)
    else if (c == "u") {
      u = hex4(i)
      i += 4
      # A UTF-16 surrogate pair is one character; a lone surrogate is none (U+FFFD).
      if (u >= 55296 && u < 56320 && substr(line, i, 2) == "\\u") {
        lo = hex4(i + 2)
        if (lo >= 56320 && lo < 57344) { u = 65536 + (u - 55296) * 1024 + lo - 56320; i += 6 }
      }
      if (u >= 55296 && u < 57344) u = 65533
      out = out utf8(u)
    }
    else bad()
  }
}
# An empty object or array is a line too ({} or []): a key whose value is one still exists.
function empty() { print pth[d] "\t" (type[d] == "o" ? "{}" : "[]"); d--; done_value() }
function done_value() { if (d == 0) finished = 1; else { items[d] = 1; want = "after" } }
BEGIN {
  for (k = 1; k < 256; k++) { chr[k] = sprintf("%c", k); ord[chr[k]] = k }
  hexd = "0123456789abcdef"
  d = 0; want = "value"; finished = 0; status = 0
}
{
  line = $0; n = length(line); i = 1
  while (i <= n) {
    c = substr(line, i, 1)
    i++
    if (c == " " || c == "\t" || c == "\r") continue
    if (finished) bad()
    if (want == "key") {
      if (c == "}" && !items[d]) { empty(); continue }
      if (c != "\"") bad()
      key[d] = str(); want = "colon"; continue
    }
    if (want == "colon") { if (c != ":") bad(); want = "value"; continue }
    if (want == "after") {
      if (c == ",") { if (type[d] == "o") want = "key"; else { idx[d]++; want = "value" } continue }
      if ((c == "}" && type[d] == "o") || (c == "]" && type[d] == "a")) { d--; done_value(); continue }
      bad()
    }
    if (c == "]" && d > 0 && type[d] == "a" && !items[d]) { empty(); continue }
    if (c == "{" || c == "[") {
      p = here(); d++
      type[d] = c == "{" ? "o" : "a"; pth[d] = p; idx[d] = 0; items[d] = 0
      want = c == "{" ? "key" : "value"
      continue
    }
    if (c == "\"") v = str()
    else {
      v = c
      while (i <= n && index("+-.0123456789Eaeflnrstu", substr(line, i, 1))) { v = v substr(line, i, 1); i++ }
      if (v !~ /^(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?|true|false|null)$/) bad()
    }
    print here() "\t" v
    done_value()
  }
}
END { if (!status && !finished) exit 1 }`;

/** The shell functions, for the library every script starts with. */
export const JSON_FUNCTIONS = `# JSON as lines "PATH<TAB>VALUE" (/key, /0/id), a string decoded but for control characters (as \\uXXXX):
# what every check reads its tools' JSON through. Status 1 on text that is not one JSON document (an error).
json_flat() {
  awk '${FLAT}
'
}
# The value at PATH of json_flat's lines (stdin); status 1 when there is none.
json_get() { # path
  awk -F '\\t' 'BEGIN { p = ARGV[1]; ARGV[1] = "" } $1 == p { print substr($0, length(p) + 2); found = 1; exit } END { exit !found }' "$1"
}
# The paths of the items of the array at PATH ("" for the top) whose KEY is VALUE, for each KEY=VALUE.
json_where() { # path key=value...
  awk -F '\\t' 'BEGIN { a = ARGV[1] "/"; for (k = 2; k < ARGC; k++) { e = index(ARGV[k], "="); key[k - 1] = substr(ARGV[k], 1, e - 1); want[k - 1] = substr(ARGV[k], e + 1); ARGV[k] = "" } nk = ARGC - 2; ARGV[1] = "" }
    substr($1, 1, length(a)) == a {
      rest = substr($1, length(a) + 1); s = index(rest, "/")
      if (s == 0) next
      item = substr(rest, 1, s - 1)
      if (!(item in seen)) { seen[item] = 1; order[++m] = item }
      got[item, substr(rest, s + 1)] = substr($0, length($1) + 2)
    }
    END { for (x = 1; x <= m; x++) { ok = 1; for (k = 1; k <= nk; k++) if (!((order[x], key[k]) in got) || got[order[x], key[k]] != want[k]) ok = 0; if (ok) print a order[x] } }' "$@"
}`;
