import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { countFormatErrors, expandImage, instanceConfig } from '../../src/eval/agent-instance.ts';
import { fakeInstances } from './run-support.ts';

const [instance] = fakeInstances(1);
if (!instance) throw new Error('fixture');
const { config } = loadConfig({ env: {} });

describe('per-instance image and setup', () => {
  it('expands the image template in lower case, with the Docker Hub spelling as {hub_id}', () => {
    const i = { ...instance, instance_id: 'Django__django-11099' };
    expect(expandImage('sweb.eval.x86_64.{instance_id}:latest', i)).toBe(
      'sweb.eval.x86_64.django__django-11099:latest',
    );
    expect(expandImage('swebench/sweb.eval.x86_64.{hub_id}', i)).toBe(
      'swebench/sweb.eval.x86_64.django_1776_django-11099',
    );
  });

  it('uses the instance image, else the template with no setup, else the configured image and setup', () => {
    const templated = instanceConfig(config, instance, 'sweb.eval.x86_64.{instance_id}');
    expect(templated.sandbox.image).toBe('sweb.eval.x86_64.owner__repo-1');
    expect(templated.validate.setupCommand).toBe('true');
    const own = instanceConfig(config, { ...instance, image: 'mine:1', install: 'make deps' }, 'ignored');
    expect([own.sandbox.image, own.validate.setupCommand]).toEqual(['mine:1', 'make deps']);
    const plain = instanceConfig(config, { ...instance, repo: 'iamkun/dayjs' });
    expect(plain.sandbox.image).toBe(config.sandbox.image);
    expect(plain.validate.setupCommand).toBe('npm install --ignore-scripts --legacy-peer-deps');
  });

  it('counts format errors in a trace, ignoring a torn last line', () => {
    const trace = '{"type":"step"}\n{"type":"format_error","step":1}\n{"type":"format_err';
    expect(countFormatErrors(trace)).toBe(1);
  });
});
