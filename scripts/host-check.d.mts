/** Types of scripts/host-check.mjs (plain ESM so that `node scripts/start.mjs` needs no loader). */
type Env = Record<string, string | undefined>;
export declare const DEFAULT_HOST: string;
export declare function bindHostOf(env: Env): string;
export declare function isLoopbackHost(host: string): boolean;
export declare function adminApiEnabled(env: Env): boolean;
export declare function bindHostProblem(env: Env): string | null;
