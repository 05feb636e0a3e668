/**
 * zod for the functions and the contract: Zod Mini, with zod's English messages.
 *
 * Zod Mini is zod's tree-shakable form (functions instead of methods): a bundle carries only the
 * checks it uses, ≈20 KiB instead of ≈100 KiB for the classic API, and builds its schemas at load
 * in about a third of the time, which counts twice in a Lambda cold start. Mini loads no locale of
 * its own, so the English one is set here: every issue reads as classic zod's would.
 * The CDK app (lib/) keeps classic zod; both share zod's core, so their schemas mix.
 */
import * as z from 'zod/mini';
import { en } from 'zod/locales';

z.config(en());

export * from 'zod/mini';
