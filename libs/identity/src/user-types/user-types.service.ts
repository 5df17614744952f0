import { Injectable } from '@nestjs/common';
import { UserLicenseTypeEntity } from '@app/db';
import { EventsService } from '@app/events';
import { DomainError } from '@app/rest';
import { actorOf, Principal } from '../principal';
import { UsersRepository } from '../users.repository';


/**
 * Users' user types (`updateUserLicenseType`), raising `/users/{username}/updateUserLicenseType` with
 * `userLicenseTypeUpdatedTo`. (A user type is recorded; it limits nothing on this server, which has no licensing.)
 */
@Injectable()
export class UserTypesService {
  constructor(
    private readonly users: UsersRepository,
    private readonly events: EventsService,
  ) {}

  async update(p: Principal, usernames: string[], type: string): Promise<string[]> {
    const found = await this.users.findByUsernames(usernames);
    const missing = usernames.filter((u) => !found.some((f) => f.username.toLowerCase() === u.toLowerCase()));
    if (missing.length) throw DomainError.notFound('User', missing.join(', '));
    return this.events.transaction(async (m, record) => {
      for (const u of found) {
        await m.upsert(UserLicenseTypeEntity, { userId: u.id, licenseType: type }, ['userId']);
        await record(actorOf(p), { source: 'user', operation: 'updateUserLicenseType', targetId: u.username, properties: { userLicenseTypeUpdatedTo: [type] } });
      }
      return found.map((u) => u.username);
    });
  }
}
