import { Controller, Get, Inject } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Params, Returns, SearchDto, SearchParams, searchPage } from '@app/rest';
import { groupView } from '../group.view';
import { GroupsService } from '../groups.service';
import { CurrentUser, CurrentUserOrNull, isAdmin, OptionalAuth, Principal } from '../principal';
import { userView } from '../user.view';
import { UsersRepository } from '../users.repository';
import { GroupSearchJson, UserSearchJson } from '../dto/identity-responses.dto';

/** `community/users` (and the organization's `portals/self/users/search`) and `community/groups` searches. */
@Controller('sharing/rest')
export class CommunitySearchController {
  constructor(
    private readonly users: UsersRepository,
    private readonly groups: GroupsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Members of the organization see each other; e-mail and privileges only administrators and the user. */
  @Returns(UserSearchJson)
  @Get(['community/users', 'portals/self/users/search'])
  async searchUsers(@CurrentUser() p: Principal, @Params(SearchDto) q: SearchParams) {
    const { total, rows } = await this.users.search(q, this.config.org.id);
    const results = rows.map((u) => {
      const { email, privileges, ...rest } = userView(u, this.config.org.id);
      return isAdmin(p) || u.id === p.id ? { ...rest, email, privileges } : rest;
    });
    return searchPage(q, total, results);
  }

  @Returns(GroupSearchJson)
  @OptionalAuth()
  @Get('community/groups')
  async searchGroups(@CurrentUserOrNull() p: Principal | null, @Params(SearchDto) q: SearchParams) {
    const { total, rows } = await this.groups.search(p, q);
    return searchPage(q, total, rows.map((r) => groupView(r.group, r.owner, this.config.org.id)));
  }
}
