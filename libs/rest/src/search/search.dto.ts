import { z } from 'zod';
import { zInt } from '../params';

/** Parameters every portal search takes; `bbox` and the like are accepted and ignored. */
export const SearchDto = z.object({
  q: z.string().optional().default(''),
  start: zInt.pipe(z.number().min(1)).optional().default(1),
  // the product answers at most 100 per page, whatever is asked
  num: zInt.pipe(z.number().min(0)).transform((n) => Math.min(n, 100)).optional().default(10),
  sortField: z.string().optional(),
  sortOrder: z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), z.enum(['asc', 'desc'])).optional(),
});
export type SearchParams = z.infer<typeof SearchDto>;

/** `sortField` (comma lists allowed; the first known one is used) as an ORDER BY, with a stable tie-break. */
export function searchOrder(p: SearchParams, columns: Record<string, string>, fallback: string, tieBreak: string): string {
  const field = (p.sortField ?? '')
    .split(',')
    .map((f) => f.trim().toLowerCase())
    .find((f) => columns[f]);
  const dir = p.sortOrder === 'desc' ? 'DESC' : 'ASC';
  return field ? `${columns[field]} ${dir}, ${tieBreak}` : `${fallback}, ${tieBreak}`;
}

/** The response envelope of every portal search. */
export function searchPage<T>(p: SearchParams, total: number, results: T[]) {
  const nextStart = p.start - 1 + p.num < total && results.length > 0 ? p.start + p.num : -1;
  return { query: p.q, total, start: p.start, num: p.num, nextStart, results };
}
