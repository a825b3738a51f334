import type { Stage } from '@/infra/platform/description';

const styles: Record<Stage, string> = {
  production: 'bg-danger text-white',
  staging: 'bg-warn text-black',
  local: 'bg-accent text-white dark:text-black',
};

const labels: Record<Stage, string> = {
  production: 'PRODUCTION',
  staging: 'Staging',
  local: 'Local (embedded platform)',
};

/** The environment and region, shown at all times; production is unmistakable. */
export function EnvironmentBanner({ stage, region, backend }: { stage: Stage; region: string; backend: string }) {
  return (
    <div
      role="status"
      aria-label={`Environment ${labels[stage]}, region ${region}`}
      className={`flex items-center justify-between px-4 py-1 text-xs font-semibold tracking-wide ${styles[stage]}`}
    >
      <span>{labels[stage]}</span>
      <span>
        {region} · {backend} backend
      </span>
    </div>
  );
}
