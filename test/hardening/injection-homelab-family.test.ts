// The injection corpus (injection.ts) on the family homelab example.
import { injectionCorpus } from './injection.js';
import { removeTempDirsAfterAll } from '../temp-dirs.js';

removeTempDirsAfterAll();

injectionCorpus(['homelab-family']);
