#!/usr/bin/env node
/**
 * liveperson-aws: operations against a deployed stack and a real LivePerson account.
 *
 *   npx liveperson-aws doctor                         is everything the functions need in place?
 *   npx liveperson-aws webhook send --url <url>       post a signed test notification
 *   npx liveperson-aws c2m check --phone +1...        C2M eligibility of a phone number
 *   npx liveperson-aws c2m report --from --to         what became of the C2M invites (Outbound Reporting)
 *   npx liveperson-aws events replay --from --to      send archived events back to the bus (EventBridge replay)
 *
 * Human-readable by default; --json for scripts. Exit code 0 when all went well, 1 when a check or
 * call failed, 2 for a usage mistake.
 */
import { parseArgs } from 'node:util';
import { c2mCheck } from './c2m-check.ts';
import { c2mReport, formatC2mReport } from './c2m-report.ts';
import { COMMON_HELP, COMMON_OPTIONS, messageOf, UsageError } from './context.ts';
import { doctor } from './doctor.ts';
import { eventsReplay, formatEventsReplay } from './events-replay.ts';
import { webhookSend } from './webhook-send.ts';

export const USAGE = `usage: npx liveperson-aws <command> [options]

commands:
  doctor                       check the deployment config, the credentials secret, the domains (CSDS) and an AppJWT
  webhook send --url <url>     post a signed test ContentEvent to a webhook URL
      [--algorithm sha1|sha256] [--text <message>] [--conversation-id <id>]
  c2m check --phone <+E.164>   ask C2M whether the number can be reached by messaging (no invite is sent)
      [--skill <skill>] [--handoff-id <id>]
  c2m report                   what became of the C2M invites of a window: attempted, sent, delivered, read, conversations
      [--from <time>] [--to <time>] (ISO or epoch ms; default the last 24 h; at most 60 days)
      [--transactions] (one line per invite; at most 24 h) [--lp-region va|lo|sy] [--reporting-url <url>]
  events replay --from <time> --to <time>
                               send a window's archived events (ISO or epoch ms; within the archive's retention, not in
                               the future) back to the event bus: an EventBridge replay from the bus's archive
      [--rule <name|arn> ...] (only to these rules of the bus: a subscriber's), or [--detail-type <type> ...] (only to
      the rules taking these types: a replay cannot leave events out, so they get every type their pattern takes)
      [--wait] [--wait-minutes <n>] (until COMPLETED, FAILED or CANCELLED; 30 min by default; the replay goes on)
      [--replay-name <name>] [--archive-arn <arn>] [--bus-name <name>] (default: the account's liveperson-<id>)
      Replayed events keep their detail, eventId included, so subscribers' deduplication on it holds; each one
      carries a top-level "replay-name". --region is the bus's (default: AWS_REGION, else the deployment config's).

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
        from: { type: 'string' },
        to: { type: 'string' },
        'lp-region': { type: 'string' },
        'reporting-url': { type: 'string' },
        transactions: { type: 'boolean', default: false },
        'detail-type': { type: 'string', multiple: true },
        rule: { type: 'string', multiple: true },
        'archive-arn': { type: 'string' },
        'bus-name': { type: 'string' },
        'replay-name': { type: 'string' },
        wait: { type: 'boolean', default: false },
        'wait-minutes': { type: 'string' },
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
      case 'c2m report': {
        const report = await c2mReport(values);
        print(report, formatC2mReport(report));
        return 0;
      }
      case 'events replay': {
        const result = await eventsReplay(values, { progress: (line) => (values.json ? undefined : output.out(line)) });
        print(result, formatEventsReplay(result));
        return result.ok ? 0 : 1;
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
