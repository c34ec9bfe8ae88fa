/** Loopback stand-ins for the platforms the publishers talk to; see each module for details. */
export { authorizationHeader, type AuthSeen, type Credential } from "./auth.js";
export { type CloudOptions, type CloudRepository, type CloudServer, CloudState, CLOUD_LIMITS, PIPELINES_PROXY_PRINCIPAL, startBitbucketCloud } from "./bitbucket-cloud.js";
export { type DcOptions, type DcRepository, type DcServer, DcState, startBitbucketDc } from "./bitbucket-dc.js";
export { type CatalogEntity, type CatalogOptions, type CatalogServer, CatalogState, defaultDescriptorValidator, type DescriptorValidator, type Violation, startCatalog } from "./catalog.js";
export { type Fault, FaultController, type FaultRule } from "./faults.js";
export type { RecordedRequest, StandIn, StandInOptions } from "./kit.js";
export { type ProxyOptions, type ProxyRecord, type ProxyServer, startProxy } from "./proxy.js";
export { createTestCertificate, type TestCertificate } from "./tls.js";
