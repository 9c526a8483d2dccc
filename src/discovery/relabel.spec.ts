import { load } from 'js-yaml';
import { parseRelabelConfigs } from '../config/relabel-config.js';
import { YamlNode } from '../config/yaml-node.js';
import { relabel } from './relabel.js';

/** relabel_configs as written in a Prometheus file. */
const configs = (yaml: string) =>
  parseRelabelConfigs(new YamlNode(load(yaml.replace(/^[ \t]+(- \{)/gm, '$1')), 'test.yaml', 'relabel_configs'));

// [case, relabel_configs, labels in, labels out (null: target dropped)]
type Case = [string, string, Record<string, string>, Record<string, string> | null];

describe('relabel', () => {
  // Prometheus' own cases (model/relabel/relabel_test.go), written as configuration.
  it.each<Case>([
    [
      'replace with ${1} references',
      '[{source_labels: [a], regex: "f(.*)", target_label: d, replacement: "ch${1}-ch${1}"}]',
      { a: 'foo', b: 'bar', c: 'baz' },
      { a: 'foo', b: 'bar', c: 'baz', d: 'choo-choo' },
    ],
    [
      'replace joins source labels with the separator; later rules see earlier results',
      `- {source_labels: [a, b], regex: "f(.*);(.*)r", target_label: a, replacement: "b\${1}\${2}m"}
       - {source_labels: [c, a], regex: "(b).*b(.*)ba(.*)", target_label: d, replacement: "$1$2$2$3"}`,
      { a: 'foo', b: 'bar', c: 'baz' },
      { a: 'boobam', b: 'bar', c: 'baz', d: 'boooom' },
    ],
    [
      'drop stops at the first matching rule',
      '[{source_labels: [a], regex: ".*o.*", action: drop}, {source_labels: [a], regex: "f(.*)", target_label: d, replacement: "ch$1-ch$1"}]',
      { a: 'foo' },
      null,
    ],
    ['drop matching the whole value', '[{source_labels: [a], regex: ".*o.*", action: drop}]', { a: 'foo', b: 'bar' }, null],
    ['the regex is anchored: a partial match is no match (drop)', '[{source_labels: [a], regex: "f|o", action: drop}]', { a: 'foo' }, { a: 'foo' }],
    ['drop without a match keeps the target', '[{source_labels: [a], regex: no-match, action: drop}]', { a: 'foo' }, { a: 'foo' }],
    ['keep without a match drops the target', '[{source_labels: [a], regex: no-match, action: keep}]', { a: 'foo' }, null],
    ['keep with a match', '[{source_labels: [a], regex: "f.*", action: keep}]', { a: 'foo' }, { a: 'foo' }],
    ['a group inside the value', '[{source_labels: [a], regex: ".*(b).*", target_label: d}]', { a: 'abc' }, { a: 'abc', d: 'b' }],
    ['replace without a match changes nothing', '[{source_labels: [a], regex: f, target_label: b, replacement: bar}]', { a: 'boo' }, { a: 'boo' }],
    ['hashmod', '[{source_labels: [c], target_label: d, action: hashmod, modulus: 1000}]', { a: 'foo', b: 'bar', c: 'baz' }, { a: 'foo', b: 'bar', c: 'baz', d: '976' }],
    ['hashmod of a value with a newline', '[{source_labels: [a], target_label: b, action: hashmod, modulus: 1000}]', { a: 'foo\nbar' }, { a: 'foo\nbar', b: '734' }],
    [
      'labelmap copies matching labels under the replacement name',
      '[{regex: "(b.*)", replacement: "bar_${1}", action: labelmap}]',
      { a: 'foo', b1: 'bar', b2: 'baz' },
      { a: 'foo', b1: 'bar', b2: 'baz', bar_b1: 'bar', bar_b2: 'baz' },
    ],
    [
      'labelmap of meta labels',
      '[{regex: "__meta_(my.*)", replacement: "${1}", action: labelmap}]',
      { a: 'foo', __meta_my_bar: 'aaa', __meta_my_baz: 'bbb', __meta_other: 'ccc' },
      { a: 'foo', __meta_my_bar: 'aaa', __meta_my_baz: 'bbb', __meta_other: 'ccc', my_bar: 'aaa', my_baz: 'bbb' },
    ],
    [
      'the target label itself may come from the regex',
      '[{source_labels: [a], regex: "some-([^-]+)-([^,]+)", replacement: "${2}", target_label: "${1}"}]',
      { a: 'some-name-value' },
      { a: 'some-name-value', name: 'value' },
    ],
    [
      'a replacement that expands to nothing removes the label (here: none to remove)',
      '[{source_labels: [a], regex: "some-([^-]+)-([^,]+)", replacement: "${3}", target_label: "${1}"}]',
      { a: 'some-name-value' },
      { a: 'some-name-value' },
    ],
    [
      'a target label that expands to an invalid name is skipped',
      `- {source_labels: [a], regex: "some-([^-]+)-([^,]+)", replacement: "\${1}", target_label: "\${3}"}
       - {source_labels: [a], regex: "some-([^-]+)(-[^,]+)", replacement: "\${1}", target_label: "\${3}"}`,
      { a: 'some-name-0' },
      { a: 'some-name-0' },
    ],
    [
      'a real-life tag list: path, job and one label out of one meta label',
      `- {source_labels: [__meta_sd_tags], regex: "(?:.+,|^)path:(/[^,]+).*", replacement: "\${1}", target_label: __metrics_path__}
       - {source_labels: [__meta_sd_tags], regex: "(?:.+,|^)job:([^,]+).*", replacement: "\${1}", target_label: job}
       - {source_labels: [__meta_sd_tags], regex: "(?:.+,|^)label:([^=]+)=([^,]+).*", replacement: "\${2}", target_label: "\${1}"}`,
      { __meta_sd_tags: 'path:/secret,job:some-job,label:foo=bar' },
      { __meta_sd_tags: 'path:/secret,job:some-job,label:foo=bar', __metrics_path__: '/secret', job: 'some-job', foo: 'bar' },
    ],
    [
      'labeldrop, then a replace recreating the label, then keep (prometheus#12283)',
      `- {regex: "^__meta_kubernetes_pod_container_port_name$", action: labeldrop}
       - {source_labels: [__meta_kubernetes_pod_annotation_XXX_metrics_port], regex: "(.+)", replacement: metrics, target_label: __meta_kubernetes_pod_container_port_name}
       - {source_labels: [__meta_kubernetes_pod_container_port_name], regex: "^metrics$", action: keep}`,
      { __meta_kubernetes_pod_container_port_name: 'foo', __meta_kubernetes_pod_annotation_XXX_metrics_port: '9091' },
      { __meta_kubernetes_pod_annotation_XXX_metrics_port: '9091', __meta_kubernetes_pod_container_port_name: 'metrics' },
    ],
    ['labelkeep', '[{regex: "(b.*)", action: labelkeep}]', { a: 'foo', b1: 'bar', b2: 'baz' }, { b1: 'bar', b2: 'baz' }],
    ['labeldrop', '[{regex: "(b.*)", action: labeldrop}]', { a: 'foo', b1: 'bar', b2: 'baz' }, { a: 'foo' }],
    [
      'uppercase and lowercase',
      '[{source_labels: [foo], action: uppercase, target_label: foo_uppercase}, {source_labels: [foo], action: lowercase, target_label: foo_lowercase}]',
      { foo: 'bAr123Foo' },
      { foo: 'bAr123Foo', foo_lowercase: 'bar123foo', foo_uppercase: 'BAR123FOO' },
    ],
    ['keepequal with equal values keeps', '[{source_labels: [__tmp_port], action: keepequal, target_label: __port1}]', { __tmp_port: '1234', __port1: '1234', __port2: '5678' }, { __tmp_port: '1234', __port1: '1234', __port2: '5678' }],
    ['dropequal with equal values drops', '[{source_labels: [__tmp_port], action: dropequal, target_label: __port1}]', { __tmp_port: '1234', __port1: '1234', __port2: '5678' }, null],
    ['dropequal with different values keeps', '[{source_labels: [__tmp_port], action: dropequal, target_label: __port2}]', { __tmp_port: '1234', __port1: '1234', __port2: '5678' }, { __tmp_port: '1234', __port1: '1234', __port2: '5678' }],
    ['keepequal with different values drops', '[{source_labels: [__tmp_port], action: keepequal, target_label: __port2}]', { __tmp_port: '1234', __port1: '1234', __port2: '5678' }, null],
  ])('Prometheus: %s', (_name, yaml, input, output) => {
    expect(relabel(input, configs(yaml))).toEqual(output);
  });

  // The configuration documentation and the well-known kubernetes/blackbox/sharding examples.
  it.each<Case>([
    [
      'kubernetes pods: keep annotated pods, take path and port from annotations, map pod labels',
      `
- source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape]
  action: keep
  regex: true
- source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_path]
  action: replace
  target_label: __metrics_path__
  regex: (.+)
- source_labels: [__address__, __meta_kubernetes_pod_annotation_prometheus_io_port]
  action: replace
  regex: ([^:]+)(?::\\d+)?;(\\d+)
  replacement: $1:$2
  target_label: __address__
- action: labelmap
  regex: __meta_kubernetes_pod_label_(.+)
- source_labels: [__meta_kubernetes_namespace]
  action: replace
  target_label: kubernetes_namespace
- source_labels: [__meta_kubernetes_pod_name]
  action: replace
  target_label: kubernetes_pod_name
`,
      {
        __address__: '10.1.2.3:8080',
        __metrics_path__: '/errors',
        __meta_kubernetes_pod_annotation_prometheus_io_scrape: 'true',
        __meta_kubernetes_pod_annotation_prometheus_io_path: '/-/errors',
        __meta_kubernetes_pod_annotation_prometheus_io_port: '7777',
        __meta_kubernetes_pod_label_app: 'checkout',
        __meta_kubernetes_namespace: 'shop',
        __meta_kubernetes_pod_name: 'checkout-5d8f',
      },
      {
        __address__: '10.1.2.3:7777',
        __metrics_path__: '/-/errors',
        __meta_kubernetes_pod_annotation_prometheus_io_scrape: 'true',
        __meta_kubernetes_pod_annotation_prometheus_io_path: '/-/errors',
        __meta_kubernetes_pod_annotation_prometheus_io_port: '7777',
        __meta_kubernetes_pod_label_app: 'checkout',
        __meta_kubernetes_namespace: 'shop',
        __meta_kubernetes_pod_name: 'checkout-5d8f',
        app: 'checkout',
        kubernetes_namespace: 'shop',
        kubernetes_pod_name: 'checkout-5d8f',
      },
    ],
    [
      'kubernetes pods: a pod without the scrape annotation is dropped',
      '[{source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape], action: keep, regex: true}]',
      { __address__: '10.1.2.3:8080' },
      null,
    ],
    [
      'kubernetes pods: no path annotation leaves __metrics_path__ alone, (.+) does not match empty',
      '[{source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_path], target_label: __metrics_path__, regex: (.+)}]',
      { __address__: 'a:1', __metrics_path__: '/errors' },
      { __address__: 'a:1', __metrics_path__: '/errors' },
    ],
    [
      'kubernetes services: scheme from an annotation',
      '[{source_labels: [__meta_kubernetes_service_annotation_prometheus_io_scheme], action: replace, target_label: __scheme__, regex: (https?)}]',
      { __scheme__: 'http', __meta_kubernetes_service_annotation_prometheus_io_scheme: 'https' },
      { __scheme__: 'https', __meta_kubernetes_service_annotation_prometheus_io_scheme: 'https' },
    ],
    [
      'blackbox: the address becomes a parameter, the instance label, and the prober the address',
      `
- source_labels: [__address__]
  target_label: __param_target
- source_labels: [__param_target]
  target_label: instance
- target_label: __address__
  replacement: blackbox-exporter.example.com:9115
`,
      { __address__: 'example.com:443' },
      { __address__: 'blackbox-exporter.example.com:9115', __param_target: 'example.com:443', instance: 'example.com:443' },
    ],
    [
      'sharding: hashmod into a temporary label, keep one shard',
      `
- source_labels: [__address__]
  modulus: 4
  target_label: __tmp_hash
  action: hashmod
- source_labels: [__tmp_hash]
  regex: ^3$
  action: keep
`,
      { __address__: 'checkout-1:7777' },
      { __address__: 'checkout-1:7777', __tmp_hash: '3' },
    ],
    [
      'a replacement that expands to empty deletes the target label',
      '[{source_labels: [missing], target_label: zone, regex: "(.*)"}]',
      { zone: 'eu-1' },
      {},
    ],
    [
      'a constant label with the default regex',
      '[{target_label: env, replacement: production}]',
      { a: 'x' },
      { a: 'x', env: 'production' },
    ],
    [
      'an empty separator',
      '[{source_labels: [a, b], separator: "", target_label: ab}]',
      { a: 'x', b: 'y' },
      { a: 'x', b: 'y', ab: 'xy' },
    ],
    [
      'RE2 named groups (?P<name>...) and ${name} references',
      '[{source_labels: [__address__], regex: "(?P<host>[^:]+):(?P<port>\\\\d+)", target_label: host_port, replacement: "${port}@${host}"}]',
      { __address__: 'db:5432' },
      { __address__: 'db:5432', host_port: '5432@db' },
    ],
    [
      'a leading (?i) flag',
      '[{source_labels: [env], regex: "(?i)prod(uction)?", action: keep}]',
      { env: 'PRODUCTION' },
      { env: 'PRODUCTION' },
    ],
    [
      'dot matches a newline, as in Prometheus (?s)',
      '[{source_labels: [a], regex: "foo.bar", action: drop}]',
      { a: 'foo\nbar' },
      null,
    ],
    [
      '$$ is a literal dollar; $1x names group "1x" (empty), as in Go',
      '[{source_labels: [a], regex: "(.*)", target_label: b, replacement: "$$1-$1x-${1}x"}]',
      { a: 'v' },
      { a: 'v', b: '$1--vx' },
    ],
    [
      'RE2 \\s is ASCII space only; POSIX classes work',
      '[{source_labels: [a], regex: "[[:alpha:]]+\\\\s[[:digit:]]+", action: keep}]',
      { a: 'abc 123' },
      { a: 'abc 123' },
    ],
    [
      'labelmap does not visit labels it creates',
      '[{regex: "(.*)_x", replacement: "${1}", action: labelmap}]',
      { a_x_x: '1' },
      { a_x_x: '1', a_x: '1' },
    ],
  ])('example: %s', (_name, yaml, input, output) => {
    expect(relabel(input, configs(yaml))).toEqual(output);
  });

  it('hashmod spreads addresses over every shard, each always to the same one', () => {
    const [config] = configs('[{source_labels: [__address__], modulus: 4, target_label: shard, action: hashmod}]');
    const shards = Array.from({ length: 40 }, (_, i) => relabel({ __address__: `10.0.0.${i}:7777` }, [config!])!.shard);
    expect(new Set(shards)).toEqual(new Set(['0', '1', '2', '3']));
    expect(relabel({ __address__: '10.0.0.7:7777' }, [config!])!.shard).toBe(shards[7]);
  });

  it('does not change its input', () => {
    const input = { a: 'x' };
    relabel(input, configs('[{regex: a, action: labeldrop}]'));
    expect(input).toEqual({ a: 'x' });
  });
});
