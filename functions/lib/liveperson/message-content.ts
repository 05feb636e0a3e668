/**
 * What a ContentEvent carries, told apart by its `contentType`. LivePerson sends the `message` as
 * a string only for text; a shared file, an external file or a secure form comes as an object
 * (https://developers.liveperson.com/connector-api-send-api-examples.html). The raw `message`
 * stays on the event as sent; `content` is the typed reading of it, so a handler can switch on
 * `content.kind` instead of guessing from the shape.
 */
import * as z from '#contract/zod.ts';
import { jsonObject } from './values.ts';

export const HOSTED_FILE_CONTENT_TYPE = 'hosted/file';
export const EXTERNAL_FILE_CONTENT_TYPE = 'externalFile';
export const SECURE_FORM_INVITATION_CONTENT_TYPE = 'forms/secure-invitation';
export const SECURE_FORM_SUBMISSION_CONTENT_TYPE = 'forms/secure-submission';

export type MessageContent =
  /** `text/plain` and any other content type whose message is a string (`text/html`, ...). */
  | { readonly kind: 'text'; readonly text: string }
  /**
   * A file kept in LivePerson's storage (`hosted/file`). `relativePath` is what the Connector API's
   * download-URL request takes; `preview` is a small base64 image LivePerson shows for images.
   */
  | {
      readonly kind: 'hostedFile';
      readonly caption: string | undefined;
      readonly relativePath: string;
      readonly fileType: string;
      readonly preview: string | undefined;
    }
  /** A file shared as a link to storage outside LivePerson (`externalFile`). */
  | { readonly kind: 'externalFile'; readonly caption: string | undefined; readonly uri: string; readonly fileType: string | undefined }
  /** An agent invites the consumer to fill a secure form (`forms/secure-invitation`). */
  | {
      readonly kind: 'secureFormInvitation';
      readonly invitationId: string;
      readonly title: string | undefined;
      readonly formId: string | undefined;
    }
  /** The consumer submitted the secure form of an invitation (`forms/secure-submission`). */
  | {
      readonly kind: 'secureFormSubmission';
      readonly invitationId: string;
      readonly submissionId: string | undefined;
      readonly formId: string | undefined;
    }
  /** An object message of a content type not listed above: kept as sent in the event's `message`. */
  | { readonly kind: 'other' };

export type MessageContentKind = MessageContent['kind'];

const optionalText = z.optional(z.string());
// Ids are strings in LivePerson's examples; a number is the same id, so both are accepted.
const idSchema = z.union([z.string().check(z.minLength(1)), z.pipe(z.number(), z.transform(String))]);

const hostedFileSchema = z.looseObject({
  caption: optionalText,
  relativePath: z.string().check(z.minLength(1)),
  fileType: z.string().check(z.minLength(1)),
  preview: optionalText,
});
const externalFileSchema = z.looseObject({ caption: optionalText, uri: z.string().check(z.minLength(1)), fileType: optionalText });
const formInvitationSchema = z.looseObject({ invitationId: idSchema, title: optionalText, formId: z.optional(idSchema) });
const formSubmissionSchema = z.looseObject({ invitationId: idSchema, submissionId: z.optional(idSchema), formId: z.optional(idSchema) });

/** The message of a ContentEvent as LivePerson sends it: a string, or an object for files and forms. */
export const contentMessageSchema = z.union([z.string(), z.record(z.string(), z.unknown())]);

const OBJECT_CONTENT_TYPES: ReadonlySet<string> = new Set([
  HOSTED_FILE_CONTENT_TYPE,
  EXTERNAL_FILE_CONTENT_TYPE,
  SECURE_FORM_INVITATION_CONTENT_TYPE,
  SECURE_FORM_SUBMISSION_CONTENT_TYPE,
]);

/**
 * The typed reading of a ContentEvent's message. It never fails: a message that does not have the
 * fields its content type promises is `other` (the raw `message` is still on the event), because a
 * genuine event LivePerson sent is passed on rather than dead-lettered. A string message of an
 * object content type is read as the JSON object it holds, if it holds one.
 */
export function readMessageContent(contentType: string, message: string | Record<string, unknown>): MessageContent {
  if (typeof message === 'string') {
    if (!OBJECT_CONTENT_TYPES.has(contentType)) return { kind: 'text', text: message };
    const object = jsonObject(message);
    return object === undefined ? { kind: 'other' } : readMessageContent(contentType, object);
  }
  switch (contentType) {
    case HOSTED_FILE_CONTENT_TYPE: {
      const m = hostedFileSchema.safeParse(message);
      return m.success
        ? {
            kind: 'hostedFile',
            caption: m.data.caption,
            relativePath: m.data.relativePath,
            fileType: m.data.fileType,
            preview: m.data.preview,
          }
        : { kind: 'other' };
    }
    case EXTERNAL_FILE_CONTENT_TYPE: {
      const m = externalFileSchema.safeParse(message);
      return m.success ? { kind: 'externalFile', caption: m.data.caption, uri: m.data.uri, fileType: m.data.fileType } : { kind: 'other' };
    }
    case SECURE_FORM_INVITATION_CONTENT_TYPE: {
      const m = formInvitationSchema.safeParse(message);
      return m.success
        ? { kind: 'secureFormInvitation', invitationId: m.data.invitationId, title: m.data.title, formId: m.data.formId }
        : { kind: 'other' };
    }
    case SECURE_FORM_SUBMISSION_CONTENT_TYPE: {
      const m = formSubmissionSchema.safeParse(message);
      return m.success
        ? { kind: 'secureFormSubmission', invitationId: m.data.invitationId, submissionId: m.data.submissionId, formId: m.data.formId }
        : { kind: 'other' };
    }
    default:
      return { kind: 'other' };
  }
}
