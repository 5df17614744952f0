import { Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { APP_CONFIG, AppConfig } from '@app/config';
import { DomainError, Params, PublicUrl, Returns, ReturnsMedia, SuccessJson } from '@app/rest';
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

  @ReturnsMedia('text/html', 'The sign-in page (ours: with `response_mode=json`, JSON `{oauth_state, client_id, appTitle}` instead)')
  @Public()
  @Get(['sharing/rest/oauth2/authorize', 'sharing/oauth2/authorize'])
  async authorize(@Params(AuthorizeDto) dto: z.infer<typeof AuthorizeDto>, @PublicUrl() base: string, @Req() req: Request, @Res() res: Response) {
    // The origin the browser used counts too: the Manager opened as localhost or 127.0.0.1 returns to itself.
    const used = `${req.protocol}://${req.headers.host ?? ''}`;
    const origins = [base, used, this.config.http.publicUrl, this.config.http.https?.publicUrl].filter((u): u is string => !!u && URL.canParse(u)).map((u) => new URL(u).origin);
    const { oauthState, client } = await this.oauth.authorize(dto, origins);
    if (dto.response_mode === 'json') return res.set('Cache-Control', 'no-store').json({ oauth_state: oauthState, client_id: client.clientId, appTitle: client.title });
    sendSignInPage(res, { oauthState, clientId: client.clientId, appTitle: client.title });
  }

  @ReturnsMedia('text/html', 'The sign-in page again (with the error), or the page showing the code (redirect_uri urn:ietf:wg:oauth:2.0:oob); ours: with `response_mode=json` on authorize, JSON `{code, state}` or `{redirect}`, and errors in the error format', { status: 200, redirect: true })
  @Public()
  @Post(['sharing/oauth2/signin', 'sharing/rest/oauth2/signin'])
  async signIn(@Params(SignInDto) dto: z.infer<typeof SignInDto>, @Req() req: Request, @Res() res: Response) {
    const out = await this.oauth.signIn(dto.oauth_state, dto.username, dto.password, req.ip);
    if (out.json) {
      // Ours (response_mode=json): the Manager signs in without leaving its page, so it reads the code as JSON.
      if (out.kind === 'retry') throw DomainError.invalid('OAUTH_0015', out.message);
      res.status(200).set('Cache-Control', 'no-store');
      if (out.kind === 'code') return res.json({ code: out.code });
      return res.json(out.code ? { code: out.code, state: out.state } : { redirect: out.location });
    }
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
