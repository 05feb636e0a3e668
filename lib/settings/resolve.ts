/**
 * How a construct's props and the deployment config's blocks are checked: through one zod schema per
 * capability (lib/settings/*), so defaults and ranges live in one place. A construct's error names the
 * construct and its path, then the field, e.g. `LivePersonProcessing at MyStack/Processing: batchSize: …`.
 */
import type { IConstruct } from 'constructs';
import type { z } from 'zod';

/** A construct's props that its settings schema refuses: names the construct path and each field. */
export class ConstructPropsError extends Error {
  readonly path: string;
  readonly issues: readonly string[];

  constructor(scope: IConstruct, construct: string, issues: readonly string[]) {
    super(`${construct} at ${scope.node.path || '(root)'}: ${issues.join('; ')}`);
    this.name = 'ConstructPropsError';
    this.path = scope.node.path;
    this.issues = issues;
  }
}

/** One line per issue: `<field path>: <what is wrong>` (a stray key is named itself). */
export function formatIssue(issue: z.core.$ZodIssue, prefix = ''): string[] {
  const field = [prefix, ...issue.path.map(String)].filter((part) => part !== '').join('.');
  if (issue.code === 'unrecognized_keys') {
    // Name the stray key itself: a typo such as "acountId" should point at the exact spot.
    return issue.keys.map((key) => `${field ? `${field}.` : ''}${key}: is not a known field (check its spelling)`);
  }
  return [field ? `${field}: ${issue.message}` : issue.message];
}

/**
 * The settings `props` carry, with the schema's defaults applied; throws ConstructPropsError naming
 * the construct path and every field in error. Only the schema's own keys are read from `props`.
 */
export function resolveSettings<S extends z.ZodObject>(scope: IConstruct, construct: string, schema: S, props: object): z.output<S> {
  const keys = Object.keys(schema.shape);
  const picked = Object.fromEntries(Object.entries(props).filter(([key, value]) => keys.includes(key) && value !== undefined));
  const result = schema.safeParse(picked);
  if (!result.success)
    throw new ConstructPropsError(
      scope,
      construct,
      result.error.issues.flatMap((issue) => formatIssue(issue)),
    );
  return result.data;
}
