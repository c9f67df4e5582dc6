// What the Terraform modules share while rendering: unique resource names,
// the outputs they contribute to outputs.tf, and the tags every taggable
// resource carries.
import { HclObject, type Item, type Raw, attr, block } from '../hcl.js';
import { TfNames } from '../names.js';
import { tagValue } from '../../../targets/aws/tags.js';

export class TfContext {
  readonly names = new TfNames();
  readonly outputs: Item[] = [];

  output(name: string, description: string, value: Raw, sensitive = false): void {
    const body = [attr('description', description), attr('value', value)];
    if (sensitive) body.push(attr('sensitive', true));
    this.outputs.push(block('output', [name], body));
  }
}

export function tags(name: string, description?: string): Item {
  const entries: [string, string][] = [['Name', name]];
  if (description !== undefined) entries.push(['Description', description]);
  entries.push(['managed-by', 'gen']);
  return attr('tags', new HclObject(entries));
}

/**
 * S3 and IAM tag values allow only letters, digits, spaces and _ . : / = + - @
 * (EC2 allows any text): other characters become '_'. Which characters are
 * letters is a frozen table, not the Unicode data of the running Node
 * (src/targets/aws/tags.ts).
 */
export function restrictedTag(text: string): string {
  return tagValue(text);
}

export function resource(type: string, name: string, body: Item[]): Item {
  return block('resource', [type, name], body);
}
