/**
 * Your event handlers: edit this file. Each LivePerson event reaches the handlers registered for
 * its type, in order within its conversation, and once (duplicates are skipped before they get
 * here) — except chat-state events without a sequence, which carry nothing to tell a repeat from a
 * redelivery and are always handed over (a typing indicator twice does no harm). A handler that throws makes the whole notification retry later: keep handlers
 * idempotent where their side effects leave this function.
 *
 * The default publishes every event to the EventBridge bus (detail-type = event type), so other
 * systems can subscribe with a rule instead of changing this code.
 */
import { EventHandlerRegistry, publishToEventBridge } from '../lib/processing/registry.ts';

export const registry = new EventHandlerRegistry().on('*', publishToEventBridge);

// Examples:
// registry.on('ContentEvent', async (event) => {
//   // event.content.kind: 'text' | 'hostedFile' | 'externalFile' | 'secureFormInvitation' | 'secureFormSubmission' | 'other'
//   if (event.originatorRole === 'CONSUMER' && event.content.kind === 'text') await myCrm.recordMessage(event.conversationId, event.content.text);
// });
// registry.on('UnknownEvent', async (event) => {
//   // A type LivePerson added after this version: the raw change is in event.change.
//   await myAudit.keep(event.notificationType, event.changeType, event.change);
// });
// registry.on('ExConversationChangeNotification', async (event) => {
//   if (event.state === 'CLOSE') await mySurveys.schedule(event.conversationId);
// });
