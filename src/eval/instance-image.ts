/**
 * Which image an instance runs in, and where its checkout is mounted: the instance's own `image`,
 * else the run's image template (SWE-bench's `sweb.eval.x86_64.{instance_id}`, whose environment
 * is installed already), else the configured image. A SWE-bench Python repository's image keeps
 * the repository at /testbed, so the checkout is mounted there.
 */
import type { Config } from '../config/schema.ts';
import type { SwebenchInstance } from './instances.ts';
import { isVerifiedPython, TESTBED } from './python-specs.ts';

/** Docker image names are lower case; Docker Hub's SWE-bench images spell `__` as `_1776_`. */
export function expandImage(template: string, instance: SwebenchInstance): string {
  const id = instance.instance_id.toLowerCase();
  return template
    .replaceAll('{instance_id}', id)
    .replaceAll('{hub_id}', id.replaceAll('__', '_1776_'))
    .replaceAll('{repo}', instance.repo.toLowerCase().replace('/', '__'));
}

export function instanceImage(instance: SwebenchInstance, imageTemplate?: string): string | undefined {
  return instance.image ?? (imageTemplate ? expandImage(imageTemplate, instance) : undefined);
}

/** The sandbox settings for one instance: its image and, for the Verified Python repositories, /testbed. */
export function instanceSandbox(
  base: Config['sandbox'],
  instance: SwebenchInstance,
  imageTemplate?: string,
): Config['sandbox'] {
  const image = instanceImage(instance, imageTemplate);
  const testbed = isVerifiedPython(instance);
  return { ...base, ...(image ? { image } : {}), ...(testbed ? { workdir: TESTBED } : {}) };
}
