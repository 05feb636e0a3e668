/** The issues parseCommand names for an invalid connector command; throws if the command is accepted. */
import { InvalidCommandError, parseCommand } from '#functions/lib/connector/commands.ts';

export function commandIssues(input: unknown): readonly string[] {
  try {
    parseCommand(input);
  } catch (error) {
    if (error instanceof InvalidCommandError) return error.issues;
    throw error;
  }
  throw new Error('expected an invalid command, and it was accepted');
}
