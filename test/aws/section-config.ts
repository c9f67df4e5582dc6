// Proxmox's section-config format ("<type>: <id>", then tab-indented
// "<key> <value>" lines) read strictly, and the value formats PBS takes in
// its S3 client config.
import { expect } from 'vitest';

export type Section = { type: string; id: string; props: Record<string, string> };

/** Proxmox section-config reader, strict: unknown line shapes fail the test. Like pve-common's SectionConfig, it skips `#` lines. */
export function parseSectionConfig(text: string): Section[] {
  expect(text.endsWith('\n')).toBe(true);
  const sections: Section[] = [];
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '' || /^\s*#/.test(line)) continue;
    const header = /^([a-z0-9-]+): ([A-Za-z0-9][A-Za-z0-9_.-]*)$/.exec(line);
    if (header) {
      sections.push({ type: header[1]!, id: header[2]!, props: {} });
      continue;
    }
    const prop = /^\t([a-z][a-z0-9-]*) (\S+(?: \S+)*)$/.exec(line);
    if (!prop || !sections.length) throw new Error(`not section config: ${JSON.stringify(line)}`);
    const props = sections.at(-1)!.props;
    expect(props[prop[1]!], `duplicate ${prop[1]}`).toBeUndefined();
    props[prop[1]!] = prop[2]!;
  }
  return sections;
}

// Value formats of the PBS S3 client config, as proxmox-s3-client 1.4 (PBS 4.2) has them in src/api_types.rs:
// S3_ENDPOINT_NAME_STR (the host-name half of S3_ENDPOINT_REGEX; {{bucket}} only at the start), S3_REGION_REGEX
// (at most 32 characters), S3_CLIENT_ID_SCHEMA; DNS_LABEL_STR is proxmox-schema's.
const DNS_LABEL = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9\\-]*[a-zA-Z0-9])?)';
export const PBS_S3_ENDPOINT = new RegExp(`^(?:(^\\{\\{bucket\\}\\}\\.)*(?:(?:(${DNS_LABEL}|\\{\\{region\\}\\})\\.)*${DNS_LABEL}))$`);
export const PBS_S3_REGION = /^(?=.{0,32}$)[_a-z\d][-_a-z\d]+$/;
