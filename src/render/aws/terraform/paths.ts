// Terraform reads the JSON documents gen writes next to it under out/aws/,
// so the policy exists once.
import { raw, template } from '../hcl.js';

/** `file("${path.module}/../<path under out/aws>")` for a path gen itself wrote. */
export function moduleFile(pathUnderOut: string) {
  const relative = pathUnderOut.replace(/^aws\//, '../');
  return raw(`file(${template([raw('path.module'), `/${relative}`]).text})`);
}
