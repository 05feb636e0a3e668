import { describe, expect, it } from 'vitest';
import { commandIssues } from '#test/support/commands.ts';
import { describeRawCommand, InvalidCommandError, parseCommand } from '#functions/lib/connector/commands.ts';
import { toRouting } from '#functions/lib/connector/execute.ts';

describe('parseCommand', () => {
  it('accepts each command type, applying defaults and trimming the consumer id', () => {
    expect(parseCommand({ type: 'sendTyping', commandId: 't-1', consumerId: ' c-1 ' })).toEqual({
      type: 'sendTyping',
      commandId: 't-1',
      consumerId: 'c-1',
      chatState: 'COMPOSING',
    });
    expect(parseCommand({ type: 'markRead', commandId: 'r-1', consumerId: 'c-1', sequenceList: [0, 2] })).toMatchObject({ status: 'READ' });
    expect(parseCommand({ type: 'closeConversation', commandId: 'x-1', consumerId: 'c-1' }).type).toBe('closeConversation');
    expect(
      parseCommand({
        type: 'openConversation',
        commandId: 'o-1',
        consumerId: 'c-1',
        sdes: [{ type: 'personal', personal: { firstname: 'Ada' } }],
        routing: { campaignId: 99, engagementId: '88' },
        firstMessage: 'Hello',
      }),
    ).toMatchObject({ routing: { campaignId: '99', engagementId: '88' }, sdes: [{ type: 'personal', personal: { firstname: 'Ada' } }] });
  });

  it('reads JSON text, as an SQS body carries it', () => {
    expect(parseCommand(JSON.stringify({ type: 'sendText', commandId: 's-1', consumerId: 'c-1', text: 'hi' }))).toMatchObject({
      text: 'hi',
    });
  });

  it('names every problem by field, without echoing values', () => {
    expect(commandIssues({ type: 'sendText', text: '  ' })).toEqual([
      'commandId: commandId is required',
      'consumerId: consumerId is required',
      'text: text is empty',
    ]);
    expect(commandIssues({ type: 'sendText', commandId: 'has space', consumerId: 'c', text: 'secret words' }).join()).not.toContain(
      'secret',
    );
    expect(commandIssues({ type: 'sendText', commandId: 'has space', consumerId: 'c', text: 'x' })).toEqual([
      'commandId: commandId may hold only letters, digits and punctuation (no spaces), as an SQS deduplication id',
    ]);
    expect(commandIssues({ type: 'shout', commandId: 'a', consumerId: 'c' })[0]).toContain(
      'type must be one of openConversation, sendText, sendTyping, markRead, closeConversation',
    );
    expect(commandIssues({ type: 'openConversation', commandId: 'a', consumerId: 'c', routing: { campaignId: '1' } })).toEqual([
      'routing: routing needs campaignId and engagementId together',
    ]);
    expect(commandIssues({ type: 'sendText', commandId: 'a', consumerId: 'c', text: 'x', colour: 'red' })[0]).toContain('colour');
    expect(commandIssues('{not json')).toEqual(['the message body is not JSON']);
    expect(commandIssues([1, 2])).toEqual(['a command must be a JSON object with type, commandId and consumerId']);
    expect(commandIssues({ type: 'markRead', commandId: 'a', consumerId: 'c', sequenceList: [] })).toEqual([
      'sequenceList: sequenceList is empty',
    ]);
  });

  it('describes what it can of an invalid command, for logs and error results', () => {
    expect(describeRawCommand('{"type":"sendText","commandId":"c-9","text":"x"}')).toEqual({ type: 'sendText', commandId: 'c-9' });
    expect(describeRawCommand('nope')).toEqual({});
  });
});

describe('toRouting', () => {
  it('uses the given routing, else any skill', () => {
    expect(toRouting({ skillId: '12' })).toEqual({ skillId: '12' });
    expect(toRouting({ campaignId: '1', engagementId: '2' })).toEqual({ campaignInfo: { campaignId: '1', engagementId: '2' } });
    expect(toRouting({ skillId: '3', campaignId: '1', engagementId: '2' })).toEqual({
      skillId: '3',
      campaignInfo: { campaignId: '1', engagementId: '2' },
    });
    expect(toRouting(undefined)).toEqual({ skillId: '-1' });
    expect(toRouting({})).toEqual({ skillId: '-1' });
  });
});

// zod's "Unrecognized key" message repeats each key as sent; a brand may have used a phone number as one.
const unknownKeyCommand = { type: 'sendText', commandId: 'c-1', consumerId: 'customer-42', text: 'hi' };

describe('unknown keys are named without their digits', () => {
  it.each([['+14155550100'], ['tel_1_415_555_0100'], ['1/415/555/0100'], ['%2B14155550100'], ['＋１４１５５５５０１００']])(
    'a key named %s',
    (key) => {
      const issues = commandIssues({ ...unknownKeyCommand, [key]: 'x' });
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatch(/^unknown field ".*#{4}" \(digits in a name are shown as #\)$/);
      // Not one digit of the key: neither as sent nor as a reader would read it.
      expect(issues[0]?.normalize('NFKC').replace(/%2B/g, '')).not.toMatch(/\d/);
      expect(new InvalidCommandError(issues).message).not.toMatch(/0100|０１００/);
    },
  );

  it('names a key without digits as it is, nested keys with their path, and counts beyond five', () => {
    expect(commandIssues({ ...unknownKeyCommand, colour: 'red' })).toEqual(['unknown field "colour"']);
    expect(commandIssues({ ...unknownKeyCommand, open: { routing: { skillId: '1', '4155550100': 'x' } } })).toEqual([
      'open.routing: unknown field "##########" (digits in a name are shown as #)',
    ]);
    const many = Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((key) => [key, 1]));
    expect(commandIssues({ ...unknownKeyCommand, ...many })).toEqual(['unknown fields "a", "b", "c", "d", "e" and 2 more']);
  });
});
