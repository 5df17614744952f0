import { Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Params, PublicUrl, Returns, ReturnsMedia, SuccessJson } from '@app/rest';
import { CurrentUser, Principal, Public } from '../principal';
import { AuthorizeDto, RevokeDto, SignInDto, TokenDto } from './oauth.dto';
import { sendCodePage, sendSignInPage } from './oauth-pages';
import { OAuthService } from './oauth.service';
import { OAuthTokenJson } from '../dto/identity-responses.dto';

/**
 * OAuth2 endpoints at the product's paths (the sign-in form is under /sharing/oauth2, without /rest/; the others
 * answer at both).
 */
@Controller()
export class OAuthController {
  constructor(
    private readonly oauth: OAuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @ReturnsMedia('text/html', 'The sign-in page')
  @Public()
  @Get(['sharing/rest/oauth2/authorize', 'sharing/oauth2/authorize'])
  async authorize(@Params(AuthorizeDto) dto: z.infer<typeof AuthorizeDto>, @PublicUrl() base: string, @Res() res: Response) {
    const origins = [base, this.config.http.publicUrl, this.config.http.https?.publicUrl].filter((u): u is string => !!u).map((u) => new URL(u).origin);
    const { oauthState, client } = await this.oauth.authorize(dto, origins);
    sendSignInPage(res, { oauthState, clientId: client.clientId, appTitle: client.title });
  }

  @ReturnsMedia('text/html', 'The sign-in page again (with the error), or the page showing the code (redirect_uri urn:ietf:wg:oauth:2.0:oob)', { status: 200, redirect: true })
  @Public()
  @Post(['sharing/oauth2/signin', 'sharing/rest/oauth2/signin'])
  async signIn(@Params(SignInDto) dto: z.infer<typeof SignInDto>, @Req() req: Request, @Res() res: Response) {
    const out = await this.oauth.signIn(dto.oauth_state, dto.username, dto.password, req.ip);
    if (out.kind === 'redirect') return res.redirect(302, out.location);
    if (out.kind === 'code') return sendCodePage(res, out.code);
    sendSignInPage(res, {
      oauthState: out.oauthState,
      clientId: out.client.clientId,
      appTitle: out.client.title,
      error: { code: 'OAUTH_0015', message: out.message },
    });
  }

  @Returns(OAuthTokenJson)
  @Public()
  @Post(['sharing/rest/oauth2/token', 'sharing/oauth2/token'])
  @HttpCode(200)
  token(@Params(TokenDto) dto: z.infer<typeof TokenDto>) {
    return this.oauth.token(dto);
  }

  /** The token to revoke is the credential: no other token is needed. */
  @Returns(SuccessJson)
  @Public()
  @Post(['sharing/rest/oauth2/revokeToken', 'sharing/oauth2/revokeToken'])
  @HttpCode(200)
  revoke(@Params(RevokeDto) dto: z.infer<typeof RevokeDto>) {
    return this.oauth.revoke(dto.auth_token);
  }

  /** Ends the OAuth2 session of the token this request carries (a generateToken token has none: nothing to end). */
  @Returns(SuccessJson)
  @Get(['sharing/rest/oauth2/signout', 'sharing/oauth2/signout'])
  async signOut(@CurrentUser() p: Principal) {
    if (p.sessionId) await this.oauth.revokeSession(p.sessionId);
    return { success: true };
  }
}
