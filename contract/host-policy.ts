/**
 * The host policy: which hosts a function may send a LivePerson request (and with it a credential)
 * to. The CDK app checks it at synth and sets it in each function's environment; the functions
 * enforce it before every call (functions/lib/liveperson/domains.ts). One definition for both sides.
 */
/** The environment variables of the host policy (see `hostPolicyFromEnvironment`). */
export const HOST_POLICY_ENV = {
  /** Comma-separated domains whose hosts may be called, e.g. `liveperson.net`. Set by the CDK app. */
  allowedHostSuffixes: 'LP_ALLOWED_HOST_SUFFIXES',
  /** `true` lets any http(s) host through, plain http included: the local stack and tests only, never a deployment. */
  allowInsecureHosts: 'LP_ALLOW_INSECURE_HOSTS',
} as const;

/** LivePerson's domain: every service this project calls (Sentinel, IdP, C2M, Connector API) lives under it. */
export const DEFAULT_ALLOWED_HOST_SUFFIXES: readonly string[] = ['liveperson.net'];

/** Which hosts a LivePerson URL may point at. */
export interface HostPolicy {
  /** A host passes when it is one of these domains or a subdomain of one (on a label boundary). */
  readonly allowedHostSuffixes: readonly string[];
  /** Any http(s) host, plain http included: for the simulator (local stack, tests) only. */
  readonly allowInsecureHosts: boolean;
}

export const DEFAULT_HOST_POLICY: HostPolicy = { allowedHostSuffixes: DEFAULT_ALLOWED_HOST_SUFFIXES, allowInsecureHosts: false };

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Why a value is no allowed host suffix (a DNS domain of at least two labels, e.g. `liveperson.net`), or undefined. */
export function hostSuffixProblem(suffix: string): string | undefined {
  const labels = suffix.split('.');
  const valid =
    suffix.length <= 253 &&
    labels.length >= 2 &&
    labels.every((label) => DNS_LABEL.test(label)) &&
    // A top-level label is never all digits: refuses IP addresses and their tails.
    !/^\d+$/.test(labels.at(-1) ?? '');
  return valid
    ? undefined
    : `"${suffix}" is not a domain such as liveperson.net (lower-case, at least two labels, no scheme, port or wildcard)`;
}

/** The comma-separated list of LP_ALLOWED_HOST_SUFFIXES, trimmed and lower-cased; throws on a bad entry. */
export function parseAllowedHostSuffixes(value: string): string[] {
  const suffixes = value.split(',').map((suffix) => suffix.trim().toLowerCase());
  const problems = suffixes.map(hostSuffixProblem).filter((problem) => problem !== undefined);
  if (problems.length > 0) throw new Error(`${HOST_POLICY_ENV.allowedHostSuffixes}: ${problems.join('; ')}`);
  return suffixes;
}

/** Why LP_ALLOWED_HOST_SUFFIXES is unusable, or undefined (unset or empty means the default). */
export function allowedHostSuffixesProblem(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  try {
    parseAllowedHostSuffixes(value);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Why LP_ALLOW_INSECURE_HOSTS is unusable, or undefined. */
export function allowInsecureHostsProblem(value: string | undefined): string | undefined {
  if (value === undefined || value === '' || value === 'true' || value === 'false') return undefined;
  return `${HOST_POLICY_ENV.allowInsecureHosts} must be "true" or "false" (true only for the local stack and tests)`;
}

/**
 * The host policy from the process environment: LP_ALLOWED_HOST_SUFFIXES (default liveperson.net) and
 * LP_ALLOW_INSECURE_HOSTS (default false, which a deployment never changes). Throws on a malformed value.
 */
export function hostPolicyFromEnvironment(env: NodeJS.ProcessEnv = process.env): HostPolicy {
  const suffixes = env[HOST_POLICY_ENV.allowedHostSuffixes];
  const insecure = env[HOST_POLICY_ENV.allowInsecureHosts];
  const problems = [allowedHostSuffixesProblem(suffixes), allowInsecureHostsProblem(insecure)].filter((problem) => problem !== undefined);
  if (problems.length > 0) throw new Error(`invalid host policy: ${problems.join('; ')}`);
  return {
    allowedHostSuffixes:
      suffixes === undefined || suffixes.trim() === '' ? DEFAULT_ALLOWED_HOST_SUFFIXES : parseAllowedHostSuffixes(suffixes),
    allowInsecureHosts: insecure === 'true',
  };
}

/**
 * Why the policy refuses a URL, or undefined when it may be called. Only the scheme and host are
 * named, never a path or query. The host must equal a suffix or end in "." + suffix, so
 * `evilliveperson.net` and `liveperson.net.evil.com` are refused.
 */
export function hostPolicyRefusal(url: string | URL, policy: HostPolicy): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return `${parsed.protocol} URLs are not http(s)`;
  if (policy.allowInsecureHosts) return undefined;
  const origin = `${parsed.protocol}//${parsed.host}`;
  if (parsed.protocol !== 'https:') {
    return `${origin} is not https: LivePerson is only called over https (plain http only with ${HOST_POLICY_ENV.allowInsecureHosts}=true, for the local stack and tests)`;
  }
  const host = parsed.hostname;
  if (!policy.allowedHostSuffixes.some((suffix) => host === suffix || host.endsWith(`.${suffix}`))) {
    return `${origin} is not under ${policy.allowedHostSuffixes.join(', ')} (the LivePerson domains ${HOST_POLICY_ENV.allowedHostSuffixes} allows)`;
  }
  return undefined;
}
