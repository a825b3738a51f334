import 'server-only';
import pkg from '@/package.json';
import { env } from '../env';
import { getPlatform } from './index';

export interface Health {
  status: 'ok' | 'degraded';
  backend: 'local' | 'aws';
  stage: string;
  region: string;
  version: string;
  backendAnswers: boolean;
  detail: string;
}

/** Backend kind, version, and whether the backend answers (a cheap call, never cached). */
export async function health(): Promise<Health> {
  let backendAnswers = false;
  let detail: string;
  try {
    const result = await (await getPlatform()).ping();
    backendAnswers = result.ok;
    detail = result.detail;
  } catch (error) {
    // Anyone may call the health route: the error's name only, its text to the log.
    console.warn(JSON.stringify({ msg: 'health: the backend did not answer', error: String(error) }));
    detail = `backend did not answer (${error instanceof Error ? error.name : 'Error'})`;
  }
  return {
    status: backendAnswers ? 'ok' : 'degraded',
    backend: env.LEDGERLINE_BACKEND,
    stage: env.LEDGERLINE_STAGE,
    region: env.AWS_REGION,
    version: pkg.version,
    backendAnswers,
    detail,
  };
}
