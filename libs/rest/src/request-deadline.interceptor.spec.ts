import { firstValueFrom, NEVER, of } from 'rxjs';
import { DomainError } from './domain-error';
import { RequestDeadlineInterceptor } from './request-deadline.interceptor';

describe('RequestDeadlineInterceptor', () => {
  const ctx = {} as never;

  it('a handler that does not answer in time becomes a 503 (unavailable) DomainError', async () => {
    const p = firstValueFrom(new RequestDeadlineInterceptor(50).intercept(ctx, { handle: () => NEVER }));
    await expect(p).rejects.toMatchObject({ kind: 'unavailable', messageCode: 'DEADLINE_EXCEEDED' });
    await expect(p).rejects.toBeInstanceOf(DomainError);
  });

  it('an answer in time passes through', async () => {
    await expect(firstValueFrom(new RequestDeadlineInterceptor(50).intercept(ctx, { handle: () => of('ok') }))).resolves.toBe('ok');
  });
});
