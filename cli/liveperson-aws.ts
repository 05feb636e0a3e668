#!/usr/bin/env node
/**
 * liveperson-aws: operations against a deployed stack and a real LivePerson account.
 *
 *   npx liveperson-aws doctor                         is everything the functions need in place?
 *   npx liveperson-aws webhook send --url <url>       post a signed test notification
 *   npx liveperson-aws c2m check --phone +1...        C2M eligibility of a phone number
 *
 * Human-readable by default; --json for scripts. Exit code 0 when all went well, 1 when a check or
 * call failed, 2 for a usage mistake.
 */
import { parseArgs } from 'node:util';
import { c2mCheck } from './c2m-check.ts';
import { COMMON_HELP, COMMON_OPTIONS, messageOf, UsageError } from './context.ts';
import { doctor } from './doctor.ts';
import { webhookSend } from './webhook-send.ts';

export const USAGE = `usage: npx liveperson-aws <command> [options]

commands:
  doctor                       check the deployment config, the credentials secret, the domains (CSDS) and an AppJWT
  webhook send --url <url>     post a signed test ContentEvent to a webhook URL
      [--algorithm sha1|sha256] [--text <message>] [--conversation-id <id>]
  c2m check --phone <+E.164>   ask C2M whether the number can be reached by messaging (no invite is sent)
      [--skill <skill>] [--handoff-id <id>]

options:
${COMMON_HELP}`;

export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

const consoleOutput: CliOutput = { out: (line) => console.log(line), err: (line) => console.error(line) };

export async function runCli(argv: readonly string[], output: CliOutput = consoleOutput): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        ...COMMON_OPTIONS,
        url: { type: 'string' },
        algorithm: { type: 'string' },
        text: { type: 'string' },
        'conversation-id': { type: 'string' },
        phone: { type: 'string' },
        skill: { type: 'string' },
        'handoff-id': { type: 'string' },
        region: { type: 'string' },
      },
    });
  } catch (error) {
    output.err(`${messageOf(error)}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals.join(' ');
  if (values.help || command === '' || command === 'help') {
    output.out(USAGE);
    return values.help || command === 'help' ? 0 : 2;
  }
  const print = (value: unknown, human: string) => output.out(values.json ? JSON.stringify(value, null, 2) : human);

  try {
    switch (command) {
      case 'doctor': {
        const checks = await doctor(values);
        const ok = checks.every((check) => check.level !== 'error');
        const mark = { ok: '✓', warning: '!', error: '✗' } as const;
        const verdict = !ok
          ? 'something needs fixing (see ✗ above)'
          : checks.some((c) => c.level === 'warning')
            ? 'all good, with a warning (see ! above)'
            : 'all good';
        print({ ok, checks }, [...checks.map((c) => `${mark[c.level]} ${c.name.padEnd(16)} ${c.detail}`), verdict].join('\n'));
        return ok ? 0 : 1;
      }
      case 'webhook send': {
        const result = await webhookSend(values);
        print(
          result,
          `${result.ok ? '✓' : '✗'} POST ${result.url} → ${result.status ?? 'no answer'} ${result.answer}\n  conversation ${result.conversationId}`,
        );
        return result.ok ? 0 : 1;
      }
      case 'c2m check': {
        const result = await c2mCheck(values);
        print(
          result,
          `${result.eligible ? '✓ eligible' : '✗ not eligible'} (auth: ${result.auth})\n  recommended channel: ${result.recommendedChannel || 'none'}; available: ${result.availableChannels.join(', ') || 'none'}; callId ${result.callId}`,
        );
        return 0;
      }
      default:
        output.err(`unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(error.message);
      return 2;
    }
    print({ ok: false, error: messageOf(error) }, `✗ ${messageOf(error)}`);
    return 1;
  }
}

if (import.meta.main) process.exitCode = await runCli(process.argv.slice(2));
