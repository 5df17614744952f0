import { Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { z } from 'zod';
import { APP_CONFIG, AppConfig } from '@app/config';
import { CurrentUser, Principal, requireSelfOrAdmin, UsersRepository } from '@app/identity';
import { DomainError, HTTP_STATUS, Params, Returns } from '@app/rest';
import { ShareItemDto, ShareItemsDto, UnshareItemDto, UnshareItemsDto } from './dto/items.dto';
import { itemView } from './item.view';
import { ItemsService } from './items.service';
import { ItemSharedJson, ItemUnsharedJson, ItemsSharedJson, ItemsUnsharedJson, OwnedItemJson } from './dto/item-responses.dto';

/** Sharing operations beyond the per-owner item paths: bulk, owner-less (administrators on others' items), status. */
@Controller('sharing/rest/content')
export class SharingController {
  constructor(
    private readonly items: ItemsService,
    private readonly users: UsersRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Returns(ItemsSharedJson)
  @Post('users/:username/shareItems')
  @HttpCode(200)
  async shareItems(@CurrentUser() p: Principal, @Param('username') username: string, @Params(ShareItemsDto) dto: z.infer<typeof ShareItemsDto>) {
    requireSelfOrAdmin(p, username);
    return { results: await this.each(dto.items, (id) => this.items.share(p, id, dto)) };
  }

  @Returns(ItemsUnsharedJson)
  @Post('users/:username/unshareItems')
  @HttpCode(200)
  async unshareItems(@CurrentUser() p: Principal, @Param('username') username: string, @Params(UnshareItemsDto) dto: z.infer<typeof UnshareItemsDto>) {
    requireSelfOrAdmin(p, username);
    return { results: await this.each(dto.items, (id) => this.items.unshare(p, id, dto.groups)) };
  }

  @Returns(ItemSharedJson)
  @Post('items/:id/share')
  @HttpCode(200)
  async share(@CurrentUser() p: Principal, @Param('id') id: string, @Params(ShareItemDto) dto: z.infer<typeof ShareItemDto>) {
    return { ...(await this.items.share(p, id, dto)), itemId: id };
  }

  @Returns(ItemUnsharedJson)
  @Post('items/:id/unshare')
  @HttpCode(200)
  async unshare(@CurrentUser() p: Principal, @Param('id') id: string, @Params(UnshareItemDto) dto: z.infer<typeof UnshareItemDto>) {
    return { ...(await this.items.unshare(p, id, dto.groups)), itemId: id };
  }

  /** The item as its owner's content, with its sharing. */
  @Returns(OwnedItemJson)
  @Get('users/:username/items/:id')
  async ownedItem(@CurrentUser() p: Principal, @Param('username') username: string, @Param('id') id: string) {
    const item = await this.items.get(p, id);
    const owner = await this.users.findById(item.ownerId);
    if (owner?.username.toLowerCase() !== username.toLowerCase()) throw DomainError.notFound('Item', id);
    return { item: itemView(item, owner.username, this.config.org.id), sharing: await this.items.sharingOf(id) };
  }

  /** Runs one operation per item; one item's failure is reported in its result and does not stop the others. */
  private async each<T extends object>(ids: string[], op: (id: string) => Promise<T>) {
    const results = [];
    for (const itemId of ids) {
      try {
        results.push({ itemId, success: true, ...(await op(itemId)) });
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        results.push({ itemId, success: false, error: { code: HTTP_STATUS[e.kind], messageCode: e.messageCode, message: e.message } });
      }
    }
    return results;
  }
}
