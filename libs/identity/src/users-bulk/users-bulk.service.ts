import { Injectable } from '@nestjs/common';
import { EventsService } from '@app/events';
import { DomainError } from '@app/rest';
import { actorOf, Principal } from '../principal';
import { UsersService } from '../users.service';

export interface BulkResult {
  username: string;
  success: boolean;
  error?: string;
}

/**
 * Enables or disables a list of users: each one as `…/users/{u}/enable|disable` does (its own event, the last
 * administrator kept), then one `/users/bulkEnable|bulkDisable` event naming the users changed.
 */
@Injectable()
export class UsersBulkService {
  constructor(
    private readonly users: UsersService,
    private readonly events: EventsService,
  ) {}

  async setDisabled(p: Principal, usernames: string[], disabled: boolean): Promise<BulkResult[]> {
    const results: BulkResult[] = [];
    for (const username of usernames) {
      try {
        await this.users.setDisabled(p, username, disabled);
        results.push({ username, success: true });
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        results.push({ username, success: false, error: e.message });
      }
    }
    const changed = results.filter((r) => r.success).map((r) => r.username);
    if (changed.length) {
      await this.events.record(actorOf(p), { source: 'user', operation: disabled ? 'bulkDisable' : 'bulkEnable', targetId: '', properties: { users: changed } });
    }
    return results;
  }
}
