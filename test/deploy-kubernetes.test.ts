import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { parseByteSize, parseConfigText } from '../src/config/index.js';
import { REPO_ROOT, yamlDocument, yamlDocuments } from './support/deploy-files.js';
import { PeriskopUnderTest } from './support/periskop-under-test.js';

// deploy/kubernetes checked without a cluster: the manifests' structure and cross-references,
// the embedded config through the real loader, probe paths against the real server, and
// `kubectl kustomize` when kubectl is installed.

const DIR = 'deploy/kubernetes';
const kustomization = yamlDocument(join(DIR, 'kustomization.yaml'));
const manifests: any[] = kustomization.resources.flatMap((file: string) => yamlDocuments(join(DIR, file)));
const WORKLOAD_KINDS = ['Deployment', 'StatefulSet'];
const workloads = manifests.filter((manifest) => WORKLOAD_KINDS.includes(manifest.kind));

function one(kind: string, name: string): any {
  const found = manifests.filter((manifest) => manifest.kind === kind && manifest.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0];
}

function containerPorts(workload: any): Array<{ name?: string; containerPort: number }> {
  return workload.spec.template.spec.containers.flatMap((container: any) => container.ports ?? []);
}

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

const periskop = one('Deployment', 'periskop');
const periskopContainer = periskop.spec.template.spec.containers[0];

describe(DIR, () => {
  it('every manifest has apiVersion, kind and a name', () => {
    expect(manifests.length).toBeGreaterThan(10);
    for (const manifest of manifests) {
      expect(manifest).toMatchObject({ apiVersion: expect.any(String), kind: expect.any(String), metadata: { name: expect.any(String) } });
    }
  });

  it.each(workloads.map((workload) => [`${workload.kind} ${workload.metadata.name}`, workload]))(
    '%s: its selector matches its pod template, and its pods run unprivileged',
    (_name, workload: any) => {
      const template = workload.spec.template;
      expect(matches(workload.spec.selector.matchLabels, template.metadata.labels)).toBe(true);
      expect(template.spec.securityContext.runAsNonRoot).toBe(true);
      expect(template.spec.securityContext.runAsUser).toBeGreaterThan(0);
      for (const container of template.spec.containers) {
        expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
        expect(container.resources.requests).toMatchObject({ cpu: expect.anything(), memory: expect.any(String) });
        expect(container.resources.limits.memory).toEqual(expect.any(String));
        expect(container.readinessProbe).toBeDefined();
        expect(container.livenessProbe).toBeDefined();
      }
    },
  );

  it.each(manifests.filter((m) => m.kind === 'Service').map((service) => [service.metadata.name, service]))(
    'Service %s selects a workload, and its target ports are that workload’s container ports',
    (_name, service: any) => {
      const selected = workloads.filter((workload) => matches(service.spec.selector, workload.spec.template.metadata.labels));
      expect(selected).toHaveLength(1);
      const ports = containerPorts(selected[0]);
      for (const port of service.spec.ports) {
        const target = port.targetPort ?? port.port;
        const found = ports.find((candidate) => (typeof target === 'number' ? candidate.containerPort === target : candidate.name === target));
        expect({ service: service.metadata.name, target, found: found !== undefined }).toEqual({ service: service.metadata.name, target, found: true });
      }
    },
  );

  it('every ConfigMap, Secret key and ServiceAccount a pod uses is defined here', () => {
    for (const workload of workloads) {
      const pod = workload.spec.template.spec;
      if (pod.serviceAccountName) one('ServiceAccount', pod.serviceAccountName);
      for (const volume of pod.volumes ?? []) if (volume.configMap) one('ConfigMap', volume.configMap.name);
      for (const env of pod.containers.flatMap((container: any) => container.env ?? [])) {
        const ref = env.valueFrom?.secretKeyRef;
        if (ref) expect(Object.keys(one('Secret', ref.name).stringData)).toContain(ref.key);
      }
    }
  });

  describe('the Periskop Deployment', () => {
    it('runs several replicas in cluster mode, rolled one at a time', () => {
      expect(periskop.spec.replicas).toBeGreaterThan(1);
      expect(periskop.spec.strategy).toMatchObject({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } });
      const config = parseConfigText(one('ConfigMap', 'periskop-config').data['periskop.yaml'], 'periskop-config/periskop.yaml');
      expect(config.cluster?.enabled).toBe(true);
      expect(config.events.type === 'jetstream' && config.events.partitions).toBeGreaterThanOrEqual(periskop.spec.replicas);
    });

    it('has a read-only root file system and writable volumes for its data and /tmp', () => {
      expect(periskopContainer.securityContext.readOnlyRootFilesystem).toBe(true);
      const mounts = periskopContainer.volumeMounts.filter((mount: any) => !mount.readOnly).map((mount: any) => mount.mountPath);
      expect(mounts.sort()).toEqual(['/tmp', '/var/lib/periskop']);
    });

    it('mounts the config where CONFIG_FILE points', () => {
      const configFile = periskopContainer.env.find((env: any) => env.name === 'CONFIG_FILE').value;
      const mount = periskopContainer.volumeMounts.find((m: any) => configFile.startsWith(`${m.mountPath}/`));
      const volume = periskop.spec.template.spec.volumes.find((v: any) => v.name === mount.name);
      expect(Object.keys(one('ConfigMap', volume.configMap.name).data)).toContain(configFile.slice(mount.mountPath.length + 1));
    });

    it("probes paths the server answers 200 on, on the container's port", async () => {
      const probes = ['startupProbe', 'readinessProbe', 'livenessProbe'].map((name) => periskopContainer[name]);
      const paths = probes.filter((probe) => probe.httpGet).map((probe) => probe.httpGet.path);
      expect(paths).toContain('/-/health');
      for (const probe of probes) expect(probe.httpGet?.port ?? probe.tcpSocket.port).toBe('http');
      const server = await PeriskopUnderTest.start({ services: [] });
      try {
        for (const path of paths) expect({ path, status: (await server.get(path)).status }).toEqual({ path, status: 200 });
      } finally {
        await server.stop();
      }
    });
  });

  describe('the embedded Periskop config', () => {
    const config = parseConfigText(one('ConfigMap', 'periskop-config').data['periskop.yaml'], 'periskop-config/periskop.yaml');

    it('loads with the real config loader: JetStream on the 3-node cluster, PostgreSQL without a password in it', () => {
      expect(config.events).toMatchObject({ type: 'jetstream', replicas: 3 });
      const nats = one('StatefulSet', 'nats');
      const seeds = Array.from({ length: nats.spec.replicas }, (_, index) => `nats://nats-${index}.${nats.spec.serviceName}:4222`);
      expect(config.events.type === 'jetstream' && config.events.url.split(',')).toEqual(seeds);
      expect(config.repository).toMatchObject({ type: 'postgres', connection: { host: 'postgres', port: 5432 } });
      expect(config.repository.type === 'postgres' && config.repository.connection.password).toBeUndefined();
      expect(periskopContainer.env.map((env: any) => env.name)).toContain('PGPASSWORD');
    });

    it('discovers pods with kubernetes_sd_configs', () => {
      expect(config.services.some((service) => service.kubernetesSdConfigs?.[0]?.role === 'pod')).toBe(true);
    });
  });

  it('lets Periskop get, list and watch what kubernetes_sd_configs reads', () => {
    const binding = one('ClusterRoleBinding', 'periskop-discovery');
    const role = one('ClusterRole', binding.roleRef.name);
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: periskop.spec.template.spec.serviceAccountName, namespace: kustomization.namespace }]);
    const granted = new Set(
      role.rules.flatMap((rule: any) => rule.resources.map((resource: string) => `${rule.apiGroups[0]}/${resource}:${[...rule.verbs].sort().join(',')}`)),
    );
    for (const resource of ['/pods', '/services', '/endpoints', '/nodes', 'discovery.k8s.io/endpointslices', 'networking.k8s.io/ingresses']) {
      expect(granted).toContain(`${resource}:get,list,watch`);
    }
  });

  it('runs NATS as a 3-node JetStream cluster whose routes name its pods through a headless Service', () => {
    const nats = one('StatefulSet', 'nats');
    expect(nats.spec.replicas).toBe(3);
    const headless = one('Service', nats.spec.serviceName);
    expect(headless.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    const conf: string = one('ConfigMap', 'nats-config').data['nats.conf'];
    expect(conf).toMatch(/jetstream \{[^}]*store_dir: \/data/);
    for (let index = 0; index < 3; index++) expect(conf).toContain(`nats://nats-${index}.${nats.spec.serviceName}:6222`);
    expect(nats.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    const budget = one('PodDisruptionBudget', 'nats');
    expect(budget.spec.maxUnavailable).toBe(1);
    expect(matches(budget.spec.selector.matchLabels, nats.spec.template.metadata.labels)).toBe(true);
  });

  it("gives each NATS server room for the whole stream: max_bytes <= max_file_store <= its volume", () => {
    const config = parseConfigText(one('ConfigMap', 'periskop-config').data['periskop.yaml'], 'periskop-config/periskop.yaml');
    const maxBytes = config.events.type === 'jetstream' ? config.events.maxBytes : -1;
    const conf: string = one('ConfigMap', 'nats-config').data['nats.conf'];
    const maxFileStore = parseByteSize(/max_file_store: (\S+)/.exec(conf)![1]!); // NATS reads GB as 1024^3; 1000^3 is the safe side
    const storage: string = one('StatefulSet', 'nats').spec.volumeClaimTemplates[0].spec.resources.requests.storage;
    const volume = parseByteSize(`${storage}B`); // Kubernetes' 400Gi is 400GiB
    expect(maxBytes).toBeGreaterThan(0);
    expect(maxFileStore).toBeGreaterThanOrEqual(maxBytes);
    expect(volume).toBeGreaterThanOrEqual(maxFileStore);
  });

  const kubectl = (() => {
    try {
      execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  (kubectl ? it : it.skip)('builds with kubectl kustomize, everything namespaced in the namespace it creates', () => {
    const built: any[] = loadAll(execFileSync('kubectl', ['kustomize', join(REPO_ROOT, DIR)], { encoding: 'utf8' })) as any[];
    expect(built.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual(manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort());
    const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding'];
    for (const manifest of built.filter((m) => !clusterScoped.includes(m.kind))) expect(manifest.metadata.namespace).toBe(kustomization.namespace);
    expect(built.find((m) => m.kind === 'Deployment').spec.template.spec.containers[0].image).toBe('periskop:latest');
  });
});
