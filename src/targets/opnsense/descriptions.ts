// How long a description OPNsense takes. Its DescriptionField (the
// description of a filter or NAT rule, a VLAN, a route, an alias, a DHCP
// host) checks preg_match('/^(.){1,255}$/') without the u flag
// (Base/FieldTypes/DescriptionField.php, 25.7 to 26.7): 255 bytes, so a
// Hangul syllable counts three. HAProxy's descriptions allow 255 characters
// (/^.{1,255}$/u): 255 bytes fits both. The topology allows 255 characters,
// and gen adds its own words (gen: policy rule NAME: ...), so a longer one
// is cut, at a character, with an ellipsis: the item stays editable in the
// GUI (a longer one fails the model's validation on every save).
export const DESCRIPTION_MAX_BYTES = 255;

const ELLIPSIS = '…';

export function fitDescription(text: string): string {
  // Three bytes at most per UTF-16 unit: short text needs no count.
  if (text.length * 3 <= DESCRIPTION_MAX_BYTES || Buffer.byteLength(text, 'utf8') <= DESCRIPTION_MAX_BYTES) return text;
  const room = DESCRIPTION_MAX_BYTES - Buffer.byteLength(ELLIPSIS, 'utf8');
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > room) break;
    bytes += size;
    end += ch.length;
  }
  return `${text.slice(0, end)}${ELLIPSIS}`;
}
