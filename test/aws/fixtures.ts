// The site-to-site test topology: scenario A's site joined to scenario C's VPC.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../helpers.js';

export const siteToSite = (): string => readFileSync(join(root, 'test/aws/fixtures/site-to-site.yaml'), 'utf8');
