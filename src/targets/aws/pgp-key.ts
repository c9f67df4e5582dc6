// What hashicorp/aws makes of aws_iam_access_key's pgp_key: not a thing the
// plan looks at. Only Create reads it (internal/service/iam/access_key.go,
// after CreateAccessKey succeeded), through GetEntities
// (internal/vault/helper/pgpkeys/encrypt_decrypt.go): base64.StdEncoding
// (padded, whole groups of four), then openpgp.ReadEntity, which needs a key
// packet first and every packet whole. A value that fails there fails the
// apply after the user, its policy and the access key itself were made, and
// the secret, never encrypted, is lost. keybase:USER is fetched at apply and
// cannot be checked here.

/** RFC 4880 §4.3 packet tags. */
const SECRET_KEY = 5;
const PUBLIC_KEY = 6;

/** Strict RFC 4648 base64 with padding, as Go's base64.StdEncoding decodes it; undefined when it is not. */
function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/** The tags of the packets (RFC 4880 §4.2, old and new headers), or where the data stops making packets. */
function packetTags(data: Uint8Array): { tags: number[]; broken?: string } {
  const tags: number[] = [];
  let at = 0;
  const int = (from: number, n: number) => data.slice(from, from + n).reduce((v, b) => v * 256 + b, 0);
  while (at < data.length) {
    const ctb = data[at]!;
    if ((ctb & 0x80) === 0) return { tags, broken: `byte ${at} is no packet header` };
    let tag: number;
    let header: number;
    let length: number;
    if (ctb & 0x40) {
      tag = ctb & 0x3f;
      const first = data[at + 1] ?? 0;
      // A partial body length (224-254) is only for data packets, never in a key.
      if (first >= 224 && first < 255) return { tags, broken: `packet ${tags.length + 1} has a partial length` };
      [header, length] = first < 192 ? [2, first] : first < 224 ? [3, ((first - 192) << 8) + (data[at + 2] ?? 0) + 192] : [6, int(at + 2, 4)];
    } else {
      tag = (ctb >> 2) & 0x0f;
      const type = ctb & 3;
      if (type === 3) return { tags, broken: `packet ${tags.length + 1} has an indeterminate length` };
      header = 1 + [1, 2, 4][type]!;
      length = int(at + 1, header - 1);
    }
    if (at + header + length > data.length) return { tags, broken: `packet ${tags.length + 1} (tag ${tag}) ends ${at + header + length - data.length} bytes after the data` };
    tags.push(tag);
    at += header + length;
  }
  return { tags };
}

/** Why the provider could not encrypt to this pgp_key (or why it must not be used), or undefined. */
export function pgpKeyProblem(value: string): string | undefined {
  if (value.startsWith('keybase:')) return undefined;
  const data = decodeBase64(value);
  if (!data) return `is not padded base64 (${value.length} characters, not a multiple of 4, or = inside): the provider decodes it with Go's base64.StdEncoding`;
  if ((data[0]! & 0x80) === 0) return 'is no OpenPGP key (its first byte is no packet header; an SSH key, or the armored text?): give gpg --export KEYID | base64 -w0';
  const { tags, broken } = packetTags(data);
  if (tags[0] === SECRET_KEY) return 'is a secret key: it would be written in the topology and in the Terraform state; give the public key (gpg --export KEYID | base64 -w0)';
  if (broken !== undefined) return `is not a whole OpenPGP key: ${broken} (was it cut off when copied?)`;
  if (tags[0] !== PUBLIC_KEY) return `is no OpenPGP public key: its first packet has tag ${tags[0]}, not 6 (public key)`;
  return undefined;
}
