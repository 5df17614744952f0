import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import * as bcrypt from 'bcryptjs';
import { z } from 'zod';
import { EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@app/config';
import { newId, PRIVILEGES, Privilege, Role, UserEntity, UserLicenseTypeEntity } from '@app/db';
import { EventsService } from '@app/events';
import { DomainError } from '@app/rest';
import { CreateUserDto, UpdateUserDto } from './dto/users.dto';
import { actorOf, Principal, toPrincipal } from './principal';
import { TokensService } from './tokens.service';
import { UsersRepository } from './users.repository';

const DEFAULT_PRIVILEGES: Record<Role, Privilege[]> = {
  org_admin: [...PRIVILEGES],
  org_publisher: ['createNotebooks', 'scheduleNotebooks'],
  org_user: ['createNotebooks', 'scheduleNotebooks'],
};

@Injectable()
export class UsersService implements OnApplicationBootstrap {
  private readonly log = new Logger('Users');

  constructor(
    private readonly users: UsersRepository,
    private readonly events: EventsService,
    private readonly tokens: TokensService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Creates the initial administrator from configuration on first start. */
  async onApplicationBootstrap(): Promise<void> {
    const { username, password } = this.config.auth.initialAdmin;
    if (await this.users.findByUsername(username)) return;
    if (!password) {
      this.log.warn(`no user '${username}' and ADMIN_PASSWORD is not set: no initial administrator created`);
      return;
    }
    try {
      await this.users.save(await this.build({ username, password, role: 'org_admin', fullname: 'Administrator' }));
      this.log.log(`created initial administrator '${username}'`);
    } catch (e) {
      // Another process created it at the same moment.
      if (!(await this.users.findByUsername(username))) throw e;
    }
  }

  /** generateToken: checks the password, records the sign-in, mints a token. */
  async signIn(username: string, password: string, minutes?: number) {
    const user = await this.checkPassword(username, password);
    await this.recordAuthEvent(user, 'signIn');
    return { ...this.tokens.issue({ sub: user.id, username: user.username, purpose: 'signin' }, minutes), ssl: false };
  }

  /** The enabled user these credentials belong to (every way of signing in checks passwords here). */
  async checkPassword(username: string, password: string): Promise<UserEntity> {
    const user = await this.users.findByUsername(username);
    const ok = user ? await bcrypt.compare(password, user.passwordHash) : false;
    if (!user || !ok) throw DomainError.invalid('INVALID_CREDENTIALS', 'Invalid username or password.');
    if (user.disabled) throw DomainError.forbidden('This account has been disabled.');
    return user;
  }

  async recordAuthEvent(user: UserEntity, operation: 'signIn' | 'signOut' = 'signIn'): Promise<void> {
    await this.events.record(actorOf(toPrincipal(user)), { source: 'user', operation, targetId: user.username });
  }

  async get(username: string): Promise<UserEntity> {
    const u = await this.users.findByUsername(username);
    if (!u) throw DomainError.notFound('User', username);
    return u;
  }

  list(start: number, num: number) {
    return this.users.page(start, num);
  }

  async create(actor: Principal, dto: z.infer<typeof CreateUserDto>): Promise<UserEntity> {
    if (await this.users.findByUsername(dto.username)) {
      throw DomainError.conflict('USER_EXISTS', `User '${dto.username}' already exists.`);
    }
    const user = await this.build(dto);
    return this.events.transaction(async (m, record) => {
      await this.users.save(user, m);
      if (dto.userLicenseTypeId) await m.insert(UserLicenseTypeEntity, { userId: user.id, licenseType: dto.userLicenseTypeId });
      await record(actorOf(actor), { source: 'user', operation: 'add', targetId: user.username });
      return user;
    });
  }

  async update(actor: Principal, username: string, dto: z.infer<typeof UpdateUserDto>): Promise<UserEntity> {
    const user = await this.get(username);
    if (dto.privileges && actor.role !== 'org_admin') throw DomainError.forbidden('Only administrators change privileges.');
    const full = dto.fullname ?? (dto.firstname || dto.lastname ? `${dto.firstname ?? ''} ${dto.lastname ?? ''}`.trim() : undefined);
    if (full !== undefined) user.fullName = full;
    if (dto.email !== undefined) user.email = dto.email;
    if (dto.privileges) user.privileges = dto.privileges;
    if (dto.password) user.passwordHash = await bcrypt.hash(dto.password, this.config.auth.bcryptRounds);
    return this.events.transaction(async (m, record) => {
      await this.users.save(user, m);
      await record(actorOf(actor), { source: 'user', operation: 'update', targetId: user.username });
      return user;
    });
  }

  /**
   * Refuses to demote, disable or delete the last enabled administrator. Serialised across the site and read inside
   * the transaction, so two concurrent demotions of the last two cannot both pass.
   */
  private async keepAnAdmin(userId: string, m: EntityManager): Promise<void> {
    await this.users.lockAdmins(m);
    const user = await this.users.findById(userId, m);
    if (user?.role === 'org_admin' && !user.disabled && (await this.users.countAdmins(m)) <= 1) {
      throw DomainError.conflict('LAST_ADMIN', 'The organization must keep at least one enabled administrator.');
    }
  }

  async updateRole(actor: Principal, username: string, role: Role): Promise<UserEntity> {
    const user = await this.get(username);
    return this.events.transaction(async (m, record) => {
      if (role !== 'org_admin') await this.keepAnAdmin(user.id, m);
      user.role = role;
      await this.users.save(user, m);
      await record(actorOf(actor), {
        source: 'user',
        operation: 'updateUserRole',
        targetId: user.username,
        properties: { userRoleUpdatedTo: [role] },
      });
      return user;
    });
  }

  async setDisabled(actor: Principal, username: string, disabled: boolean): Promise<UserEntity> {
    const user = await this.get(username);
    return this.events.transaction(async (m, record) => {
      if (disabled) await this.keepAnAdmin(user.id, m);
      user.disabled = disabled;
      await this.users.save(user, m);
      await record(actorOf(actor), { source: 'user', operation: disabled ? 'disable' : 'enable', targetId: user.username });
      return user;
    });
  }

  async delete(actor: Principal, username: string): Promise<void> {
    const user = await this.get(username);
    await this.events.transaction(async (m, record) => {
      await this.keepAnAdmin(user.id, m);
      if ((await this.users.countOwned(user.id, m)) > 0) {
        throw DomainError.conflict('USER_OWNS_CONTENT', `User '${username}' owns items or groups; reassign or delete them first.`);
      }
      await this.users.delete(user.id, m);
      await record(actorOf(actor), { source: 'user', operation: 'delete', targetId: user.username });
    });
  }

  private async build(dto: {
    username: string;
    password: string;
    role: Role;
    fullname?: string;
    firstname?: string;
    lastname?: string;
    email?: string;
    privileges?: Privilege[];
  }): Promise<UserEntity> {
    const u = new UserEntity();
    u.id = newId();
    u.username = dto.username;
    u.fullName = dto.fullname ?? `${dto.firstname ?? ''} ${dto.lastname ?? ''}`.trim();
    u.email = dto.email ?? '';
    u.role = dto.role;
    u.privileges = dto.privileges ?? DEFAULT_PRIVILEGES[dto.role];
    u.passwordHash = await bcrypt.hash(dto.password, this.config.auth.bcryptRounds);
    u.disabled = false;
    return u;
  }
}
