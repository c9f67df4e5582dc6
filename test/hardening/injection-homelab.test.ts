// The injection corpus (injection.ts) on scenario A, the homelab topology.
import { injectionCorpus } from './injection.js';

injectionCorpus(['homelab']);
