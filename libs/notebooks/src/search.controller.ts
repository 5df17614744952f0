import { Controller, Get, Inject, Param } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { CurrentUserOrNull, GroupsService, OptionalAuth, Principal } from '@app/identity';
import { Params, Returns, SearchDto, SearchParams, searchPage } from '@app/rest';
import { itemView } from './item.view';
import { ItemsService } from './items.service';
import { ItemSearchJson } from './dto/item-responses.dto';

/** `GET|POST /sharing/rest/search`: items the caller may read (anonymous callers: public items). */
@Controller('sharing/rest')
export class SearchController {
  constructor(
    private readonly items: ItemsService,
    private readonly groups: GroupsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Returns(ItemSearchJson)
  @OptionalAuth()
  @Get('search')
  async search(@CurrentUserOrNull() p: Principal | null, @Params(SearchDto) q: SearchParams) {
    const { total, rows } = await this.items.search(p, q);
    return searchPage(q, total, rows.map((r) => itemView(r.item, r.owner, this.config.org.id)));
  }

  /** A group's content (ArcGIS REST JS `searchGroupContent`): the caller must see the group, then its items as above. */
  @Returns(ItemSearchJson)
  @OptionalAuth()
  @Get('content/groups/:groupId/search')
  async groupContent(@CurrentUserOrNull() p: Principal | null, @Param('groupId') groupId: string, @Params(SearchDto) q: SearchParams) {
    await this.groups.get(p, groupId);
    const { total, rows } = await this.items.search(p, q, groupId);
    return searchPage(q, total, rows.map((r) => itemView(r.item, r.owner, this.config.org.id)));
  }
}
