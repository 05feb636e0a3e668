/**
 * The connector's command format: what a brand puts on the outbound queue or passes to a direct
 * invocation, and what comes back. One JSON object per command, validated here before anything is sent.
 */
import * as z from '#contract/zod.ts';
import { IntegrationError } from '../errors.ts';
import { CHAT_STATES, MAX_FILE_PREVIEW_BYTES, SHAREABLE_FILE_TYPES, TTR_DEF_NAMES } from '../liveperson/connector.ts';
import { withoutDigits } from '../log-mask.ts';
import { fileProblems } from './files.ts';

/**
 * The command's idempotency key, also the SQS MessageDeduplicationId, so it follows SQS's rule:
 * 1 to 128 characters, letters, digits and punctuation (ASCII 0x21 to 0x7E).
 */
export const commandIdSchema = z
  .string({ error: (issue) => (issue.input === undefined ? 'commandId is required' : 'commandId must be a string') })
  .check(z.minLength(1, 'commandId is empty'))
  .check(z.maxLength(128, 'commandId is longer than 128 characters'))
  .check(z.regex(/^[\x21-\x7E]+$/, 'commandId may hold only letters, digits and punctuation (no spaces), as an SQS deduplication id'));

const idString = (name: string) =>
  z.pipe(
    z.pipe(
      z.union([z.string(), z.number().check(z.int()).check(z.nonnegative())], { error: `${name} must be a string or a whole number` }),
      z.transform(String),
    ),
    z
      .string()
      .check(z.trim())
      .check(z.minLength(1, `${name} is empty`))
      .check(z.maxLength(64, `${name} is longer than 64 characters`)),
  );

/** Routing of a new conversation: a campaign's engagement, a skill (`"-1"` = any skill), or both. */
export const routingSchema = z
  .strictObject({
    skillId: z.optional(idString('routing.skillId')),
    campaignId: z.optional(idString('routing.campaignId')),
    engagementId: z.optional(idString('routing.engagementId')),
  })
  .check(
    z.refine((r) => (r.campaignId === undefined) === (r.engagementId === undefined), 'routing needs campaignId and engagementId together'),
  )
  .check(
    z.refine((r) => r.skillId !== undefined || r.campaignId !== undefined, 'routing needs a skillId or a campaignId with an engagementId'),
  );
export type RoutingInput = z.infer<typeof routingSchema>;

/** The SDE types the Connector API takes (Customer Info and Personal Info). */
export const PROFILE_SDE_TYPES = ['ctmrinfo', 'personal'] as const;

const profileSdeSchema = z
  .looseObject({
    type: z.enum(PROFILE_SDE_TYPES, {
      error: 'each SDE must be of type ctmrinfo or personal: the only ones the Connector API takes',
    }),
  })
  .check(
    z.refine(
      (sde) => !(sde.type === 'ctmrinfo' && typeof sde.info === 'object' && sde.info !== null && 'customerId' in sde.info),
      'ctmrinfo.info.customerId marks a conversation as authenticated and LivePerson refuses it on messaging: leave it out',
    ),
  );

/** How to open a conversation: used by openConversation, and by sendText when the consumer has none open. */
const openFields = {
  sdes: z.optional(z.array(profileSdeSchema).check(z.maxLength(50, 'at most 50 SDEs'))),
  routing: z.optional(routingSchema),
  ttrDefName: z.optional(z.enum(TTR_DEF_NAMES)),
};
export const openOptionsSchema = z.strictObject(openFields);
export type OpenOptions = z.infer<typeof openOptionsSchema>;

const text = (name: string) =>
  z.string({ error: `${name} must be a string` }).check(z.refine((value) => value.trim() !== '', `${name} is empty`));

/** The brand's id for the consumer: LivePerson's ext_consumer_id (the IdP's limits). */
export const consumerIdSchema = z
  .string({ error: (issue) => (issue.input === undefined ? 'consumerId is required' : 'consumerId must be a string') })
  .check(z.trim())
  .check(z.minLength(1, 'consumerId is empty'))
  .check(z.maxLength(256, 'consumerId is longer than 256 characters'));

const base = { commandId: commandIdSchema, consumerId: consumerIdSchema };

export const openConversationSchema = z.strictObject({
  type: z.literal('openConversation'),
  ...base,
  ...openFields,
  /** Sent as the consumer's first message once the conversation is open. */
  firstMessage: z.optional(text('firstMessage')),
});

export const sendTextSchema = z.strictObject({
  type: z.literal('sendText'),
  ...base,
  text: text('text'),
  /** Profile and routing for the conversation opened when the consumer has none open (defaults otherwise). */
  open: z.optional(openOptionsSchema),
});

export const sendTypingSchema = z.strictObject({
  type: z.literal('sendTyping'),
  ...base,
  chatState: z._default(z.enum(CHAT_STATES), 'COMPOSING'),
});

export const markReadSchema = z.strictObject({
  type: z.literal('markRead'),
  ...base,
  sequenceList: z
    .array(z.int().check(z.nonnegative()), { error: 'sequenceList must be a list of sequence numbers' })
    .check(z.minLength(1, 'sequenceList is empty'))
    .check(z.maxLength(100)),
  /** The conversation the sequences belong to; default: the consumer's open conversation. */
  conversationId: z.optional(z.string().check(z.trim()).check(z.minLength(1)).check(z.maxLength(128))),
  status: z._default(z.enum(['READ', 'ACCEPT']), 'READ'),
});

export const closeConversationSchema = z.strictObject({
  type: z.literal('closeConversation'),
  ...base,
});

/**
 * Amazon S3's own endpoints, virtual-hosted and path style: `s3`, `s3-<region>`, `s3-accelerate`,
 * `s3-external-1` or `s3-fips`, then only region, `dualstack` or `fips` labels. Other AWS hosts
 * (load balancers, EC2 names, VPC endpoints) do not pass.
 */
const S3_HOST =
  /^(?:[a-z0-9][a-z0-9.-]*\.)?s3(?:-accelerate|-external-1|-fips|-[a-z]{2}(?:-gov)?-[a-z]+-\d)?(?:\.(?:dualstack|fips|[a-z]{2}(?:-gov)?-[a-z]+-\d))*\.amazonaws\.com(?:\.cn)?$/;

function isS3HttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.port === '' && url.username === '' && S3_HOST.test(url.hostname);
  } catch {
    return false;
  }
}

/** Base64 text of a file, standard or URL-safe alphabet, padding optional. */
const BASE64 = /^(?:[A-Za-z0-9+/_-]{4})*(?:[A-Za-z0-9+/_-]{2,3}={0,2})?$/;

export const sendFileSchema = z.strictObject({
  type: z.literal('sendFile'),
  ...base,
  file: z.union(
    [
      z.strictObject({
        /** The file's bytes in base64 (at most 3 MB once decoded; a command on the queue holds at most 252 KiB). */
        base64: z
          .string({ error: 'file.base64 must be the file in base64' })
          .check(z.minLength(1, 'file.base64 is empty'))
          .check(z.refine((value) => BASE64.test(value.replace(/\s+/g, '')), 'file.base64 is not base64')),
      }),
      z.strictObject({
        /** A presigned S3 GET URL of the brand's object (`aws s3 presign`): the connector needs no access to the bucket. */
        url: z
          .string({ error: 'file.url must be a presigned S3 URL' })
          .check(z.maxLength(4096, 'file.url is longer than 4096 characters'))
          .check(z.refine(isS3HttpsUrl, 'file.url must be an https URL of Amazon S3 (a presigned GET URL of your object)')),
      }),
    ],
    { error: 'file must be {"base64": "..."} or {"url": "<presigned S3 URL>"}' },
  ),
  /** JPG, JPEG, PNG or GIF; default: what the file's first bytes say it is. */
  fileType: z.optional(z.enum(SHAREABLE_FILE_TYPES, { error: `fileType must be one of ${SHAREABLE_FILE_TYPES.join(', ')}` })),
  caption: z.optional(z.string().check(z.maxLength(1000, 'caption is longer than 1000 characters'))),
  /** A thumbnail as a data URL (`data:image/png;base64,...`) of at most 30 KB; default: the image itself when that small. */
  preview: z.optional(
    z
      .string()
      .check(z.regex(/^data:image\/(png|jpeg|gif);base64,/, 'preview must be a data URL of a PNG, JPEG or GIF image'))
      .check(z.maxLength(MAX_FILE_PREVIEW_BYTES, `preview is larger than ${MAX_FILE_PREVIEW_BYTES / 1024} KB`)),
  ),
  /** Profile and routing for the conversation opened when the consumer has none open. */
  open: z.optional(openOptionsSchema),
});

/** A signed download URL for a file of the consumer's conversation (one an agent shared, say). */
export const getFileUrlSchema = z.strictObject({
  type: z.literal('getFileUrl'),
  ...base,
  relativePath: z
    .string({ error: "relativePath must be the file's relativePath from its hosted/file event" })
    .check(z.regex(/^\/[^\s?#]+$/, 'relativePath must be a path starting with "/", as the hosted/file event gives it'))
    .check(z.maxLength(1024, 'relativePath is longer than 1024 characters')),
});

/** Request metadata as LivePerson sent it with a button or quick reply (ExternalId, a survey's Answer...). */
const metadataSchema = z.looseObject({ type: z.string({ error: 'each metadata entry needs a type' }).check(z.minLength(1)) });
const clickActionSchema = z.looseObject({ type: z.string(), text: z.optional(z.string()) });

/**
 * The consumer tapped a quick reply or a structured-content button: `click` is that button's `click`
 * object as LivePerson sent it (its `actions` and `metadata`), `sequence` the message it came with.
 * Sent as LivePerson asks consumers to: an AcceptStatusEvent ACTION with the metadata, then, for a
 * publishText action, its text with the same metadata. In a post-conversation survey this is the answer.
 */
export const sendClickSchema = z.strictObject({
  type: z.literal('sendClick'),
  ...base,
  sequence: z.int({ error: 'sequence must be the sequence number of the message the button came with' }).check(z.nonnegative()),
  click: z
    .looseObject({
      actions: z.optional(z.array(clickActionSchema).check(z.maxLength(4, 'click.actions holds at most 4 actions'))),
      metadata: z.optional(z.array(metadataSchema).check(z.maxLength(10, 'click.metadata holds at most 10 entries'))),
    })
    .check(
      z.refine(
        (click) => (click.metadata?.length ?? 0) > 0 || (click.actions ?? []).some((action) => action.type === 'publishText'),
        'click has neither metadata nor a publishText action: nothing would tell LivePerson what was tapped',
      ),
    ),
  /** The dialog the button came from, when it is not the open one (the survey's, say). */
  dialogId: z.optional(z.string().check(z.trim()).check(z.minLength(1)).check(z.maxLength(128))),
});

/** Engagement attributes for the consumer during the conversation: shown to the agent, used for routing and reports. */
export const updateProfileSchema = z.strictObject({
  type: z.literal('updateProfile'),
  ...base,
  sdes: z
    .array(profileSdeSchema, { error: 'sdes must be a list of SDEs, e.g. [{"type": "personal", "personal": {"firstname": "Ada"}}]' })
    .check(z.minLength(1, 'sdes is empty'))
    .check(z.maxLength(50, 'at most 50 SDEs')),
});

export const COMMAND_TYPES = [
  'openConversation',
  'sendText',
  'sendTyping',
  'markRead',
  'closeConversation',
  'sendFile',
  'getFileUrl',
  'sendClick',
  'updateProfile',
] as const;

export const connectorCommandSchema = z.discriminatedUnion(
  'type',
  [
    openConversationSchema,
    sendTextSchema,
    sendTypingSchema,
    markReadSchema,
    closeConversationSchema,
    sendFileSchema,
    getFileUrlSchema,
    sendClickSchema,
    updateProfileSchema,
  ],
  { error: `type must be one of ${COMMAND_TYPES.join(', ')}` },
);

/** A validated command, defaults applied. */
export type ConnectorCommand = z.infer<typeof connectorCommandSchema>;
/** What a brand writes: defaults may be left out. */
export type ConnectorCommandInput = z.input<typeof connectorCommandSchema>;
export type CommandType = ConnectorCommand['type'];

/** A command that can never be applied as given. The message lists every problem, never a value. */
export class InvalidCommandError extends IntegrationError {
  readonly retryable = false;
  readonly issues: readonly string[];

  constructor(issues: readonly string[]) {
    super(`invalid command: ${issues.join('; ')}`);
    this.name = 'InvalidCommandError';
    this.issues = issues;
  }
}

/** Validates a command given as an object or as JSON text (an SQS body). */
export function parseCommand(input: unknown): ConnectorCommand {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      throw new InvalidCommandError(['the message body is not JSON']);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidCommandError(['a command must be a JSON object with type, commandId and consumerId']);
  }
  const result = connectorCommandSchema.safeParse(value);
  if (!result.success) {
    // zod's messages here are ours and its paths are field names: no input value is echoed back, save
    // the names of unknown keys, which a brand may have made of a phone number (see unknownKeys).
    throw new InvalidCommandError(
      result.error.issues.map((issue) => {
        const message = issue.code === 'unrecognized_keys' ? unknownKeys(issue.keys) : issue.message;
        return issue.path.length > 0 ? `${issue.path.join('.')}: ${message}` : message;
      }),
    );
  }
  // The file's bytes: decoded and checked here, so a bad file is refused before any call.
  if (result.data.type === 'sendFile' && 'base64' in result.data.file) {
    const problems = fileProblems(Buffer.from(result.data.file.base64, 'base64'), result.data.fileType);
    if (problems.length > 0) throw new InvalidCommandError(problems);
  }
  return result.data;
}

const MAX_KEYS_NAMED = 5;
const MAX_KEY_NAME_LENGTH = 40;

/**
 * zod's "Unrecognized keys" message repeats each name as sent. Here a name's digits (however written:
 * full-width, percent-encoded) show as "#", so a key named like "+14155550100" is reported as
 * "+###########": the brand sees which key is wrong, the log never holds the number.
 */
function unknownKeys(keys: readonly string[]): string {
  const shown = keys.slice(0, MAX_KEYS_NAMED).map((key) => withoutDigits(key));
  const named = shown.map((name) => JSON.stringify(name.slice(0, MAX_KEY_NAME_LENGTH))).join(', ');
  const more = keys.length > MAX_KEYS_NAMED ? ` and ${keys.length - MAX_KEYS_NAMED} more` : '';
  const hint = shown.some((name, i) => name !== keys[i]) ? ' (digits in a name are shown as #)' : '';
  return `unknown field${keys.length === 1 ? '' : 's'} ${named}${more}${hint}`;
}

/** What a command's fields say about it before validation, for logs and error results of invalid ones. */
export function describeRawCommand(input: unknown): { commandId?: string; type?: string; consumerId?: string } {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      return {};
    }
  }
  if (typeof value !== 'object' || value === null) return {};
  const record = value as Record<string, unknown>;
  const pick = (key: string) => {
    const field = record[key];
    return typeof field === 'string' && field.length <= 256 ? field : undefined;
  };
  const described: { commandId?: string; type?: string; consumerId?: string } = {};
  const commandId = pick('commandId');
  const type = pick('type');
  const consumerId = pick('consumerId');
  if (commandId !== undefined) described.commandId = commandId;
  if (type !== undefined) described.type = type;
  if (consumerId !== undefined) described.consumerId = consumerId;
  return described;
}

// Results --------------------------------------------------------------------------------------

/** Why nothing was sent although the command succeeded. */
export type SkipReason =
  | 'no-open-conversation'
  | 'conversation-closed'
  /** Typing into a post-conversation survey: the survey's dialog takes no chat states. */
  | 'in-survey';

export interface CommandSuccess {
  readonly ok: true;
  readonly commandId: string;
  readonly type: CommandType;
  readonly consumerId: string;
  /** The conversation the command went to (absent when skipped with none open). */
  readonly conversationId?: string;
  /** A new conversation was opened for this command. */
  readonly openedConversation: boolean;
  /** The closed conversation that the new one replaced (LivePerson said it was closed). */
  readonly replacedConversationId?: string;
  /** LivePerson's sequence number of the published event (text and first message). */
  readonly sequence?: number;
  /** Set when the command needed no call: typing or read with no open conversation, close of a closed one. */
  readonly skipped?: SkipReason;
  /** The dialog the event went to when it was not the main one (a post-conversation survey's). */
  readonly dialogId?: string;
  /** sendFile: where the file is in LivePerson's storage, as the agent's hosted/file event names it. */
  readonly relativePath?: string;
  /** getFileUrl: the signed URL, valid until expiresAt (about a minute): fetch it at once, never log it. */
  readonly file?: { readonly url: string; readonly expiresAt: string };
  /** The command was already applied: this is the stored result of that run, and nothing was sent again. */
  readonly duplicate?: true;
}

export type CommandErrorCode =
  /** The command breaks the format: fix it; never retried. */
  | 'INVALID_COMMAND'
  /** LivePerson refused it (HTTP 400 other than a closed conversation): never retried. */
  | 'REJECTED_BY_LIVEPERSON'
  /** The commandId was used before for a different command: never retried. */
  | 'COMMAND_ID_REUSED'
  /** The same commandId is being applied by another invocation right now: retry later. */
  | 'IN_PROGRESS'
  /** LivePerson, AWS or the configuration failed for now: retry later with the same commandId. */
  | 'TEMPORARY_FAILURE';

export interface CommandFailure {
  readonly ok: false;
  readonly commandId?: string;
  readonly type?: string;
  readonly consumerId?: string;
  readonly error: {
    readonly code: CommandErrorCode;
    readonly message: string;
    /** Whether the same command may succeed when sent again later (with the same commandId). */
    readonly retryable: boolean;
    /** For INVALID_COMMAND: one entry per problem, naming the field. */
    readonly issues?: readonly string[];
  };
}

export type CommandOutcome = CommandSuccess | CommandFailure;
