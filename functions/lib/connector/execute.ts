/**
 * Applies one validated command through the Connector API: finds the consumer's open conversation
 * (opening one when the command needs it), publishes the event, and replaces a conversation that
 * turned out to be closed. Knows no Lambda, queue or idempotency: the runner wraps it with those.
 *
 * Which conversation is open: the connector remembers the one it last opened for the consumer; the
 * processor's item for that conversation (from LivePerson's notifications) may say it was closed since.
 * No item yet means the notification was not processed yet, so the conversation is taken as open;
 * if LivePerson then answers that it is closed, a new one is opened and the send is made once more.
 */
import type { CallOptions } from '../liveperson/domains.ts';
import {
  isConversationClosedError,
  type ConnectorClient,
  type ConversationEvent,
  type ConversationRouting,
  type OpenConversationRequest,
} from '../liveperson/connector.ts';
import type { CommandSuccess, ConnectorCommand, OpenOptions, RoutingInput, SkipReason } from './commands.ts';
import type { ConsumerConversations } from './ports.ts';

/** Routing of conversations opened without one in the command; LivePerson's "any skill" when unset. */
export interface RoutingDefaults {
  readonly skillId?: string;
  readonly campaignId?: string;
  readonly engagementId?: string;
}

export const ANY_SKILL = '-1';

export interface ExecutionDependencies {
  readonly connector: Pick<ConnectorClient, 'openConversation' | 'publish' | 'closeConversation'>;
  readonly conversations: ConsumerConversations;
  readonly routingDefaults?: RoutingDefaults;
  /** Told about conversations opened and replaced, for logs and metrics. */
  readonly observer?: ExecutionObserver;
}

export interface ExecutionObserver {
  conversationOpened?(info: { consumerId: string; conversationId: string; replacedConversationId: string | undefined }): void;
}

type Applied = Omit<CommandSuccess, 'ok' | 'commandId' | 'type' | 'consumerId' | 'duplicate'>;

export async function executeCommand(
  command: ConnectorCommand,
  deps: ExecutionDependencies,
  options: CallOptions = {},
): Promise<CommandSuccess> {
  const conversation = new ConsumerConversation(command.consumerId, deps, options);
  let applied: Applied;
  switch (command.type) {
    case 'openConversation': {
      const openOptions = { sdes: command.sdes, routing: command.routing, ttrDefName: command.ttrDefName };
      if (command.firstMessage === undefined) {
        applied = await conversation.ensureOpen(openOptions);
      } else {
        applied = await conversation.publish(textEvent(command.firstMessage), { openWith: openOptions });
      }
      break;
    }
    case 'sendText':
      applied = await conversation.publish(textEvent(command.text), { openWith: command.open ?? {} });
      break;
    case 'sendTyping':
      applied = await conversation.publish({ type: 'ChatStateEvent', chatState: command.chatState }, {});
      break;
    case 'markRead':
      applied = await conversation.publish(
        { type: 'AcceptStatusEvent', status: command.status, sequenceList: command.sequenceList },
        command.conversationId === undefined ? {} : { conversationId: command.conversationId },
      );
      break;
    case 'closeConversation':
      applied = await conversation.close();
      break;
  }
  return { ok: true, commandId: command.commandId, type: command.type, consumerId: command.consumerId, ...applied };
}

function textEvent(message: string): ConversationEvent {
  return { type: 'ContentEvent', contentType: 'text/plain', message };
}

/** One command's view of a consumer's conversation: looked up once, opened or replaced as needed. */
class ConsumerConversation {
  readonly #consumerId: string;
  readonly #deps: ExecutionDependencies;
  readonly #options: CallOptions;

  constructor(consumerId: string, deps: ExecutionDependencies, options: CallOptions) {
    this.#consumerId = consumerId;
    this.#deps = deps;
    this.#options = options;
  }

  /** The open conversation, if the connector knows one; a closed one is forgotten on the way. */
  async current(): Promise<string | undefined> {
    const { conversations } = this.#deps;
    const conversationId = await conversations.openConversationId(this.#consumerId);
    if (conversationId === undefined) return undefined;
    if ((await conversations.conversationState(conversationId)) === 'CLOSE') {
      await conversations.forgetOpenConversation(this.#consumerId, conversationId);
      return undefined;
    }
    return conversationId;
  }

  /**
   * The open conversation, reused when there is one (LivePerson keeps one open conversation per
   * consumer), else a new one opened with the given profile and routing.
   */
  async ensureOpen(openWith: OpenOptions): Promise<Applied> {
    const existing = await this.current();
    if (existing !== undefined) return { conversationId: existing, openedConversation: false };
    return { conversationId: await this.#open(openWith, undefined), openedConversation: true };
  }

  /**
   * Publishes the event into the consumer's conversation (or the given one). With `openWith`, a consumer
   * without an open conversation gets one; without it, the event is skipped (typing or read receipts
   * mean nothing outside a conversation).
   */
  async publish(event: ConversationEvent, target: { openWith?: OpenOptions; conversationId?: string }): Promise<Applied> {
    const { connector } = this.#deps;
    let conversationId = target.conversationId ?? (await this.current());
    let openedConversation = false;
    if (conversationId === undefined) {
      if (target.openWith === undefined) return skipped('no-open-conversation');
      conversationId = await this.#open(target.openWith, undefined);
      openedConversation = true;
    }
    try {
      const { sequence } = await connector.publish(this.#consumerId, conversationId, event, this.#options);
      return withSequence({ conversationId, openedConversation }, sequence);
    } catch (error) {
      if (!isConversationClosedError(error)) throw error;
      await this.#deps.conversations.forgetOpenConversation(this.#consumerId, conversationId);
      if (target.openWith === undefined) return { ...skipped('conversation-closed'), conversationId };
      // Closed before we knew (the agent, or auto-close, ahead of its notification): a new one, and one more try.
      const replacedConversationId = conversationId;
      conversationId = await this.#open(target.openWith, replacedConversationId);
      const { sequence } = await connector.publish(this.#consumerId, conversationId, event, this.#options);
      return withSequence({ conversationId, openedConversation: true, replacedConversationId }, sequence);
    }
  }

  async close(): Promise<Applied> {
    const conversationId = await this.current();
    if (conversationId === undefined) return skipped('no-open-conversation');
    try {
      await this.#deps.connector.closeConversation(this.#consumerId, conversationId, this.#options);
    } catch (error) {
      // Already closed: the command's goal holds.
      if (!isConversationClosedError(error)) throw error;
      await this.#deps.conversations.forgetOpenConversation(this.#consumerId, conversationId);
      return { ...skipped('conversation-closed'), conversationId };
    }
    await this.#deps.conversations.forgetOpenConversation(this.#consumerId, conversationId);
    return { conversationId, openedConversation: false };
  }

  async #open(openWith: OpenOptions, replacedConversationId: string | undefined): Promise<string> {
    const request: OpenConversationRequest = {
      routing: toRouting(openWith.routing ?? this.#deps.routingDefaults),
      ...(openWith.sdes === undefined ? {} : { sdes: openWith.sdes }),
      ...(openWith.ttrDefName === undefined ? {} : { ttrDefName: openWith.ttrDefName }),
    };
    const conversationId = await this.#deps.connector.openConversation(this.#consumerId, request, this.#options);
    // Remembered at once: a retry after a later failure must find this conversation, not open another.
    await this.#deps.conversations.rememberOpenConversation(this.#consumerId, conversationId);
    this.#deps.observer?.conversationOpened?.({ consumerId: this.#consumerId, conversationId, replacedConversationId });
    return conversationId;
  }
}

function skipped(reason: SkipReason): Applied {
  return { openedConversation: false, skipped: reason };
}

function withSequence(applied: Applied, sequence: number | undefined): Applied {
  return sequence === undefined ? applied : { ...applied, sequence };
}

/** The command's routing, else the defaults; LivePerson's "any skill" when neither names one. */
export function toRouting(routing: RoutingInput | RoutingDefaults | undefined): ConversationRouting {
  const skillId = routing?.skillId;
  const campaignInfo =
    routing?.campaignId !== undefined && routing.engagementId !== undefined
      ? { campaignId: routing.campaignId, engagementId: routing.engagementId }
      : undefined;
  if (skillId === undefined && campaignInfo === undefined) return { skillId: ANY_SKILL };
  return { ...(skillId === undefined ? {} : { skillId }), ...(campaignInfo === undefined ? {} : { campaignInfo }) };
}
