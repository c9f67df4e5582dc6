// Which values of a DHCP option (Services › Dnsmasq DNS & DHCP › DHCP options)
// dnsmasq refuses in the line OPNsense's template writes of it:
// dhcp-option[-force]=[tag:<tag>,...]<number>,<value> or
// option6:<number>,<value>, and dhcp-match=set:<tag>,... of a match, the value
// as typed (templates/OPNsense/Dnsmasq/dnsmasq.conf, 25.7 to 26.7). Read from
// option.c at 2.90 and the versions the releases install (dnsmasq-source.test.ts):
// - reading the line (read_file()): whitespace is a space, a '#' after one
//   starts a comment, a quote must close ('missing "') and hides the digits,
//   hex letters and separators it holds, spaces at the ends go;
// - parse_dhcp_opt() characterises the value by its characters (address,
//   IPv6 address, hex, decimal, string), then an option of addresses (the
//   table, dnsmasq-option-table.ts) refuses any other ("bad IP address",
//   "bad IPv6 address"), and each part of a value read as addresses must be
//   one (inet_pton(): "bad IPv4 address", "bad IPv6 address"), whatever the
//   option;
// - domain names (DHCPv4 119 and 120 read as text, DHCPv6 lists of names,
//   DHCPv6 56 unless hex or addresses) must pass check_name() (util.c): no
//   label over 63 characters, no control character, at most 1025 characters
//   ("bad domain in dhcp-option"); a name with capitals or non-ASCII goes to
//   IDN, which depends on the build: not decided here;
// - a DHCPv4 value read as plain text is at most 255 bytes ("dhcp-option too
//   long").
// The 26.x model already refuses values that are not IPv4 addresses for
// DHCPv4 options 3 to 11, and not bracketed IPv6 addresses for DHCPv6 22, 23,
// 31 and 34 (Dnsmasq.php); dnsmasq takes all of those it lets through.
import ipaddr from 'ipaddr.js';
import { type OptionKind } from './dnsmasq-option-table.js';

/** What dnsmasq prints for a value, why, and what to change. */
export interface ValueRefusal {
  prints: string;
  why: string;
  fix: string;
}

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
/** What inet_pton() takes as IPv4: four decimal octets, no leading zero (glibc and FreeBSD alike). */
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);

/** What inet_pton() takes as IPv6: groups of up to four hex digits, an IPv4 address last at most. */
function isIpv6(text: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || !ipaddr.IPv6.isValid(text)) return false;
  const groups = text.split(':');
  const last = groups[groups.length - 1]!;
  return groups.every((g) => g.length <= 4 || g === last) && (last.includes('.') ? IPV4.test(last) : last.length <= 4);
}

/**
 * The characters read_file() hides inside quotes, each as the control character of its index, so that none of them
 * counts as a digit, separator or space; canonicalise_opt() shows them again before it checks a name.
 */
const META = '\0' + '123456 \b\t\n78\r90abcdefABCDE\x1bF:,.';
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', t: '\t', n: '\n', e: '\x1b', b: '\b', r: '\r' };

function hide(c: string): string {
  const i = META.indexOf(c);
  return i < 0 ? c : String.fromCharCode(i);
}

function unhide(text: string): string {
  return text.replace(/[\0-\x1f]/g, (c) => META[c.charCodeAt(0)]!);
}

/**
 * The value as dnsmasq reads it from the line (a quoted part hidden), a refusal, or undefined where that is not
 * decided here. The character after a closing quote is not taken as a quote.
 */
function asRead(raw: string): string | ValueRefusal | undefined {
  // A line break makes the rest another line of the file.
  if (/[\r\n]/.test(raw)) return undefined;
  let out = '';
  let white = false;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '"') {
      for (i++; i < raw.length && raw[i] !== '"'; i++) {
        const escaped = raw[i] === '\\' ? ESCAPES[raw[i + 1] ?? ''] : undefined;
        if (escaped !== undefined) i++;
        out += hide(escaped ?? raw[i]!);
      }
      if (i >= raw.length) return { prints: 'missing "', why: 'its value opens a quote (") it does not close', fix: 'close the quote, or take it out' };
      if (++i >= raw.length) break;
    }
    const c = raw[i]!;
    if (c === ' ' || c === '\t' || c === '\v' || c === '\f') {
      out += ' ';
      white = true;
    } else if (white && c === '#') break;
    else {
      white = false;
      out += c;
    }
  }
  return unspaced(out);
}

/** How parse_dhcp_opt() characterises a value by its characters. */
interface Shape {
  addr: boolean;
  addr6: boolean;
  hex: boolean;
  dec: boolean;
  dots: number;
  colons: number;
  digit: boolean;
}

function shape(value: string, match: boolean): Shape {
  const s: Shape = { addr: true, addr6: true, hex: true, dec: true, dots: 0, colons: 0, digit: false };
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === ',') s.dec = s.hex = false;
    else if (c === ':') {
      s.colons++;
      s.dec = s.addr = false;
    } else if (c === '/') {
      s.addr6 = s.dec = s.hex = false;
      // A leading '/' is a path.
      if (i === 0) s.addr = false;
    } else if (c === '.') {
      s.dec = s.hex = false;
      s.dots++;
    } else if (c === '-') s.hex = s.addr = s.addr6 = false;
    else if (c === ' ') s.dec = s.hex = false;
    else if (c >= '0' && c <= '9') s.digit = true;
    else {
      s.addr = false;
      // A last b, s or i after digits is the length of a number (byte, short, int).
      if (!(i === value.length - 1 && s.dec && 'bsi'.includes(c))) s.dec = false;
      if (!/[A-Fa-f]/.test(c) && !(c === '*' && match)) {
        s.hex = false;
        if (c !== '[' && c !== ']') s.addr6 = false;
      }
    }
  }
  if (!s.digit) s.dec = s.addr = false;
  if (s.colons === 0) s.addr6 = false;
  return s;
}

/** `text` without the spaces at its ends, as split() leaves a part (a hidden character is no space). */
function unspaced(text: string): string {
  return text.replace(/^ +| +$/g, '');
}

/** The parts of a list value as split() leaves them, up to the first empty one. */
function parts(value: string): string[] {
  const all = value.split(',').map(unspaced);
  const empty = all.indexOf('');
  return empty < 0 ? all : all.slice(0, empty);
}

/** Why check_name() refuses `name`; '' where it takes it; undefined where IDN (capitals, non-ASCII) decides. */
function nameRefusal(name: string): string | undefined {
  if (Buffer.byteLength(name) > 1025) return 'is longer than 1025 characters';
  const text = name.endsWith('.') ? name.slice(0, -1) : name;
  let label = 0;
  let blank = !name.endsWith('.');
  for (const c of text) {
    if (c === '.') label = 0;
    else if (++label > 63) return 'has a label longer than 63 characters';
    else if (c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127) return 'holds a control character';
    else if (c.charCodeAt(0) > 127) return undefined;
    else if (c !== ' ') blank = false;
  }
  if (blank) return 'is blank';
  return /[A-Z]/.test(text) ? undefined : '';
}

/** The refusal of the first name of `value` dnsmasq refuses, if any and decided; `root` allows '.'. */
function namesRefusal(value: string, option: string, root: boolean): ValueRefusal | undefined {
  for (const part of parts(value)) {
    const name = unhide(part);
    if (root && name === '.') continue;
    const why = nameRefusal(name);
    if (why === undefined) return undefined;
    if (why !== '') {
      return { prints: 'bad domain in dhcp-option', why: `${option} takes domain names, and ${JSON.stringify(name)} ${why}`, fix: 'give it domain names of labels up to 63 characters, separated by commas' };
    }
  }
  return undefined;
}

/**
 * What dnsmasq refuses of the value `raw` (as saved) of a DHCP option of `family` numbered `code` in a dhcp-option=
 * line, or a dhcp-match= line when `match`; `kinds` is optionKinds() of the box's dnsmasq. Undefined: taken, or not
 * decided here.
 */
export function optionValueRefusal(family: 4 | 6, code: number, raw: string, kinds: ReadonlyMap<number, OptionKind>, match: boolean): ValueRefusal | undefined {
  const value = asRead(raw);
  if (typeof value !== 'string') return value;
  // A quote hides what it holds: dnsmasq reads it as text.
  const shown = /[\0-\x1f]/.test(value) ? `${JSON.stringify(unhide(value))}, which a quote makes text,` : JSON.stringify(unhide(value));
  const option = `${family === 6 ? 'option6' : 'option'} ${code}`;
  const kind = kinds.get(code);
  const s = shape(value, match);
  let addresses = kind === 'addresses';
  let names = kind === 'domains';
  // DHCPv6's NTP server (56) takes hex, addresses or domain names.
  if (family === 6 && code === 56 && !s.hex) [addresses, names] = [s.addr6, !s.addr6];
  if (addresses) {
    if (family === 4 && (!s.addr || s.dots === 0)) {
      return { prints: 'bad IP address', why: `${option} takes IPv4 addresses only, and ${shown} is not a list of them`, fix: 'give it IPv4 addresses separated by commas, or remove it' };
    }
    if (family === 6 && !s.addr6) {
      return { prints: 'bad IPv6 address', why: `${option} takes IPv6 addresses only, and ${shown} is not a list of them`, fix: 'give it IPv6 addresses in square brackets separated by commas, or remove it' };
    }
    s.dec = s.hex = false;
  } else if (names || kind === 'name' || kind === 'strings') s.addr = s.addr6 = s.dec = s.hex = false;
  if ((kind === 'time' && s.digit && value !== '') || (s.hex && s.colons > 0) || s.dec) return undefined;
  if (s.addr && family === 4) {
    // An address may carry /<bits> (a descriptor), which dnsmasq does not check.
    for (const part of value.split(',').map((p) => unspaced(p.split('/')[0]!))) {
      if (!IPV4.test(part)) {
        return { prints: 'bad IPv4 address', why: `dnsmasq reads ${shown} as IPv4 addresses, and ${JSON.stringify(unhide(part))} is not one`, fix: 'give it IPv4 addresses separated by commas, or text with a letter in it' };
      }
    }
    return undefined;
  }
  if (s.addr6 && family === 6) {
    for (const part of value.split(',').map(unspaced)) {
      const bare = part.replace(/^\[/, '').replace(/(.)\]$/, '$1');
      if (!isIpv6(bare)) {
        return { prints: 'bad IPv6 address', why: `dnsmasq reads ${shown} as IPv6 addresses, and ${JSON.stringify(unhide(part))} is not one`, fix: 'give it IPv6 addresses in square brackets separated by commas' };
      }
    }
    return undefined;
  }
  // Text: DHCPv4's domain search (119) and SIP server (120) as lists of names, DHCPv6's lists of names, or a string.
  if (family === 4 && (code === 119 || code === 120)) return namesRefusal(value, option, true);
  if (names || kind === 'domains') return namesRefusal(value, option, false);
  const length = Buffer.byteLength(value);
  if (family === 4 && length > 255) {
    return { prints: 'dhcp-option too long', why: `its value is ${length} bytes, more than the 255 a DHCPv4 option holds`, fix: 'shorten its value to 255 bytes' };
  }
  return undefined;
}
