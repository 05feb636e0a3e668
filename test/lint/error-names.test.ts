// The bundles are minified without esbuild's keepNames (it cost 20–35 KiB each), so a class's own name
// is mangled at run time. Every error class of the functions therefore names itself with a literal,
// which logs, `errorType` and stack headers show.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)));
}

/** `class X extends YError {` with the class body up to the next top-level `}`. */
function errorClasses(source: string): { name: string; body: string }[] {
  const found: { name: string; body: string }[] = [];
  for (const match of source.matchAll(/^export (?:abstract )?class (\w+) extends \w*Error\b[^{]*\{\n([\s\S]*?)^\}/gm)) {
    found.push({ name: match[1] ?? '', body: match[2] ?? '' });
  }
  return found;
}

const classes = [...sourceFiles('functions'), ...sourceFiles('contract')].flatMap((file) =>
  errorClasses(readFileSync(path.join(ROOT, file), 'utf8')).map((found) => ({ file, ...found })),
);

describe('error class names', () => {
  it('finds the error classes', () => {
    expect(classes.map((found) => found.name)).toEqual(
      expect.arrayContaining(['ConfigurationError', 'LivePersonApiError', 'PublishError']),
    );
  });

  it.each(classes.filter((found) => found.name !== 'IntegrationError'))(
    '$name ($file) sets this.name to its own name',
    ({ name, body }) => {
      expect(body).toContain(`this.name = '${name}';`);
    },
  );
});
