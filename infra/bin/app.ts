/**
 * The CDK app (`npx cdk synth`, via `npm run synth`): every stage and region, synthesized
 * without AWS credentials. Context: `eventProcessingCapacity` (events/min the capacity model
 * sizes for, default 100000), `writeRegion` (production's single write region, default
 * us-east-1), `account`, `owner`, `costCenter`, and where the alarms notify: `alarmEmails`
 * (comma-separated addresses) and/or `alarmHttpsUrls` (comma-separated https:// URLs), for every
 * stage. Production does not synthesize without one of them, so `cdk deploy` cannot ship alarms
 * that notify nobody; `npm run synth` passes `localSynth=true` (a local check, never deployed),
 * which lets production synthesize without them (an info annotation says so).
 * Beside each platform stack: the console's stack (infra/lib/console-stack.ts; context
 * `consoleCertificateArn`, `consoleDomainName`, `consoleOidc`, `auditRetentionDays`).
 */
import { buildApp } from '../lib/app';

const { app } = buildApp({ console: true });
app.synth();
