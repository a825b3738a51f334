/** A loading placeholder; `label` is announced to screen readers. */
export function Skeleton({
  rows = 3,
  label = 'Loading',
  className = '',
}: {
  rows?: number;
  label?: string;
  className?: string;
}) {
  return (
    <div role="status" aria-label={label} aria-busy="true" className={`space-y-2 ${className}`}>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="h-6 animate-pulse rounded bg-border/50" />
      ))}
    </div>
  );
}
