import { Controller, Get, Inject } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { API_VERSION, PublicUrl, Returns } from '@app/rest';
import { CurrentUser, Principal, Public, requireAdmin } from './principal';
import { PortalAdminRootJson, PurchasesJson, RestInfoJson, RestRootJson, ServersJson } from './dto/identity-responses.dto';

/**
 * What clients read to find their way before and right after signing in: the REST root, `info` (how to get a
 * token), the portal admin root and the federated servers (this server's Notebook Server side).
 */
@Controller()
export class PortalInfoController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Returns(RestRootJson)
  @Public()
  @Get('sharing/rest')
  root() {
    return { currentVersion: API_VERSION.currentVersion };
  }

  @Returns(RestInfoJson)
  @Public()
  @Get('sharing/rest/info')
  info(@PublicUrl() base: string) {
    return {
      owningSystemUrl: base,
      currentVersion: API_VERSION.currentVersion,
      fullVersion: API_VERSION.fullVersion,
      authInfo: {
        isTokenBasedSecurity: true,
        tokenServicesUrl: `${base}/sharing/rest/generateToken`,
        shortLivedTokenValidity: this.config.auth.defaultTokenMinutes,
      },
    };
  }

  @Returns(PortalAdminRootJson)
  @Get('portaladmin')
  adminRoot(@CurrentUser() p: Principal) {
    requireAdmin(p);
    return { currentVersion: API_VERSION.currentVersion, resources: ['security', 'system'] };
  }

  /** The Notebook Server this portal is federated with: this same process, under `/arcgis`. */
  @Returns(ServersJson)
  @Get('sharing/rest/portals/self/servers')
  servers(@PublicUrl() base: string) {
    const url = `${base}/arcgis`;
    return {
      servers: [
        {
          id: this.config.org.id,
          name: new URL(base).host,
          url,
          adminUrl: url,
          isHosted: false,
          serverType: 'ArcGIS',
          serverRole: 'FEDERATED_SERVER',
          serverFunction: 'NotebookServer',
        },
      ],
    };
  }

  /** Licences bought for the organization: none are needed here. */
  @Returns(PurchasesJson)
  @Get('sharing/rest/portals/self/purchases')
  purchases() {
    return { purchases: [] };
  }
}
