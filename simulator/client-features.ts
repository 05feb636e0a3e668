// What the consumer's client declared in its Client-Properties header (`features`), and how the
// simulator honours it. LivePerson documents the header and says "Some of the client capablities are
// not supported by default. In order to enable them, the client should include the feature name", and
// that the post-conversation survey's dialog needs MULTI_DIALOG; it does not document what a client
// without QUICK_REPLIES or RICH_CONTENT receives instead.
//
// Simulator-defined:
// - Features count only for a conversation whose CONVERSATION call carried the header; without a header
//   every feature counts as declared (the behaviour before the simulator read the header).
// - Without QUICK_REPLIES an agent's quick replies are dropped: the text is published alone.
// - Without RICH_CONTENT an agent's structured content is published as a text/plain ContentEvent: the
//   texts of the template's `text` elements, one per line, in document order, or RICH_CONTENT_FALLBACK
//   when it has none.
// - Without MULTI_DIALOG no survey dialog opens: ending the main dialog closes the conversation.
import type { ConversationSnapshot, MessagingEvent } from './types.ts';

/** The text a client without RICH_CONTENT gets for structured content that has no text element. */
export const RICH_CONTENT_FALLBACK = '[structured content]';

/** True when the conversation was opened with Client-Properties whose `features` leave this one out. */
export function lacksFeature(conversation: ConversationSnapshot, feature: string): boolean {
  const properties = conversation.clientProperties;
  if (properties === undefined) return false;
  const features = properties.features;
  return !(Array.isArray(features) && features.includes(feature));
}

/** An agent's text with quick replies, as this conversation's client is sent it. */
export function agentTextEvent(
  conversation: ConversationSnapshot,
  message: string,
  quickReplies: Record<string, unknown> | undefined,
): MessagingEvent {
  const withReplies = quickReplies !== undefined && !lacksFeature(conversation, 'QUICK_REPLIES');
  return { type: 'ContentEvent', contentType: 'text/plain', message, ...(withReplies ? { quickReplies } : {}) };
}

/** An agent's structured content, as this conversation's client is sent it. */
export function agentRichContentEvent(conversation: ConversationSnapshot, content: Record<string, unknown>): MessagingEvent {
  if (!lacksFeature(conversation, 'RICH_CONTENT')) return { type: 'RichContentEvent', content };
  const texts: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const element = value as Record<string, unknown>;
    if (element.type === 'text' && typeof element.text === 'string' && element.text !== '') texts.push(element.text);
    for (const child of Object.values(element)) visit(child);
  };
  visit(content);
  return { type: 'ContentEvent', contentType: 'text/plain', message: texts.length > 0 ? texts.join('\n') : RICH_CONTENT_FALLBACK };
}
