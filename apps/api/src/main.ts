import 'reflect-metadata';
import { loadConfigOrExit } from '@app/config';
import { apiLogger, createApi, listenApi } from './create-api';

async function main() {
  const config = loadConfigOrExit();
  const app = await createApi(config);
  const at = await listenApi(app, config);
  apiLogger.log(`listening on ${at.http} (node ${config.nodeName})`);
  if (at.https) apiLogger.log(`listening on ${at.https} (certificate SHA-256 fingerprint ${at.fingerprint})`);
  else apiLogger.log('HTTPS is off: set TLS_CERT_FILE and TLS_KEY_FILE to serve it on HTTPS_PORT');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
