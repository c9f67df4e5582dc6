// Nothing gen writes may depend on the locale of the machine that runs it:
// String.prototype.localeCompare, Intl's collators and formats and the
// toLocale* methods follow ICU's default locale, which Node takes from
// LC_ALL, LC_MESSAGES and LANG. Under et_EE "z" sorts before "t", and
// peers.md (peers of one address), the Proxmox routes of one network and
// the order of unparsed CIDRs once followed it. Text is ordered by code
// unit (src/text-order.ts).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareText } from '../../src/text-order.js';
import { root, sourceFiles } from '../helpers.js';

const LOCALE_BOUND = /\.localeCompare\(|\bIntl\.|\.toLocale(?:String|DateString|TimeString|UpperCase|LowerCase)\(/g;

describe('gen orders and formats text the same under every locale', () => {
  it('src/ calls nothing that follows the locale', () => {
    const found: string[] = [];
    for (const file of sourceFiles()) {
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        // A comment may name them (src/graph/build.ts says why it does not call toLocaleString).
        const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '');
        if (LOCALE_BOUND.test(code)) found.push(`${relative(root, file)}:${i + 1}: ${line.trim()}`);
        LOCALE_BOUND.lastIndex = 0;
      });
    }
    expect(found).toEqual([]);
  });

  it('compareText gives one order where the locale gives another', () => {
    const names = ['zeta', 'tau', 'Zulu', 'alpha'];
    const byLocale = (lang: string) => {
      const env: NodeJS.ProcessEnv = { ...process.env, LANG: lang };
      delete env.LC_ALL;
      delete env.LC_MESSAGES;
      return spawnSync(process.execPath, ['-e', `process.stdout.write(JSON.stringify(${JSON.stringify(names)}.sort((a, b) => a.localeCompare(b))))`], { encoding: 'utf8', env }).stdout;
    };
    // The premise: Node's ICU orders by the locale (Estonian puts z between s and t).
    expect(byLocale('et_EE.UTF-8')).not.toBe(byLocale('C'));
    expect([...names].sort(compareText)).toEqual(['Zulu', 'alpha', 'tau', 'zeta']);
  });
});
