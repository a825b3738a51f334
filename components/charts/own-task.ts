/**
 * Runs drawing work one job per browser task, in the order queued. A page with four charts
 * otherwise draws them all in the effects of one commit: a single long task that blocks input
 * (Lighthouse's Total Blocking Time counts each task's time over 50 ms), where four shorter
 * tasks let the browser answer a tap between them.
 */
const queue: (() => void)[] = [];
let scheduled = false;

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setTimeout(runNext, 0);
}

function runNext(): void {
  scheduled = false;
  const job = queue.shift();
  if (queue.length > 0) schedule();
  job?.();
}

/** Queues `job` to run in a task of its own; the returned function takes it off the queue if it has not run. */
export function inOwnTask(job: () => void): () => void {
  queue.push(job);
  schedule();
  return () => {
    const at = queue.indexOf(job);
    if (at >= 0) queue.splice(at, 1);
  };
}
