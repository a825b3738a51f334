/**
 * Benchmark results in github-action-benchmark's "custom" format: bench/results/<suite>.json,
 * an array of { name, unit, value, extra? }. The machine and the run's parameters go in extra.
 * Figures are always measured by the run that writes them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export interface BenchEntry {
  name: string;
  unit: string;
  value: number;
  extra?: string | Record<string, unknown>;
}

export function machine() {
  const cpu = cpus();
  return {
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

export function writeResults(suite: string, entries: BenchEntry[], dir = 'bench/results'): string {
  mkdirSync(dir, { recursive: true });
  const m = machine();
  const out = entries.map((e) => ({
    name: e.name,
    unit: e.unit,
    value: Number.isFinite(e.value) ? Number(e.value.toFixed(4)) : e.value,
    extra: JSON.stringify({
      machine: m,
      measuredAt: new Date().toISOString(),
      ...(typeof e.extra === 'string' ? { note: e.extra } : e.extra),
    }),
  }));
  const file = join(dir, `${suite}.json`);
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  return file;
}
