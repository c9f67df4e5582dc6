// What Proxmox's /etc/network/interfaces (read by ifupdown2) accepts: the
// renderer validates every value against these before writing it, and the
// lint rules report a topology that would need anything else.

/** A Linux interface name: IFNAMSIZ is 16 bytes, so at most 15 characters. */
export const INTERFACE_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,14}$/;

/** `bridge-vids` entries: one id or a range "from-to". */
export const VID_ENTRY = /^(\d{1,4})(-(\d{1,4}))?$/;

/** Whether a bridge's vids (ids and "from-to" ranges) include `tag`. */
export function vidsCover(vids: readonly string[], tag: number): boolean {
  return vids.some((vid) => {
    const [from, to = from] = vid.split('-').map(Number);
    return from !== undefined && to !== undefined && tag >= from && tag <= to;
  });
}

/**
 * ifupdown2 runs the file through the Mako template engine
 * (template_enable=1 by default): `${...}` is evaluated as Python, a line
 * starting with `%` is a control line, and `\` escapes the next character.
 */
export const TEMPLATE_CHARACTERS = /[$%\\]/;
