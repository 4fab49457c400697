import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dependencyEnv, moveVenvOut, PYTHON_ENV_MOUNT, pythonEnvDir } from '../../src/validate/python-env.ts';

function checkoutWith(files: string[]): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'pyenv-')), 'checkout');
  for (const f of files) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), 'x');
  }
  return dir;
}

describe('the Python environment leaves the checkout', () => {
  it('moves the venv beside the checkout and puts /opt/conjecture/venv first on PATH', async () => {
    const dir = checkoutWith(['.conjecture/venv/bin/python3', '.conjecture/venv/pyvenv.cfg', 'app.py']);
    const env = await moveVenvOut(dir);
    expect(existsSync(join(dir, '.conjecture/venv'))).toBe(false);
    expect(existsSync(join(pythonEnvDir(dir), 'bin/python3'))).toBe(true);
    expect(env?.hostDir).toBe(pythonEnvDir(dir));
    const vars = dependencyEnv('/usr/bin:/bin', true);
    expect(vars.PATH?.split(':')[0]).toBe(`${PYTHON_ENV_MOUNT}/bin`);
    expect(vars).toMatchObject({ VIRTUAL_ENV: PYTHON_ENV_MOUNT, PYTHONDONTWRITEBYTECODE: '1' });
    await env?.dispose();
    expect(existsSync(pythonEnvDir(dir))).toBe(false);
  });

  it('has nothing to mount when setup built no venv', async () => {
    const dir = checkoutWith(['app.py']);
    expect(await moveVenvOut(dir)).toBeNull();
    expect(existsSync(pythonEnvDir(dir))).toBe(false);
  });
});
