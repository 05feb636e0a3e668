// The contact flow that ships with the project (c2m-deflection.json, Amazon Connect flow language):
// C2M eligibility → "press 1" offer → invite, falling back to a queue. Rendered with the c2m-invite
// function's ARN (and a fallback queue, if any) for the stack, or by render-c2m-flow.ts for an import.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export const C2M_FLOW_TEMPLATE_PATH = path.join(import.meta.dirname, 'c2m-deflection.json');
export const FUNCTION_ARN_PLACEHOLDER = '{{C2M_INVITE_FUNCTION_ARN}}';
export const FALLBACK_QUEUE_PLACEHOLDER = '{{FALLBACK_QUEUE_ARN}}';
/** The action that sets the fallback queue: dropped when no queue is given (the contact's working queue is used). */
export const SET_FALLBACK_QUEUE_ACTION = 'set-fallback-queue';
export const TRANSFER_TO_QUEUE_ACTION = 'transfer-to-queue';
/** Contact attribute holding the eligibility answer's callId between the two Lambda invocations. */
export const CALL_ID_ATTRIBUTE = 'c2mCallId';

export interface FlowTransition {
  readonly NextAction: string;
  readonly ErrorType?: string;
  readonly Condition?: { readonly Operator: string; readonly Operands: readonly string[] };
}

export interface FlowAction {
  readonly Identifier: string;
  readonly Type: string;
  readonly Parameters?: Record<string, unknown>;
  readonly Transitions?: {
    readonly NextAction?: string;
    readonly Errors?: readonly FlowTransition[];
    readonly Conditions?: readonly FlowTransition[];
  };
}

export interface ContactFlow {
  readonly Version: string;
  readonly StartAction: string;
  readonly Metadata?: { readonly entryPointPosition?: unknown; readonly ActionMetadata?: Record<string, unknown> };
  readonly Actions: readonly FlowAction[];
}

export interface C2mFlowOptions {
  /** ARN of the c2m-invite function (a CDK token is fine). */
  readonly functionArn: string;
  /** Queue for callers who are not deflected; without it, the contact's working queue (set before this flow). */
  readonly fallbackQueueArn?: string | undefined;
}

export function loadC2mFlowTemplate(): ContactFlow {
  return JSON.parse(readFileSync(C2M_FLOW_TEMPLATE_PATH, 'utf8')) as ContactFlow;
}

/** The flow with its placeholders filled in. */
export function renderC2mDeflectionFlow(options: C2mFlowOptions): ContactFlow {
  let flow = loadC2mFlowTemplate();
  if (options.fallbackQueueArn === undefined) flow = withoutAction(flow, SET_FALLBACK_QUEUE_ACTION, TRANSFER_TO_QUEUE_ACTION);
  return substitute(flow, {
    [FUNCTION_ARN_PLACEHOLDER]: options.functionArn,
    ...(options.fallbackQueueArn === undefined ? {} : { [FALLBACK_QUEUE_PLACEHOLDER]: options.fallbackQueueArn }),
  });
}

/** Removes an action, sending everything that led to it on to `replacement`. */
function withoutAction(flow: ContactFlow, identifier: string, replacement: string): ContactFlow {
  const redirect = (target: string) => (target === identifier ? replacement : target);
  const redirectAll = (transitions: readonly FlowTransition[] | undefined) =>
    transitions?.map((transition) => ({ ...transition, NextAction: redirect(transition.NextAction) }));
  const actionMetadata = Object.fromEntries(Object.entries(flow.Metadata?.ActionMetadata ?? {}).filter(([id]) => id !== identifier));
  return {
    ...flow,
    StartAction: redirect(flow.StartAction),
    ...(flow.Metadata ? { Metadata: { ...flow.Metadata, ActionMetadata: actionMetadata } } : {}),
    Actions: flow.Actions.filter((action) => action.Identifier !== identifier).map((action) => {
      const transitions = action.Transitions;
      if (!transitions) return action;
      return {
        ...action,
        Transitions: {
          ...transitions,
          ...(transitions.NextAction === undefined ? {} : { NextAction: redirect(transitions.NextAction) }),
          ...(transitions.Errors ? { Errors: redirectAll(transitions.Errors) } : {}),
          ...(transitions.Conditions ? { Conditions: redirectAll(transitions.Conditions) } : {}),
        },
      };
    }),
  };
}

/** Replaces placeholders in every string value of the flow. */
function substitute<T>(value: T, values: Readonly<Record<string, string>>): T {
  if (typeof value === 'string') {
    return Object.entries(values).reduce<string>(
      (text, [placeholder, replacement]) => text.replaceAll(placeholder, replacement),
      value,
    ) as T;
  }
  if (Array.isArray(value)) return value.map((item: unknown) => substitute(item, values)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, values)])) as T;
  }
  return value;
}
