// The injection corpus (injection.ts) on scenario A, the homelab topology.
import { injectionCorpus } from './injection.js';
import { removeTempDirsAfterAll } from '../temp-dirs.js';

removeTempDirsAfterAll();

injectionCorpus(['homelab']);
