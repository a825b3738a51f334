import 'server-only';
import { parseEnv, type Env } from './env.schema';

/** The configuration, parsed once. Nothing else in the app reads process.env. */
export const env: Env = parseEnv(process.env);
