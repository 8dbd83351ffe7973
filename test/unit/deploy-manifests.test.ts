import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseCli } from '../../src/cli/args.js';
import { REPO } from '../helpers/tutor.js';

// deploy/k8s validated offline against the Kubernetes API schema (kubernetes-models carries the
// OpenAPI schemas of the API as JSON-schema validators), then the parts the lab relies on: the
// readiness probe is the lab's capacity, the Service keeps an attendee on their pod, the
// container's arguments are ones the tutor accepts. No cluster and no container engine here:
// nothing is applied or built (README says so).

const manifest = (name: string) => parse(readFileSync(join(REPO, 'deploy', 'k8s', name), 'utf8')) as Record<string, unknown>;

describe('deploy/k8s', () => {
  const d = manifest('deployment.yaml');
  const s = manifest('service.yaml');
  const deployment = new Deployment(d as never);
  const service = new Service(s as never);

  it('are valid Kubernetes objects', () => {
    expect(() => deployment.validate()).not.toThrow();
    expect(() => service.validate()).not.toThrow();
  });

  it('would be refused when broken (the schema is really checked)', () => {
    const broken = structuredClone(d) as { spec: { template: { spec: { containers: { ports: { containerPort: unknown }[] }[] } } } };
    broken.spec.template.spec.containers[0]!.ports[0]!.containerPort = 'http';
    expect(() => new Deployment(broken as never).validate()).toThrow(/containerPort must be integer/);
  });

  it('probe the lab: ready while a place is left, alive while the server answers', () => {
    const c = deployment.spec!.template.spec!.containers[0]!;
    expect(c.readinessProbe?.httpGet?.path).toBe('/healthz/lab');
    expect(c.livenessProbe?.httpGet?.path).toBe('/healthz/live');
    expect(c.readinessProbe?.httpGet?.port).toBe(c.ports![0]!.name);
  });

  it('keep an attendee on the pod holding their sandbox, and reach the pods the Deployment makes', () => {
    expect(service.spec?.sessionAffinity).toBe('ClientIP');
    expect(service.spec?.selector).toEqual(deployment.spec!.template.metadata!.labels);
    expect(deployment.spec!.selector.matchLabels).toEqual(deployment.spec!.template.metadata!.labels);
    expect(service.spec?.ports?.[0]?.targetPort).toBe('http');
  });

  it('start the classroom with the lab, with arguments the tutor accepts, never privileged', () => {
    const c = deployment.spec!.template.spec!.containers[0]!;
    const o = parseCli(c.args!);
    expect(o).toMatchObject({ command: 'classroom', lab: true, host: '0.0.0.0', port: 8370, labMax: 20 });
    expect(c.securityContext?.privileged).toBe(false);
    expect(deployment.spec!.template.spec!.securityContext?.runAsNonRoot).toBe(true);
    const dockerfile = readFileSync(join(REPO, 'deploy', 'Dockerfile'), 'utf8');
    for (const pkg of ['user-mode-linux', 'bubblewrap', 'iproute2']) expect(dockerfile).toContain(pkg);
    expect(dockerfile).toMatch(/USER tutor/);
  });
});
