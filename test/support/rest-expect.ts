import type { Response } from 'supertest';
import type { ApiHarness } from './api-harness';

export const HEX32 = /^[0-9a-f]{32}$/;

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Asserts the REST error JSON `{"error":{code,messageCode,message,details}}` with its HTTP status. */
export function expectError(res: Response, status: number, expected: { code?: number; messageCode?: string } = {}) {
  expect({ status: res.status, body: res.body }).toEqual({
    status,
    body: {
      error: {
        code: expected.code ?? status,
        messageCode: expected.messageCode ?? expect.any(String),
        message: expect.any(String),
        details: expect.any(Array),
      },
    },
  });
  return res.body.error as { code: number; messageCode: string; message: string; details: string[] };
}

/** Asserts a 200 and returns the body (loosely typed, as response bodies are), showing it when the status is wrong. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function ok<T = any>(res: Response): T {
  expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: expect.anything() });
  return res.body;
}

export type StoredEvent = Awaited<ReturnType<ApiHarness['events']>>[number];

/** Events of one kind on one target (item or group id, or username), oldest first. */
export async function eventsOf(h: ApiHarness, source: string, operation: string, targetId: string): Promise<StoredEvent[]> {
  return (await h.events()).filter((e) => e.source === source && e.operation === operation && e.target_id === targetId);
}

/** Asserts exactly one such event and that it was done by `by` with exactly these properties. */
export async function expectOneEvent(
  h: ApiHarness,
  e: { source: string; operation: string; targetId: string; by: string; properties?: Record<string, unknown> },
): Promise<void> {
  const found = await eventsOf(h, e.source, e.operation, e.targetId);
  expect(found).toHaveLength(1);
  expect(found[0]).toMatchObject({ username: e.by, properties: e.properties ?? {} });
  expect(found[0].properties).toEqual(e.properties ?? {});
}
