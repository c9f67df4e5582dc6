// The gen command lines that documentation shows, checked against the
// command definitions: the command exists, and so does every option.
import type { Command } from 'commander';
import { program } from '../../src/cli.js';

export const cli = program(() => {});

/** Every command below the program, with its words (['wg', 'export']). */
export function allCommands(command: Command = cli, words: string[] = []): { words: string[]; command: Command }[] {
  return command.commands.flatMap((c) => [{ words: [...words, c.name()], command: c }, ...allCommands(c, [...words, c.name()])]);
}

/** The fenced code blocks of a Markdown page, with their language. */
export function codeBlocks(markdown: string): { lang: string; text: string }[] {
  return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, text: m[2]! }));
}

/** The gen command lines in a text, as words: `gen …`, `npx gen-topology …`, after `run:` or `entry:` too. */
export function genCommandLines(text: string): string[][] {
  const lines: string[][] = [];
  for (const raw of text.split('\n')) {
    const m = /(?:^|run: |entry: |; |&& |\bif |\$\(|<\()\s*(?:npx gen-topology|gen)( .*)?$/.exec(raw.trim());
    if (!m) continue;
    const rest = (m[1] ?? '').split(/\s(?:#|\|\||&&|\||>|;|\)|2>)(?:\s|$)/)[0]!;
    lines.push(rest.trim().split(/\s+/).filter(Boolean).map((w) => w.replace(/^"(.*)"$/, '$1').replace(/\)$/, '')));
  }
  return lines;
}

/** What is wrong with a command line (its words after the program name): nothing when the command and every option exist. */
export function problems(words: readonly string[]): string[] {
  let command: Command = cli;
  let i = 0;
  // (The word is read once per step: an increment inside find's callback would count every command it passes.)
  for (let next = command.commands.find((c) => c.name() === words[i]); i < words.length && next; next = command.commands.find((c) => c.name() === words[i])) {
    command = next;
    i++;
  }
  const found: string[] = [];
  const name = ['gen', ...words.slice(0, i)].join(' ');
  if (command === cli && !words.some((w) => w === '--help' || w === '--version')) found.push(`${words.join(' ')}: no such command`);
  for (; i < words.length; i++) {
    const word = words[i]!;
    if (!word.startsWith('-') || word === '-') continue;
    const flag = word.split('=')[0]!;
    const option = [...command.options, ...(command === cli ? [] : [{ long: '--help', short: '-h', required: false, optional: false }])].find((o) => o.long === flag || o.short === flag);
    if (!option) found.push(`${name}: no option ${flag}`);
    else if ((option.required || option.optional) && !word.includes('=')) i++;
  }
  return found;
}
