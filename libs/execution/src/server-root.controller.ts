import { Controller, Get } from '@nestjs/common';
import { CurrentUser, Principal, requireAdmin } from '@app/identity';
import { API_VERSION, Returns } from '@app/rest';
import { AdminInfoJson, AdminRootJson } from './dto/system-responses.dto';

/** The Notebook Server admin root and info, which clients read before any other admin call. */
@Controller('arcgis/admin')
export class ServerRootController {
  @Returns(AdminRootJson)
  @Get()
  root(@CurrentUser() p: Principal) {
    requireAdmin(p);
    return {
      version: API_VERSION.currentVersion,
      currentVersion: API_VERSION.currentVersion,
      fullVersion: API_VERSION.fullVersion,
      resources: ['machines', 'system', 'notebooks', 'info'],
    };
  }

  @Returns(AdminInfoJson)
  @Get('info')
  info(@CurrentUser() p: Principal) {
    requireAdmin(p);
    return {
      currentVersion: API_VERSION.currentVersion,
      fullVersion: API_VERSION.fullVersion,
      serverType: 'ArcGIS',
      serverFunction: 'NotebookServer',
      timezone: 'UTC',
    };
  }
}
