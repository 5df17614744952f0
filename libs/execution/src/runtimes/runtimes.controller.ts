import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { z } from 'zod';
import { CurrentUser, Principal, requireAdmin } from '@app/identity';
import { DomainError, Params, Returns, StatusSuccessJson } from '@app/rest';
import { RegisterRuntimeDto, RuntimesService, runtimeView, UpdateRuntimeDto } from '@app/runtimes';
import { RuntimeImages } from './runtime-images';
import { RuntimeJson, RuntimeListJson, RuntimeManifestJson, RuntimeRegisteredJson, RuntimeUpdatedJson, RuntimesRestoredJson } from '../dto/system-responses.dto';

/** The Notebook Server's runtimes: anyone signed in reads them (to pick one), administrators change them. */
@Controller('arcgis/admin/notebooks/runtimes')
export class RuntimesController {
  constructor(
    private readonly runtimes: RuntimesService,
    private readonly images: RuntimeImages,
  ) {}

  @Returns(RuntimeListJson)
  @Get()
  async list() {
    return { runtimes: (await this.runtimes.list()).map(runtimeView) };
  }

  @Returns(RuntimeRegisteredJson)
  @Post('register')
  @HttpCode(200)
  async register(@CurrentUser() p: Principal, @Params(RegisterRuntimeDto) dto: z.infer<typeof RegisterRuntimeDto>) {
    requireAdmin(p);
    await this.images.requireOnSomeNode(dto.imageId);
    const r = await this.runtimes.register(dto);
    return { status: 'success', id: r.id, runtime: runtimeView(r) };
  }

  @Returns(RuntimesRestoredJson)
  @Post('restore')
  @HttpCode(200)
  async restore(@CurrentUser() p: Principal) {
    requireAdmin(p);
    return { status: 'success', runtimes: (await this.runtimes.restore()).map(runtimeView) };
  }

  @Returns(RuntimeJson)
  @Get(':id')
  async get(@Param('id') id: string) {
    return runtimeView(await this.runtimes.get(id));
  }

  @Returns(RuntimeManifestJson)
  @Get(':id/manifest')
  async manifest(@Param('id') id: string) {
    const runtime = await this.runtimes.get(id);
    const m = await this.images.manifest(runtime);
    if (!m.manifest) {
      throw new DomainError(
        'unavailable',
        'MANIFEST_NOT_READ',
        `No worker has read the manifest of runtime '${runtime.name}' (image '${runtime.imageId}') yet: a worker with the image reads it within a heartbeat.`,
      );
    }
    const declared = runtime.declaredManifest ? { declaredManifest: runtime.declaredManifest } : {};
    return { runtimeId: runtime.id, name: runtime.name, imageId: runtime.imageId, imageDigest: m.imageDigest, ...(m.manifest as object), ...declared };
  }

  @Returns(RuntimeUpdatedJson)
  @Post(':id/update')
  @HttpCode(200)
  async update(@CurrentUser() p: Principal, @Param('id') id: string, @Params(UpdateRuntimeDto) dto: z.infer<typeof UpdateRuntimeDto>) {
    requireAdmin(p);
    if (dto.imageId && dto.imageId !== (await this.runtimes.get(id)).imageId) await this.images.requireOnSomeNode(dto.imageId);
    return { status: 'success', runtime: runtimeView(await this.runtimes.update(id, dto)) };
  }

  @Returns(StatusSuccessJson)
  @Post(':id/unregister')
  @HttpCode(200)
  async unregister(@CurrentUser() p: Principal, @Param('id') id: string) {
    requireAdmin(p);
    await this.runtimes.unregister(id);
    return { status: 'success' };
  }
}
