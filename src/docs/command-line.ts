// Shell completion scripts (bash, zsh, fish) and the manual page, made
// from the command definitions themselves, so neither can drift from what
// `gen --help` says. The bash function is written to run unchanged under
// zsh's bashcompinit: it reads the words through "$2", "$3" and a loop
// over COMP_WORDS, never by index (zsh counts arrays from 1).
import type { Command, Option } from 'commander';

/** Options whose value is a path: completed with file names. */
const PATH_OPTIONS = new Set(['file', 'output', 'out', 'secrets', 'base']);

export interface OptionSpec {
  flags: string;
  names: string[];
  description: string;
  takesValue: boolean;
  choices?: readonly string[];
  path: boolean;
  defaultValue?: string;
}

export interface CommandSpec {
  /** Words from the program name down to this command, e.g. ['gen', 'wg', 'export']. */
  words: string[];
  description: string;
  usage: string;
  arguments: { name: string; required: boolean; description: string; choices?: readonly string[] }[];
  options: OptionSpec[];
  commands: CommandSpec[];
}

function optionSpec(option: Option): OptionSpec {
  const takesValue = option.required || option.optional;
  const defaultValue = option.defaultValue === undefined || typeof option.defaultValue === 'boolean' ? undefined : String(option.defaultValue);
  return {
    flags: option.flags,
    names: [option.short, option.long].filter((n): n is string => n !== undefined),
    description: option.description,
    takesValue,
    ...(option.argChoices ? { choices: option.argChoices } : {}),
    path: takesValue && PATH_OPTIONS.has(option.attributeName()),
    ...(defaultValue !== undefined ? { defaultValue } : {}),
  };
}

const HELP: OptionSpec = { flags: '-h, --help', names: ['-h', '--help'], description: 'display help for command', takesValue: false, path: false };

export function commandSpec(command: Command, parents: string[] = []): CommandSpec {
  const words = [...parents, command.name()];
  return {
    words,
    description: command.description(),
    usage: `${words.join(' ')} ${command.usage()}`.trim(),
    arguments: command.registeredArguments.map((a) => ({ name: a.name(), required: a.required, description: a.description, ...(a.argChoices ? { choices: a.argChoices } : {}) })),
    options: [...command.options.filter((o) => !o.hidden).map(optionSpec), HELP],
    commands: command.commands.map((c) => commandSpec(c, words)),
  };
}

function all(spec: CommandSpec): CommandSpec[] {
  return [spec, ...spec.commands.flatMap(all)];
}

/** The command path as the completion functions key it: '' for the program, '/wg/export' below. */
function key(spec: CommandSpec): string {
  return spec.words.slice(1).map((w) => `/${w}`).join('');
}

function shellWords(words: readonly string[]): string {
  return words.join(' ');
}

export function bashCompletion(spec: CommandSpec, programs: readonly string[]): string {
  const specs = all(spec);
  const fn = `_${spec.words[0]!.replace(/[^A-Za-z0-9_]/g, '_')}_completion`;
  const lines = [
    `# ${spec.words[0]} completion for bash (generated from its command definitions: ${spec.words[0]} completion bash)`,
    `# Load it with: source <(${spec.words[0]} completion bash)`,
    `${fn}() {`,
    '  local cur="$2" prev="$3" path="" i=0 w',
    '  COMPREPLY=()',
    '  for w in "${COMP_WORDS[@]}"; do',
    '    if [ "$i" -ge 1 ] && [ "$i" -lt "$COMP_CWORD" ]; then',
    '      case "$path/$w" in',
    `        ${specs.filter((s) => s.words.length > 1).map(key).join('|')}) path="$path/$w" ;;`,
    '      esac',
    '    fi',
    '    i=$((i + 1))',
    '  done',
    '  case "$path:$prev" in',
  ];
  for (const s of specs) {
    for (const o of s.options.filter((x) => x.takesValue)) {
      const pattern = o.names.map((n) => `${key(s)}:${n}`).join('|');
      if (o.choices) lines.push(`    ${pattern}) COMPREPLY=($(compgen -W "${shellWords(o.choices)}" -- "$cur")); return 0 ;;`);
      else if (o.path) lines.push(`    ${pattern}) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;`);
      else lines.push(`    ${pattern}) return 0 ;;`);
    }
  }
  lines.push('  esac', '  local commands="" options="" values=""', '  case "$path" in');
  for (const s of specs) {
    const choices = s.arguments.flatMap((a) => a.choices ?? []);
    lines.push(
      `    "${key(s)}") commands="${shellWords(s.commands.map((c) => c.words.at(-1)!))}"; options="${shellWords(s.options.flatMap((o) => o.names))}"; values="${shellWords(choices)}" ;;`,
    );
  }
  lines.push(
    '  esac',
    '  if [[ "$cur" == -* ]]; then',
    '    COMPREPLY=($(compgen -W "$options" -- "$cur"))',
    '  elif [ -n "$commands" ]; then',
    '    COMPREPLY=($(compgen -W "$commands" -- "$cur"))',
    '  elif [ -n "$values" ]; then',
    '    COMPREPLY=($(compgen -W "$values" -- "$cur"))',
    '  else',
    '    COMPREPLY=($(compgen -f -- "$cur"))',
    '  fi',
    '  return 0',
    '}',
    `complete -o filenames -F ${fn} ${programs.join(' ')}`,
  );
  return `${lines.join('\n')}\n`;
}

export function zshCompletion(spec: CommandSpec, programs: readonly string[]): string {
  return [
    `#compdef ${programs.join(' ')}`,
    `# ${spec.words[0]} completion for zsh (generated from its command definitions: ${spec.words[0]} completion zsh)`,
    `# Load it with: source <(${spec.words[0]} completion zsh), after compinit`,
    'autoload -U +X bashcompinit && bashcompinit',
    bashCompletion(spec, programs).split('\n').filter((l) => !l.startsWith('#')).join('\n'),
  ].join('\n');
}

function fishQuoted(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function fishCompletion(spec: CommandSpec, programs: readonly string[]): string {
  const lines = [`# ${spec.words[0]} completion for fish (generated from its command definitions: ${spec.words[0]} completion fish)`, `# Load it with: ${spec.words[0]} completion fish | source`];
  for (const program of programs) {
    lines.push(`complete -c ${program} -f`);
    for (const s of all(spec)) {
      const below = s.words.slice(1);
      const inHere = below.length === 0 ? [] : below.map((w) => `__fish_seen_subcommand_from ${w}`);
      const sub = s.commands.map((c) => c.words.at(-1)!);
      const notDeeper = sub.length ? [`not __fish_seen_subcommand_from ${sub.join(' ')}`] : [];
      const condition = (parts: string[]) => (parts.length ? ` -n ${fishQuoted(parts.join('; and '))}` : '');
      const here = below.length === 0 ? ['__fish_use_subcommand'] : inHere;
      for (const c of s.commands) lines.push(`complete -c ${program}${condition(here)} -a ${c.words.at(-1)!} -d ${fishQuoted(c.description)}`);
      for (const o of s.options) {
        const names = o.names.map((n) => (n.startsWith('--') ? `-l ${n.slice(2)}` : `-s ${n.slice(1)}`)).join(' ');
        const value = o.choices ? ` -x -a ${fishQuoted(o.choices.join(' '))}` : o.path ? ' -r -F' : o.takesValue ? ' -x' : '';
        lines.push(`complete -c ${program}${condition([...inHere, ...notDeeper])} ${names}${value} -d ${fishQuoted(o.description)}`);
      }
      const choices = s.arguments.flatMap((a) => a.choices ?? []);
      if (choices.length) lines.push(`complete -c ${program}${condition([...inHere, ...notDeeper])} -a ${fishQuoted(choices.join(' '))}`);
      else if (s.commands.length === 0 && s.arguments.some((a) => a.name === 'file')) lines.push(`complete -c ${program}${condition(inHere)} -F`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Words on lines of at most 78 bytes, as man page sources keep them. */
function wrapped(text: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/ +/)) {
    if (line !== '' && line.length + 1 + word.length > 78) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.join('\n');
}

/** roff text for a macro's arguments: escaped, never wrapped. */
function roffInline(text: string): string {
  return text.replace(/\\/g, '\\e').replace(/-/g, '\\-').replace(/"/g, '\\(dq');
}

/** roff text: backslashes, hyphens as minus signs, and no line that starts with a dot or a quote. */
function roff(text: string): string {
  return wrapped(text.replace(/\\/g, '\\e').replace(/-/g, '\\-')).replace(/^([.'])/gm, '\\&$1');
}

export interface ManPageInfo {
  version: string;
  /** The date of the page (YYYY-MM-DD): fixed, so the page is the same on every build. */
  date: string;
  summary: string;
  exitStatus: readonly (readonly [string, string])[];
  environment: readonly (readonly [string, string])[];
  files: readonly (readonly [string, string])[];
  seeAlso: string;
}

export function manPage(spec: CommandSpec, info: ManPageInfo): string {
  const name = spec.words[0]!;
  const lines = [
    `.\\" Generated from the command definitions by \`npm run docs\`; a test fails when it is stale.`,
    `.TH ${name.toUpperCase()} 1 ${info.date} "${roffInline(`gen-topology ${info.version}`)}" "User Commands"`,
    '.SH NAME',
    `${roff(name)} \\- ${roff(info.summary)}`,
    '.SH SYNOPSIS',
    `.B ${roffInline(name)}`,
    '.I command',
    '.RI [ options ]',
    '.RI [ file ]',
    '.SH DESCRIPTION',
    roff(spec.description),
    '.SH OPTIONS',
  ];
  const optionLines = (options: readonly OptionSpec[]) => {
    for (const o of options) {
      lines.push('.TP', `.B ${roffInline(o.flags)}`, roff(`${o.description}${o.choices ? ` (${o.choices.join(', ')})` : ''}${o.defaultValue !== undefined ? ` (default: ${o.defaultValue})` : ''}`));
    }
  };
  optionLines(spec.options);
  lines.push('.SH COMMANDS');
  for (const s of all(spec).slice(1)) {
    lines.push(`.SS "${roffInline(s.usage)}"`, roff(s.description));
    for (const a of s.arguments) lines.push('.TP', `.I ${roffInline(a.name)}`, roff(`${a.description}${a.choices ? ` (${a.choices.join(', ')})` : ''}`));
    optionLines(s.options.filter((o) => o !== HELP && o.names[0] !== '-h'));
  }
  const section = (title: string, entries: readonly (readonly [string, string])[]) => {
    lines.push(`.SH ${title}`);
    for (const [term, text] of entries) lines.push('.TP', `.B ${roffInline(term)}`, roff(text));
  };
  section('EXIT STATUS', info.exitStatus);
  section('ENVIRONMENT', info.environment);
  section('FILES', info.files);
  lines.push('.SH SEE ALSO', roff(info.seeAlso));
  return `${lines.join('\n')}\n`;
}
