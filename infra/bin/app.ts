/**
 * The CDK app: one stack per stage and region, synthesized without AWS credentials.
 * (Foundation: the stacks are filled in by the CDK platform work.)
 */
import { App, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { namesFor, primaryRegion, type Stage } from '../platform/description';

const app = new App();
for (const stage of ['staging', 'production'] as Stage[]) {
  const stack = new Stack(app, `${namesFor(stage).prefix}-${primaryRegion}`, {
    env: { region: primaryRegion },
    description: `Ledgerline event-processing platform (${stage}, ${primaryRegion})`,
  });
  new Key(stack, 'PlatformKey', {
    alias: `alias/${namesFor(stage).prefix}`,
    description: 'Customer-managed key for all Ledgerline service encryption',
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Tags.of(stack).add('Application', 'ledgerline');
  Tags.of(stack).add('Environment', stage);
}
app.synth();
