// executeCommand with a recording Connector API and an in-memory conversation store: what is sent,
// in which order and into which dialog, for the file, click, profile and survey paths.
import { beforeEach, describe, expect, it } from 'vitest';
import { parseCommand } from '#functions/lib/connector/commands.ts';
import { executeCommand, type ExecutionDependencies } from '#functions/lib/connector/execute.ts';
import { FileSourceError, type ConsumerConversations, type ConversationView } from '#functions/lib/connector/ports.ts';
import type { ConversationEvent, FileUrlGrant, PublishOptions } from '#functions/lib/liveperson/connector.ts';
import { LivePersonApiError } from '#functions/lib/liveperson/errors.ts';
import { PNG_1X1 } from '#test/support/images.ts';

type Call =
  | { op: 'open'; consumerId: string }
  | { op: 'publish'; conversationId: string; event: ConversationEvent; dialogId?: string; metadata?: unknown }
  | { op: 'close'; conversationId: string; wholeConversation?: boolean }
  | { op: 'profile'; sdes: unknown }
  | { op: 'uploadUrl'; fileSize: number; fileType: string }
  | { op: 'downloadUrl'; relativePath: string }
  | { op: 'upload'; relativePath: string; bytes: number }
  | { op: 'read'; url: string };

class MemoryConversations implements ConsumerConversations {
  readonly open = new Map<string, string>();
  readonly views = new Map<string, ConversationView>();
  async openConversationId(consumerId: string) {
    return this.open.get(consumerId);
  }
  async conversationState(conversationId: string) {
    return this.views.get(conversationId);
  }
  async rememberOpenConversation(consumerId: string, conversationId: string) {
    this.open.set(consumerId, conversationId);
  }
  async forgetOpenConversation(consumerId: string, conversationId: string) {
    if (this.open.get(consumerId) === conversationId) this.open.delete(consumerId);
  }
}

const closedError = () => new LivePersonApiError('Connector API publish', { status: 400, code: 'CONVERSATION_CLOSED' });

describe('executeCommand', () => {
  let calls: Call[];
  let conversations: MemoryConversations;
  let deps: ExecutionDependencies;
  let uploadFailures: Error[];
  let publishFailures: Error[];
  let grants: number;
  const sourceFiles = new Map<string, Uint8Array>();

  beforeEach(() => {
    calls = [];
    uploadFailures = [];
    publishFailures = [];
    grants = 0;
    conversations = new MemoryConversations();
    const grant = (relativePath: string): FileUrlGrant => ({ relativePath, tempUrlSig: `sig-${++grants}`, tempUrlExpires: 1_900_000_000 });
    deps = {
      conversations,
      connector: {
        openConversation: async (consumerId) => {
          calls.push({ op: 'open', consumerId });
          return `conv-${calls.filter((c) => c.op === 'open').length}`;
        },
        publish: async (_consumer, conversationId, event, options: PublishOptions = {}) => {
          const failure = publishFailures.shift();
          calls.push({
            op: 'publish',
            conversationId,
            event,
            ...(options.dialogId === undefined ? {} : { dialogId: options.dialogId }),
            ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
          });
          if (failure) throw failure;
          return { sequence: calls.length };
        },
        closeConversation: async (_consumer, conversationId, options: { wholeConversation?: boolean } = {}) => {
          calls.push({ op: 'close', conversationId, ...(options.wholeConversation ? { wholeConversation: true } : {}) });
        },
        setUserProfile: async (_consumer, sdes) => {
          calls.push({ op: 'profile', sdes });
        },
        requestUploadUrl: async (_consumer, file) => {
          calls.push({ op: 'uploadUrl', ...file });
          return grant(`/v1/AUTH_async-images/12345678/file-${grants + 1}.${file.fileType}`);
        },
        requestDownloadUrl: async (_consumer, relativePath) => {
          calls.push({ op: 'downloadUrl', relativePath });
          return grant(relativePath);
        },
      },
      fileSource: {
        read: async (url) => {
          calls.push({ op: 'read', url });
          return sourceFiles.get(url) ?? Promise.reject(new FileSourceError('file.url: brand-files.s3.amazonaws.com answered HTTP 403'));
        },
      },
      files: {
        upload: async (target, file) => {
          calls.push({ op: 'upload', relativePath: target.relativePath, bytes: file.data.byteLength });
          const failure = uploadFailures.shift();
          if (failure) throw failure;
        },
        signedUrl: async (target) => `https://storage.example${target.relativePath}?temp_url_sig=${target.tempUrlSig}`,
      },
    };
  });

  const run = (input: Record<string, unknown>) => executeCommand(parseCommand(input), deps);
  const base = { commandId: 'c-1', consumerId: 'consumer-1' };
  const survey = () => {
    conversations.open.set('consumer-1', 'conv-9');
    conversations.views.set('conv-9', { state: 'CLOSE', surveyDialogId: 'survey-9' });
  };

  it('sendFile: opens a conversation, asks for an upload URL of the file’s size and type, uploads, then publishes the hosted file', async () => {
    const result = await run({ type: 'sendFile', ...base, file: { base64: PNG_1X1.toString('base64') }, caption: 'receipt' });
    const relativePath = '/v1/AUTH_async-images/12345678/file-1.PNG';
    expect(calls).toEqual([
      { op: 'open', consumerId: 'consumer-1' },
      { op: 'uploadUrl', fileSize: PNG_1X1.length, fileType: 'PNG' },
      { op: 'upload', relativePath, bytes: PNG_1X1.length },
      {
        op: 'publish',
        conversationId: 'conv-1',
        event: {
          type: 'ContentEvent',
          contentType: 'hosted/file',
          message: { relativePath, fileType: 'PNG', caption: 'receipt', preview: `data:image/png;base64,${PNG_1X1.toString('base64')}` },
        },
      },
    ]);
    expect(result).toMatchObject({ ok: true, conversationId: 'conv-1', openedConversation: true, relativePath, sequence: 4 });
  });

  it('sendFile: an upload URL that expired on the way (storage answers 401) is asked for once more; a second 401 fails the command', async () => {
    uploadFailures.push(new LivePersonApiError('LivePerson storage upload', { status: 401 }));
    conversations.open.set('consumer-1', 'conv-5');
    const result = await run({ type: 'sendFile', ...base, file: { base64: PNG_1X1.toString('base64') } });
    expect(calls.map((call) => call.op)).toEqual(['uploadUrl', 'upload', 'uploadUrl', 'upload', 'publish']);
    expect(result).toMatchObject({ relativePath: '/v1/AUTH_async-images/12345678/file-2.PNG' });

    calls = [];
    uploadFailures.push(...[1, 2].map(() => new LivePersonApiError('LivePerson storage upload', { status: 401 })));
    await expect(run({ type: 'sendFile', ...base, commandId: 'c-2', file: { base64: PNG_1X1.toString('base64') } })).rejects.toThrow(
      'LivePerson storage upload: HTTP 401',
    );
    expect(calls.map((call) => call.op)).toEqual(['uploadUrl', 'upload', 'uploadUrl', 'upload']);
  });

  it('sendFile from a presigned S3 URL: reads the object first, and refuses one that is no image before any LivePerson call', async () => {
    const url = 'https://brand-files.s3.amazonaws.com/box.png?X-Amz-Signature=abc';
    sourceFiles.set(url, PNG_1X1);
    conversations.open.set('consumer-1', 'conv-5');
    await run({ type: 'sendFile', ...base, file: { url } });
    expect(calls.map((call) => call.op)).toEqual(['read', 'uploadUrl', 'upload', 'publish']);

    calls = [];
    const pdf = 'https://brand-files.s3.amazonaws.com/doc.pdf?X-Amz-Signature=abc';
    sourceFiles.set(pdf, Buffer.from('%PDF-1.7'));
    await expect(run({ type: 'sendFile', ...base, commandId: 'c-2', file: { url: pdf } })).rejects.toThrow(
      'file.url: the file is not a JPG, PNG or GIF image',
    );
    await expect(run({ type: 'sendFile', ...base, commandId: 'c-3', file: { url: `${pdf}x` } })).rejects.toThrow('answered HTTP 403');
    expect(calls.map((call) => call.op)).toEqual(['read', 'read']);
  });

  it('getFileUrl: a signed download URL and when it expires, no conversation needed', async () => {
    const relativePath = '/v1/AUTH_async-images/12345678/agent.JPG';
    expect(await run({ type: 'getFileUrl', ...base, relativePath })).toMatchObject({
      ok: true,
      openedConversation: false,
      file: { url: `https://storage.example${relativePath}?temp_url_sig=sig-1`, expiresAt: new Date(1_900_000_000_000).toISOString() },
    });
    expect(calls).toEqual([{ op: 'downloadUrl', relativePath }]);
  });

  it('sendClick: ACTION for the message with the button’s metadata, then the publishText text with the same metadata', async () => {
    conversations.open.set('consumer-1', 'conv-5');
    const metadata = [{ type: 'ExternalId', id: 'Yes-1234' }];
    const result = await run({
      type: 'sendClick',
      ...base,
      sequence: 7,
      click: { actions: [{ type: 'publishText', text: 'yep' }], metadata },
    });
    expect(calls).toEqual([
      { op: 'publish', conversationId: 'conv-5', event: { type: 'AcceptStatusEvent', status: 'ACTION', sequenceList: [7] }, metadata },
      { op: 'publish', conversationId: 'conv-5', event: { type: 'ContentEvent', contentType: 'text/plain', message: 'yep' }, metadata },
    ]);
    expect(result).toMatchObject({ ok: true, conversationId: 'conv-5', sequence: 2 });
  });

  it('sendClick: a link button sends only the ACTION; no open conversation, nothing is sent', async () => {
    conversations.open.set('consumer-1', 'conv-5');
    const metadata = [{ type: 'ExternalId', id: 'card-7' }];
    await run({ type: 'sendClick', ...base, sequence: 2, click: { actions: [{ type: 'link', uri: 'https://x' }], metadata } });
    expect(calls).toHaveLength(1);
    conversations.open.clear();
    expect(await run({ type: 'sendClick', ...base, commandId: 'c-2', sequence: 2, click: { metadata } })).toMatchObject({
      skipped: 'no-open-conversation',
    });
    expect(calls).toHaveLength(1);
  });

  it('during a post-conversation survey: answers (a tap, text) go into the survey’s dialog, typing is skipped, a close ends the whole conversation', async () => {
    survey();
    const answer = [{ type: 'Answer', questionId: 'q-1', id: 'a-1', provider: 'AC' }];
    const tapped = await run({
      type: 'sendClick',
      ...base,
      sequence: 1,
      click: { actions: [{ type: 'publishText', text: '1' }], metadata: answer },
    });
    expect(tapped).toMatchObject({ conversationId: 'conv-9', dialogId: 'survey-9' });
    expect(calls).toEqual([
      {
        op: 'publish',
        conversationId: 'conv-9',
        dialogId: 'survey-9',
        event: { type: 'AcceptStatusEvent', status: 'ACTION', sequenceList: [1] },
        metadata: answer,
      },
      {
        op: 'publish',
        conversationId: 'conv-9',
        dialogId: 'survey-9',
        event: { type: 'ContentEvent', contentType: 'text/plain', message: '1' },
        metadata: answer,
      },
    ]);
    calls = [];
    expect(await run({ type: 'sendText', ...base, commandId: 'c-2', text: 'Great service' })).toMatchObject({
      dialogId: 'survey-9',
      openedConversation: false,
    });
    expect(await run({ type: 'sendTyping', ...base, commandId: 'c-3' })).toMatchObject({ skipped: 'in-survey', dialogId: 'survey-9' });
    expect(await run({ type: 'closeConversation', ...base, commandId: 'c-4' })).toMatchObject({ conversationId: 'conv-9' });
    expect(calls).toEqual([
      {
        op: 'publish',
        conversationId: 'conv-9',
        dialogId: 'survey-9',
        event: { type: 'ContentEvent', contentType: 'text/plain', message: 'Great service' },
      },
      { op: 'close', conversationId: 'conv-9', wholeConversation: true },
    ]);
  });

  it('during a survey, a read receipt naming the conversation goes into the survey’s dialog, and the conversation stays', async () => {
    survey();
    expect(await run({ type: 'markRead', ...base, sequenceList: [1], conversationId: 'conv-9' })).toMatchObject({ dialogId: 'survey-9' });
    expect(calls).toEqual([
      {
        op: 'publish',
        conversationId: 'conv-9',
        dialogId: 'survey-9',
        event: { type: 'AcceptStatusEvent', status: 'READ', sequenceList: [1] },
      },
    ]);
    expect(conversations.open.get('consumer-1')).toBe('conv-9');
  });

  it('a survey that ended before its notification: a tap is skipped, text opens a new conversation as before', async () => {
    survey();
    publishFailures.push(closedError());
    const answer = [{ type: 'Answer', id: 'a-1' }];
    expect(await run({ type: 'sendClick', ...base, sequence: 1, click: { metadata: answer } })).toMatchObject({
      skipped: 'conversation-closed',
    });
    survey();
    publishFailures.push(closedError());
    expect(await run({ type: 'sendText', ...base, commandId: 'c-2', text: 'hello again' })).toMatchObject({
      conversationId: 'conv-1',
      openedConversation: true,
      replacedConversationId: 'conv-9',
    });
  });

  it('updateProfile: SetUserProfile for the open conversation; none open, nothing sent', async () => {
    const sdes = [{ type: 'personal', personal: { firstname: 'Ada' } }];
    expect(await run({ type: 'updateProfile', ...base, sdes })).toMatchObject({ skipped: 'no-open-conversation' });
    conversations.open.set('consumer-1', 'conv-5');
    expect(await run({ type: 'updateProfile', ...base, commandId: 'c-2', sdes })).toMatchObject({ conversationId: 'conv-5' });
    expect(calls).toEqual([{ op: 'profile', sdes }]);
  });
});
