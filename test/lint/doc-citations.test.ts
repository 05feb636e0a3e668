// Comments cite the project's own docs (docs/*.md#anchor): every cited page and heading must exist,
// and nothing may point at a file outside the repository.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const sources = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.js', '*.json', '*.md'], {
  cwd: ROOT,
  encoding: 'utf8',
})
  .split('\n')
  .filter(
    (file) =>
      file !== '' && !file.startsWith('test/fixtures/') && file !== 'package-lock.json' && file !== 'test/lint/doc-citations.test.ts',
  );

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const [, heading] of markdown.matchAll(/^#{1,6} (.+)$/gm)) {
    anchors.add(
      heading!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    );
  }
  return anchors;
}

describe('doc citations', () => {
  it('every docs/…md#anchor cited in the code names a page and a heading that exist', () => {
    const broken: string[] = [];
    let cited = 0;
    for (const file of sources) {
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      for (const [, page, anchor] of text.matchAll(/docs\/([a-z-]+\.md)(?:#([a-z0-9-]+))?/g)) {
        cited += 1;
        let markdown: string;
        try {
          markdown = readFileSync(path.join(ROOT, 'docs', page!), 'utf8');
        } catch {
          broken.push(`${file}: docs/${page} does not exist`);
          continue;
        }
        if (anchor !== undefined && !anchorsOf(markdown).has(anchor)) broken.push(`${file}: docs/${page}#${anchor} has no such heading`);
      }
    }
    expect(broken).toEqual([]);
    expect(cited).toBeGreaterThan(10);
  });

  it('nothing cites a design note outside the repository', () => {
    const outside = sources.filter((file) =>
      /DESIGN\.md|LIVEPERSON\.md|\.\.\/shared\/|\bseeds?[ /]\d{3}/.test(readFileSync(path.join(ROOT, file), 'utf8')),
    );
    expect(outside).toEqual([]);
  });
});
