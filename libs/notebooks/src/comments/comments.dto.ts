import { z } from 'zod';
import { pagingSchema } from '@app/rest';

export const CommentDto = z.object({ comment: z.string().trim().min(1, 'is required').max(4000, 'must be at most 4000 characters') });
export const ListCommentsDto = pagingSchema;
