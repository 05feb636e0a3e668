// Handlers stay thin: wiring and one call into the library, at most 60 lines of code each (blank lines
// and comments aside), and no per-invocation state at module level (a `let` there would be shared by
// every invocation the container serves).
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LIVEPERSON_FUNCTION_NAMES } from '#contract/constants.ts';

const FUNCTIONS = path.resolve(import.meta.dirname, '../../functions');
const MAX_CODE_LINES = 60;

function codeLines(source: string): string[] {
  const withoutComments = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return withoutComments.split('\n').filter((line) => line.trim() !== '');
}

describe('handlers', () => {
  it('has one handler folder per contract function name', () => {
    const folders = readdirSync(FUNCTIONS, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== 'lib')
      .map((entry) => entry.name);
    expect(folders.sort()).toEqual([...LIVEPERSON_FUNCTION_NAMES].sort());
  });

  it.each(LIVEPERSON_FUNCTION_NAMES)('%s: at most 60 code lines, no module-level let', (name) => {
    const source = readFileSync(path.join(FUNCTIONS, name, 'index.ts'), 'utf8');
    const lines = codeLines(source);
    expect(lines.length).toBeLessThanOrEqual(MAX_CODE_LINES);
    expect(lines.filter((line) => /^(export )?let /.test(line))).toEqual([]);
    expect(source).toMatch(/lambdaHandler\(telemetry, /);
  });
});
