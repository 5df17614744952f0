import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { IdentityModule } from '@app/identity';
import { CommentsController } from './comments/comments.controller';
import { CommentsService } from './comments/comments.service';
import { ItemsController } from './items.controller';
import { ItemsRepository } from './items.repository';
import { ItemsService } from './items.service';
import { SearchController } from './search.controller';
import { SharingController } from './sharing.controller';
import { UploadMiddleware } from './upload.middleware';

@Module({
  imports: [IdentityModule],
  providers: [ItemsRepository, ItemsService, CommentsService],
  exports: [ItemsService, CommentsService],
})
export class NotebooksModule {}

@Module({
  imports: [
    NotebooksModule,
    IdentityModule,
  ],
  controllers: [ItemsController, SharingController, SearchController, CommentsController],
})
export class NotebooksHttpModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(UploadMiddleware)
      .forRoutes(
        { path: 'sharing/rest/content/users/:username/addItem', method: RequestMethod.POST },
        { path: 'sharing/rest/content/users/:username/items/:id/update', method: RequestMethod.POST },
      );
  }
}
