import { z } from 'zod';
import { zNotebookParameters } from '@app/execution';
import { zBool, zCsv } from '@app/rest';

const zHeaders = zCsv.pipe(
  z
    .array(z.string().regex(/^[A-Za-z0-9-]{1,128}$/, 'must be HTTP header names'))
    .min(1, 'must name at least one header')
    .transform((hs) => [...new Set(hs.map((h) => h.toLowerCase()))]),
);

export const CreateReceiverDto = z.object({
  name: z.string().trim().min(1, 'is required').max(256),
  itemId: z.string().regex(/^[0-9a-f]{32}$/i, 'must be a 32-character item id'),
  /** Documented as 32 characters; longer ones are accepted. Generated when absent. */
  secret: z.string().min(32, 'must be at least 32 characters').max(256).optional(),
  signatureHeaders: zHeaders.optional(),
  parameters: zNotebookParameters.optional(),
});

export const UpdateReceiverDto = CreateReceiverDto.partial().extend({ disabled: zBool.optional() });
