/**
 * Every notification LivePerson publishes as an example (test/fixtures/liveperson/notifications)
 * is typed: no SchemaViolation, and no event of a type this code knows falls back to UnknownEvent.
 */
import { describe, expect, it } from 'vitest';
import { parseNotification, type LivePersonEvent } from '#functions/lib/liveperson/events.ts';
import { notificationFixtures } from '#test/support/fixtures.ts';

const fixtures = notificationFixtures();
const parse = (name: string): LivePersonEvent[] => {
  const fixture = fixtures.find((candidate) => candidate.name === name);
  if (fixture === undefined) throw new Error(`no fixture ${name}`);
  return parseNotification(JSON.stringify(fixture.notification), 'connector');
};

describe("LivePerson's published notifications", () => {
  it('has a corpus that names the source of every fixture', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(29);
    for (const fixture of fixtures)
      expect(fixture.source.url, fixture.name).toMatch(/^https:\/\/(developers\.liveperson\.com|github\.com\/LivePersonInc)\//);
  });

  it.each(fixtures.map((fixture) => [fixture.name, fixture] as const))('types %s, one event per change', (_name, fixture) => {
    const events = parseNotification(JSON.stringify(fixture.notification), 'connector');
    expect(events).toHaveLength(fixture.notification.body.changes.length);
    for (const event of events) {
      expect(event.type).not.toBe('UnknownEvent');
      expect(event.conversationId).toEqual(expect.any(String));
    }
  });

  it('takes the conversation from dialogId when a change has only that', () => {
    expect(parse('content-event-text-dialogid-only.json')[0]).toMatchObject({
      type: 'ContentEvent',
      conversationId: '5491244f-e462-4c63-bf4e-faf4b2d3e7b5',
      dialogId: '5491244f-e462-4c63-bf4e-faf4b2d3e7b5',
      content: { kind: 'text', text: 'Hello from Consumer' },
      identity: 'ContentEvent:5491244f-e462-4c63-bf4e-faf4b2d3e7b5:0',
    });
  });

  it("keeps a survey bot's quick replies and the change's metadata; metadata null is none", () => {
    const [greeting, question] = parse('content-event-quick-replies-post-survey.json');
    expect(greeting).toMatchObject({ type: 'ContentEvent', metadata: undefined, quickReplies: undefined });
    expect(question).toMatchObject({
      type: 'ContentEvent',
      dialogId: 'PwT_YK91Sum3vu5H6T3YnA',
      quickReplies: {
        type: 'quickReplies',
        itemsPerRow: 8,
        replies: expect.arrayContaining([expect.objectContaining({ type: 'button', title: '1' })]),
      },
      metadata: [expect.objectContaining({ type: 'Question' })],
    });
  });

  it("keeps the answer metadata of a consumer's ACTION in a survey dialog, apart from its conversation", () => {
    expect(parse('accept-status-action-with-metadata.json')[0]).toMatchObject({
      type: 'AcceptStatusEvent',
      status: 'ACTION',
      sequenceList: [1],
      conversationId: '__YOUR_CONVERSATION_ID__',
      dialogId: '__YOUR_POST_SURVEY_DIALOG_ID__',
      metadata: [
        { type: 'Answer', questionId: '3e70da9b-76de-4c2a-911e-a41aee698b82', id: '4f7c6a7b-033b-4171-a361-abf99e0ea493', provider: 'AC' },
      ],
    });
  });

  it('types a post-survey conversation change: state CLOSE, stage OPEN, both dialogs, a CONTROLLER', () => {
    expect(parse('conversation-change-post-survey-dialog-open.json')[0]).toMatchObject({
      type: 'ExConversationChangeNotification',
      state: 'CLOSE',
      stage: 'OPEN',
      effectiveTTR: -1,
      closeReason: 'CONSUMER',
      dialogs: [
        { dialogId: '__YOUR_CONVERSATION_ID__', dialogType: 'MAIN', state: 'CLOSE', channelType: 'MESSAGING' },
        { dialogId: '__YOUR_POST_SURVEY_DIALOG_ID__', dialogType: 'POST_SURVEY', state: 'OPEN', channelType: 'MESSAGING' },
      ],
      participants: expect.arrayContaining([{ id: '22815dea-5b5c-5c8f-a4bf-2e52a0f6820a', role: 'CONTROLLER' }]),
      ttr: { ttrType: 'PRIORITIZED', value: 600 },
    });
  });

  it('reads participants from participantsPId and the update time from lastUpdateTime', () => {
    expect(parse('conversation-change-participants-pid-consumer.json')[0]).toMatchObject({
      participants: [{ id: '72fca421-d1a2-459c-a420-6c5b1f3e75b0', role: 'CONSUMER' }],
      brandId: undefined,
      lastUpdateTs: 1477840967209,
    });
  });

  it('types a shared file: caption, relative path and file type, with the raw message kept', () => {
    const [event] = parse('content-event-hosted-file-agent.json');
    expect(event).toMatchObject({
      type: 'ContentEvent',
      contentType: 'hosted/file',
      content: {
        kind: 'hostedFile',
        caption: '',
        relativePath: expect.stringMatching(/^\/v1\/AUTH_async-images\/le79144597\/.+\.JPG$/),
        fileType: 'JPG',
        preview: expect.any(String),
      },
      message: expect.objectContaining({ fileType: 'JPG' }),
    });
    expect(parse('content-event-hosted-file-consumer.json')[0]).toMatchObject({
      content: { kind: 'hostedFile', caption: 'File logo', fileType: 'JPEG' },
    });
  });

  it('types secure form invitations and submissions by their invitation', () => {
    expect(parse('content-event-secure-form-invitation.json')[0]).toMatchObject({
      content: { kind: 'secureFormInvitation', invitationId: expect.stringMatching(/^a5571603/), title: 'Credit card form' },
    });
    expect(parse('content-event-secure-form-submission.json')[0]).toMatchObject({
      content: { kind: 'secureFormSubmission', invitationId: expect.stringMatching(/^a5571603/) },
    });
  });

  it('types structured content, given as an object or JSON-encoded', () => {
    expect(parse('rich-content-event-card.json')[0]).toMatchObject({
      type: 'RichContentEvent',
      content: { type: 'vertical', elements: expect.any(Array) },
    });
    expect(parse('rich-content-event-carousel.json')[0]).toMatchObject({ type: 'RichContentEvent', content: { type: 'carousel' } });
    expect(parse('rich-content-event-string-content-history.json')[0]).toMatchObject({
      type: 'RichContentEvent',
      content: { type: 'vertical' },
    });
  });

  it("keeps an agent's quick replies", () => {
    expect(parse('content-event-quick-replies-agent.json')[0]).toMatchObject({
      content: { kind: 'text', text: 'Some question' },
      quickReplies: { type: 'quickReplies', replies: expect.any(Array) },
    });
  });

  it('has no event for a notification without changes', () => {
    expect(parse('conversation-change-empty-changes.json')).toEqual([]);
  });
});
