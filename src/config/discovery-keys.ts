// Service keys that come from Prometheus' scrape config. The Go server embedded
// Prometheus' discovery config, so its files may use any of them.

/** Every Prometheus discovery key a service may use, in the order messages list them. */
export const DISCOVERY_KEYS = [
  'dns_sd_configs',
  'file_sd_configs',
  'http_sd_configs',
  'kubernetes_sd_configs',
  'consul_sd_configs',
  'relabel_configs',
] as const;

/** Named in "not supported" messages: what a service can use to find its targets. */
export const SUPPORTED_DISCOVERY_KEYS = [
  'static_configs',
  'dns_sd_configs',
  'file_sd_configs',
  'http_sd_configs',
  'kubernetes_sd_configs',
  'consul_sd_configs',
] as const;

/** Prometheus mechanisms Periskop does not plan to implement; refused with a clear message
 * instead of "unknown key", since they are valid Prometheus. */
export const UNSUPPORTED_DISCOVERY_KEYS: readonly string[] = [
  'azure',
  'digitalocean',
  'docker',
  'dockerswarm',
  'ec2',
  'eureka',
  'gce',
  'hetzner',
  'ionos',
  'kuma',
  'lightsail',
  'linode',
  'marathon',
  'nerve',
  'nomad',
  'openstack',
  'ovhcloud',
  'puppetdb',
  'scaleway',
  'serverset',
  'stackit',
  'triton',
  'uyuni',
  'vultr',
].map((mechanism) => `${mechanism}_sd_configs`);
