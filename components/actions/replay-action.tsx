'use client';

import { useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { ProgressBar } from '@/components/ui/progress-bar';
import { can, type Role } from '@/server/auth/matrix.schema';
import { newIdempotencyKey } from './api';
import { affectedBy, invalidate } from './data/invalidate';
import { useReplayCancelMutation } from './data/replay-cancel-mutation';
import { useReplayPreviewMutation, type ReplayRequestBody } from './data/replay-preview-mutation';
import { useReplayStartMutation } from './data/replay-start-mutation';
import { terminalReplayStates, useReplayStatusQuery } from './data/replay-status-query';
import { presetWindow, type ReplayPreset } from './data/replay-window';
import {
  ActionError,
  buttonClass,
  inputClass,
  PendingApproval,
  ReasonTicketFields,
  secondaryButtonClass,
} from './fields';

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const toLocal = (iso: string) => iso.slice(0, 16);
const label = (p: ReplayPreset | 'custom') => (p === 'custom' ? 'Custom' : `Last ${p.replace('h', ' h')}`);

export interface ReplayActionProps {
  role: Role;
  archive: string;
  ingestionLagSeconds: number;
  initialPreset?: ReplayPreset | 'custom';
}

/**
 * Replay an archive window: one click ("Replay last 24 h") opens the form and previews the
 * preset; presets or custom, optional pattern, idempotency gate, then live progress and cancel.
 */
export function ReplayAction({ role, archive, ingestionLagSeconds, initialPreset = '24h' }: ReplayActionProps) {
  const [open, setOpen] = useState(false);
  const [preset, setPreset] = useState<ReplayPreset | 'custom'>(initialPreset);
  const [custom, setCustom] = useState(() => presetWindow('1h', Date.now(), ingestionLagSeconds));
  const [source, setSource] = useState('');
  const [detailType, setDetailType] = useState('');
  const [reason, setReason] = useState('');
  const [ticket, setTicket] = useState('');
  const key = useRef(newIdempotencyKey());
  const client = useQueryClient();
  const preview = useReplayPreviewMutation();
  const start = useReplayStartMutation();
  const cancel = useReplayCancelMutation();
  const outcome = start.data;
  const name = outcome?.status === 'started' ? outcome.result.name : null;
  const status = useReplayStatusQuery(name);
  const replay = status.data ?? (outcome?.status === 'started' ? outcome.result : null);
  const ended = replay ? terminalReplayStates.includes(replay.state) : false;

  useEffect(() => {
    if (ended) void invalidate(client, affectedBy.replay);
  }, [ended, client]);

  if (!can(role, 'archive.replay')) return null;

  function request(p: ReplayPreset | 'custom' = preset): ReplayRequestBody {
    const window = p === 'custom' ? custom : presetWindow(p, Date.now(), ingestionLagSeconds);
    const pattern =
      source || detailType
        ? { ...(source ? { source: list(source) } : {}), ...(detailType ? { detailType: list(detailType) } : {}) }
        : undefined;
    return { archive, window, ...(pattern ? { pattern } : {}) };
  }
  function choose(p: ReplayPreset | 'custom') {
    setPreset(p);
    preview.reset();
  }

  if (!open) {
    return (
      <button
        type="button"
        className={buttonClass}
        onClick={() => {
          setOpen(true);
          if (initialPreset !== 'custom') preview.mutate(request(initialPreset));
        }}
      >
        Replay {initialPreset === 'custom' ? 'events' : label(initialPreset).toLowerCase()}
      </button>
    );
  }
  const result = preview.data;
  return (
    <section
      aria-label={`Replay ${archive}`}
      className="flex flex-col gap-3 rounded border border-border bg-surface-raised p-4"
    >
      <fieldset className="flex flex-wrap items-end gap-2" disabled={!!outcome}>
        <legend className="mb-1 text-sm font-medium">
          Window (ends {Math.round(ingestionLagSeconds / 60)} min ago: archive ingestion lag)
        </legend>
        {(['1h', '6h', '24h', 'custom'] as const).map((p) => (
          <button
            key={p}
            type="button"
            aria-pressed={preset === p}
            onClick={() => choose(p)}
            className={preset === p ? buttonClass : secondaryButtonClass}
          >
            {label(p)}
          </button>
        ))}
        {preset === 'custom' ? (
          <>
            <label className="flex flex-col gap-1 text-sm">
              From (UTC)
              <input
                className={inputClass}
                type="datetime-local"
                value={toLocal(custom.start)}
                onChange={(e) => setCustom({ ...custom, start: `${e.target.value}:00.000Z` })}
              />
            </label>
            <label className="flex flex-col gap-1 text-sm">
              To (UTC)
              <input
                className={inputClass}
                type="datetime-local"
                value={toLocal(custom.end)}
                onChange={(e) => setCustom({ ...custom, end: `${e.target.value}:00.000Z` })}
              />
            </label>
          </>
        ) : null}
        <label className="flex flex-col gap-1 text-sm">
          Sources (optional)
          <input
            className={inputClass}
            value={source}
            onChange={(e) => setSource(e.target.value)}
            placeholder="transaction.processing"
          />
        </label>
        <label className="flex flex-col gap-1 text-sm">
          Detail types (optional)
          <input
            className={inputClass}
            value={detailType}
            onChange={(e) => setDetailType(e.target.value)}
            placeholder="TransactionSubmitted"
          />
        </label>
        <button
          type="button"
          className={secondaryButtonClass}
          onClick={() => preview.mutate(request())}
          disabled={preview.isPending}
        >
          {preview.isPending ? 'Previewing…' : 'Preview'}
        </button>
      </fieldset>
      {result ? (
        <div role="region" aria-label="Replay preview" className="text-sm">
          <p>
            <strong>{result.preview.count.toLocaleString('en-US')}</strong> matching events; of{' '}
            {result.preview.sample.length} sampled, {result.preview.sampleAlreadyApplied} already applied (the processor
            skips them: idempotent).
          </p>
          {result.refusal ? (
            <p role="alert" className="mt-1 text-danger">
              {result.refusal}
            </p>
          ) : null}
          {result.needsApproval ? (
            <p className="mt-1 text-warn">Replays into production need a second person&apos;s approval.</p>
          ) : null}
        </div>
      ) : null}
      {result && !result.refusal && !outcome ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            start.mutate({
              body: { ...request(), reason, ...(ticket ? { ticket } : {}) },
              idempotencyKey: key.current,
            });
          }}
          className="flex flex-col gap-2"
        >
          <ReasonTicketFields
            reason={reason}
            ticket={ticket}
            onReason={setReason}
            onTicket={setTicket}
            ticketRequired={result.needsApproval}
          />
          <button type="submit" className={`${buttonClass} self-start`} disabled={start.isPending}>
            Start replay of {result.preview.count.toLocaleString('en-US')} events
          </button>
        </form>
      ) : null}
      {outcome?.status === 'pending_approval' ? (
        <PendingApproval approvalId={outcome.approvalId} expiresAt={outcome.expiresAt} />
      ) : null}
      {replay ? (
        <div className="flex flex-col gap-2">
          <p role="status" className="text-sm">
            Replay {replay.state}: {replay.eventsReplayed.toLocaleString('en-US')} events replayed
          </p>
          <ProgressBar
            value={replay.eventsReplayed}
            total={replay.eventsTotal ?? result?.preview.count ?? null}
            label="Replay progress"
          />
          {!ended ? (
            <button
              type="button"
              className={`${secondaryButtonClass} self-start`}
              disabled={cancel.isPending}
              onClick={() => cancel.mutate({ name: replay.name, reason: reason || 'cancelled by operator' })}
            >
              Cancel replay
            </button>
          ) : null}
        </div>
      ) : null}
      <ActionError error={preview.error ?? start.error ?? cancel.error ?? status.error} />
    </section>
  );
}
