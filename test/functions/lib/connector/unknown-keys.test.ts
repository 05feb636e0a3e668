// zod's "Unrecognized key" message repeats each key as sent; a brand may have used a phone number as one.
import { describe, expect, it } from 'vitest';
import { InvalidCommandError, parseCommand } from '../../../../functions/lib/connector/commands.ts';

const issuesOf = (input: unknown): readonly string[] => {
  try {
    parseCommand(input);
  } catch (error) {
    if (error instanceof InvalidCommandError) return error.issues;
    throw error;
  }
  throw new Error('the command was accepted');
};
const command = { type: 'sendText', commandId: 'c-1', consumerId: 'customer-42', text: 'hi' };

describe('unknown keys are named without their digits', () => {
  it.each([['+14155550100'], ['tel_1_415_555_0100'], ['1/415/555/0100'], ['%2B14155550100'], ['＋１４１５５５５０１００']])('a key named %s', (key) => {
    const issues = issuesOf({ ...command, [key]: 'x' });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^unknown field ".*#{4}" \(digits in a name are shown as #\)$/);
    // Not one digit of the key: neither as sent nor as a reader would read it.
    expect(issues[0]?.normalize('NFKC').replace(/%2B/g, '')).not.toMatch(/\d/);
    expect(new InvalidCommandError(issues).message).not.toMatch(/0100|０１００/);
  });

  it('names a key without digits as it is, nested keys with their path, and counts beyond five', () => {
    expect(issuesOf({ ...command, colour: 'red' })).toEqual(['unknown field "colour"']);
    expect(issuesOf({ ...command, open: { routing: { skillId: '1', '4155550100': 'x' } } })).toEqual([
      'open.routing: unknown field "##########" (digits in a name are shown as #)',
    ]);
    const many = Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((key) => [key, 1]));
    expect(issuesOf({ ...command, ...many })).toEqual(['unknown fields "a", "b", "c", "d", "e" and 2 more']);
  });
});
