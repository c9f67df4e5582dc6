// QR codes of a client file for the WireGuard mobile apps. The code holds
// the WireGuard file alone: comment lines are for the reader of the file,
// and every byte more can push the code to a larger version that is harder
// to scan from a screen. The terminal form draws two modules per
// character with half blocks and fits 80 columns where the code allows: the
// quiet zone narrows (4 modules down to 1) before the code gets wider than
// that. In colour it is black on white whatever the terminal's colours;
// without colour (NO_COLOR, a pipe) the light modules are drawn, as
// `qrencode -t UTF8` does, which reads right on a dark terminal.
import QRCode from 'qrcode';

export const TERMINAL_COLUMNS = 80;

/**
 * A client file that no QR code holds: version 40, the largest, takes 2953
 * bytes at error correction L and 2331 at M (ISO/IEC 18004, table 7), and
 * AllowedIPs of a few hundred host routes are more than that.
 */
export class QrTooLargeError extends Error {
  constructor(readonly bytes: number) {
    super(`${bytes} bytes are more than a QR code holds`);
  }
}

// With the options fixed here, the encoder fails only when no QR version holds the payload.
const tooLarge = (payload: string) => new QrTooLargeError(Buffer.byteLength(payload));

/** The lines of a WireGuard file that the apps read: no comment lines, no blank line at either end. */
export function qrPayload(config: string): string {
  return `${config
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .trim()}\n`;
}

export interface TerminalQr {
  text: string;
  /** Columns the code takes, quiet zone included. */
  width: number;
  version: number;
}

/** The QR code as text for a terminal; `color` paints black on white explicitly. */
export function terminalQr(config: string, color: boolean): TerminalQr {
  const payload = qrPayload(config);
  let qr: QRCode.QRCode;
  try {
    qr = QRCode.create(payload, { errorCorrectionLevel: 'L' });
  } catch {
    throw tooLarge(payload);
  }
  const size = qr.modules.size;
  const margin = Math.max(1, Math.min(4, Math.floor((TERMINAL_COLUMNS - size) / 2)));
  const dark = (x: number, y: number) => x >= 0 && y >= 0 && x < size && y < size && qr.modules.get(y, x) === 1;
  // Plain text draws the light modules (ink on a dark background); colour draws the dark ones on white.
  const ink = (x: number, y: number) => (color ? dark(x, y) : !dark(x, y));
  const lines: string[] = [];
  for (let y = -margin; y < size + margin; y += 2) {
    let line = '';
    for (let x = -margin; x < size + margin; x++) {
      const upper = ink(x, y);
      // The row below the last one is quiet zone too.
      const lower = y + 1 < size + margin ? ink(x, y + 1) : !color;
      line += upper ? (lower ? '█' : '▀') : lower ? '▄' : ' ';
    }
    lines.push(color ? `\u001b[30;47m${line}\u001b[0m` : line);
  }
  return { text: `${lines.join('\n')}\n`, width: size + 2 * margin, version: qr.version };
}

export function svgQr(config: string): Promise<string> {
  const payload = qrPayload(config);
  return QRCode.toString(payload, { type: 'svg', errorCorrectionLevel: 'M' }).catch(() => {
    throw tooLarge(payload);
  });
}

export function pngQr(config: string): Promise<Buffer> {
  const payload = qrPayload(config);
  return QRCode.toBuffer(payload, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 6 }).catch(() => {
    throw tooLarge(payload);
  });
}
