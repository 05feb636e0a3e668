// The new commands' validation (files, clicks, profile updates, file URLs): every bad input refused
// with a clear message naming the field, before any call.
import { describe, expect, it } from 'vitest';
import { commandIssues } from '#test/support/commands.ts';
import { parseCommand } from '#functions/lib/connector/commands.ts';
import { prepareCommand } from '#functions/lib/connector/enqueue.ts';
import { fileProblems, imageTypeOf, sharedFileOf } from '#functions/lib/connector/files.ts';
import { GIF_1X1, JPEG_HEADER, PNG_1X1, pngOfSize } from '#test/support/images.ts';

const base = { commandId: 'c-1', consumerId: 'consumer-1' };

describe('sendFile', () => {
  it('tells the image type from its first bytes', () => {
    expect(imageTypeOf(PNG_1X1)).toBe('PNG');
    expect(imageTypeOf(GIF_1X1)).toBe('GIF');
    expect(imageTypeOf(JPEG_HEADER)).toBe('JPEG');
    expect(imageTypeOf(Buffer.from('%PDF-1.7'))).toBeUndefined();
  });

  it('accepts an image, its type read from the file when not given, a small image its own preview', () => {
    const command = parseCommand({ type: 'sendFile', ...base, file: { base64: PNG_1X1.toString('base64') }, caption: 'receipt' });
    expect(command).toMatchObject({ type: 'sendFile', caption: 'receipt' });
    const file = sharedFileOf(PNG_1X1, command as { fileType?: 'PNG' });
    expect(file.fileType).toBe('PNG');
    expect(file.preview).toBe(`data:image/png;base64,${PNG_1X1.toString('base64')}`);
    expect(Buffer.from(file.data).equals(PNG_1X1)).toBe(true);
    // JPG and JPEG both name a JPEG file.
    expect(fileProblems(JPEG_HEADER, 'JPG')).toEqual([]);
  });

  it('gives a larger image no preview of its own (LivePerson takes at most 30 KB), and keeps the brand’s', () => {
    const large = pngOfSize(40 * 1024);
    expect(sharedFileOf(large, {}).preview).toBeUndefined();
    const preview = `data:image/png;base64,${PNG_1X1.toString('base64')}`;
    expect(sharedFileOf(large, { preview }).preview).toBe(preview);
  });

  it('refuses a file that is too large, not an image the Connector API takes, not what fileType says, or not base64', () => {
    const tooLarge = pngOfSize(3 * 1024 * 1024 + 1).toString('base64');
    expect(commandIssues({ type: 'sendFile', ...base, file: { base64: tooLarge } })).toEqual([
      'file.base64: the file is 3145729 bytes, more than the 3145728 (3 MB) LivePerson takes',
    ]);
    expect(commandIssues({ type: 'sendFile', ...base, file: { base64: Buffer.from('%PDF-1.7 ...').toString('base64') } })).toEqual([
      'file.base64: the file is not a JPG, PNG or GIF image, the types the Connector API takes',
    ]);
    expect(commandIssues({ type: 'sendFile', ...base, file: { base64: GIF_1X1.toString('base64') }, fileType: 'PNG' })).toEqual([
      'fileType: the file is a GIF image, not PNG',
    ]);
    expect(commandIssues({ type: 'sendFile', ...base, file: { base64: 'not base64!' } })).toEqual([
      'file.base64: file.base64 is not base64',
    ]);
    expect(commandIssues({ type: 'sendFile', ...base, file: { base64: PNG_1X1.toString('base64') }, fileType: 'PDF' })).toEqual([
      'fileType: fileType must be one of JPG, JPEG, PNG, GIF',
    ]);
    expect(
      commandIssues({ type: 'sendFile', ...base, file: { base64: PNG_1X1.toString('base64') }, preview: 'http://example.com/x.png' }),
    ).toEqual(['preview: preview must be a data URL of a PNG, JPEG or GIF image']);
    expect(commandIssues({ type: 'sendFile', ...base, file: 'abc' })).toEqual([
      'file: file must be {"base64": "..."} or {"url": "<presigned S3 URL>"}',
    ]);
  });

  it('takes a presigned S3 URL of the brand’s object, and no other URL', () => {
    const url = 'https://brand-files.s3.eu-west-1.amazonaws.com/photos/box.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abc';
    expect(parseCommand({ type: 'sendFile', ...base, file: { url } })).toMatchObject({ file: { url } });
    for (const host of [
      'brand-files.s3.dualstack.eu-west-1.amazonaws.com',
      'brand-files.s3-us-west-2.amazonaws.com',
      'brand-files.s3-accelerate.amazonaws.com',
    ]) {
      expect(parseCommand({ type: 'sendFile', ...base, file: { url: `https://${host}/box.png?X-Amz-Signature=a` } })).toBeTruthy();
    }
    expect(
      parseCommand({ type: 'sendFile', ...base, file: { url: 'https://s3.amazonaws.com/brand-files/box.png?X-Amz-Signature=a' } }),
    ).toBeTruthy();
    for (const bad of [
      'http://brand-files.s3.amazonaws.com/box.png',
      'https://evil.example/box.png',
      'https://s3.amazonaws.com.evil.example/x',
      'https://169.254.169.254/latest',
      // Other AWS hosts that merely start with "s3": a load balancer anyone can name, an EC2 name, a VPC endpoint.
      'https://s3-1234567890.us-east-1.elb.amazonaws.com/x',
      'https://x.s3.ec2-1-2-3-4.compute-1.amazonaws.com/x',
      'https://bucket.vpce-0a1b.s3.us-east-1.vpce.amazonaws.com/x',
    ]) {
      expect(commandIssues({ type: 'sendFile', ...base, file: { url: bad } })).toEqual([
        'file.url: file.url must be an https URL of Amazon S3 (a presigned GET URL of your object)',
      ]);
    }
  });
});

describe('getFileUrl', () => {
  it('takes the relativePath of a hosted/file event, nothing else', () => {
    const relativePath = '/v1/AUTH_async-images/12345678/8ccc728c_17-04-2018_09-37-15-082.JPG';
    expect(parseCommand({ type: 'getFileUrl', ...base, relativePath })).toMatchObject({ relativePath });
    expect(commandIssues({ type: 'getFileUrl', ...base, relativePath: 'https://evil.example/x.png' })).toEqual([
      'relativePath: relativePath must be a path starting with "/", as the hosted/file event gives it',
    ]);
    expect(commandIssues({ type: 'getFileUrl', ...base })).toEqual([
      "relativePath: relativePath must be the file's relativePath from its hosted/file event",
    ]);
  });
});

describe('sendClick', () => {
  // The button's `click` as LivePerson sends it in quick replies (its quick replies template).
  const click = { actions: [{ type: 'publishText', text: 'yep' }], metadata: [{ type: 'ExternalId', id: 'Yes-1234' }] };

  it('takes a button’s click object as LivePerson sent it, and the message’s sequence', () => {
    expect(parseCommand({ type: 'sendClick', ...base, sequence: 3, click })).toMatchObject({ sequence: 3, click });
    // A survey answer: an Answer metadata entry with LivePerson's own fields, kept as they are.
    const answer = { type: 'Answer', questionId: 'q-1', id: 'a-1', provider: 'AC' };
    expect(parseCommand({ type: 'sendClick', ...base, sequence: 1, click: { metadata: [answer] }, dialogId: 'survey-1' })).toMatchObject({
      click: { metadata: [answer] },
      dialogId: 'survey-1',
    });
  });

  it('refuses a click with nothing to tell LivePerson, and a missing or negative sequence', () => {
    expect(commandIssues({ type: 'sendClick', ...base, sequence: 3, click: { actions: [{ type: 'link', uri: 'https://x' }] } })).toEqual([
      'click: click has neither metadata nor a publishText action: nothing would tell LivePerson what was tapped',
    ]);
    expect(commandIssues({ type: 'sendClick', ...base, click })).toEqual([
      'sequence: sequence must be the sequence number of the message the button came with',
    ]);
    expect(commandIssues({ type: 'sendClick', ...base, sequence: -1, click })).toHaveLength(1);
  });
});

describe('updateProfile', () => {
  it('takes Customer Info and Personal Info SDEs', () => {
    const sdes = [
      { type: 'ctmrinfo', info: { ctype: 'vip', socialId: '1234567890' } },
      { type: 'personal', personal: { firstname: 'John', lastname: 'Doe', gender: 'MALE' } },
    ];
    expect(parseCommand({ type: 'updateProfile', ...base, sdes })).toMatchObject({ sdes });
  });

  it('refuses other SDE types, a customerId (LivePerson fails such a call on messaging) and an empty list', () => {
    expect(commandIssues({ type: 'updateProfile', ...base, sdes: [{ type: 'purchase', total: 11.7 }] })).toEqual([
      'sdes.0.type: each SDE must be of type ctmrinfo or personal: the only ones the Connector API takes',
    ]);
    expect(commandIssues({ type: 'updateProfile', ...base, sdes: [{ type: 'ctmrinfo', info: { customerId: 'c-1' } }] })).toEqual([
      'sdes.0: ctmrinfo.info.customerId marks a conversation as authenticated and LivePerson refuses it on messaging: leave it out',
    ]);
    expect(commandIssues({ type: 'updateProfile', ...base, sdes: [] })).toEqual(['sdes: sdes is empty']);
    // The same rule when a conversation is opened with SDEs.
    expect(commandIssues({ type: 'openConversation', ...base, sdes: [{ type: 'cart', total: 11.7 }] })).toEqual([
      'sdes.0.type: each SDE must be of type ctmrinfo or personal: the only ones the Connector API takes',
    ]);
  });
});

describe('the command types', () => {
  it('names them all when the type is unknown', () => {
    expect(commandIssues({ type: 'sendVideo', ...base })).toEqual([
      'type: type must be one of openConversation, sendText, sendTyping, markRead, closeConversation, sendFile, getFileUrl, sendClick, updateProfile',
    ]);
  });
});

describe('getFileUrl on the queue', () => {
  it('is refused by the queue helper: its URL would reach nobody', () => {
    expect(() => prepareCommand({ type: 'getFileUrl', ...base, relativePath: '/v1/AUTH_async-images/1/x.PNG' })).toThrow(
      'getFileUrl is answered only to a direct invocation',
    );
  });
});
