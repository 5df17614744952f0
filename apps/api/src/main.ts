import 'reflect-metadata';
import { loadConfigOrExit } from '@app/config';
import { apiLogger, createApi } from './create-api';

async function main() {
  const config = loadConfigOrExit();
  const app = await createApi(config);
  await app.listen(config.http.port, config.http.host);
  apiLogger.log(`listening on http://${config.http.host}:${config.http.port} (node ${config.nodeName})`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
