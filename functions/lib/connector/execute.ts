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
  type RequestMetadata,
  MAX_SHARED_FILE_BYTES,
} from '../liveperson/connector.ts';
import type { FileStorage } from '../liveperson/file-storage.ts';
import { isApiErrorStatus } from '../liveperson/errors.ts';
import type { CommandSuccess, ConnectorCommand, OpenOptions, RoutingInput, SkipReason } from './commands.ts';
import { fileProblems, sharedFileOf } from './files.ts';
import { InvalidCommandError } from './commands.ts';
import type { ConsumerConversations, FileSource } from './ports.ts';

/** Routing of conversations opened without one in the command; LivePerson's "any skill" when unset. */
export interface RoutingDefaults {
  readonly skillId?: string;
  readonly campaignId?: string;
  readonly engagementId?: string;
}

export const ANY_SKILL = '-1';

export interface ExecutionDependencies {
  readonly connector: Pick<
    ConnectorClient,
    'openConversation' | 'publish' | 'closeConversation' | 'setUserProfile' | 'requestUploadUrl' | 'requestDownloadUrl'
  >;
  /** LivePerson's file storage, for sendFile and getFileUrl. */
  readonly files: Pick<FileStorage, 'upload' | 'signedUrl'>;
  /** Where a sendFile's `file.url` is read from. */
  readonly fileSource: FileSource;
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
    case 'sendFile':
      applied = await sendFile(command, conversation, deps, options);
      break;
    case 'getFileUrl': {
      const grant = await deps.connector.requestDownloadUrl(command.consumerId, command.relativePath, options);
      const url = await deps.files.signedUrl(grant, options);
      applied = { openedConversation: false, file: { url, expiresAt: new Date(grant.tempUrlExpires * 1000).toISOString() } };
      break;
    }
    case 'sendClick':
      applied = await conversation.click(command.sequence, command.click, command.dialogId);
      break;
    case 'updateProfile':
      applied = await conversation.updateProfile(command.sdes);
      break;
  }
  return { ok: true, commandId: command.commandId, type: command.type, consumerId: command.consumerId, ...applied };
}

function textEvent(message: string): ConversationEvent {
  return { type: 'ContentEvent', contentType: 'text/plain', message };
}

/**
 * Uploads the file to LivePerson's storage and publishes it. The upload needs a fresh signed URL
 * (valid about a minute): one that expired on the way (storage answers 401) is asked for once more.
 */
async function sendFile(
  command: Extract<ConnectorCommand, { type: 'sendFile' }>,
  conversation: ConsumerConversation,
  deps: ExecutionDependencies,
  options: CallOptions,
): Promise<Applied> {
  // The brand's object first: a file that cannot be sent is refused before anything reaches LivePerson.
  const data =
    'base64' in command.file
      ? Buffer.from(command.file.base64, 'base64')
      : await deps.fileSource.read(command.file.url, { maxBytes: MAX_SHARED_FILE_BYTES, deadline: options.deadline });
  if ('url' in command.file) {
    const problems = fileProblems(data, command.fileType, 'file.url');
    if (problems.length > 0) throw new InvalidCommandError(problems);
  }
  const file = sharedFileOf(data, command);
  // The conversation first: LivePerson's file flow uploads into an open conversation.
  const opened = await conversation.ensureOpen(command.open ?? {});
  const upload = async () => {
    const grant = await deps.connector.requestUploadUrl(
      command.consumerId,
      { fileSize: file.data.byteLength, fileType: file.fileType },
      options,
    );
    await deps.files.upload(grant, file, options);
    return grant;
  };
  let grant;
  try {
    grant = await upload();
  } catch (error) {
    if (!isApiErrorStatus(error, 401, 'LivePerson storage upload')) throw error;
    grant = await upload();
  }
  const event: ConversationEvent = {
    type: 'ContentEvent',
    contentType: 'hosted/file',
    message: {
      relativePath: grant.relativePath,
      fileType: file.fileType,
      ...(command.caption === undefined ? {} : { caption: command.caption }),
      ...(file.preview === undefined ? {} : { preview: file.preview }),
    },
  };
  const published = await conversation.publish(event, { openWith: command.open ?? {} });
  return { ...published, openedConversation: opened.openedConversation || published.openedConversation, relativePath: grant.relativePath };
}

/** A conversation the connector knows for the consumer, with its survey's dialog while one runs. */
interface KnownConversation {
  readonly conversationId: string;
  readonly surveyDialogId?: string;
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

  /**
   * The open conversation, if the connector knows one; a closed one is forgotten on the way. While a
   * post-conversation survey runs, the main dialog is closed but the conversation is not: it is
   * current, with the survey's dialog.
   */
  async current(): Promise<KnownConversation | undefined> {
    const { conversations } = this.#deps;
    const conversationId = await conversations.openConversationId(this.#consumerId);
    if (conversationId === undefined) return undefined;
    const view = await conversations.conversationState(conversationId);
    if (view?.state === 'CLOSE') {
      if (view.surveyDialogId !== undefined) return { conversationId, surveyDialogId: view.surveyDialogId };
      await conversations.forgetOpenConversation(this.#consumerId, conversationId);
      return undefined;
    }
    return { conversationId };
  }

  /**
   * The open conversation, reused when there is one (LivePerson keeps one open conversation per
   * consumer), else a new one opened with the given profile and routing.
   */
  async ensureOpen(openWith: OpenOptions): Promise<Applied> {
    const existing = await this.current();
    if (existing !== undefined) return { conversationId: existing.conversationId, openedConversation: false };
    return { conversationId: await this.#open(openWith, undefined), openedConversation: true };
  }

  /** A tap on a quick reply or button: ACTION with its metadata, then a publishText action's text with the same metadata. */
  async click(
    sequence: number,
    click: {
      readonly actions?: ReadonlyArray<{ type: string; text?: string | undefined }>;
      readonly metadata?: readonly RequestMetadata[];
    },
    dialogId: string | undefined,
  ): Promise<Applied> {
    const metadata = click.metadata ?? [];
    const target = { metadata, ...(dialogId === undefined ? {} : { dialogId }) };
    const action = await this.publish({ type: 'AcceptStatusEvent', status: 'ACTION', sequenceList: [sequence] }, target);
    const text = click.actions?.find((candidate) => candidate.type === 'publishText' && candidate.text !== undefined)?.text;
    if (action.skipped !== undefined || text === undefined || text.trim() === '') return action;
    // Into the same dialog the ACTION went to, even if that was closed since (then this one is skipped too).
    const published = await this.publish(textEvent(text), {
      metadata,
      ...(action.conversationId === undefined ? {} : { conversationId: action.conversationId }),
      dialogId: action.dialogId ?? action.conversationId,
    });
    return published.skipped === undefined ? published : action;
  }

  /** SDEs for the consumer's profile, into the open conversation; none open: nothing to update. */
  async updateProfile(sdes: ReadonlyArray<Readonly<Record<string, unknown>>>): Promise<Applied> {
    const existing = await this.current();
    if (existing === undefined) return skipped('no-open-conversation');
    await this.#deps.connector.setUserProfile(this.#consumerId, sdes, this.#options);
    return { conversationId: existing.conversationId, openedConversation: false };
  }

  /**
   * Publishes the event into the consumer's conversation (or the given one). With `openWith`, a consumer
   * without an open conversation gets one; without it, the event is skipped (typing or read receipts
   * mean nothing outside a conversation).
   */
  async publish(
    event: ConversationEvent,
    target: { openWith?: OpenOptions; conversationId?: string; dialogId?: string; metadata?: readonly RequestMetadata[] },
  ): Promise<Applied> {
    const { connector } = this.#deps;
    // A conversation named by the command is the current one's view (its survey dialog) when it is the one the connector knows.
    const current = await this.current();
    const known: KnownConversation | undefined =
      target.conversationId === undefined || current?.conversationId === target.conversationId
        ? current
        : { conversationId: target.conversationId };
    let conversationId = known?.conversationId;
    // A survey's dialog takes the consumer's answers (text, taps, read receipts), not typing indicators.
    const dialogId = target.dialogId ?? known?.surveyDialogId;
    if (dialogId !== undefined && dialogId !== conversationId && event.type === 'ChatStateEvent') {
      return { ...skipped('in-survey'), ...(conversationId === undefined ? {} : { conversationId }), dialogId };
    }
    let openedConversation = false;
    if (conversationId === undefined) {
      if (target.openWith === undefined) return skipped('no-open-conversation');
      conversationId = await this.#open(target.openWith, undefined);
      openedConversation = true;
    }
    const into = dialogId !== undefined && dialogId !== conversationId ? dialogId : undefined;
    try {
      const { sequence } = await connector.publish(this.#consumerId, conversationId, event, {
        ...this.#options,
        ...(into === undefined ? {} : { dialogId: into }),
        ...(target.metadata === undefined ? {} : { metadata: target.metadata }),
      });
      return withSequence({ conversationId, openedConversation, ...(into === undefined ? {} : { dialogId: into }) }, sequence);
    } catch (error) {
      if (!isConversationClosedError(error)) throw error;
      await this.#deps.conversations.forgetOpenConversation(this.#consumerId, conversationId);
      // A tap or read receipt belongs to the conversation it was for: never carried over to a new one.
      if (target.openWith === undefined || target.dialogId !== undefined || target.metadata !== undefined) {
        return { ...skipped('conversation-closed'), conversationId, ...(into === undefined ? {} : { dialogId: into }) };
      }
      // Closed before we knew (the agent, or auto-close, ahead of its notification): a new one, and one more try.
      const replacedConversationId = conversationId;
      conversationId = await this.#open(target.openWith, replacedConversationId);
      const { sequence } = await connector.publish(this.#consumerId, conversationId, event, this.#options);
      return withSequence({ conversationId, openedConversation: true, replacedConversationId }, sequence);
    }
  }

  async close(): Promise<Applied> {
    const existing = await this.current();
    if (existing === undefined) return skipped('no-open-conversation');
    const { conversationId } = existing;
    try {
      // During a survey the main dialog is closed already: ending the conversation ends the survey too.
      await this.#deps.connector.closeConversation(this.#consumerId, conversationId, {
        ...this.#options,
        ...(existing.surveyDialogId === undefined ? {} : { wholeConversation: true }),
      });
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
