/**
 * `npm run demo`: a full story against a local stack, each step printed and checked. It uses only
 * the stack's control endpoint (HTTP), so it runs against a stack started with `npm start` or,
 * when none answers, one it starts itself.
 *
 *   1. a call enters the IVR: the contact flow asks C2M whether the caller can be reached by messaging
 *   2. the caller accepts: the flow sends the invite
 *   3. the invited consumer answers on their phone
 *   4. LivePerson's signed webhooks arrive, are processed in order and published to EventBridge
 *   5. the agent answers, and that too is published in order
 *   6. the consumer shares a photo: a hosted file, typed as such
 *   7. the agent offers quick replies and the consumer taps one
 *   8. the agent ends the conversation and the post-conversation survey starts in its own dialog
 *   9. LivePerson sends a notification of a type this version does not know: passed on, not lost
 *  10. the brand's own app sends a consumer message through the Connector API
 *  11. the app shares a photo with the agent; the agent's file comes back, and its download URL works
 *  12. the agent ends the conversation; the app's consumer answers the survey through the Connector API
 *  13. the C2M funnel counts the invite and the conversation it led to, each once
 */
import { randomUUID } from 'node:crypto';
import { parseArgs, styleText } from 'node:util';
import type { FunnelRunSummary } from '#functions/lib/ivr/funnel.ts';
import { ONE_PIXEL_PNG_BASE64 } from './sample-files.ts';

export interface DemoStep {
  readonly title: string;
  readonly ok: boolean;
  readonly detail: string;
}

interface PublishedEvent {
  readonly detailType: string;
  readonly detail: {
    conversationId?: string;
    dialogId?: string;
    message?: unknown;
    content?: { kind?: string; fileType?: string; relativePath?: string };
    quickReplies?: { replies?: Array<{ title?: string; click?: { metadata?: Array<{ type?: string; id?: string }> } }> };
    metadata?: Array<{ type?: string; id?: string }>;
    sequence?: number;
    state?: string;
    stage?: string;
    dialogs?: Array<{ dialogId?: string; dialogType?: string; state?: string }>;
    originatorRole?: string;
    notificationType?: string;
    changeType?: string;
  };
}

/** How many steps the story has: the demo passed when each was observed. */
export const DEMO_STEP_COUNT = 13;

export async function runDemo(controlUrl: string, onStep: (step: DemoStep) => void = () => undefined): Promise<DemoStep[]> {
  // A new caller each run: C2M does not invite a consumer who already has an open conversation.
  const caller = `+1206555${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;
  const steps: DemoStep[] = [];
  const record = (title: string, ok: boolean, detail: string) => {
    const step = { title, ok, detail };
    steps.push(step);
    onStep(step);
    return ok;
  };
  const call = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${controlUrl}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const json = (await response.json()) as T & { error?: string };
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${json.error ?? ''}`);
    return json;
  };
  const eventsOf = (conversationId: string) =>
    call<PublishedEvent[]>('GET', `/events?conversationId=${encodeURIComponent(conversationId)}`);
  const waitFor = async (conversationId: string, done: (events: PublishedEvent[]) => boolean, timeoutMs = 15_000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const events = await eventsOf(conversationId);
      if (done(events) || Date.now() > until) return events;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  // The funnel counts each step in the run whose window holds its time: every run ending after this may hold the demo's.
  const startedAt = Date.now();
  try {
    const eligibility = await call<Record<string, string>>('POST', '/connect/c2m', {
      phoneNumber: caller,
      parameters: { action: 'eligibility' },
    });
    const callId = eligibility.callId ?? '';
    if (
      !record(
        'A call enters the IVR: C2M eligibility',
        eligibility.result === 'ELIGIBLE' && callId !== '',
        `result=${eligibility.result} channels=${eligibility.availableChannels ?? ''} callId=${callId}`,
      )
    )
      return steps;

    const invite = await call<Record<string, string>>('POST', '/connect/c2m', {
      phoneNumber: caller,
      parameters: { action: 'invite', callId },
    });
    const invites = await call<Array<{ callId: string; channel: string }>>('GET', '/simulator/invites');
    const sent = invites.find((candidate) => candidate.callId === callId);
    if (
      !record(
        'The caller accepts: C2M invite sent',
        invite.result === 'INVITED' && sent !== undefined,
        `result=${invite.result} channel=${sent?.channel ?? 'none'}`,
      )
    )
      return steps;

    const reply = await call<{ conversationId: string }>('POST', '/simulator/consumer-reply', { callId, text: 'Yes, text me please 👍' });
    record('The consumer answers the invitation on their phone', true, `conversation ${reply.conversationId}`);

    const arrived = await waitFor(reply.conversationId, (events) => events.some((e) => e.detail.message === 'Yes, text me please 👍'));
    const opened = arrived.find((e) => e.detailType === 'ExConversationChangeNotification' && e.detail.state === 'OPEN');
    const consumerMessage = arrived.find((e) => e.detailType === 'ContentEvent' && e.detail.originatorRole === 'CONSUMER');
    if (
      !record(
        'Signed webhooks accepted, processed and published',
        opened !== undefined && consumerMessage !== undefined,
        arrived.map((e) => `${e.detailType}${typeof e.detail.message === 'string' ? ` "${e.detail.message}"` : ''}`).join(', ') ||
          'nothing published',
      )
    ) {
      return steps;
    }

    await call('POST', '/simulator/agent-reply', { conversationId: reply.conversationId, text: 'Hi! How can I help?' });
    const conversation = await waitFor(reply.conversationId, (events) => events.some((e) => e.detail.message === 'Hi! How can I help?'));
    const messages = conversation.filter((e) => e.detailType === 'ContentEvent');
    const sequences = messages.map((e) => e.detail.sequence ?? -1);
    const inOrder = sequences.every((sequence, i) => i === 0 || sequence > (sequences[i - 1] ?? -1));
    if (
      !record(
        'The agent answers; the conversation is published in order',
        messages.length >= 2 && inOrder && messages.at(-1)?.detail.message === 'Hi! How can I help?',
        messages.map((e) => `#${e.detail.sequence} ${e.detail.originatorRole}: "${String(e.detail.message)}"`).join(' → '),
      )
    ) {
      return steps;
    }

    const file = await call<{ sequence: number; relativePath: string }>('POST', '/simulator/consumer-file', {
      conversationId: reply.conversationId,
      fileType: 'JPG',
      caption: 'my receipt',
    });
    const withFile = await waitFor(reply.conversationId, (events) => events.some((e) => e.detail.sequence === file.sequence));
    const shared = withFile.find((e) => e.detailType === 'ContentEvent' && e.detail.sequence === file.sequence);
    if (
      !record(
        'The consumer shares a photo; it is published as a typed hosted file',
        shared?.detail.content?.kind === 'hostedFile' && shared.detail.content.relativePath === file.relativePath,
        shared === undefined
          ? 'nothing published'
          : `content.kind=${shared.detail.content?.kind} fileType=${shared.detail.content?.fileType} relativePath=${shared.detail.content?.relativePath}`,
      )
    ) {
      return steps;
    }

    const offer = await call<{ sequence: number }>('POST', '/simulator/agent-reply', {
      conversationId: reply.conversationId,
      text: 'Did that solve it?',
      quickReplies: ['Yes', 'No'],
    });
    const withOffer = await waitFor(reply.conversationId, (events) => events.some((e) => e.detail.sequence === offer.sequence));
    const offered = withOffer.find((e) => e.detail.sequence === offer.sequence);
    const titles = offered?.detail.quickReplies?.replies?.map((r) => r.title).join('/') ?? '';
    // The consumer taps the first button: its text is published with the button's click metadata.
    const button = offered?.detail.quickReplies?.replies?.[0];
    const tap = await call<{ sequence: number }>('POST', '/simulator/consumer-message', {
      conversationId: reply.conversationId,
      text: button?.title ?? 'Yes',
      metadata: button?.click?.metadata ?? [],
    });
    const withReplies = await waitFor(reply.conversationId, (events) => events.some((e) => e.detail.sequence === tap.sequence));
    const tapped = withReplies.find((e) => e.detail.sequence === tap.sequence);
    const offeredId = button?.click?.metadata?.[0]?.id;
    if (
      !record(
        'The agent offers quick replies and the consumer taps one',
        titles === 'Yes/No' && offeredId !== undefined && tapped?.detail.metadata?.[0]?.id === offeredId,
        `offered ${titles || 'nothing'}; tapped "${String(tapped?.detail.message ?? '')}" with metadata ${tapped?.detail.metadata?.[0]?.id ?? 'none'}`,
      )
    ) {
      return steps;
    }

    const survey = await call<{ dialogId: string; sequence: number }>('POST', '/simulator/survey', {
      conversationId: reply.conversationId,
    });
    const isQuestion = (e: PublishedEvent) => e.detail.dialogId === survey.dialogId && e.detail.sequence === survey.sequence;
    const withSurvey = await waitFor(reply.conversationId, (events) => events.some(isQuestion));
    const surveyState = withSurvey.find(
      (e) => e.detailType === 'ExConversationChangeNotification' && e.detail.dialogs?.some((d) => d.dialogType === 'POST_SURVEY'),
    );
    const question = withSurvey.find(isQuestion);
    if (
      !record(
        'The agent ends the conversation; the survey asks in its own dialog',
        surveyState?.detail.stage === 'OPEN' &&
          question?.detail.dialogId === survey.dialogId &&
          (question.detail.quickReplies?.replies?.length ?? 0) > 0,
        `state=${surveyState?.detail.state ?? '?'} stage=${surveyState?.detail.stage ?? '?'} dialogs=${surveyState?.detail.dialogs?.map((d) => `${d.dialogType}:${d.state}`).join(',') ?? 'none'}; "${String(question?.detail.message ?? '')}"`,
      )
    ) {
      return steps;
    }

    const future = {
      kind: 'notification',
      type: 'ms.MessagingEventNotification',
      body: {
        changes: [
          {
            sequence: 999,
            serverTimestamp: Date.now(),
            originatorId: 'bot',
            event: { type: 'ReactionEvent', reaction: '👍' },
            conversationId: reply.conversationId,
            dialogId: survey.dialogId,
          },
        ],
      },
    };
    const delivered = await call<{ state: string; status?: number }>('POST', '/simulator/notification', future);
    const withUnknown = await waitFor(reply.conversationId, (events) => events.some((e) => e.detailType === 'UnknownEvent'));
    const unknown = withUnknown.find((e) => e.detailType === 'UnknownEvent');
    if (
      !record(
        'A notification of a type this version does not know is passed on, not lost',
        delivered.status === 200 && unknown?.detail.changeType === 'ReactionEvent',
        `webhook answered ${delivered.status ?? 'nothing'}; published ${unknown === undefined ? 'nothing' : `UnknownEvent changeType=${unknown.detail.changeType}`}`,
      )
    ) {
      return steps;
    }

    const consumerId = `demo-app-user-${randomUUID().slice(0, 8)}`;
    const text = 'Hello from the brand app';
    const sendResult = await call<{ conversationId?: string; ok?: boolean }>('POST', '/connector/commands', {
      type: 'sendText',
      commandId: randomUUID(),
      consumerId,
      text,
    });
    const outboundConversation = sendResult.conversationId ?? '';
    const echoed =
      outboundConversation === '' ? [] : await waitFor(outboundConversation, (events) => events.some((e) => e.detail.message === text));
    if (
      !record(
        'The brand app sends a consumer message through the Connector API; it comes back as an event',
        echoed.some((e) => e.detailType === 'ContentEvent' && e.detail.message === text),
        `consumer ${consumerId}, conversation ${outboundConversation || 'none'}`,
      )
    ) {
      return steps;
    }

    const isFile = (relativePath: string | undefined) => (e: PublishedEvent) =>
      e.detail.content?.kind === 'hostedFile' && e.detail.content.relativePath === relativePath;
    const appFile = await call<{ ok?: boolean; relativePath?: string }>('POST', '/connector/commands', {
      type: 'sendFile',
      commandId: randomUUID(),
      consumerId,
      file: { base64: ONE_PIXEL_PNG_BASE64 },
      caption: 'The damaged box',
    });
    const agentFile = await call<{ relativePath: string }>('POST', '/simulator/agent-file', {
      conversationId: outboundConversation,
      fileType: 'PNG',
      caption: 'Your return label',
    });
    const withFiles = await waitFor(
      outboundConversation,
      (events) => events.some(isFile(appFile.relativePath)) && events.some(isFile(agentFile.relativePath)),
    );
    const link = await call<{ ok?: boolean; file?: { url?: string } }>('POST', '/connector/commands', {
      type: 'getFileUrl',
      commandId: randomUUID(),
      consumerId,
      relativePath: agentFile.relativePath,
    });
    const download = link.file?.url === undefined ? undefined : await fetch(link.file.url);
    const downloaded = download?.ok === true ? Buffer.from(await download.arrayBuffer()) : undefined;
    if (
      !record(
        "The app shares a photo with the agent; the agent's file comes back, typed, and downloads",
        appFile.ok === true &&
          withFiles.some(isFile(appFile.relativePath)) &&
          withFiles.some(isFile(agentFile.relativePath)) &&
          downloaded?.equals(Buffer.from(ONE_PIXEL_PNG_BASE64, 'base64')) === true,
        `sent ${appFile.relativePath ?? 'nothing'}; agent's ${agentFile.relativePath}: download ${download?.status ?? 'not tried'}, ${downloaded?.length ?? 0} bytes`,
      )
    ) {
      return steps;
    }

    const appSurvey = await call<{ dialogId: string; sequence: number }>('POST', '/simulator/survey', {
      conversationId: outboundConversation,
    });
    const isAppQuestion = (e: PublishedEvent) => e.detail.dialogId === appSurvey.dialogId && e.detail.sequence === appSurvey.sequence;
    const surveyStored = (e: PublishedEvent) =>
      e.detailType === 'ExConversationChangeNotification' && e.detail.dialogs?.some((d) => d.dialogType === 'POST_SURVEY') === true;
    const asked = await waitFor(outboundConversation, (events) => events.some(isAppQuestion) && events.some(surveyStored));
    const click = asked.find(isAppQuestion)?.detail.quickReplies?.replies?.[0]?.click;
    const answer = await call<{ ok?: boolean; dialogId?: string }>('POST', '/connector/commands', {
      type: 'sendClick',
      commandId: randomUUID(),
      consumerId,
      sequence: appSurvey.sequence,
      click,
    });
    const isAnswer = (e: PublishedEvent) => e.detailType === 'AcceptStatusEvent' && e.detail.dialogId === appSurvey.dialogId;
    const answered = await waitFor(outboundConversation, (events) => events.some(isAnswer));
    record(
      "The agent ends the app's conversation; its consumer answers the survey through the Connector API",
      answer.ok === true && answer.dialogId === appSurvey.dialogId && answered.some(isAnswer),
      `survey dialog ${appSurvey.dialogId}; answer went to ${answer.dialogId ?? 'nowhere'} with metadata ${answered.find(isAnswer)?.detail.metadata?.[0]?.type ?? 'none'}`,
    );

    // Counted now, up to this moment. A scheduled run (npm start) may have counted part of the story
    // already, so the check adds up every run since the demo began: each step is in exactly one of them.
    const run = await call<FunnelRunSummary>('POST', '/c2m/funnel');
    const runs = await call<FunnelRunSummary[]>('GET', '/c2m/funnel');
    const since = runs.filter((r) => r.status === 'counted' && r.to !== undefined && Date.parse(r.to) > startedAt);
    const counted = (step: 'attempted' | 'conversationCreated') => since.reduce((sum, r) => sum + (r.totals?.[step] ?? 0), 0);
    record(
      'The C2M funnel counts the invite and the conversation the consumer opened',
      (run.status === 'counted' || run.status === 'nothing-due') && counted('attempted') >= 1 && counted('conversationCreated') >= 1,
      `this run ${run.status} ${run.from ?? ''}–${run.to ?? ''}: attempted ${run.totals?.attempted ?? 0}, conversations ${run.totals?.conversationCreated ?? 0}; ` +
        `since the demo began (${since.length} run(s)): attempted ${counted('attempted')}, conversations ${counted('conversationCreated')}`,
    );
  } catch (error) {
    record('The story could not go on', false, error instanceof Error ? error.message : String(error));
  }
  return steps;
}

async function controlUrlAnswering(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
    return response.ok;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  const usage = 'usage: npm run demo [-- --url <control URL of a running local stack, default http://127.0.0.1:3001>]';
  let values: { url: string; help: boolean };
  try {
    ({ values } = parseArgs({
      options: { url: { type: 'string', default: 'http://127.0.0.1:3001' }, help: { type: 'boolean', default: false } },
    }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
    return 2;
  }
  if (values.help) {
    console.log(usage);
    return 0;
  }
  let controlUrl = values.url;
  let stop: (() => Promise<void>) | undefined;
  if (await controlUrlAnswering(controlUrl)) {
    console.log(styleText('dim', `using the local stack at ${controlUrl}`));
  } else {
    console.log(styleText('dim', `no local stack at ${controlUrl}: starting one in this process`));
    const { startLocalStack } = await import('./stack.ts');
    const stack = await startLocalStack();
    controlUrl = stack.urls.control;
    stop = () => stack.stop();
  }
  try {
    const steps = await runDemo(controlUrl, (step) =>
      console.log(`${step.ok ? styleText('green', '✓') : styleText('red', '✗')} ${step.title}\n  ${styleText('dim', step.detail)}`),
    );
    const passed = steps.length === DEMO_STEP_COUNT && steps.every((step) => step.ok);
    console.log(passed ? styleText('green', 'demo complete: every step observed') : styleText('red', 'demo failed'));
    return passed ? 0 : 1;
  } finally {
    await stop?.();
  }
}

if (import.meta.main) process.exitCode = await main();
