import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { z } from 'zod';
import { CurrentUser, Principal } from '@app/identity';
import { Params, Returns, page } from '@app/rest';
import { CommentDto, ListCommentsDto } from './comments.dto';
import { CommentsService, commentView } from './comments.service';
import { CommentDoneJson, CommentJson, CommentListJson } from '../dto/item-responses.dto';

/** `/sharing/rest/content/items/{itemId}/addComment`, `…/comments`, `…/comments/{id}`, `…/update`, `…/delete`. */
@Controller('sharing/rest/content/items/:itemId')
export class CommentsController {
  constructor(private readonly comments: CommentsService) {}

  @Returns(CommentDoneJson)
  @Post('addComment')
  @HttpCode(200)
  async add(@CurrentUser() p: Principal, @Param('itemId') itemId: string, @Params(CommentDto) dto: z.infer<typeof CommentDto>) {
    return { success: true, commentId: (await this.comments.add(p, itemId, dto.comment)).id };
  }

  @Returns(CommentListJson)
  @Get('comments')
  async list(@CurrentUser() p: Principal, @Param('itemId') itemId: string, @Params(ListCommentsDto) q: z.infer<typeof ListCommentsDto>) {
    const all = await this.comments.list(p, itemId, q.start, q.num);
    return { ...page(all, q.start, q.num), comments: all.rows.map(commentView) };
  }

  @Returns(CommentJson)
  @Get('comments/:id')
  async get(@CurrentUser() p: Principal, @Param('itemId') itemId: string, @Param('id') id: string) {
    return commentView(await this.comments.get(p, itemId, id));
  }

  @Returns(CommentDoneJson)
  @Post('comments/:id/update')
  @HttpCode(200)
  async update(@CurrentUser() p: Principal, @Param('itemId') itemId: string, @Param('id') id: string, @Params(CommentDto) dto: z.infer<typeof CommentDto>) {
    await this.comments.update(p, itemId, id, dto.comment);
    return { success: true, commentId: id };
  }

  @Returns(CommentDoneJson)
  @Post('comments/:id/delete')
  @HttpCode(200)
  async delete(@CurrentUser() p: Principal, @Param('itemId') itemId: string, @Param('id') id: string) {
    await this.comments.delete(p, itemId, id);
    return { success: true, commentId: id };
  }
}
