// A UDP port of the loopback no socket holds, for a real DNS server under test.
import { createSocket } from 'node:dgram';

/** A free UDP port of 127.0.0.1. */
export function freeUdpPort(): Promise<number> {
  return new Promise<number>((done) => {
    const probe = createSocket('udp4');
    probe.bind(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}
