// The injection corpus (injection.ts) on the family homelab example.
import { injectionCorpus } from './injection.js';

injectionCorpus(['homelab-family']);
