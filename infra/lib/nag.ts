/**
 * cdk-nag 3 wiring: the four packs run as CDK validation plugins (findings fail synth), and
 * every acknowledgement goes through `acknowledge()` so it is one rule on one construct with
 * a reason. `npm run synth` counts them per pack from the cloud assembly metadata.
 */
import { Stack, Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

export const nagPackPrefixes = {
  AwsSolutions: 'AwsSolutions-',
  'PCI.DSS.321': 'PCI.DSS.321-',
  'NIST.800.53.R5': 'NIST.800.53.R5-',
  Serverless: 'Serverless-',
} as const;

export function addNagPlugins(app: App): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true }),
    new PCIDSS321Checks(app, { verbose: true }),
    new NIST80053R5Checks(app, { verbose: true }),
    new ServerlessChecks(app, { verbose: true }),
  );
}

/** Every acknowledgement made in this process (tests check that each one matches a real finding). */
export const acknowledgements: { path: string; id: string; reason: string }[] = [];

let applyAcknowledgements = true;
/**
 * Tests only: record acknowledgements without applying them, so the raw findings can be
 * compared with the acknowledgements (each must silence a real finding). Clears the record.
 */
export function recordAcknowledgementsOnly(on: boolean): void {
  applyAcknowledgements = !on;
  acknowledgements.length = 0;
}

/**
 * Acknowledges ONE rule (optionally one finding, e.g. `AwsSolutions-IAM5[Resource::*]`) on ONE
 * construct. The reason must say why the rule does not apply to this resource of this platform.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (reason.trim().length < 20)
    throw new Error(`acknowledgement of ${id} on ${scope.node.path} needs a specific reason`);
  const pack = Object.entries(nagPackPrefixes).find(([, prefix]) => id.startsWith(prefix))?.[0];
  if (!pack)
    throw new Error(`acknowledgement ${id} names no cdk-nag pack (${Object.values(nagPackPrefixes).join(', ')})`);
  acknowledgements.push({ path: scope.node.path, id, reason });
  // `<pack>::<rule>` is the id form the validation report asks for.
  if (applyAcknowledgements) Validations.of(scope).acknowledge({ id: `${pack}::${id}`, reason });
}

type Resolved = string | { Ref?: string; 'Fn::GetAtt'?: string[]; 'Fn::Join'?: [string, Resolved[]] };

function flatten(v: Resolved): string {
  if (typeof v === 'string') return v;
  if (v['Fn::Join']) return v['Fn::Join'][1].map(flatten).join(v['Fn::Join'][0]);
  if (v.Ref) return `<${v.Ref}>`;
  if (v['Fn::GetAtt']) return `<${v['Fn::GetAtt'].join('.')}>`;
  return JSON.stringify(v);
}

/** How cdk-nag prints a (possibly tokenized) resource in a finding id, e.g. `arn:aws:...:<AWS::AccountId>:...`. */
export function renderForNag(scope: IConstruct, value: string): string {
  return flatten(Stack.of(scope).resolve(value) as Resolved);
}
