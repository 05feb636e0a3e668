import { describe, expect, it } from 'vitest';
import { readMessageContent } from '#functions/lib/liveperson/message-content.ts';

describe('readMessageContent', () => {
  it('reads text of any text content type', () => {
    expect(readMessageContent('text/plain', 'hi\n')).toEqual({ kind: 'text', text: 'hi\n' });
    expect(readMessageContent('text/html', '<b>hi</b>')).toEqual({ kind: 'text', text: '<b>hi</b>' });
  });

  it('reads a hosted file, with or without caption and preview', () => {
    expect(readMessageContent('hosted/file', { relativePath: '/v1/x.PNG', fileType: 'PNG' })).toEqual({
      kind: 'hostedFile',
      caption: undefined,
      relativePath: '/v1/x.PNG',
      fileType: 'PNG',
      preview: undefined,
    });
    expect(
      readMessageContent('hosted/file', { caption: 'c', relativePath: '/p', fileType: 'PDF', preview: 'data:', extra: 1 }),
    ).toMatchObject({ kind: 'hostedFile', caption: 'c', preview: 'data:' });
  });

  it('reads the JSON object a string message of an object type holds', () => {
    expect(readMessageContent('hosted/file', JSON.stringify({ relativePath: '/p', fileType: 'JPG' }))).toMatchObject({
      kind: 'hostedFile',
      relativePath: '/p',
    });
  });

  it('reads external files and secure forms; numeric ids are the same ids', () => {
    expect(readMessageContent('externalFile', { uri: 'https://files.example/a.pdf', caption: 'a' })).toEqual({
      kind: 'externalFile',
      caption: 'a',
      uri: 'https://files.example/a.pdf',
      fileType: undefined,
    });
    expect(readMessageContent('forms/secure-invitation', { invitationId: 'inv-1', title: 'Card' })).toEqual({
      kind: 'secureFormInvitation',
      invitationId: 'inv-1',
      title: 'Card',
      formId: undefined,
    });
    expect(readMessageContent('forms/secure-submission', { invitationId: 7, submissionId: 'sub' })).toEqual({
      kind: 'secureFormSubmission',
      invitationId: '7',
      submissionId: 'sub',
      formId: undefined,
    });
  });

  it('falls back to other, never failing, when the message lacks what its type promises or the type is new', () => {
    expect(readMessageContent('hosted/file', { caption: 'no path' })).toEqual({ kind: 'other' });
    expect(readMessageContent('hosted/file', 'not json')).toEqual({ kind: 'other' });
    expect(readMessageContent('forms/secure-invitation', { title: 'no invitation' })).toEqual({ kind: 'other' });
    expect(readMessageContent('application/x-new', { anything: true })).toEqual({ kind: 'other' });
  });
});
