import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { APP_CONFIG, AppConfig } from '@app/config';
import { DomainError } from '@app/rest';

/**
 * Parses multipart uploads before authentication runs, because clients (the ArcGIS API for Python
 * among them) send the `token` as a form field of the upload itself. Files stay in memory, capped
 * at the notebook size limit.
 */
@Injectable()
export class UploadMiddleware implements NestMiddleware {
  private readonly upload: RequestHandler;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    const max = config.limits.maxNotebookBytes;
    this.upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: max, fieldSize: max + 1024, files: 1 } }).single('file');
  }

  use(req: Request, res: Response, next: NextFunction): void {
    this.upload(req, res, (err: unknown) => {
      if (!err) return next();
      if (err instanceof multer.MulterError && ['LIMIT_FILE_SIZE', 'LIMIT_FIELD_VALUE'].includes(err.code)) {
        const limit = this.config.limits.maxNotebookBytes;
        return next(new DomainError('too_large', 'NOTEBOOK_TOO_LARGE', `The upload is larger than the limit of ${limit} bytes.`));
      }
      next(err instanceof multer.MulterError ? DomainError.invalid('BAD_UPLOAD', `Bad upload: ${err.message}`) : err);
    });
  }
}
