/**
 * What the console reads of the stack and does to it, beside the timeline: the conversations (as
 * LivePerson holds them in the simulator, and as the processor's state table has them) and the
 * faults its buttons inject.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { LivePersonSimulator } from '#simulator/index.ts';
import type { LocalDynamoDb } from '../dynamodb.ts';
import type { ConsoleFault } from './server.ts';

export interface ConversationView {
  readonly conversationId: string;
  readonly consumerId?: string;
  readonly state?: string;
  readonly stage?: string;
  readonly messages?: number;
  readonly lastMessage?: string;
  readonly updatedAt?: string;
  /** The processor's state-table item of the conversation (what it made of the notifications). */
  readonly processor?: Record<string, unknown>;
}

/** Every conversation either side knows, the most recently changed first. */
export async function conversationsView(
  simulator: LivePersonSimulator | undefined,
  dynamo: LocalDynamoDb,
  stateTable: string,
): Promise<ConversationView[]> {
  const processed = new Map<string, Record<string, unknown>>();
  let startKey: Record<string, never> | undefined;
  do {
    const page = await dynamo.client.send(new ScanCommand({ TableName: stateTable, ExclusiveStartKey: startKey }), {
      abortSignal: AbortSignal.timeout(5_000),
    });
    for (const item of page.Items ?? []) {
      const record = unmarshall(item);
      if (typeof record.conversationId === 'string') processed.set(record.conversationId, record);
    }
    startKey = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (startKey);

  const views: Array<ConversationView & { readonly order: number }> = [];
  for (const conversation of simulator?.connector.conversations() ?? []) {
    const last = conversation.messages.at(-1);
    const text = last?.event.type === 'ContentEvent' && typeof last.event.message === 'string' ? last.event.message : undefined;
    const processor = processed.get(conversation.conversationId);
    processed.delete(conversation.conversationId);
    views.push({
      conversationId: conversation.conversationId,
      consumerId: conversation.consumerId,
      state: conversation.state,
      stage: conversation.stage,
      messages: conversation.messages.length,
      ...(text === undefined ? {} : { lastMessage: `${last?.originator ?? '?'}: ${text}` }),
      updatedAt: new Date(conversation.metaDataLastUpdateTs).toISOString(),
      ...(processor ? { processor } : {}),
      order: Math.max(conversation.metaDataLastUpdateTs, last?.serverTimestamp ?? 0),
    });
  }
  // Known to the processor only (a real account, or a conversation the simulator no longer has).
  for (const [conversationId, processor] of processed) {
    const state = typeof processor.state === 'string' ? processor.state : undefined;
    const stage = typeof processor.stage === 'string' ? processor.stage : undefined;
    views.push({ conversationId, ...(state ? { state } : {}), ...(stage ? { stage } : {}), processor, order: 0 });
  }
  return views.sort((a, b) => b.order - a.order).map(({ order: _order, ...view }) => view);
}

/** The faults the console offers, applied: what each does, in a sentence for the timeline. */
export function applyFault(
  fault: ConsoleFault,
  stack: { simulator: LivePersonSimulator | undefined; sqsAvailable(available: boolean): void },
): string {
  const simulator = () => {
    if (!stack.simulator) throw new Error(`${fault} needs the simulator: this stack runs against a real LivePerson account`);
    return stack.simulator;
  };
  switch (fault) {
    case 'sqs-down':
      stack.sqsAvailable(false);
      return 'SQS is down for the functions: webhooks get 5xx (LivePerson redelivers), queued records wait';
    case 'sqs-up':
      stack.sqsAvailable(true);
      return 'SQS is back: redelivered webhooks and waiting records go through';
    case 'liveperson-5xx':
      simulator().fail({ status: 503, times: 3 });
      return 'LivePerson answers the next 3 requests with 503 (the client retries)';
    case 'liveperson-429':
      simulator().fail({ status: 429, times: 2 });
      return 'LivePerson answers the next 2 requests with 429 (the client backs off and retries)';
    case 'liveperson-slow':
      simulator().fail({ delayMs: 2_000, times: 3 });
      return 'LivePerson answers the next 3 requests 2 s late';
    case 'clear':
      stack.sqsAvailable(true);
      stack.simulator?.clearFaults();
      return 'every fault cleared: SQS up, LivePerson answers normally';
  }
}
