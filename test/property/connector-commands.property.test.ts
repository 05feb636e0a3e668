/** Property-based tests of connector command validation: valid commands pass, anything else is an InvalidCommandError. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidCommandError, parseCommand } from '#functions/lib/connector/commands.ts';

const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/);
const command = fc.oneof(
  // A message is text with something in it: whitespace alone is refused as empty (another property).
  fc.record({
    type: fc.constant('sendText'),
    commandId: id,
    consumerId: id,
    text: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }).filter((t) => t.trim() !== ''),
  }),
  fc.record({ type: fc.constant('sendTyping'), commandId: id, consumerId: id }),
  fc.record({
    type: fc.constant('markRead'),
    commandId: id,
    consumerId: id,
    sequenceList: fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
  }),
  fc.record({ type: fc.constant('closeConversation'), commandId: id, consumerId: id }),
  fc.record({ type: fc.constant('openConversation'), commandId: id, consumerId: id }),
);

describe('connector command properties', () => {
  it('accepts every well-formed command, as an object or as JSON text', () => {
    fc.assert(
      fc.property(command, (input) => {
        expect(parseCommand(input)).toMatchObject({ type: input.type, commandId: input.commandId, consumerId: input.consumerId });
        expect(parseCommand(JSON.stringify(input)).type).toBe(input.type);
      }),
      { numRuns: 1500 },
    );
  });

  it('rejects every broken command with an InvalidCommandError naming the problems', () => {
    const broken = fc.oneof(
      command.chain((c) => fc.constantFrom('type', 'commandId', 'consumerId').map((drop) => ({ ...c, [drop]: undefined }))),
      command.chain((c) => fc.string().map((extra) => ({ ...c, [`x${extra}`]: 1 }))),
      command.map((c) => ({ ...c, type: `${c.type}!` })),
      command.map((c) => ({ ...c, commandId: '' })),
      fc.record({ type: fc.constant('sendText'), commandId: id, consumerId: id, text: fc.stringMatching(/^\s*$/) }),
    );
    fc.assert(
      fc.property(broken, (input) => {
        const error = (() => {
          try {
            parseCommand(input);
          } catch (caught) {
            return caught;
          }
          return undefined;
        })();
        expect(error).toBeInstanceOf(InvalidCommandError);
        expect((error as InvalidCommandError).issues.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('answers arbitrary JSON with a command or an InvalidCommandError, nothing else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.string()), (input) => {
        try {
          parseCommand(input);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidCommandError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
