/**
 * Stack traces of a bundled function point into the TypeScript sources, at no cost to the cold
 * start. Injected first into every bundle (lib/bundling.ts, BUNDLE_INJECT).
 *
 * Node's `--enable-source-maps` reads and parses a bundle's source map while the bundle loads:
 * ≈20–45 ms of every cold start, for stack traces most invocations never print. Here the map is
 * read and parsed (with Node's own `module.SourceMap`) the first time a stack is formatted, that
 * is when an error's `stack` is first read (a logged error, an uncaught one), and kept for the
 * next ones. Hand-written because the packages that do this (source-map-support) bring their own
 * map parser into the bundle, and Node's parser is already there.
 *
 * A frame outside a bundle with a map, or one the map does not cover, is printed as Node prints it;
 * nothing here may throw, so any failure falls back to Node's own text.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

interface MappedFile {
  readonly map: SourceMap;
  /** The bundle's own lines, to find a function's name token (see functionName). */
  readonly lines: readonly string[];
}

const files = new Map<string, MappedFile | null>();

function mappedFileOf(fileName: string): MappedFile | null {
  let file = files.get(fileName);
  if (file !== undefined) return file;
  file = null;
  try {
    const path = fileName.startsWith('file:') ? fileURLToPath(fileName) : fileName;
    const map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')));
    file = { map, lines: readFileSync(path, 'utf8').split('\n') };
  } catch {
    // No map beside this file (or not a readable one): its frames stay as they are.
  }
  files.set(fileName, file);
  return file;
}

// From where V8 says a function starts (`async function* name(`, `name(` of a method) to its name token.
const FUNCTION_HEAD = /^(?:async\s*)?(?:function\s*)?(?:\*\s*)?(?:get\s+|set\s+|static\s+)*(?=[\w$])/;

/**
 * The enclosing function's own name, as written in the source: the bundle is minified without
 * keepNames, so V8's name is the mangled one; the map names the function at its name token.
 */
function functionName(file: MappedFile, site: NodeJS.CallSite): string | undefined {
  const line = site.getEnclosingLineNumber();
  const column = site.getEnclosingColumnNumber();
  if (line === null || column === null) return undefined;
  const head = FUNCTION_HEAD.exec(file.lines[line - 1]?.slice(column - 1) ?? '');
  if (!head) return undefined;
  const origin = file.map.findOrigin(line, column + head[0].length);
  return 'name' in origin && origin.name ? origin.name : undefined;
}

/** `../../functions/lib/x.ts` as the map lists it → `functions/lib/x.ts`. */
function readablePath(source: string): string {
  return source.replace(/^(?:webpack:\/\/|file:\/\/)?(?:\.\.?\/)+/, '');
}

export function mappedFrame(site: NodeJS.CallSite): string {
  const fileName = site.getFileName();
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  if (!fileName || line === null || column === null) return site.toString();
  const file = mappedFileOf(fileName);
  if (!file) return site.toString();
  const origin = file.map.findOrigin(line, column);
  if (!('fileName' in origin)) return site.toString();
  const name = functionName(file, site) ?? site.getFunctionName();
  const location = `${readablePath(origin.fileName)}:${origin.lineNumber}:${origin.columnNumber}`;
  const prefix = `${site.isAsync() ? 'async ' : ''}${site.isConstructor() ? 'new ' : ''}`;
  return name ? `${prefix}${name} (${location})` : `${prefix}${location}`;
}

export function formatStack(error: unknown, sites: readonly NodeJS.CallSite[]): string {
  let header: string;
  try {
    header = Error.prototype.toString.call(error);
  } catch {
    header = 'Error';
  }
  const frames = sites.map((site) => {
    try {
      return `\n    at ${mappedFrame(site)}`;
    } catch {
      return `\n    at ${String(site)}`;
    }
  });
  return header + frames.join('');
}

/** Installs the formatter, unless Node maps stacks itself (`--enable-source-maps` set by hand). */
export function installSourceMappedStacks(): void {
  if (process.sourceMapsEnabled) return;
  Error.prepareStackTrace = formatStack;
}

installSourceMappedStacks();
