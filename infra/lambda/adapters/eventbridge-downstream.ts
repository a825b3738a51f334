/**
 * The saga's Downstream on EventBridge: settlement, void and notification requests are
 * published to the platform bus (source `ledgerline.saga`) for the payment-network and
 * notification connectors, with the transaction id as their idempotency key. The reference
 * is derived from the transaction id, so a retried settle returns the same reference.
 * A rejected or throttled PutEvents is a TransientError (the step's retry policy applies).
 */
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  StepError,
  type Downstream,
  type NotificationRequest,
  type SettlementRequest,
  type SettlementVoidRequest,
} from '../../runtime/ports';
import { sagaErrors } from '../../saga/definition';

export const DOWNSTREAM_SOURCE = 'ledgerline.saga';

export class EventBridgeDownstream implements Downstream {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  private async publish(detailType: string, detail: Record<string, unknown>): Promise<void> {
    let failed: string | undefined;
    try {
      const r = await this.client.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: this.busName,
              Source: DOWNSTREAM_SOURCE,
              DetailType: detailType,
              Detail: JSON.stringify(detail),
            },
          ],
        }),
      );
      if ((r.FailedEntryCount ?? 0) > 0)
        failed = `${r.Entries?.[0]?.ErrorCode ?? 'unknown'}: ${r.Entries?.[0]?.ErrorMessage ?? ''}`;
    } catch (e) {
      throw new StepError(sagaErrors.transient, `${detailType} could not be published: ${(e as Error).message}`);
    }
    if (failed) throw new StepError(sagaErrors.transient, `${detailType} rejected by the bus (${failed})`);
  }

  async settle(req: SettlementRequest): Promise<{ reference: string }> {
    const reference = `stl-${req.transactionId}`;
    await this.publish('SettlementRequested', { ...req, reference, idempotencyKey: req.transactionId });
    return { reference };
  }

  async voidSettlement(req: SettlementVoidRequest): Promise<void> {
    await this.publish('SettlementVoidRequested', { ...req, idempotencyKey: req.transactionId });
  }

  async notify(req: NotificationRequest): Promise<void> {
    await this.publish('CustomerNotificationRequested', { ...req, idempotencyKey: req.transactionId });
  }
}
