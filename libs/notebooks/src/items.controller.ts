import { Controller, Get, Header, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { z } from 'zod';
import { APP_CONFIG, AppConfig } from '@app/config';
import { CurrentUser, CurrentUserOrNull, OptionalAuth, Principal, UsersRepository } from '@app/identity';
import { Params, Returns, page, pagingSchema } from '@app/rest';
import { AddItemDto, MoveItemDto, ReassignItemDto, ShareItemDto, UnshareItemDto, UpdateItemDto } from './dto/items.dto';
import { itemView } from './item.view';
import { ItemsService } from './items.service';
import { ItemAddedJson, ItemDataJson, ItemDoneJson, ItemJson, ItemListJson, ItemMovedJson, ItemSharedJson, ItemUnsharedJson, ItemUpdatedJson } from './dto/item-responses.dto';

@Controller('sharing/rest/content')
export class ItemsController {
  constructor(
    private readonly items: ItemsService,
    private readonly users: UsersRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Returns(ItemAddedJson)
  @Post('users/:username/addItem')
  @HttpCode(200)
  async add(
    @CurrentUser() p: Principal,
    @Param('username') username: string,
    @Params(AddItemDto) dto: z.infer<typeof AddItemDto>,
    @Req() req: Request,
  ) {
    const item = await this.items.add(p, username, dto, req.file?.buffer);
    return { success: true, id: item.id, folder: null };
  }

  @Returns(ItemListJson)
  @Get('users/:username')
  async list(@CurrentUser() p: Principal, @Param('username') username: string, @Params(pagingSchema) q: z.infer<typeof pagingSchema>) {
    const all = await this.items.listOwnedBy(p, username, q.start, q.num);
    return { username, ...page(all, q.start, q.num), items: all.rows.map((i) => itemView(i, username, this.config.org.id)) };
  }

  /** Public items are readable without a token, as the sharing API allows. */
  @Returns(ItemJson)
  @OptionalAuth()
  @Get('items/:id')
  async get(@CurrentUserOrNull() p: Principal | null, @Param('id') id: string) {
    const item = await this.items.get(p, id);
    const owner = await this.users.findById(item.ownerId);
    return itemView(item, owner?.username ?? '', this.config.org.id);
  }

  @Returns(ItemDataJson, { description: 'The item\'s data: a notebook\'s JSON' })
  @OptionalAuth()
  @Get('items/:id/data')
  @Header('Content-Type', 'application/json')
  getData(@CurrentUserOrNull() p: Principal | null, @Param('id') id: string) {
    return this.items.getData(p, id);
  }

  @Returns(ItemUpdatedJson)
  @Post('users/:username/items/:id/update')
  @HttpCode(200)
  async update(
    @CurrentUser() p: Principal,
    @Param('id') id: string,
    @Params(UpdateItemDto) dto: z.infer<typeof UpdateItemDto>,
    @Req() req: Request,
  ) {
    await this.items.update(p, id, dto, req.file?.buffer);
    return { success: true, id };
  }

  @Returns(ItemDoneJson)
  @Post('users/:username/items/:id/delete')
  @HttpCode(200)
  async delete(@CurrentUser() p: Principal, @Param('id') id: string) {
    await this.items.delete(p, id);
    return { success: true, itemId: id };
  }

  @Returns(ItemSharedJson)
  @Post('users/:username/items/:id/share')
  @HttpCode(200)
  async share(@CurrentUser() p: Principal, @Param('id') id: string, @Params(ShareItemDto) dto: z.infer<typeof ShareItemDto>) {
    return { ...(await this.items.share(p, id, dto)), itemId: id };
  }

  @Returns(ItemUnsharedJson)
  @Post('users/:username/items/:id/unshare')
  @HttpCode(200)
  async unshare(@CurrentUser() p: Principal, @Param('id') id: string, @Params(UnshareItemDto) dto: z.infer<typeof UnshareItemDto>) {
    return { ...(await this.items.unshare(p, id, dto.groups)), itemId: id };
  }

  @Returns(ItemDoneJson)
  @Post('users/:username/items/:id/reassign')
  @HttpCode(200)
  async reassign(@CurrentUser() p: Principal, @Param('id') id: string, @Params(ReassignItemDto) dto: z.infer<typeof ReassignItemDto>) {
    await this.items.reassign(p, id, dto.targetUsername, dto.targetFolderName);
    return { success: true, itemId: id };
  }

  @Returns(ItemMovedJson)
  @Post('users/:username/items/:id/move')
  @HttpCode(200)
  async move(@CurrentUser() p: Principal, @Param('id') id: string, @Params(MoveItemDto) dto: z.infer<typeof MoveItemDto>) {
    const item = await this.items.move(p, id, dto.folder);
    const owner = await this.users.findById(item.ownerId);
    return { success: true, itemId: id, owner: owner?.username ?? '', folder: dto.folder };
  }
}
