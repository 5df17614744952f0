import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { APP_CONFIG, AppConfig } from '@app/config';
import { isAdmin, Public, tokenOf, TokensService, toPrincipal, UsersRepository } from '@app/identity';
import { hasMetricsToken, Metrics } from '@app/metrics';
import { DomainError, ReturnsMedia } from '@app/rest';

/**
 * Prometheus scrape endpoint. Not public: the scraper sends `Authorization: Bearer $METRICS_TOKEN`, or any
 * administrator's token (so it works before a metrics token is configured).
 */
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly tokens: TokensService,
    private readonly users: UsersRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @ReturnsMedia('text/plain', 'Prometheus text exposition format (version 0.0.4)')
  @Public()
  @Get('metrics')
  async scrape(@Req() req: Request, @Res() res: Response) {
    if (!hasMetricsToken(req.headers.authorization, this.config.metrics.token)) await this.requireAdmin(req);
    res.set('Content-Type', this.metrics.contentType).send(await this.metrics.text());
  }

  private async requireAdmin(req: Request): Promise<void> {
    const token = tokenOf(req);
    if (!token) throw new DomainError('token_required', 'TOKEN_REQUIRED', 'Token Required');
    const claims = this.tokens.verify(token);
    const user = claims ? await this.users.findById(claims.sub) : null;
    if (!user || user.disabled) throw new DomainError('invalid_token', 'INVALID_TOKEN', 'Invalid token.');
    if (!isAdmin(toPrincipal(user))) throw DomainError.forbidden('Metrics are for administrators (or the METRICS_TOKEN).');
  }
}
