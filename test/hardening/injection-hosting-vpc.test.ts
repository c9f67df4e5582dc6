// The injection corpus (injection.ts) on scenarios B and C: VLAN hosting and the AWS VPC.
import { injectionCorpus } from './injection.js';
import { removeTempDirsAfterAll } from '../temp-dirs.js';

removeTempDirsAfterAll();

injectionCorpus(['vlan-hosting', 'aws-vpc']);
