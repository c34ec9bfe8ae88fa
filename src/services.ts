import { CatalogApi } from "./catalog/api.js";
import type { PipeConfig } from "./config/index.js";
import { HttpClient, type HttpClientOptions } from "./http/client.js";
import type { Logger } from "./log.js";
import type { PublishServices } from "./publishers/publish.js";
import { TOOL_NAME, VERSION } from "./version.js";

/** Builds the HTTP edges from the config: the only place that chooses proxies and credentials. */
export function makeServices(config: PipeConfig, log: Logger): PublishServices & { close(): Promise<void> } {
  const options: HttpClientOptions = {
    userAgent: `${TOOL_NAME}/${VERSION} (+https://bitbucket.org/catalog-scorecard/catalog-scorecard-pipe)`,
    secrets: config.secrets,
    log: config.debug ? (m) => log.debug(m) : undefined,
  };
  const target = config.insights;
  // Inside Pipelines, Bitbucket's auth proxy carries plain-HTTP API calls for this repository.
  const bitbucket =
    target.kind === "none" || config.dryRun
      ? undefined
      : target.kind === "cloud" && target.auth.kind === "proxy"
        ? HttpClient.viaProxy(target.auth.proxyUrl, options)
        : new HttpClient(options);
  const catalogClient = config.catalog.apiKey ? new HttpClient(options) : undefined;
  const catalog = catalogClient && config.catalog.apiKey ? new CatalogApi(catalogClient, config.catalog.apiUrl, config.catalog.apiKey) : undefined;
  return {
    bitbucket,
    catalog,
    async close() {
      await Promise.all([bitbucket?.close(), catalogClient?.close()]);
    },
  };
}
