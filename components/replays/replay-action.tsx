'use client';

import { useReducer, useState } from 'react';
import { useStartedResult } from '@/components/approvals/data/approval-query';
import { PendingOutcome } from '@/components/approvals/pending-approval';
import { affectedBy, useInvalidateWhen } from '@/components/providers/invalidate';
import { buttonClass, inputClass, ReasonTicketFields, secondaryButtonClass } from '@/components/ui/action-fields';
import { ActionPanel, PanelButton, TaskProgress, useActionRequest } from '@/components/ui/action-panel';
import { formatCount } from '@/components/ui/format';
import { can, type Role } from '@/infra/platform/roles';
import type { ReplayPreset } from '@/server/ops/replay-window.schema';
import { useReplayCancelMutation } from './data/replay-cancel-mutation';
import {
  initialReplayForm,
  replayFormReducer,
  replayRequest,
  replayStartBody,
  type ReplayFields,
} from './data/replay-form';
import { useReplayPreviewMutation } from './data/replay-preview-mutation';
import { useReplayStartMutation } from './data/replay-start-mutation';
import { terminalReplayStates, useReplayStatusQuery } from './data/replay-status-query';
import { noOptions, optionsBody, ReplayOptionsFields, type ReplayOptions } from './replay-options';
import { ReplayPreviewSummary } from './replay-preview-summary';

const toLocal = (iso: string) => iso.slice(0, 16);
const label = (p: ReplayPreset | 'custom') => (p === 'custom' ? 'Custom' : `Last ${p.replace('h', ' h')}`);

export interface ReplayActionProps {
  role: Role;
  archive: string;
  ingestionLagSeconds: number;
  initialPreset?: ReplayPreset | 'custom';
  /** The trigger as a secondary button (where a replay is not the page's first move, e.g. an alarm's). */
  secondary?: boolean;
}

/**
 * Replay an archive window: one click ("Replay last 24 h") opens the form and previews the
 * preset; presets or custom, optional pattern, idempotency gate, then live progress and cancel.
 * "Start replay" starts exactly the previewed request; any edit discards the preview.
 */
export function ReplayAction({
  role,
  archive,
  ingestionLagSeconds,
  initialPreset = '24h',
  secondary = false,
}: ReplayActionProps) {
  const [open, setOpen] = useState(false);
  const [options, setOptions] = useState<ReplayOptions>(noOptions);
  const [form, dispatch] = useReducer(replayFormReducer, null, () =>
    initialReplayForm(initialPreset, Date.now(), ingestionLagSeconds),
  );
  const request = useActionRequest<'trigger' | 'field' | 'status'>();
  const { focus, reason, ticket } = request;
  const preview = useReplayPreviewMutation();
  const start = useReplayStartMutation();
  const cancel = useReplayCancelMutation();
  const outcome = start.data;
  const started = useStartedResult(outcome);
  const status = useReplayStatusQuery(started?.name ?? null);
  const replay = status.data ?? started;
  const ended = replay ? terminalReplayStates.includes(replay.state) : false;

  useInvalidateWhen(ended, affectedBy.replay);

  if (!can(role, 'archive.replay')) return null;

  // Only the preview of the request now in the form counts (a late answer to an edited one does not).
  const result = form.previewed && preview.variables === form.previewed ? preview.data : undefined;

  function runPreview(fields: ReplayFields) {
    const body = replayRequest(fields, archive, Date.now(), ingestionLagSeconds);
    dispatch({ type: 'previewed', body });
    preview.mutate(body);
  }
  function edit(change: Partial<ReplayFields>) {
    dispatch({ type: 'edit', change });
    preview.reset();
  }
  function close() {
    setOpen(false);
    dispatch({ type: 'discard-preview' });
    preview.reset();
    start.reset();
    cancel.reset();
    request.renewKey();
    focus.focusNext('trigger');
  }

  if (!open) {
    return (
      <button
        ref={focus.target('trigger')}
        type="button"
        className={secondary ? secondaryButtonClass : buttonClass}
        onClick={() => {
          setOpen(true);
          focus.focusNext('field');
          dispatch({ type: 'edit', change: { preset: initialPreset } });
          if (initialPreset !== 'custom') runPreview({ ...form, preset: initialPreset });
        }}
      >
        Replay {initialPreset === 'custom' ? 'events' : label(initialPreset).toLowerCase()}
      </button>
    );
  }
  return (
    <ActionPanel label={`Replay ${archive}`} error={preview.error ?? start.error ?? cancel.error ?? status.error}>
      <fieldset className="flex flex-wrap items-end gap-2" disabled={!!outcome || start.isPending}>
        <legend className="mb-1 text-sm font-medium">
          Window (ends {Math.round(ingestionLagSeconds / 60)} min ago: archive ingestion lag)
        </legend>
        {(['1h', '6h', '24h', 'custom'] as const).map((p) => (
          <button
            key={p}
            ref={form.preset === p ? focus.target('field') : undefined}
            type="button"
            aria-pressed={form.preset === p}
            onClick={() => edit({ preset: p })}
            className={form.preset === p ? buttonClass : secondaryButtonClass}
          >
            {label(p)}
          </button>
        ))}
        {form.preset === 'custom' ? (
          <>
            <label className="flex flex-col gap-1 text-sm">
              From (UTC)
              <input
                className={inputClass}
                type="datetime-local"
                value={toLocal(form.custom.start)}
                onChange={(e) => edit({ custom: { ...form.custom, start: `${e.target.value}:00.000Z` } })}
              />
            </label>
            <label className="flex flex-col gap-1 text-sm">
              To (UTC)
              <input
                className={inputClass}
                type="datetime-local"
                value={toLocal(form.custom.end)}
                onChange={(e) => edit({ custom: { ...form.custom, end: `${e.target.value}:00.000Z` } })}
              />
            </label>
          </>
        ) : null}
        <label className="flex flex-col gap-1 text-sm">
          Sources (optional)
          <input
            className={inputClass}
            value={form.source}
            onChange={(e) => edit({ source: e.target.value })}
            placeholder="transaction.processing"
          />
        </label>
        <label className="flex flex-col gap-1 text-sm">
          Detail types (optional)
          <input
            className={inputClass}
            value={form.detailType}
            onChange={(e) => edit({ detailType: e.target.value })}
            placeholder="TransactionSubmitted"
          />
        </label>
        <button
          type="button"
          className={secondaryButtonClass}
          onClick={() => runPreview(form)}
          disabled={preview.isPending}
        >
          {preview.isPending ? 'Previewing…' : 'Preview'}
        </button>
      </fieldset>
      {result ? (
        <div role="region" aria-label="Replay preview" className="text-sm">
          <ReplayPreviewSummary preview={result.preview} />
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
      {!outcome ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (!form.previewed) return;
            start.mutate(
              {
                body: { ...replayStartBody(form.previewed, reason, ticket), ...optionsBody(options) },
                idempotencyKey: request.idempotencyKey(),
              },
              { onSuccess: () => focus.focusNext('status') },
            );
          }}
          className="flex flex-col gap-2"
        >
          {result && !result.refusal ? (
            <>
              <ReplayOptionsFields supports={result.preview.supports} value={options} onChange={setOptions} />
              <ReasonTicketFields {...request.fields} ticketRequired={result.needsApproval} />
              <button type="submit" className={`${buttonClass} self-start`} disabled={start.isPending}>
                Start replay of {formatCount(result.preview.count)} events
              </button>
            </>
          ) : null}
          <PanelButton onClick={close}>Close</PanelButton>
        </form>
      ) : null}
      <PendingOutcome outcome={outcome} ref={focus.target('status')} onClose={close} />
      {replay ? (
        <TaskProgress
          line={
            <>
              Replay {replay.state}: {formatCount(replay.eventsReplayed)} events replayed
            </>
          }
          statusRef={outcome?.status === 'started' ? focus.target('status') : undefined}
          value={replay.eventsReplayed}
          total={replay.eventsTotal ?? result?.preview.count ?? null}
          label="Replay progress"
        >
          {!ended ? (
            <PanelButton
              disabled={cancel.isPending}
              onClick={() => cancel.mutate({ name: replay.name, reason: reason || 'cancelled by operator' })}
            >
              Cancel replay
            </PanelButton>
          ) : outcome?.status === 'started' ? (
            <PanelButton onClick={close}>Close</PanelButton>
          ) : null}
        </TaskProgress>
      ) : null}
    </ActionPanel>
  );
}
