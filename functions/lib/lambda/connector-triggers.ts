/**
 * What invoked the connector: the outbound FIFO queue (an SQS event), an EventBridge rule (a brand's
 * event whose detail is a command, forwarded to the queue), or a direct invocation (the command itself).
 * Told apart by validating the event's shape; a command never has `Records` or `detail-type`.
 */
import type { Context, SQSEvent } from 'aws-lambda';
import { eventBridgeEventSchema, sqsEventSchema } from './aws-events.ts';
import type { InvocationTime } from '../connector/handle-command.ts';
import type { CommandEvent } from '../connector/ports.ts';

export type ConnectorInvocation =
  | { readonly kind: 'queue'; readonly event: SQSEvent }
  | { readonly kind: 'event-bridge'; readonly event: CommandEvent }
  | { readonly kind: 'direct'; readonly input: unknown };

export function classifyInvocation(event: unknown): ConnectorInvocation {
  if (sqsEventSchema.safeParse(event).success) return { kind: 'queue', event: event as SQSEvent };
  const bridged = eventBridgeEventSchema.safeParse(event);
  if (bridged.success) {
    const { id, source, detail } = bridged.data;
    return { kind: 'event-bridge', event: { id, source, detailType: bridged.data['detail-type'], detail } };
  }
  return { kind: 'direct', input: event };
}

/** Time kept after the last LivePerson attempt to record the outcome; no retry wait may eat into it. */
export const FINISH_MARGIN_MS = 1_500;

/** This invocation's deadline (its remaining time less the finish margin) and its remaining time, read from the context. */
export function invocationTime(context: Context): InvocationTime {
  return {
    deadline: Date.now() + context.getRemainingTimeInMillis() - FINISH_MARGIN_MS,
    remainingTimeMs: () => context.getRemainingTimeInMillis(),
  };
}
