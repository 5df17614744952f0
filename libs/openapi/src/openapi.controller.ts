import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '@app/identity';
import { docsPage } from './docs-page';
import { OpenApiGenerator } from './openapi.generator';
import { Returns, ReturnsMedia } from '@app/rest';
import { OpenApiDocumentJson } from './dto/openapi-responses.dto';

// The page has no script; it may use its own inline styles only.
const DOCS_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

/** The API description. Public, like the product's own documentation: it describes the API and holds no data. */
@Controller('api')
export class OpenApiController {
  constructor(private readonly generator: OpenApiGenerator) {}

  @Returns(OpenApiDocumentJson)
  @Public()
  @Get('openapi.json')
  openapi() {
    return this.generator.document();
  }

  @ReturnsMedia('text/html', 'A self-contained HTML reference of this document (no script)')
  @Public()
  @Get('docs')
  docs(@Res() res: Response) {
    res.set({ 'Content-Security-Policy': DOCS_CSP, 'X-Content-Type-Options': 'nosniff' });
    res.type('text/html; charset=utf-8').send(docsPage(this.generator.document()));
  }
}
