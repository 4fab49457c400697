/**
 * A delivery as the intake lane stores it (intake.ts writes it before the 200; events.ts reads it
 * back): what the intake lane needs to act on it later, without the webhook payload. The queue row
 * lives outside this process and may have been written by another version, so it is parsed again.
 */
import { z } from 'zod';
import { actionableDecisionSchema, eventFactsSchema } from './triggers.ts';

export const storedEventSchema = z.object({
  deliveryId: z.string().min(1),
  receivedAt: z.string().min(1),
  facts: eventFactsSchema,
  decision: actionableDecisionSchema,
  installationId: z.number().int().positive(),
  cloneUrl: z.string().min(1),
  defaultBranch: z.string().min(1),
  /** The issue's title and body as this delivery carried them (THREATS.md #8: snapshot at trigger). */
  issue: z.object({ title: z.string(), body: z.string().nullable() }),
});
export type StoredEvent = z.infer<typeof storedEventSchema>;
