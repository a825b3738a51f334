/**
 * The CDK app (`npx cdk synth`, via `npm run synth`): every stage and region, synthesized
 * without AWS credentials. Context: `eventProcessingCapacity` (events/min the capacity model
 * sizes for, default 100000), `writeRegion` (production's single write region, default
 * us-east-1), `account`, `owner`, `costCenter`.
 */
import { buildApp } from '../lib/app';

const { app } = buildApp();
app.synth();
