// The simulated post-conversation survey, shared by the Connector API (a consumer's DialogChange that
// closes the main dialog) and the control method startSurvey. As LivePerson's survey tutorial shows it:
// the main dialog closes, a POST_SURVEY dialog opens and its bot asks with quick replies; the state is
// CLOSE and the stage OPEN until the survey ends. Simulator-defined: one question, quick replies
// carrying ExternalId metadata (quickRepliesContent), and a survey applies to a conversation when one is
// configured for its skill (SimulatorOptions.survey) and its client may have it (client-features.ts).
import type { SimContext } from './context.ts';
import { quickRepliesContent, SIMULATED_SURVEY_BOT_ID } from './notifications.ts';
import type { ConversationSnapshot, MessagingEvent, SurveyConfig } from './types.ts';

export const DEFAULT_SURVEY_QUESTION = {
  text: 'How would you rate this conversation?',
  answers: ['Very good', 'Good', 'Poor'],
} as const;

/** The account's survey for this conversation: configured for its skill (or every skill). */
export function surveyFor(context: SimContext, conversation: ConversationSnapshot): SurveyConfig | undefined {
  const survey = context.config.survey;
  if (survey === undefined) return undefined;
  return survey.skillId === undefined || survey.skillId === conversation.skillId ? survey : undefined;
}

export type SurveyStart = { ok: true; dialogId: string; sequence: number } | { ok: false; reason: 'NOT_FOUND' | 'CLOSED' };

/**
 * Closes the main dialog, opens the POST_SURVEY dialog and has the survey bot ask its question with
 * quick replies (sequence 0 of the new dialog).
 */
export function beginSurvey(
  context: SimContext,
  conversationId: string,
  question: { text: string; answers: readonly string[] },
  closer: { closedBy: 'CONSUMER' | 'AGENT'; closedCause?: string },
): SurveyStart {
  const started = context.conversations.startSurvey(conversationId, closer);
  if (!started.ok) return started;
  const event: MessagingEvent = {
    type: 'ContentEvent',
    contentType: 'text/plain',
    message: question.text,
    quickReplies: quickRepliesContent(question.answers),
  };
  const published = context.conversations.publish(conversationId, {
    originator: 'SURVEY_BOT',
    originatorId: SIMULATED_SURVEY_BOT_ID,
    event,
    dialogId: started.dialogId,
  });
  if (!published.ok) return published;
  return { ok: true, dialogId: started.dialogId, sequence: published.message.sequence };
}
