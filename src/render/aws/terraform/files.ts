// versions.tf, providers.tf and variables.tf: the provider pinned to the
// major version whose schema the generated arguments are checked against.
import type { Aws } from '../../../model.js';
import { HclObject, type Item, attr, block, raw } from '../hcl.js';

export const AWS_PROVIDER_CONSTRAINT = '~> 6.25';

export function versionsTf(): Item[] {
  return [
    block('terraform', [], [
      attr('required_version', '>= 1.5.0'),
      block('required_providers', [], [attr('aws', new HclObject([['source', 'hashicorp/aws'], ['version', AWS_PROVIDER_CONSTRAINT]]))]),
    ]),
  ];
}

export function providersTf(): Item[] {
  return [block('provider', ['aws'], [attr('region', raw('var.aws_region'))])];
}

export function variablesTf(aws: Aws): Item[] {
  return [
    block('variable', ['aws_region'], [
      attr('description', 'AWS region of every resource (aws.region in topology.yaml)'),
      attr('type', raw('string')),
      attr('default', aws.region),
    ]),
  ];
}
